//! A whole run: corpus in, reports out. The stages, in the order a run
//! takes them:
//!
//! ```text
//! open: lexicon, Corpus::open and store::open side by side
//!   ─► plan (pass 1): dedupe + RepeatedLines per outlet, no text kept;
//!      files the store knows by their stamp are not read
//!   ─► batch (pass 2): cached results, or read + analyze_article, in
//!      bounded batches on all cores ─► scorer (optional) ─► rows + results
//!   ─► sink (its own thread): store, OutletAccumulator, report::Spool
//!   ─► finish: score::finish and discovery beside mentions/ staged, then
//!      the tables and the next cache staged side by side; the
//!      accumulators dropped; report.html and report.xlsx staged side by
//!      side; all put in place, the cache last
//! ```
//!
//! [`read_ahead`] is the one bounded prefetch that pass 1, pass 2 and the
//! benchmarks read through.

mod batch;
mod detector;
mod embedder;
mod finish;
pub(crate) mod plan;
mod progress;
pub(crate) mod read_ahead;
mod scorer;
mod sink;
mod summary;

use std::path::PathBuf;

use crate::corpus::{Corpus, CorpusError};
use crate::discover::labels::PhraseEmbedder;
use crate::lexicon::{Lexicon, LexiconError, DFA_MIN_BYTES};
use crate::report::{CsvOptions, ReportError};
use crate::store::{LockError, OutLock, StoreError};
use crate::text::RepeatedLines;
use batch::{pass_two, Batcher, Passed};
use finish::Finished;
use sink::Sink;
use summary::{write_run_json, Timings};

#[cfg(feature = "model")]
pub use detector::DetectorFinder;
pub use detector::{DetectorSummary, LoadedWords};
pub use embedder::{EmbedCounts, KeptEmbedder};
pub use progress::{Progress, ReportSteps};
#[cfg(feature = "model")]
pub use scorer::{score_cached, ModelScorer};
pub use scorer::{ModelSummary, SentimentScorer};
pub use summary::{DiscoverySummary, GroupSummary, RunSummary};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("sentiment model: {0}")]
    Sentiment(String),
    #[error(transparent)]
    Detector(#[from] crate::analyze::FinderError),
    #[error("phrase encoder: {0}")]
    Encoder(String),
    #[error("{count} input(s) skipped and --strict is set; no reports written")]
    Strict { count: usize },
    #[error("no article could be read ({skipped} skipped); no reports written")]
    NoArticles { skipped: usize },
    #[error("{out}: the run holds the lock of {locked}, not of its output folder")]
    WrongLock { out: PathBuf, locked: PathBuf },
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Lexicon files; empty means the starter lexicon embedded in the binary.
    /// They are read over the embedded general layer unless `no_general`.
    pub lexicons: Vec<PathBuf>,
    /// With `lexicons`: leave out the embedded general layer.
    pub no_general: bool,
    pub csv: CsvOptions,
    /// Any skipped input fails the run before reports are written.
    pub strict: bool,
    /// Ignore the cache of a previous run (it is rewritten).
    pub force: bool,
    /// Show a progress bar on stderr (drawn only when stderr is a terminal).
    pub progress: bool,
    /// The metadata column that names an article's group; `None`: `group`.
    pub group_by: Option<String>,
    /// How keyness and label groups are computed.
    pub discovery: crate::discover::DiscoveryOptions,
    /// How `report.xlsx` is built.
    pub workbook: crate::report::xlsx::WorkbookOptions,
}

/// The metadata column groups come from unless `--group-by` says otherwise.
pub const DEFAULT_GROUP_COLUMN: &str = "group";

/// Pass 2 analyses articles in batches of at most this many articles or
/// bytes: enough to keep every core busy, small enough that the corpus is
/// never in memory at once. Pass 1 hashes lines in batches of the same size.
const BATCH_ARTICLES: usize = 4096;
const BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Runs the pipeline and writes `outlets.csv`, `concepts.csv`,
/// `mentions/`, `articles.csv`, the other tables, `report.xlsx` and
/// `run.json` into `config.out`, which
/// `lock` holds ([`OutLock::acquire`]).
///
/// When the store turns out to be damaged while the reports are being
/// written (a checksum that does not match), nothing has been put in place
/// yet: the run starts again without the cache and says so in
/// [`crate::store::CacheCounts::note`].
///
/// On Linux it sets the process's transparent-huge-pages flag (off, then
/// on for a DFA; README, Benchmarks).
///
/// `detector`, when given, adds the loaded-word detector's hits
/// ([`crate::analyze::analyze_article_with`]); its hash is part of every
/// article's cache key.
pub fn run(
    config: &RunConfig,
    lock: &OutLock,
    mut sentiment: Option<&mut dyn SentimentScorer>,
    detector: Option<&dyn LoadedWords>,
    encoder: Option<&dyn PhraseEmbedder>,
) -> Result<RunSummary, PipelineError> {
    if lock.out() != config.out {
        return Err(PipelineError::WrongLock {
            out: config.out.clone(),
            locked: lock.out().to_path_buf(),
        });
    }
    let first = run_once(
        config,
        sentiment.as_deref_mut(),
        detector,
        encoder,
        config.force,
        None,
    );
    let why = match &first {
        Err(PipelineError::Store(e @ StoreError::Corrupt { .. })) => e.to_string(),
        _ => return first,
    };
    let note = format!("{why}; the cache was not used and is rebuilt");
    run_once(config, sentiment, detector, encoder, true, Some(note))
}

fn run_once<'s>(
    config: &RunConfig,
    mut sentiment: Option<&mut (dyn SentimentScorer + 's)>,
    detector: Option<&dyn LoadedWords>,
    encoder: Option<&dyn PhraseEmbedder>,
    ignore_cache: bool,
    note: Option<String>,
) -> Result<RunSummary, PipelineError> {
    let mut time = Timings::start();
    let started_ns = crate::disk::now_ns();
    huge_pages(false);
    let (lexicon, corpus, mut previous, mut next) = open(config, ignore_cache, &mut time)?;
    let cells = previous.take_cells();
    // The label candidates' vectors are kept in the store like its other
    // results: a rerun embeds only the candidates it has not met.
    let kept_encoder = encoder.map(|e| KeptEmbedder::open(e, &config.out, ignore_cache));
    let encoder = kept_encoder.as_ref().map(|k| k as &dyn PhraseEmbedder);
    let progress = Progress::new(config.progress);
    let reading = match corpus.known_len() {
        Some(n) => progress.bar("reading", "articles", n as u64),
        None => progress.counter("reading", "articles"),
    };
    let plan = plan::plan_articles(&corpus, &previous, &reading);
    reading.finish_and_clear();
    check(config, plan.skipped.len(), plan.kept.is_empty())?;
    // Sized for the texts pass 1 read: a rerun that reads few builds a small
    // automaton (the articles it analyses again are few too).
    if plan.read_bytes >= DFA_MIN_BYTES {
        huge_pages(true);
    }
    let matcher = lexicon.compile_for(plan.read_bytes)?;
    time.lap("load");

    let model_hash = sentiment.as_deref().map(|s| s.summary().sha256);
    let detector_summary = detector.map(|d| d.summary());
    // Whatever decides an article's rows: both models' hashes.
    let key_models = format!(
        "{}/{}",
        model_hash.as_deref().unwrap_or_default(),
        detector_summary.as_ref().map_or("", |d| d.sha256.as_str())
    );
    let detector_before = detector.map(|d| d.spent()).unwrap_or_default();
    let note = note.or_else(|| previous.note.clone());
    let group_by = config.group_by.as_deref().unwrap_or(DEFAULT_GROUP_COLUMN);
    let mut sink = Sink::new(
        config.csv,
        &previous,
        &mut next,
        started_ns,
        group_by,
        cells,
        crate::score::timeline::TimelineAccumulator::new(&lexicon),
    );
    sink.counts.note = note;
    let batcher = Batcher {
        plan: &plan,
        previous: &previous,
        matcher: &matcher,
        model_hash: model_hash.as_deref().unwrap_or_default(),
        key_models: &key_models,
        finder: detector.map(|d| d as &dyn crate::analyze::WordFinder),
        empty: RepeatedLines::empty(),
        bar: progress.bar("analysing", "articles", plan.kept.len() as u64),
        progress: &progress,
        scoring: std::sync::OnceLock::new(),
    };
    let Passed {
        mut sink,
        skips,
        sentiment: spent,
    } = pass_two(&corpus, &batcher, sink, sentiment.as_deref_mut())?;
    check(
        config,
        plan.skipped.len() + skips.len(),
        sink.articles() == 0,
    )?;
    sink.counts.removed = previous.removed(&sink.seen);
    sink.settle()?;
    let Sink {
        outlets,
        groups,
        grouped,
        timeline,
        discovery,
        spool,
        counts,
        mentions,
        duplicates,
        article_cells,
        ..
    } = sink;
    time.lap("analyze");
    time.carve("analyze", "sentiment", spent);
    if let Some(d) = detector {
        time.carve(
            "analyze",
            "detector",
            d.spent().saturating_sub(detector_before),
        );
    }
    // Pass 1's articles borrow their line keys from the previous cache:
    // keep what the summary needs, so that the cache can move on.
    let (bytes, mut skipped, plan_warnings) = (plan.bytes, plan.skipped, plan.warnings);
    skipped.extend(skips);

    // The last run in this folder tells how long each step takes, for the
    // ETA only: a run.json that cannot be read gives even steps.
    let last_run = std::fs::read(config.out.join("run.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    let steps = ReportSteps::from_run(last_run.as_ref());
    let writing = progress.steps("writing reports", steps.total());
    steps.start(&writing, ReportSteps::TABLES);
    let run = finish::Finish {
        lexicon: &lexicon,
        matcher: &matcher,
        outlets: &outlets,
        groups: &groups,
        timeline: &timeline,
        discovery: &discovery,
        article_cells: &article_cells,
        encoder,
        options: config.discovery,
        workbook: config.workbook,
    };
    let Finished {
        discovery: discovery_summary,
        found,
        actors: actor_summary,
        pending,
    } = finish::finish(&config.out, &run, spool, next, previous, &mut time)?;
    // The accumulators are done with: the page and the workbook, built
    // next, should not have them beside their own memory at the peak.
    let (outlet_count, group_count) = (outlets.len(), groups.len());
    drop((outlets, groups, timeline, discovery, article_cells, matcher));
    if let Some(scorer) = sentiment.as_deref_mut() {
        scorer.finish().map_err(PipelineError::Sentiment)?;
    }
    let mut discovery_summary = discovery_summary;
    if let Some(kept) = &kept_encoder {
        kept.save().map_err(|e| {
            let path = crate::store::phrase_vectors::PhraseVectors::path_in(&config.out);
            PipelineError::Encoder(format!("{}: {e}", path.display()))
        })?;
        let counts = kept.counts();
        discovery_summary.label_vectors_kept = Some(counts.kept);
        discovery_summary.label_vectors_computed = Some(counts.computed);
    }
    time.lap("cache_save");

    let mut warnings = corpus.warnings().to_vec();
    if config.group_by.is_some() && grouped == 0 {
        warnings.push(format!(
            "--group-by {group_by}: no article has a value in that column; groups.csv is empty"
        ));
    }
    warnings.extend(plan_warnings);
    if let Some(note) = kept_encoder.as_ref().and_then(|k| k.note.as_ref()) {
        warnings.push(format!("phrase vectors ignored and computed again: {note}"));
    }
    let mut summary = RunSummary {
        slant_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: config
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        lexicon: lexicon.files().to_vec(),
        lexicon_hash: lexicon.hash(),
        model: sentiment.as_deref().map(|s| s.summary()),
        detector: detector_summary,
        articles: counts.new + counts.changed + counts.cached,
        outlets: outlet_count,
        bytes,
        mentions,
        duplicates,
        cache: counts,
        groups: summary::GroupSummary {
            column: group_by.to_string(),
            groups: group_count,
            articles: grouped,
        },
        discovery: discovery_summary,
        actors: actor_summary,
        skipped,
        warnings,
        timings_ms: time.ms.clone(),
        discovered: found,
    };
    // The page and the workbook are built from the staged reports, so that
    // they are put in place with them; the workbook's about sheet reads the
    // run as run.json will have it.
    steps.start(&writing, ReportSteps::PAGES);
    let about = serde_json::to_value(&summary).map_err(|e| ReportError::Xlsx {
        path: config.out.join(crate::report::xlsx::FILE),
        message: e.to_string(),
    })?;
    let staged = pending.render(&config.out, group_by, Some(&about), &mut time)?;
    steps.start(&writing, ReportSteps::IN_PLACE);
    let notes = staged.commit(&mut time)?;
    summary.warnings.extend(notes);
    summary.timings_ms = time.ms;
    write_run_json(&config.out, &summary)?;
    writing.finish_and_clear();
    Ok(summary)
}

/// The lexicon, the corpus and the store of a run. Opening the store
/// changes nothing the previous run can miss (it drops bytes past the
/// recorded ends of the data files), so it runs beside the reading of the
/// manifest.
fn open(
    config: &RunConfig,
    ignore_cache: bool,
    time: &mut Timings,
) -> Result<
    (
        Lexicon,
        Corpus,
        crate::store::PreviousCache,
        crate::store::NextCache,
    ),
    PipelineError,
> {
    let lexicon = if config.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        if config.no_general {
            Lexicon::load(&config.lexicons)?
        } else {
            Lexicon::load_over_general(&config.lexicons)?
        }
    };
    let lexicon_hash = lexicon.hash();
    crate::report::prepare_out_dir(&config.out)?;
    crate::disk::atomic::remove_leftovers(&crate::store::cache_dir(&config.out));
    let mut cache_load = std::time::Duration::ZERO;
    let (corpus, cache) = rayon::join(
        || Corpus::open(&config.inputs),
        || {
            let clock = std::time::Instant::now();
            let cache = crate::store::open(&config.out, &lexicon_hash, ignore_cache);
            cache_load = clock.elapsed();
            cache
        },
    );
    let (corpus, (previous, next)) = (corpus?, cache?);
    time.lap("open");
    time.set("cache_load", cache_load);
    Ok((lexicon, corpus, previous, next))
}

/// Refuses to write reports when `--strict` meets a skip, or nothing is
/// left to report.
fn check(config: &RunConfig, skipped: usize, empty: bool) -> Result<(), PipelineError> {
    if config.strict && skipped > 0 {
        return Err(PipelineError::Strict { count: skipped });
    }
    if empty {
        return Err(PipelineError::NoArticles { skipped });
    }
    Ok(())
}

/// Allows or forbids transparent huge pages for the process's memory
/// touched from now on. mimalloc asks for them. They speed up the DFA's
/// lookups, which jump around 64 MB, but the rest of a run's heap is
/// touched once (a rerun reads 100k cached records and lets them go): there
/// each 2 MiB page costs its zeroing, and a fault can stall on memory
/// compaction. A run starts without them and allows them for the DFA
/// (measured: README, Benchmarks).
fn huge_pages(on: bool) {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(!on);
    #[cfg(not(target_os = "linux"))]
    let _ = on;
}
