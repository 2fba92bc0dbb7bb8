//! A whole run: corpus in, reports out.
//!
//! ```text
//! Corpus::open ─► pass 1: dedupe + RepeatedLines per outlet (no text kept;
//!                 files the cache knows by fingerprint are not read)
//!   ─► pass 2: cached rows, or analyze_article (parallel, in bounded
//!              batches) ─► sentiment (optional) ─► rows + ArticlePartial
//!   ─► OutletAccumulator::add_partial ─► score::finish ─► report::Spool
//! ```

pub mod cache;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;
use serde::Serialize;

use crate::analyze::{analyze_article, ArticleAnalysis};
use crate::corpus::{
    Article, ArticleFile, Corpus, CorpusError, Entry, Fingerprint, OutletId, Skip,
};
use crate::lexicon::{ConceptKind, Lexicon, LexiconError, DFA_MIN_BYTES};
use crate::report::{self, CsvOptions, ReportError};
use crate::score::{self, ArticlePartial, OutletAccumulator};
use crate::sentiment::{Sentiment, Target, TargetKey};
use crate::text::{LineKey, RepeatedLines, RepeatedLinesBuilder};
use cache::{CacheCounts, CacheError, NextCache, Parts, PreviousCache, Record};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cache: {0}")]
    Cache(#[from] CacheError),
    #[error("sentiment model: {0}")]
    Sentiment(String),
    #[error("{count} input(s) skipped and --strict is set; no reports written")]
    Strict { count: usize },
    #[error("no article could be read ({skipped} skipped); no reports written")]
    NoArticles { skipped: usize },
}

/// What to run.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Lexicon files; empty means the starter lexicon embedded in the binary.
    pub lexicons: Vec<PathBuf>,
    pub csv: CsvOptions,
    /// Any skipped input fails the run before reports are written.
    pub strict: bool,
    /// Ignore the cache of a previous run (it is rewritten).
    pub force: bool,
    /// Show a progress bar on stderr (drawn only when stderr is a terminal).
    pub progress: bool,
}

/// Describes the sentiment model in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub name: String,
    pub version: String,
    pub sha256: String,
    pub scored: usize,
    pub cached: usize,
}

/// Scores targets for the sentiment stage; `None` in [`run`] means
/// lexicon-only.
pub trait SentimentScorer {
    fn score(&mut self, targets: &[Target]) -> Result<Vec<Sentiment>, String>;
    fn summary(&self) -> ModelSummary;
    /// The results behind these keys are still in use (by articles whose
    /// rows the run cache holds): keep them in the sentiment cache.
    fn keep(&mut self, _keys: &[TargetKey]) {}
    /// Called once the reports are written (to save a cache).
    fn finish(&mut self) -> Result<(), String> {
        Ok(())
    }
}

/// The shipped sentiment model with its result cache in the output folder.
#[cfg(feature = "model")]
pub struct ModelScorer {
    model: crate::sentiment::SentimentModel,
    cache: crate::sentiment::SentimentCache,
    cache_path: PathBuf,
    stats: crate::sentiment::CacheStats,
    /// Why the previous cache was not used, when it was not.
    pub note: Option<String>,
}

#[cfg(feature = "model")]
impl ModelScorer {
    /// Loads the model in `dir` and the sentiment cache of `out` (ignored
    /// with `force`).
    pub fn open(
        dir: &Path,
        out: &Path,
        force: bool,
    ) -> Result<ModelScorer, crate::sentiment::SentimentError> {
        use crate::sentiment::{CacheLoad, SentimentCache};
        let model = crate::sentiment::SentimentModel::load(dir)?;
        let cache_path = SentimentCache::path_in(out);
        let (cache, note) = if force {
            (SentimentCache::new(), None)
        } else {
            match SentimentCache::load(&cache_path) {
                (cache, CacheLoad::Rebuilt { reason }) => (cache, Some(reason)),
                (cache, _) => (cache, None),
            }
        };
        Ok(ModelScorer {
            model,
            cache,
            cache_path,
            stats: Default::default(),
            note,
        })
    }
}

#[cfg(feature = "model")]
impl SentimentScorer for ModelScorer {
    fn score(&mut self, targets: &[Target]) -> Result<Vec<Sentiment>, String> {
        let (scores, stats) = crate::sentiment::score_cached(&self.model, &mut self.cache, targets)
            .map_err(|e| e.to_string())?;
        // Called once per batch of articles: the run's figures are the sums.
        self.stats.targets += stats.targets;
        self.stats.hits += stats.hits;
        self.stats.scored += stats.scored;
        Ok(scores)
    }

    fn keep(&mut self, keys: &[TargetKey]) {
        for k in keys {
            if self.cache.get(k).is_some() {
                self.stats.hits += 1;
            }
        }
    }

    fn summary(&self) -> ModelSummary {
        let info = self.model.info();
        ModelSummary {
            name: info.name,
            version: info.version,
            sha256: info.hash,
            scored: self.stats.scored,
            cached: self.stats.hits,
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        self.cache.retain_used();
        self.cache
            .save(&self.cache_path)
            .map_err(|e| format!("{}: {e}", self.cache_path.display()))
    }
}

/// What a run did, for the caller's messages and exit code.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub slant_version: String,
    pub inputs: Vec<String>,
    pub lexicon: Vec<crate::lexicon::LexiconFile>,
    pub lexicon_hash: String,
    pub model: Option<ModelSummary>,
    pub articles: usize,
    pub outlets: usize,
    pub bytes: usize,
    pub mentions: usize,
    pub duplicates: usize,
    pub cache: CacheCounts,
    pub skipped: Vec<Skip>,
    pub warnings: Vec<String>,
    pub timings_ms: BTreeMap<String, u128>,
}

/// Runs the pipeline and writes `outlets.csv`, `concepts.csv`,
/// `mentions/`, `articles.csv` and `run.json` into `config.out`.
///
/// When the run cache turns out to be damaged while the reports are being
/// written (a checksum that does not match), nothing has been put in place
/// yet: the run starts again without the cache and says so in
/// [`CacheCounts::note`].
///
/// On Linux it sets the process's transparent-huge-pages flag (off, then
/// on for a DFA; README, Benchmarks).
pub fn run(
    config: &RunConfig,
    mut sentiment: Option<&mut dyn SentimentScorer>,
) -> Result<RunSummary, PipelineError> {
    let first = run_once(config, sentiment.as_deref_mut(), config.force, None);
    let why = match &first {
        Err(PipelineError::Cache(e @ CacheError::Corrupt { .. })) => e.to_string(),
        Err(PipelineError::Report(e @ ReportError::CorruptRows { .. })) => e.to_string(),
        _ => return first,
    };
    run_once(
        config,
        sentiment,
        true,
        Some(format!("{why}; the cache was not used and is rebuilt")),
    )
}

fn run_once<'s>(
    config: &RunConfig,
    mut sentiment: Option<&mut (dyn SentimentScorer + 's)>,
    ignore_cache: bool,
    note: Option<String>,
) -> Result<RunSummary, PipelineError> {
    let mut timings = BTreeMap::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, timings: &mut BTreeMap<String, u128>| {
        timings.insert(name.to_string(), clock.elapsed().as_millis());
        clock = Instant::now();
    };
    let started_ns = now_ns();
    huge_pages(false);

    let lexicon = if config.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        Lexicon::load(&config.lexicons)?
    };
    let lexicon_hash = lexicon.hash();
    report::prepare_out_dir(&config.out)?;
    crate::atomic::remove_leftovers(&cache::cache_dir(&config.out));
    // Opening the cache changes nothing the previous run can miss (it drops
    // bytes past the recorded ends of the data files), so it runs beside
    // the reading of the manifest.
    let mut cache_load = std::time::Duration::ZERO;
    let (corpus, cache) = rayon::join(
        || Corpus::open(&config.inputs),
        || {
            let clock = Instant::now();
            let cache = cache::open(&config.out, &lexicon_hash, ignore_cache);
            cache_load = clock.elapsed();
            cache
        },
    );
    let (corpus, (previous, mut next)) = (corpus?, cache?);
    lap("open", &mut timings);
    timings.insert("cache_load".into(), cache_load.as_millis());

    // Pass 1 decides what to analyse and learns each outlet's repeated
    // lines; pass 2 takes cached rows or reads the texts again and analyses
    // them in bounded batches. No more than one batch of texts is ever held
    // in memory, and a file the cache knows by its fingerprint is not read.
    let mut plan = plan_articles(&corpus, &previous);
    if config.strict && !plan.skipped.is_empty() {
        return Err(PipelineError::Strict {
            count: plan.skipped.len(),
        });
    }
    if plan.kept.is_empty() {
        return Err(PipelineError::NoArticles {
            skipped: plan.skipped.len(),
        });
    }
    // Sized for the texts pass 1 read: a rerun that reads few builds a small
    // automaton (the articles it analyses again for their context are few
    // too, and matching is a small part of analysing).
    if plan.read_bytes >= DFA_MIN_BYTES {
        huge_pages(true);
    }
    let matcher = lexicon.compile_for(plan.read_bytes)?;
    lap("load", &mut timings);

    let model_hash = sentiment
        .as_deref()
        .map(|s| s.summary().sha256)
        .unwrap_or_default();
    let sink = Sink {
        outlets: BTreeMap::new(),
        spool: report::Spool::new(config.csv),
        next: &mut next,
        previous: &previous,
        counts: CacheCounts {
            note: note.or_else(|| previous.note.clone()),
            ..CacheCounts::default()
        },
        seen: vec![false; previous.len()],
        mentions: 0,
        duplicates: 0,
        settled_before: started_ns,
    };
    let batcher = Batcher {
        plan: &plan,
        previous: &previous,
        matcher: &matcher,
        model_hash: &model_hash,
        empty: RepeatedLines::empty(),
        bar: progress_bar(config.progress, plan.kept.len()),
    };
    let mut sentiment_time = std::time::Duration::ZERO;
    let mut batch: Vec<(usize, Entry<'_>)> = Vec::new();
    let mut batch_bytes = 0;
    let mut late_skips = Vec::new();
    // Articles in files are taken in report order, (outlet, id), so that on
    // a first run their rows lie in the rows file as they lie in the report
    // and are copied in one piece; table rows follow, in table order (a
    // table can only be read front to back).
    let mut file_slots: Vec<usize> = (0..plan.kept.len())
        .filter(|&s| plan.kept[s].file.is_some())
        .collect();
    file_slots.sort_by(|&a, &b| {
        let (a, b) = (&plan.kept[a], &plan.kept[b]);
        (&a.outlet, &a.id).cmp(&(&b.outlet, &b.id))
    });
    let work = || {
        let files = file_slots.iter().filter_map(|&slot| {
            let file = plan.kept[slot].file?;
            Some((slot, Entry::File(file)))
        });
        let rows = corpus
            .entries()
            .enumerate()
            .filter_map(|(pos, entry)| match entry {
                Entry::File(_) => None,
                entry => Some((plan.slots.get(pos).copied().flatten()?, entry)),
            });
        files.chain(rows)
    };
    // The sink takes each batch on a thread of its own, in order, while the
    // next batch is decoded and analysed: adding 100k cached articles one
    // by one would otherwise leave the other cores idle.
    let kept = &plan.kept;
    let (sink, read) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Done>>(1);
        let sink = scope.spawn(move || -> Result<Sink, PipelineError> {
            let mut sink = sink;
            for batch in rx {
                for done in batch {
                    let kept = &kept[done.slot];
                    sink.add(done, kept)?;
                }
            }
            Ok(sink)
        });
        // Entries are only listed ahead (table rows come read): keys are
        // computed, and texts read, in the batch, on all cores. A batch is
        // bounded by what pass 1 measured of its texts, so no more than one
        // batch of texts is ever read.
        let read = read_ahead(
            work,
            |item| item,
            |(_, entry): &(usize, Entry<'_>)| match entry {
                Entry::Loaded(Ok(article)) => article.text.len(),
                _ => 0,
            },
            |items| -> Result<(), PipelineError> {
                for (slot, entry) in items {
                    batch_bytes += plan.kept[slot].bytes;
                    batch.push((slot, entry));
                    if batch.len() >= BATCH_ARTICLES || batch_bytes >= BATCH_BYTES {
                        let (spent, done, skips) =
                            batcher.run(&mut batch, sentiment.as_deref_mut())?;
                        sentiment_time += spent;
                        late_skips.extend(skips);
                        batch_bytes = 0;
                        if tx.send(done).is_err() {
                            // The sink stopped on an error, which it returns.
                            return Ok(());
                        }
                    }
                }
                let (spent, done, skips) = batcher.run(&mut batch, sentiment.as_deref_mut())?;
                sentiment_time += spent;
                late_skips.extend(skips);
                let _ = tx.send(done);
                Ok(())
            },
        );
        drop(tx);
        (sink.join(), read)
    });
    // The sink's error comes first: it is why reading stopped.
    let mut sink = match sink {
        Ok(sink) => sink?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    read?;
    batcher.bar.finish_and_clear();
    drop(batcher);
    if config.strict && !late_skips.is_empty() {
        return Err(PipelineError::Strict {
            count: plan.skipped.len() + late_skips.len(),
        });
    }
    plan.skipped.extend(late_skips);
    let articles = sink.articles();
    if articles == 0 {
        return Err(PipelineError::NoArticles {
            skipped: plan.skipped.len(),
        });
    }
    sink.counts.removed = previous.removed(&sink.seen);
    let Sink {
        outlets,
        spool,
        counts,
        mentions,
        duplicates,
        ..
    } = sink;
    // Pass 1's articles borrow their line keys from the previous cache:
    // keep only what the summary needs, so that the cache can be moved
    // into the next one.
    let Plan {
        skipped,
        warnings: plan_warnings,
        bytes,
        ..
    } = plan;
    timings.insert("sentiment".into(), sentiment_time.as_millis());
    lap("analyze", &mut timings);
    if let Some(t) = timings.get_mut("analyze") {
        *t = t.saturating_sub(sentiment_time.as_millis());
    }
    let model = sentiment.as_deref().map(|s| s.summary());

    let concepts: Vec<String> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect();
    // The tables are computed while the mention parts are written: one is
    // arithmetic, the other mostly waits on the disk.
    let mut score_time = std::time::Duration::ZERO;
    let (tables, staged) = {
        let (rows, rows_path) = next.rows_file()?;
        rayon::join(
            || {
                let clock = Instant::now();
                let tables = score::finish(&lexicon, &outlets);
                score_time = clock.elapsed();
                tables
            },
            || spool.stage(&config.out, (rows, &rows_path), previous.mention_parts()),
        )
    };
    let staged = staged?;
    next.set_mentions(staged.parts(), staged.part_of());
    // The next cache is written while the tables are, but put in place
    // after the reports: a run killed before that leaves the previous
    // cache, which still matches the reports it can reuse (entries are
    // keyed by content, never by position).
    let mut cache_time = std::time::Duration::ZERO;
    let (notes, cache) = rayon::join(
        || staged.finish(&config.out, &tables, &concepts),
        || {
            let clock = Instant::now();
            let cache = next.stage(previous);
            cache_time = clock.elapsed();
            cache
        },
    );
    let notes = notes?;
    let cache = cache?;
    lap("report", &mut timings);
    timings.insert("score".into(), score_time.as_millis());
    cache.commit()?;
    if let Some(scorer) = sentiment {
        scorer.finish().map_err(PipelineError::Sentiment)?;
    }
    lap("cache_save", &mut timings);
    if let Some(t) = timings.get_mut("cache_save") {
        *t += cache_time.as_millis();
    }

    let mut warnings = corpus.warnings().to_vec();
    warnings.extend(plan_warnings);
    warnings.extend(notes);
    let summary = RunSummary {
        slant_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs: config
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        lexicon: lexicon.files().to_vec(),
        lexicon_hash,
        model,
        articles,
        outlets: outlets.len(),
        bytes,
        mentions,
        duplicates,
        cache: counts,
        skipped,
        warnings,
        timings_ms: timings,
    };
    write_run_json(&config.out, &summary)?;
    Ok(summary)
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

fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

fn progress_bar(show: bool, len: usize) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    // stderr draw target: hidden by indicatif itself when not a terminal.
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} analysing {pos}/{len} articles [{bar:30}] {per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn write_run_json(out: &Path, summary: &RunSummary) -> Result<(), ReportError> {
    let mut json = serde_json::to_vec_pretty(summary).unwrap_or_default();
    json.push(b'\n');
    report::write_atomic(&out.join("run.json"), &json)
}

/// Where articles go, in corpus order: the per-outlet accumulators, the
/// report spool and the next run's cache. Nothing here holds an article's
/// text or mentions after it is added.
struct Sink<'a> {
    outlets: BTreeMap<OutletId, OutletAccumulator>,
    spool: report::Spool,
    next: &'a mut NextCache,
    previous: &'a PreviousCache,
    counts: CacheCounts,
    /// Which previous records this run has seen again (by id).
    seen: Vec<bool>,
    mentions: usize,
    duplicates: usize,
    /// Fingerprints of files last changed before this are kept.
    settled_before: i128,
}

impl Sink<'_> {
    /// Articles added so far: each one is new, changed or cached.
    fn articles(&self) -> usize {
        self.counts.new + self.counts.changed + self.counts.cached
    }

    fn add(&mut self, done: Done, kept: &Kept<'_>) -> Result<(), PipelineError> {
        let fingerprint = kept.fingerprint.filter(|f| f.settled(self.settled_before));
        let (rows, part, seen) = match done.source {
            Source::Cached(i) => {
                self.counts.cached += 1;
                let rows = self.next.keep(self.previous, i, fingerprint)?;
                (rows, self.previous.part(i), Some(i))
            }
            Source::Fresh {
                previous,
                key,
                mention_rows,
            } => {
                if previous.is_some() {
                    self.counts.changed += 1;
                } else {
                    self.counts.new += 1;
                }
                let record = Record {
                    id: kept.id.clone(),
                    source: kept.source.clone(),
                    fingerprint,
                    content_hash: kept.content_hash.clone(),
                    bytes: kept.bytes as u64,
                    lines: kept.lines.to_vec(),
                    key,
                    rows: Default::default(),
                    parts: Default::default(),
                    part: None,
                };
                let rows = self.next.add(record, &mention_rows, &done.parts)?;
                let part = self.previous.part_with_rows(&kept.source, &rows);
                (rows, part, previous)
            }
        };
        // The outlet is cloned only for its first article.
        let acc = match self.outlets.get_mut(&kept.outlet) {
            Some(acc) => acc,
            None => self.outlets.entry(kept.outlet.clone()).or_default(),
        };
        acc.add_partial(&done.parts.partial);
        for _ in 0..kept.duplicates {
            acc.add_duplicate();
        }
        self.spool.add(report::SpoolEntry {
            outlet: kept.outlet.0.clone(),
            id: kept.id.clone(),
            rows,
            mentions: done.parts.mentions,
            part,
            article_row: done.parts.article_row,
        });
        if let Some(seen) = seen.and_then(|i| self.seen.get_mut(i)) {
            *seen = true;
        }
        self.mentions += done.parts.mentions as usize;
        self.duplicates += kept.duplicates;
        Ok(())
    }
}

/// One article for pass 2's batch: cached rows, or a text to analyse.
enum Work {
    /// The previous run's record `record` has this article's rows; the
    /// article's text is not read.
    Cached { slot: usize, record: usize },
    Fresh {
        slot: usize,
        article: Box<Article>,
        key: u128,
    },
}

/// A [`Work`] item done: cached parts read back, or the article analysed.
// Nearly every item of a rerun is cached: boxing its parts would cost an
// allocation per article to make the rare fresh one smaller.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Cached {
        slot: usize,
        record: usize,
        parts: Parts,
    },
    Fresh {
        slot: usize,
        key: u128,
        analysis: Box<ArticleAnalysis>,
    },
}

/// Where an article's rows come from.
enum Source {
    Cached(usize),
    Fresh {
        /// The previous record of its id, when the previous run had it
        /// (with other content or context).
        previous: Option<usize>,
        key: u128,
        mention_rows: Vec<u8>,
    },
}

/// An article's outputs, ready for the [`Sink`].
struct Done {
    slot: usize,
    source: Source,
    parts: Parts,
}

/// Decides, for each article of pass 2, whether its rows are cached, and
/// analyses batches of those that are not on all cores.
struct Batcher<'a> {
    plan: &'a Plan<'a>,
    previous: &'a PreviousCache,
    matcher: &'a crate::lexicon::Matcher,
    /// The sentiment model's hash, empty without a model.
    model_hash: &'a str,
    empty: RepeatedLines,
    bar: indicatif::ProgressBar,
}

impl Batcher<'_> {
    fn repeated(&self, outlet: &OutletId) -> &RepeatedLines {
        self.plan.repeated.get(outlet).unwrap_or(&self.empty)
    }

    /// The corpus entry of kept article `slot` becomes cached work (its
    /// file not read), fresh work (read again and checked against pass 1)
    /// or a skip.
    fn prepare(&self, slot: usize, entry: Entry<'_>) -> Result<Work, Skip> {
        let kept = &self.plan.kept[slot];
        let key = |head| {
            cache::key(
                head,
                &kept.lines,
                self.repeated(&kept.outlet),
                kept.duplicates,
                self.model_hash,
            )
        };
        // A table row comes read; a file is read only if its rows are not
        // cached.
        match entry {
            Entry::File(file) => {
                let key = key(file.head(&kept.id, &kept.content_hash, &kept.source));
                if let Some(record) = self.previous.lookup(key) {
                    return Ok(Work::Cached { slot, record });
                }
                let article = second_read(kept, file.read())?;
                Ok(Work::Fresh {
                    slot,
                    article: Box::new(article),
                    key,
                })
            }
            Entry::Loaded(item) => {
                let article = second_read(kept, item)?;
                let key = key(article.head());
                Ok(match self.previous.lookup(key) {
                    Some(record) => Work::Cached { slot, record },
                    None => Work::Fresh {
                        slot,
                        article: Box::new(article),
                        key,
                    },
                })
            }
        }
    }

    /// Returns the time spent in the sentiment model, the batch done, in
    /// order, for the [`Sink`], and the articles skipped because they
    /// changed since pass 1.
    fn run(
        &self,
        batch: &mut Vec<(usize, Entry<'_>)>,
        sentiment: Option<&mut (dyn SentimentScorer + '_)>,
    ) -> Result<(std::time::Duration, Vec<Done>, Vec<Skip>), PipelineError> {
        // Cached parts are checked and decoded, fresh articles read and
        // analysed.
        let prepared: Vec<Result<Outcome, Skip>> = std::mem::take(batch)
            .into_par_iter()
            .map(|(slot, entry)| {
                let work = match self.prepare(slot, entry) {
                    Ok(work) => work,
                    Err(skip) => return Ok(Err(skip)),
                };
                let outcome = match work {
                    Work::Cached { slot, record } => Outcome::Cached {
                        parts: self.previous.parts(record)?,
                        slot,
                        record,
                    },
                    Work::Fresh { slot, article, key } => Outcome::Fresh {
                        analysis: Box::new(analyze_article(
                            &article,
                            self.repeated(&article.outlet),
                            self.matcher,
                        )),
                        slot,
                        key,
                    },
                };
                self.bar.inc(1);
                Ok(Ok(outcome))
            })
            .collect::<Result<_, CacheError>>()?;
        let mut skips = Vec::new();
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(prepared.len());
        for p in prepared {
            match p {
                Ok(outcome) => outcomes.push(outcome),
                Err(skip) => skips.push(skip),
            }
        }
        let clock = Instant::now();
        if let Some(scorer) = sentiment {
            let mut fresh: Vec<&mut ArticleAnalysis> = Vec::new();
            let mut keep: Vec<TargetKey> = Vec::new();
            for outcome in &mut outcomes {
                match outcome {
                    Outcome::Fresh { analysis, .. } => fresh.push(&mut **analysis),
                    Outcome::Cached { parts, .. } => {
                        keep.extend(parts.targets.iter().map(|k| TargetKey(*k)))
                    }
                }
            }
            attach_sentiment(scorer, &mut fresh)?;
            scorer.keep(&keep);
        }
        let spent = clock.elapsed();
        // Rendering rows and parts is most of the per-article cost after
        // the analysis: do it on all cores, leaving the sink only to append.
        let done: Vec<Done> = outcomes
            .into_par_iter()
            .map(|outcome| match outcome {
                Outcome::Cached {
                    slot,
                    record,
                    parts,
                } => Done {
                    slot,
                    source: Source::Cached(record),
                    parts,
                },
                Outcome::Fresh {
                    slot,
                    key,
                    analysis,
                } => {
                    let (mention_rows, parts) =
                        self.render(&analysis, self.plan.kept[slot].duplicates);
                    Done {
                        slot,
                        source: Source::Fresh {
                            previous: self.previous.record_of(&self.plan.kept[slot].id),
                            key,
                            mention_rows,
                        },
                        parts,
                    }
                }
            })
            .collect();
        Ok((spent, done, skips))
    }

    /// An analysed article's mention rows and parts.
    fn render(&self, analysis: &ArticleAnalysis, duplicates: usize) -> (Vec<u8>, Parts) {
        let rows = report::Spool::render(analysis, duplicates);
        let targets = if self.model_hash.is_empty() {
            Vec::new()
        } else {
            analysis
                .mentions
                .iter()
                .filter_map(crate::analyze::sentiment_target)
                .map(|t| TargetKey::new(self.model_hash, &t).0)
                .collect()
        };
        let parts = Parts {
            article_row: rows.article_row,
            partial: ArticlePartial::of(analysis),
            targets,
            mentions: analysis.mentions.len() as u64,
        };
        (rows.mention_rows, parts)
    }
}

/// Pass 2's reading of an article pass 1 kept: the same text, or a skip
/// (it changed or vanished in between; its earlier reading is not used,
/// since its mentions could not be checked against the file).
fn second_read(kept: &Kept<'_>, item: Result<Article, Skip>) -> Result<Article, Skip> {
    let a = item?;
    if a.content_hash == kept.content_hash {
        Ok(a)
    } else {
        Err(Skip {
            source: a.source,
            reason: "changed while slant was reading the corpus; run again".into(),
        })
    }
}

/// Runs `f` over the items `make` yields, each turned into a `T` by
/// `prepare` on a second thread that reads ahead (reading, decoding and
/// hashing overlap with the analysis). The reader stops as soon as `f`
/// returns. `make` runs on the reading thread, so its iterator need not be
/// `Send`.
///
/// The reader keeps at most 1,024 items and [`READ_AHEAD_BYTES`] of
/// `weight` (the texts it holds) ahead of `f`; an item heavier than that
/// alone still passes, one at a time.
fn read_ahead<X, I: Iterator<Item = X>, T: Send, R>(
    make: impl FnOnce() -> I + Send,
    prepare: impl Fn(X) -> T + Send,
    weight: impl Fn(&T) -> usize + Sync,
    f: impl FnOnce(&mut dyn Iterator<Item = T>) -> R,
) -> R {
    use std::sync::{Condvar, Mutex, PoisonError};
    // Bytes sent and not yet taken, whether the reader waits for them to
    // be taken, and whether `f` is done. Weightless items (files not read
    // yet) take no lock: a wake-up costs a system call.
    let ahead = (Mutex::new((0usize, false, false)), Condvar::new());
    let (state, changed) = (&ahead.0, &ahead.1);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1024);
        let weight = &weight;
        scope.spawn(move || {
            for item in make() {
                let item = prepare(item);
                let w = weight(&item);
                if w > 0 {
                    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                    while s.0 > 0 && s.0 + w > READ_AHEAD_BYTES && !s.2 {
                        s.1 = true;
                        s = changed.wait(s).unwrap_or_else(PoisonError::into_inner);
                    }
                    s.1 = false;
                    if s.2 {
                        break;
                    }
                    s.0 += w;
                }
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        let mut items = rx.into_iter().inspect(|item| {
            let w = weight(item);
            if w > 0 {
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                s.0 = s.0.saturating_sub(w);
                if s.1 {
                    changed.notify_all();
                }
            }
        });
        let r = f(&mut items);
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.2 = true;
        changed.notify_all();
        drop(s);
        r
    })
}

/// What [`read_ahead`] may hold of texts read ahead.
const READ_AHEAD_BYTES: usize = 64 * 1024 * 1024;

/// Pass 2 analyses articles in batches of at most this many articles or
/// bytes: enough to keep every core busy, small enough that the corpus is
/// never in memory at once.
const BATCH_ARTICLES: usize = 4096;
const BATCH_BYTES: usize = 64 * 1024 * 1024;

/// What pass 1 learned about an article it keeps.
struct Kept<'c> {
    /// Its file, when it has one (not a table row).
    file: Option<ArticleFile<'c>>,
    outlet: OutletId,
    id: String,
    content_hash: String,
    /// [`Article::source`].
    source: String,
    /// Bytes of decoded text.
    bytes: usize,
    /// Its line keys, for its outlet's repeated lines and its cache key
    /// (borrowed from the previous run's record when the file is known).
    lines: Cow<'c, [LineKey]>,
    /// Its file's fingerprint, taken before it was read.
    fingerprint: Option<Fingerprint>,
    /// Copies dropped (same outlet, same content).
    duplicates: usize,
}

/// The outcome of pass 1 over the corpus.
struct Plan<'c> {
    /// One entry per item of `Corpus::entries`, in order: the index in
    /// `kept` of an article to analyse, `None` for a skip or a copy.
    slots: Vec<Option<usize>>,
    kept: Vec<Kept<'c>>,
    repeated: HashMap<OutletId, RepeatedLines>,
    bytes: usize,
    /// Bytes of the texts pass 1 read (files the cache did not know).
    read_bytes: usize,
    skipped: Vec<Skip>,
    warnings: Vec<String>,
}

/// Pass 1's view of one corpus entry.
enum Seen<'c> {
    /// An article read (its line keys still to compute).
    Read {
        article: Box<Article>,
        file: Option<ArticleFile<'c>>,
        fingerprint: Option<Fingerprint>,
    },
    /// A file the cache knows by its fingerprint: not read, its content
    /// hash and line keys are the record's.
    Known {
        file: ArticleFile<'c>,
        fingerprint: Option<Fingerprint>,
        record: &'c Record,
    },
    Skipped(Skip),
}

/// Pass 1: reads every article the cache does not know (by fingerprint)
/// once, drops copies, refuses reused ids and learns each outlet's repeated
/// lines, keeping no text.
///
/// A copy is the same text from the same outlet. The same text from two
/// outlets is kept for both: syndicated wire copy is a choice each outlet
/// made, and part of its framing.
fn plan_articles<'c>(corpus: &'c Corpus, previous: &'c PreviousCache) -> Plan<'c> {
    let mut plan = Plan {
        slots: Vec::new(),
        kept: Vec::new(),
        repeated: HashMap::new(),
        bytes: 0,
        read_bytes: 0,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    // First article kept per (outlet, content) and per id, for messages.
    let mut by_content: HashMap<(OutletId, String), usize> = HashMap::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut builders: BTreeMap<OutletId, RepeatedLinesBuilder> = BTreeMap::new();
    // The outlet is cloned only for its first article.
    fn count(
        builders: &mut BTreeMap<OutletId, RepeatedLinesBuilder>,
        outlet: &OutletId,
        keys: &[LineKey],
    ) {
        match builders.get_mut(outlet) {
            Some(b) => b.add_keys(keys),
            None => {
                let mut b = RepeatedLinesBuilder::default();
                b.add_keys(keys);
                builders.insert(outlet.clone(), b);
            }
        }
    }
    // Texts whose line keys are still to be computed (in parallel, a batch
    // at a time) and counted for their outlet, with their slot.
    let mut pending: Vec<(usize, String)> = Vec::new();
    let mut pending_bytes = 0;
    let flush = |pending: &mut Vec<(usize, String)>,
                 kept: &mut Vec<Kept<'c>>,
                 builders: &mut BTreeMap<OutletId, RepeatedLinesBuilder>| {
        let keys: Vec<_> = pending
            .par_iter()
            .map(|(_, text)| RepeatedLinesBuilder::keys(text))
            .collect();
        for ((slot, _), keys) in pending.drain(..).zip(keys) {
            count(builders, &kept[slot].outlet, &keys);
            kept[slot].lines = Cow::Owned(keys);
        }
    };
    let see = |entry: Entry<'c>| -> Seen<'c> {
        match entry {
            Entry::File(file) => {
                // The fingerprint is taken before the file is read: a file
                // changed after it is not taken for the text read here.
                let fingerprint = file.fingerprint();
                if let Some(record) = previous.known_file(&file.source(), fingerprint) {
                    return Seen::Known {
                        file,
                        fingerprint,
                        record,
                    };
                }
                match file.read() {
                    Ok(article) => Seen::Read {
                        article: Box::new(article),
                        file: Some(file),
                        fingerprint,
                    },
                    Err(skip) => Seen::Skipped(skip),
                }
            }
            Entry::Loaded(Ok(article)) => Seen::Read {
                article: Box::new(article),
                file: None,
                fingerprint: None,
            },
            Entry::Loaded(Err(skip)) => Seen::Skipped(skip),
        }
    };
    read_ahead(
        || corpus.entries(),
        see,
        |seen| match seen {
            Seen::Read { article, .. } => article.text.len(),
            _ => 0,
        },
        |items| {
            for item in items {
                plan.slots.push(None);
                // A known file is not read: what pass 2 needs of it comes
                // from the input's metadata and the cache's record.
                let (kept, text, known) = match item {
                    Seen::Known {
                        file,
                        fingerprint,
                        record,
                    } => {
                        let kept = Kept {
                            file: Some(file),
                            outlet: OutletId(file.outlet().to_string()),
                            id: file.id(&record.content_hash).0,
                            content_hash: record.content_hash.clone(),
                            source: record.source.clone(),
                            bytes: record.bytes as usize,
                            lines: Cow::Borrowed(record.lines.as_slice()),
                            fingerprint,
                            duplicates: 0,
                        };
                        (kept, String::new(), true)
                    }
                    Seen::Read {
                        article,
                        file,
                        fingerprint,
                    } => {
                        let Article {
                            id,
                            outlet,
                            source,
                            text,
                            content_hash,
                            ..
                        } = *article;
                        let kept = Kept {
                            file,
                            outlet,
                            id: id.0,
                            content_hash,
                            source,
                            bytes: text.len(),
                            lines: Cow::Borrowed(&[]),
                            fingerprint,
                            duplicates: 0,
                        };
                        (kept, text, false)
                    }
                    Seen::Skipped(skip) => {
                        plan.skipped.push(skip);
                        continue;
                    }
                };
                let content_key = (kept.outlet.clone(), kept.content_hash.clone());
                if let Some(&first) = by_content.get(&content_key) {
                    let first = &mut plan.kept[first];
                    first.duplicates += 1;
                    plan.warnings.push(format!(
                        "{}: same text as {} (outlet {}); counted once, as a duplicate",
                        kept.source, first.source, kept.outlet
                    ));
                    continue;
                }
                if let Some(&first) = by_id.get(&kept.id) {
                    plan.skipped.push(Skip {
                        reason: format!(
                            "id `{}` is already used by {} for a different text",
                            kept.id, plan.kept[first].source
                        ),
                        source: kept.source,
                    });
                    continue;
                }
                let slot = plan.kept.len();
                by_content.insert(content_key, slot);
                by_id.insert(kept.id.clone(), slot);
                if let Some(last) = plan.slots.last_mut() {
                    *last = Some(slot);
                }
                plan.bytes += kept.bytes;
                if known {
                    count(&mut builders, &kept.outlet, &kept.lines);
                    plan.kept.push(kept);
                } else {
                    plan.read_bytes += kept.bytes;
                    plan.kept.push(kept);
                    pending_bytes += text.len();
                    pending.push((slot, text));
                    if pending.len() >= BATCH_ARTICLES || pending_bytes >= BATCH_BYTES {
                        flush(&mut pending, &mut plan.kept, &mut builders);
                        pending_bytes = 0;
                    }
                }
            }
        },
    );
    flush(&mut pending, &mut plan.kept, &mut builders);
    plan.repeated = builders
        .into_iter()
        .map(|(outlet, b)| (outlet, b.build()))
        .collect();
    plan
}

/// Scores every mention that has a concept referent, once per distinct
/// (sentence, span), and writes the result onto the mentions.
fn attach_sentiment(
    scorer: &mut (dyn SentimentScorer + '_),
    analyses: &mut [&mut ArticleAnalysis],
) -> Result<(), PipelineError> {
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<Target, usize> = HashMap::new();
    let mut slots: Vec<(usize, usize, usize)> = Vec::new();
    for (ai, a) in analyses.iter().enumerate() {
        for (mi, m) in a.mentions.iter().enumerate() {
            let Some(target) = crate::analyze::sentiment_target(m) else {
                continue;
            };
            let next = targets.len();
            let t = *index.entry(target.clone()).or_insert_with(|| {
                targets.push(target);
                next
            });
            slots.push((ai, mi, t));
        }
    }
    if targets.is_empty() {
        return Ok(());
    }
    let scores = scorer.score(&targets).map_err(PipelineError::Sentiment)?;
    if scores.len() != targets.len() {
        return Err(PipelineError::Sentiment(format!(
            "model returned {} results for {} targets",
            scores.len(),
            targets.len()
        )));
    }
    for (ai, mi, t) in slots {
        analyses[ai].mentions[mi].sentiment = Some(scores[t]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{sha256_hex, ArticleId};

    fn article(text: &str) -> Article {
        let hash = sha256_hex(text.as_bytes());
        Article {
            id: ArticleId("a1".into()),
            outlet: OutletId("o".into()),
            outlet_name: None,
            title: None,
            published: None,
            url: None,
            source: "o/a1.txt".into(),
            text: text.into(),
            content_hash: hash,
        }
    }

    #[test]
    fn read_ahead_holds_no_more_than_its_byte_budget() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mb = 1024 * 1024;
        // Sizes in MiB (460 in all): a 100 MiB item passes alone.
        let sizes = [30, 30, 30, 100, 5, 5, 40, 40, 60, 60, 60];
        let (ahead, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let got = read_ahead(
            || sizes.iter().map(|s| s * mb),
            |w| {
                let now = ahead.fetch_add(w, Ordering::SeqCst) + w;
                most.fetch_max(now, Ordering::SeqCst);
                w
            },
            |w| *w,
            |items| {
                let mut got = Vec::new();
                for w in items {
                    ahead.fetch_sub(w, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    got.push(w / mb);
                }
                got
            },
        );
        assert_eq!(got, sizes);
        // Counted here from when the reader prepares an item (before it
        // waits) to when the consumer takes it (after the reader may go
        // on): the budget plus two of the largest items at most.
        assert!(most.load(Ordering::SeqCst) <= READ_AHEAD_BYTES + 200 * mb);
        assert!(most.load(Ordering::SeqCst) > 0);
    }

    #[test]
    fn read_ahead_stops_with_its_consumer_even_when_the_reader_waits() {
        let huge = READ_AHEAD_BYTES;
        let taken = read_ahead(
            || std::iter::repeat(huge).take(10_000),
            |w| w,
            |w| *w,
            |items| items.take(2).count(),
        );
        assert_eq!(taken, 2);
    }

    #[test]
    fn an_article_changed_between_the_passes_is_skipped_by_name() {
        let first = article("The occupation forces left.");
        let kept = Kept {
            file: None,
            outlet: first.outlet.clone(),
            id: first.id.0.clone(),
            content_hash: first.content_hash.clone(),
            source: first.source.clone(),
            bytes: first.text.len(),
            lines: Cow::Borrowed(&[]),
            fingerprint: None,
            duplicates: 0,
        };
        assert!(second_read(&kept, Ok(first.clone())).is_ok());
        let skip = second_read(&kept, Ok(article("The coalition left."))).unwrap_err();
        assert_eq!(skip.source, "o/a1.txt");
        assert!(
            skip.reason.contains("changed while slant was reading"),
            "{skip:?}"
        );
        // Gone in between: the loader's own skip is passed on.
        let gone = Skip {
            source: "o/a1.txt".into(),
            reason: "file not found".into(),
        };
        assert_eq!(second_read(&kept, Err(gone.clone())).unwrap_err(), gone);
    }
}
