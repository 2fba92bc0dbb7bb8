//! `slant analyze`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use slant::pipeline::{self, RunConfig};
use slant::report::CsvOptions;
use slant::store::OutLock;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Corpus inputs: folders (with manifest.csv, or OUTLET/ARTICLE.txt
    /// sub-folders) and .csv / .jsonl files with `outlet` and `text`.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// Folder for the reports (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Lexicon file(s); repeat to combine. Default: the embedded starter lexicon.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// Start each CSV with a byte-order mark so Excel reads it as UTF-8.
    #[arg(long)]
    excel: bool,
    /// Most mention rows per file in mentions/ (whole articles per file).
    #[arg(long, value_name = "N", default_value_t = slant::report::mentions::DEFAULT_PART_ROWS,
          value_parser = clap::value_parser!(u64).range(1..))]
    part_rows: u64,
    /// Fail (exit 2, no reports) if any input is skipped.
    #[arg(long)]
    strict: bool,
    /// Lexicon only: skip both models (sentiment and loaded-word detector).
    #[arg(long)]
    no_model: bool,
    /// Sentiment model folder. Default: the model shipped with slant.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    model: Option<PathBuf>,
    /// Loaded-word detector folder. Default: the detector shipped with slant.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    detector: Option<PathBuf>,
    /// Ignore the cache of a previous run in --out and analyse everything.
    #[arg(long)]
    force: bool,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let config = RunConfig {
        inputs: args.inputs.clone(),
        out: args.out.clone(),
        lexicons: args.lexicons.clone(),
        csv: CsvOptions {
            excel_bom: args.excel,
            part_rows: args.part_rows,
        },
        strict: args.strict,
        force: args.force,
        progress: !args.quiet,
    };
    // Taken before anything else touches the folder, so that a second run
    // says at once that it is busy and leaves everything as it is.
    let lock = OutLock::acquire(&config.out)?;
    let summary = run_pipeline(&config, &lock, &args)?;
    for w in &summary.warnings {
        eprintln!("slant: warning: {w}");
    }
    for s in &summary.skipped {
        eprintln!("slant: skipped: {s}");
    }
    if let Some(note) = &summary.cache.note {
        eprintln!("slant: cache: {note}");
    }
    if !args.quiet {
        let c = &summary.cache;
        eprintln!(
            "slant: {} articles: {} new, {} changed, {} cached, {} removed",
            summary.articles, c.new, c.changed, c.cached, c.removed
        );
        eprintln!(
            "slant: {} articles from {} outlets, {} mentions; {} duplicate(s), {} skipped; reports in {}",
            summary.articles,
            summary.outlets,
            summary.mentions,
            summary.duplicates,
            summary.skipped.len(),
            args.out.display()
        );
    }
    // Skipped inputs are bad input: the reports for the rest are written,
    // but the exit code says not everything was read.
    Ok(if summary.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_BAD_INPUT)
    })
}

#[cfg(feature = "model")]
fn run_pipeline(
    config: &RunConfig,
    lock: &OutLock,
    args: &AnalyzeArgs,
) -> anyhow::Result<pipeline::RunSummary> {
    if args.no_model {
        return pipeline::run(config, lock, None, None).context("analyze");
    }
    let dir = args
        .detector
        .clone()
        .unwrap_or_else(slant::detect::Detector::default_dir);
    let detector = pipeline::DetectorFinder::open(&dir).with_context(|| {
        format!(
            "loaded-word detector {} (or run with --no-model)",
            dir.display()
        )
    })?;
    let dir = args
        .model
        .clone()
        .unwrap_or_else(slant::sentiment::SentimentModel::default_dir);
    let mut scorer = pipeline::ModelScorer::open(&dir, &config.out, config.force)
        .with_context(|| format!("sentiment model {} (or run with --no-model)", dir.display()))?;
    if let Some(note) = &scorer.note {
        eprintln!("slant: sentiment cache: {note}; rebuilding");
    }
    pipeline::run(config, lock, Some(&mut scorer), Some(&detector)).context("analyze")
}

#[cfg(not(feature = "model"))]
fn run_pipeline(
    config: &RunConfig,
    lock: &OutLock,
    args: &AnalyzeArgs,
) -> anyhow::Result<pipeline::RunSummary> {
    if args.model.is_some() || args.detector.is_some() {
        anyhow::bail!(
            "this slant was built without the `model` feature; --model and --detector are not available"
        );
    }
    pipeline::run(config, lock, None, None).context("analyze")
}
