//! `slant analyze`

use std::path::{Path, PathBuf};
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
    /// Lexicon file(s); repeat to combine. They are read over the embedded
    /// general layer of loaded language (their terms win where both list
    /// one). Default: the embedded starter lexicon.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// With --lexicon: use only the files given, without the embedded
    /// general layer.
    #[arg(long, requires = "lexicons")]
    no_general: bool,
    /// For people who double-click: start each CSV with a byte-order mark
    /// so Excel reads it as UTF-8, and put an apostrophe before any text
    /// cell a spreadsheet would take for a formula (=, +, -, @, tab, CR).
    #[arg(long)]
    excel: bool,
    /// Most mention rows per file in mentions/ (whole articles per file).
    #[arg(long, value_name = "N", default_value_t = slant::report::mentions::DEFAULT_PART_ROWS,
          value_parser = clap::value_parser!(u64).range(1..))]
    part_rows: u64,
    /// Fail (exit 2, no reports) if any input is skipped.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    models: ModelArgs,
    /// Ignore the cache of a previous run in --out and analyse everything.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    discovery: DiscoveryArgs,
    /// Print nothing but errors and warnings.
    #[arg(long, short)]
    quiet: bool,
}

/// Which models a run uses.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Lexicon only: skip the models (sentiment, loaded-word detector and
    /// phrase encoder); label groups then rest on string evidence.
    #[arg(long)]
    pub(crate) no_model: bool,
    /// Sentiment model folder. Default: the model shipped with slant.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    model: Option<PathBuf>,
    /// Loaded-word detector folder. Default: the detector shipped with slant.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    detector: Option<PathBuf>,
    /// Phrase encoder folder (label groups). Default: the encoder shipped
    /// with slant.
    #[arg(long, value_name = "DIR", conflicts_with = "no_model")]
    encoder: Option<PathBuf>,
    #[command(flatten)]
    inference: slant::sentiment::InferenceArgs,
}

/// Groups and discovery: `groups.csv`, `keyness.csv`, `labels.csv`,
/// `divergence.csv`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiscoveryArgs {
    /// Metadata column that names each article's group (a lean, a country,
    /// an owner). Default: `group`.
    #[arg(long, value_name = "COLUMN")]
    pub group_by: Option<String>,
    /// keyness.csv lists a phrase for an outlet or group only if this many
    /// of its articles use it.
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(2..))]
    keyness_min_articles: u32,
    /// Phrases per outlet and per group in keyness.csv.
    #[arg(long, value_name = "N", default_value_t = 30)]
    keyness_top: usize,
    /// Count quoted and attributed speech in keyness.csv too (default: the
    /// outlet's own voice only).
    #[arg(long)]
    keyness_quotes: bool,
    /// Least average similarity of the phrases of one label group (0–1).
    #[arg(long, value_name = "SIM", default_value_t = slant::discover::labels::LabelOptions::default().threshold)]
    label_threshold: f64,
}

impl DiscoveryArgs {
    /// The pipeline's settings, checked.
    pub fn options(&self) -> anyhow::Result<slant::discover::DiscoveryOptions> {
        if !(0.0..=1.0).contains(&self.label_threshold) {
            anyhow::bail!(
                "--label-threshold {}: must be between 0 and 1",
                self.label_threshold
            );
        }
        let mut options = slant::discover::DiscoveryOptions::default();
        options.keyness.min_articles = self.keyness_min_articles;
        options.keyness.top = self.keyness_top;
        options.keyness.quotes = self.keyness_quotes;
        options.labels.threshold = self.label_threshold;
        Ok(options)
    }
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let config = RunConfig {
        inputs: args.inputs.clone(),
        out: args.out.clone(),
        lexicons: args.lexicons.clone(),
        no_general: args.no_general,
        csv: CsvOptions {
            excel_bom: args.excel,
            part_rows: args.part_rows,
        },
        strict: args.strict,
        force: args.force,
        progress: !args.quiet,
        group_by: args.discovery.group_by.clone(),
        discovery: args.discovery.options()?,
        workbook: slant::report::xlsx::WorkbookOptions::default(),
    };
    // Taken before anything else touches the folder, so that a second run
    // says at once that it is busy and leaves everything as it is.
    let lock = OutLock::acquire(&config.out)?;
    let summary = run_pipeline(&config, &lock, &args.models)?;
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
        for line in last_lines(&summary, &args.out, started.elapsed()) {
            eprintln!("slant: {line}");
        }
    }
    // Skipped inputs are bad input: the reports for the rest are written,
    // but the exit code says not everything was read.
    Ok(if summary.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_BAD_INPUT)
    })
}

/// The run's last lines on stderr: what was read, where the reports are
/// and which file to open first.
fn last_lines(
    summary: &pipeline::RunSummary,
    out: &Path,
    took: std::time::Duration,
) -> Vec<String> {
    let c = &summary.cache;
    let skipped = match summary.skipped.len() {
        0 => "0 skipped".to_string(),
        n => format!("{n} skipped (listed above and in run.json)"),
    };
    let mut lines = vec![
        format!(
            "{} articles: {} new, {} changed, {} cached, {} removed",
            summary.articles, c.new, c.changed, c.cached, c.removed
        ),
        format!(
            "{} articles from {} outlets, {} mentions; {} duplicate(s), {skipped}; done in {}",
            summary.articles,
            summary.outlets,
            summary.mentions,
            summary.duplicates,
            indicatif::HumanDuration(took)
        ),
        format!("reports in {}", out.display()),
    ];
    let html = out.join(HTML_REPORT);
    let outlets = out.join("outlets.csv");
    let workbook = out.join(slant::report::xlsx::FILE);
    if html.is_file() {
        lines.push(format!("open first: {} (in a browser)", html.display()));
        if workbook.is_file() {
            lines.push(format!(
                "for a spreadsheet: {} (a sheet per table), or the CSV files: {} (one row per outlet), concepts.csv, articles.csv, mentions/",
                workbook.display(),
                outlets.display()
            ));
        } else {
            lines.push(format!(
                "for a spreadsheet: {} (one row per outlet), then concepts.csv, articles.csv, mentions/",
                outlets.display()
            ));
        }
    } else {
        lines.push(format!(
            "open first: {} (one row per outlet; any spreadsheet), then concepts.csv, articles.csv, mentions/",
            outlets.display()
        ));
    }
    lines
}

/// The report a person opens first, when the run wrote it.
const HTML_REPORT: &str = "report.html";

/// Runs the pipeline with the models `args` asks for, loaded here.
#[cfg(feature = "model")]
pub fn run_pipeline(
    config: &RunConfig,
    lock: &OutLock,
    args: &ModelArgs,
) -> anyhow::Result<pipeline::RunSummary> {
    if args.no_model {
        return pipeline::run(config, lock, None, None, None).context("analyze");
    }
    let loading = pipeline::Progress::new(config.progress).spinner("loading the models");
    let dir = args
        .encoder
        .clone()
        .unwrap_or_else(slant::discover::embed::PhraseEncoder::default_dir);
    let encoder = slant::discover::embed::SharedEncoder::open(&dir)
        .with_context(|| format!("phrase encoder {} (or run with --no-model)", dir.display()))?;
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
    let mut scorer =
        pipeline::ModelScorer::open_with(&dir, &config.out, config.force, args.inference.into())
            .with_context(|| {
                format!("sentiment model {} (or run with --no-model)", dir.display())
            })?;
    loading.finish_and_clear();
    if let Some(note) = &scorer.note {
        eprintln!("slant: sentiment cache: {note}; rebuilding");
    }
    pipeline::run(
        config,
        lock,
        Some(&mut scorer),
        Some(&detector),
        Some(&encoder),
    )
    .context("analyze")
}

#[cfg(not(feature = "model"))]
pub fn run_pipeline(
    config: &RunConfig,
    lock: &OutLock,
    args: &ModelArgs,
) -> anyhow::Result<pipeline::RunSummary> {
    if args.model.is_some() || args.detector.is_some() || args.encoder.is_some() {
        anyhow::bail!(
            "this slant was built without the `model` feature; --model, --detector and --encoder are not available"
        );
    }
    pipeline::run(config, lock, None, None, None).context("analyze")
}
