//! `slant lexicon …`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use slant::lexicon::{self, Severity};

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Draft a story lexicon from a corpus: its groups of competing labels
    /// (`labels.csv`) as concepts and labels, each a suggestion to edit.
    Suggest(SuggestArgs),
    /// Validate lexicon files: syntax, ranges, duplicates, conflicts and
    /// terms that can never match. Exits 2 when there is an error.
    Check {
        /// Lexicon TOML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    /// Corpus inputs, as for `slant analyze`.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// The draft lexicon to write (TOML). An existing file is not replaced.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Keep the analysis' reports in this folder (a rerun reuses its
    /// cache). Default: a temporary folder, removed afterwards.
    #[arg(long, value_name = "DIR")]
    reports: Option<PathBuf>,
    /// Lexicon file(s) to analyse with, as for `slant analyze`.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    #[command(flatten)]
    models: super::analyze::ModelArgs,
    #[command(flatten)]
    discovery: super::analyze::DiscoveryArgs,
}

pub fn run(cmd: LexiconCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LexiconCommand::Suggest(args) => suggest(args),
        LexiconCommand::Check { files } => {
            let diagnostics = lexicon::check(&files);
            let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
            let errors = count(Severity::Error);
            for d in &diagnostics {
                println!("{d}");
            }
            println!(
                "{} file(s): {errors} error(s), {} warning(s), {} note(s)",
                files.len(),
                count(Severity::Warning),
                count(Severity::Note)
            );
            Ok(if errors > 0 {
                ExitCode::from(super::EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn suggest(args: SuggestArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    if args.out.exists() {
        anyhow::bail!(
            "{}: already exists; slant does not replace a lexicon that may hold your edits (remove it or choose another --out)",
            args.out.display()
        );
    }
    let temp;
    let reports = match &args.reports {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::tempdir().context("a temporary folder for the reports")?;
            temp.path().to_path_buf()
        }
    };
    let config = slant::pipeline::RunConfig {
        inputs: args.inputs.clone(),
        out: reports.clone(),
        lexicons: args.lexicons.clone(),
        group_by: args.discovery.group_by.clone(),
        discovery: args.discovery.options()?,
        ..slant::pipeline::RunConfig::default()
    };
    let lock = slant::store::OutLock::acquire(&config.out)?;
    let summary = super::analyze::run_pipeline(&config, &lock, &args.models)?;
    for s in &summary.skipped {
        eprintln!("slant: skipped: {s}");
    }
    let lexicon = if args.lexicons.is_empty() {
        slant::lexicon::Lexicon::embedded()
    } else {
        slant::lexicon::Lexicon::load_over_general(&args.lexicons)?
    };
    let matcher = lexicon.compile()?;
    let source = slant::discover::suggest::DraftSource {
        inputs: args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        articles: summary.articles,
        outlets: summary.outlets,
    };
    let text = slant::discover::suggest::draft(&summary.discovered.labels, &matcher, &source);
    slant::disk::atomic::write(&args.out, text.as_bytes())
        .with_context(|| format!("{}: cannot write", args.out.display()))?;
    // The draft must load as it is: check it the way `slant lexicon check` does.
    let diagnostics = lexicon::check(std::slice::from_ref(&args.out));
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for d in &errors {
        eprintln!("{d}");
    }
    if !errors.is_empty() {
        anyhow::bail!(
            "{}: the draft has {} error(s); please report this",
            args.out.display(),
            errors.len()
        );
    }
    eprintln!(
        "slant: {} concepts with {} labels suggested from {} articles; written to {}{}",
        summary.discovered.labels.groups.len(),
        summary
            .discovered
            .labels
            .groups
            .iter()
            .map(|g| g.phrases.len())
            .sum::<usize>(),
        summary.articles,
        args.out.display(),
        args.reports
            .as_ref()
            .map(|d| format!(" (reports in {})", d.display()))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}
