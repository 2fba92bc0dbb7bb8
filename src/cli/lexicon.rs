//! `slant lexicon …`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use slant::lexicon::{self, Severity};

// Parsed once per process: the size of the largest variant (all of
// `analyze`'s model options) costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
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
    let labels = &summary.discovered.labels;
    let none = slant::discover::suggest::LabelSentiment::new();
    let mut text = slant::discover::suggest::draft(labels, &matcher, &source, &none);
    if !args.models.no_model && !labels.groups.is_empty() {
        // The model reads each label where the outlets use it: a second
        // analysis with the draft as its only lexicon.
        let sentiment = draft_sentiment(&args, &text)?;
        text = slant::discover::suggest::draft(labels, &matcher, &source, &sentiment);
    }
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

/// The model's mean sentiment toward each label of `draft` in its own-voice
/// uses across the corpus: `draft` analysed as the only lexicon, in a
/// temporary folder, and each label's `concepts.csv` rows (one per outlet)
/// combined, weighted by their mentions.
fn draft_sentiment(
    args: &SuggestArgs,
    draft: &str,
) -> anyhow::Result<slant::discover::suggest::LabelSentiment> {
    use anyhow::Context;
    let temp = tempfile::tempdir().context("a temporary folder for the draft's analysis")?;
    let lexicon = temp.path().join("draft.toml");
    std::fs::write(&lexicon, draft)
        .with_context(|| format!("{}: cannot write", lexicon.display()))?;
    let out = temp.path().join("reports");
    let config = slant::pipeline::RunConfig {
        inputs: args.inputs.clone(),
        out: out.clone(),
        lexicons: vec![lexicon],
        no_general: true,
        group_by: args.discovery.group_by.clone(),
        discovery: args.discovery.options()?,
        ..slant::pipeline::RunConfig::default()
    };
    let lock = slant::store::OutLock::acquire(&config.out)?;
    super::analyze::run_pipeline(&config, &lock, &args.models)
        .context("the draft's analysis, for the model's sentiment toward each label")?;
    let path = out.join("concepts.csv");
    let mut reader = csv::Reader::from_path(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no column {name}", path.display()))
    };
    let (concept, label, mean, n) = (
        col("concept")?,
        col("label")?,
        col("sentiment_own_mean")?,
        col("sentiment_own_n")?,
    );
    let mut sums: std::collections::BTreeMap<(String, String), (f64, u64)> = Default::default();
    for (line, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{}: line {}", path.display(), line + 2))?;
        let (Some(m), Some(k)) = (row.get(mean), row.get(n)) else {
            continue;
        };
        // An empty mean is a label without scored mentions for this outlet.
        let (Ok(m), Ok(k)) = (m.parse::<f64>(), k.parse::<u64>()) else {
            continue;
        };
        let key = (
            row.get(concept).unwrap_or_default().to_string(),
            row.get(label).unwrap_or_default().to_string(),
        );
        if key.1 == "(all)" || k == 0 {
            continue;
        }
        let e = sums.entry(key).or_default();
        e.0 += m * k as f64;
        e.1 += k;
    }
    Ok(sums
        .into_iter()
        .map(|(key, (sum, k))| (key, (sum / k as f64, k)))
        .collect())
}
