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
    /// The eighth of train that chooses the detector's checkpoint and
    /// thresholds and how layers combine.
    Tune,
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
    /// Loaded-word detector folder [default: the bundled one].
    #[arg(long, value_name = "DIR")]
    detector: Option<PathBuf>,
    /// Lexicon layers only: no detector rows.
    #[arg(long)]
    no_model: bool,
}

#[cfg(feature = "model")]
fn load_detector(dir: Option<PathBuf>) -> anyhow::Result<slant::detect::Finder> {
    let dir = dir.unwrap_or_else(slant::detect::Detector::default_dir);
    let detector = slant::detect::Detector::load(&dir)
        .with_context(|| format!("loading detector {}", dir.display()))?;
    Ok(slant::detect::Finder::new(Box::new(detector)))
}

#[cfg(not(feature = "model"))]
fn load_detector(_dir: Option<PathBuf>) -> anyhow::Result<slant::detect::Finder> {
    anyhow::bail!("this slant was built without the model feature: run with --no-model")
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
        SplitArg::Tune => Split::Tune,
        SplitArg::All => Split::All,
    };
    let detector = if args.no_model {
        None
    } else {
        Some(load_detector(args.detector)?)
    };
    let report = slant::eval::loaded::run(&args.data, &lexicon, split, detector.as_ref())?;
    print!("{}", report.render());
    if let Some(path) = args.json {
        let json = serde_json::to_vec_pretty(&report).context("report as JSON")?;
        std::fs::write(&path, json).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
