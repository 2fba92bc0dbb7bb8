//! `slant eval …`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use slant::corpus::babe::Split;
use slant::lexicon::Lexicon;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Loaded-language detection against BABE's expert labels: sentence
    /// accuracy and macro-F1, word precision, recall and F1, per layer.
    Loaded(LoadedArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SplitArg {
    /// The held-out fifth (by a hash of each sentence).
    Dev,
    /// The other four fifths.
    Train,
    All,
}

#[derive(Debug, clap::Args)]
pub struct LoadedArgs {
    /// BABE file (final_labels_SG2.csv: `;`-separated, with text,
    /// label_bias and biased_words).
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Lexicon file(s); repeat to combine. Default: the embedded starter lexicon.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = SplitArg::Dev)]
    split: SplitArg,
    /// Also write the figures as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(cmd: EvalCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        EvalCommand::Loaded(args) => run_loaded(args),
    }
}

fn run_loaded(args: LoadedArgs) -> anyhow::Result<ExitCode> {
    let lexicon = if args.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        Lexicon::load(&args.lexicons).context("lexicon")?
    };
    let split = match args.split {
        SplitArg::Dev => Split::Dev,
        SplitArg::Train => Split::Train,
        SplitArg::All => Split::All,
    };
    let report = slant::eval::loaded::run(&args.data, &lexicon, split)?;
    print!("{}", report.render());
    if let Some(path) = args.json {
        let json = serde_json::to_vec_pretty(&report).context("report as JSON")?;
        std::fs::write(&path, json).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
