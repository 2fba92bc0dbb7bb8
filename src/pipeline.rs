//! A whole run: corpus in, reports out.
//!
//! ```text
//! Corpus::open ─► pass 1: dedupe + RepeatedLines per outlet (no text kept)
//!   ─► pass 2: analyze_article (parallel, in bounded batches) ─► sentiment (optional)
//!   ─► OutletAccumulator::add ─► score::finish ─► report::write_*
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::analyze::cache::{self, AnalysisCache, CacheCounts, CacheWriter, Freshness};
use crate::analyze::{analyze_article, ArticleAnalysis};
use crate::corpus::{Article, Corpus, CorpusError, OutletId, Skip};
use crate::lexicon::{ConceptKind, Lexicon, LexiconError};
use crate::report::{self, CsvOptions, ReportError};
use crate::score::{self, OutletAccumulator};
use crate::sentiment::{Sentiment, Target};
use crate::text::{RepeatedLines, RepeatedLinesBuilder};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Report(#[from] ReportError),
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
    /// Ignore the analysis cache of a previous run (it is rewritten).
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
/// `mentions.csv`, `articles.csv` and `run.json` into `config.out`.
pub fn run(
    config: &RunConfig,
    mut sentiment: Option<&mut dyn SentimentScorer>,
) -> Result<RunSummary, PipelineError> {
    let mut timings = BTreeMap::new();
    let mut clock = Instant::now();
    let mut lap = |name: &str, timings: &mut BTreeMap<String, u128>| {
        timings.insert(name.to_string(), clock.elapsed().as_millis());
        clock = Instant::now();
    };

    let lexicon = if config.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        Lexicon::load(&config.lexicons)?
    };
    let matcher = lexicon.compile()?;
    report::prepare_out_dir(&config.out)?;
    let corpus = Corpus::open(&config.inputs)?;
    lap("open", &mut timings);

    // Pass 1 decides what to analyse and learns each outlet's repeated
    // lines; pass 2 reads the texts again and analyses them in bounded
    // batches. No more than one batch of texts is ever held in memory.
    let mut plan = plan_articles(&corpus);
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
    lap("load", &mut timings);

    let lexicon_hash = lexicon.hash();
    let (previous, note) = if config.force {
        (
            AnalysisCache::default(),
            Some("--force: cache ignored".to_string()),
        )
    } else {
        AnalysisCache::load(&config.out, &lexicon_hash)
    };
    let mut sink = Sink {
        outlets: BTreeMap::new(),
        spool: report::Spool::new(&config.out, config.csv)?,
        cache: CacheWriter::create(&config.out, &lexicon_hash)?,
        counts: CacheCounts {
            note,
            ..CacheCounts::default()
        },
        seen: HashSet::new(),
        mentions: 0,
        duplicates: 0,
    };
    let batcher = Batcher {
        plan: &plan,
        previous: &previous,
        matcher: &matcher,
        empty: RepeatedLines::empty(),
        bar: progress_bar(config.progress, plan.kept.len()),
    };
    let mut sentiment_time = std::time::Duration::ZERO;
    let mut batch: Vec<(usize, Article)> = Vec::new();
    let mut batch_bytes = 0;
    let mut late_skips = Vec::new();
    read_ahead(&corpus, |items| -> Result<(), PipelineError> {
        for (pos, item) in items.enumerate() {
            let Some(slot) = plan.slots.get(pos).copied().flatten() else {
                continue;
            };
            match second_read(&plan.kept[slot], item) {
                Ok(a) => {
                    batch_bytes += a.text.len();
                    batch.push((slot, a));
                }
                Err(skip) => late_skips.push(skip),
            }
            if batch.len() >= BATCH_ARTICLES || batch_bytes >= BATCH_BYTES {
                sentiment_time += batcher.run(&mut batch, sentiment.as_deref_mut(), &mut sink)?;
                batch_bytes = 0;
            }
        }
        sentiment_time += batcher.run(&mut batch, sentiment.as_deref_mut(), &mut sink)?;
        Ok(())
    })?;
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
    drop(previous);
    timings.insert("sentiment".into(), sentiment_time.as_millis());
    lap("analyze", &mut timings);
    if let Some(t) = timings.get_mut("analyze") {
        *t = t.saturating_sub(sentiment_time.as_millis());
    }
    let model = sentiment.as_deref().map(|s| s.summary());

    let tables = score::finish(&lexicon, &sink.outlets);
    lap("score", &mut timings);

    let concepts: Vec<String> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect();
    sink.spool.finish(&config.out, &tables, &concepts)?;
    // The cache is put in place after the reports: a run killed before this
    // point leaves the previous cache, which still matches the reports it
    // can reuse (entries are keyed by content, never by position).
    let cache_file = sink.cache.finish()?;
    let cache_path = cache_file.path().to_path_buf();
    cache_file.commit().map_err(|source| ReportError::Io {
        path: cache_path,
        source,
    })?;
    cache::remove_old_versions(&config.out);
    if let Some(scorer) = sentiment {
        scorer.finish().map_err(PipelineError::Sentiment)?;
    }
    lap("report", &mut timings);

    let mut warnings = corpus.warnings().to_vec();
    warnings.extend(plan.warnings);
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
        outlets: sink.outlets.len(),
        bytes: plan.bytes,
        mentions: sink.mentions,
        duplicates: sink.duplicates,
        cache: sink.counts,
        skipped: plan.skipped,
        warnings,
        timings_ms: timings,
    };
    write_run_json(&config.out, &summary)?;
    Ok(summary)
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

/// Where analysed articles go, in corpus order: the per-outlet
/// accumulators, the report spool and the next run's cache. Nothing here
/// holds an article's text or mentions after it is added.
struct Sink {
    outlets: BTreeMap<OutletId, OutletAccumulator>,
    spool: report::Spool,
    cache: CacheWriter,
    counts: CacheCounts,
    seen: HashSet<String>,
    mentions: usize,
    duplicates: usize,
}

impl Sink {
    /// Articles added so far: each one is new, changed or cached.
    fn articles(&self) -> usize {
        self.counts.new + self.counts.changed + self.counts.cached
    }

    fn add(&mut self, done: Done, analysis: &ArticleAnalysis) -> Result<(), PipelineError> {
        match done.freshness {
            Freshness::New => self.counts.new += 1,
            Freshness::Changed => self.counts.changed += 1,
            Freshness::Cached => self.counts.cached += 1,
        }
        let acc = self.outlets.entry(analysis.outlet.clone()).or_default();
        acc.add(analysis);
        for _ in 0..done.duplicates {
            acc.add_duplicate();
        }
        self.spool.add(done.rows)?;
        self.cache.add(&done.cache_line)?;
        self.seen.insert(analysis.id.0.clone());
        self.mentions += analysis.mentions.len();
        self.duplicates += done.duplicates;
        Ok(())
    }
}

/// An analysed article's outputs, rendered on the worker threads.
struct Done {
    freshness: Freshness,
    duplicates: usize,
    rows: report::RenderedArticle,
    cache_line: Vec<u8>,
}

/// Analyses one batch of articles on all cores (or takes them from the
/// cache), scores their mentions and hands them to the [`Sink`].
struct Batcher<'a> {
    plan: &'a Plan,
    previous: &'a AnalysisCache,
    matcher: &'a crate::lexicon::Matcher,
    empty: RepeatedLines,
    bar: indicatif::ProgressBar,
}

impl Batcher<'_> {
    /// Returns the time spent in the sentiment model.
    fn run(
        &self,
        batch: &mut Vec<(usize, Article)>,
        sentiment: Option<&mut (dyn SentimentScorer + '_)>,
        sink: &mut Sink,
    ) -> Result<std::time::Duration, PipelineError> {
        let results: Vec<(usize, String, ArticleAnalysis, Freshness)> = batch
            .par_iter()
            .map(|(slot, a)| {
                let lines = self.plan.repeated.get(&a.outlet).unwrap_or(&self.empty);
                let key = cache::key(a, lines);
                let (analysis, freshness) = match self.previous.get(&key, a) {
                    Some(hit) => (hit, Freshness::Cached),
                    None => (
                        analyze_article(a, lines, self.matcher),
                        self.previous.miss_kind(a),
                    ),
                };
                self.bar.inc(1);
                (*slot, key, analysis, freshness)
            })
            .collect();
        batch.clear();
        let mut meta = Vec::with_capacity(results.len());
        let mut analyses = Vec::with_capacity(results.len());
        for (slot, key, analysis, freshness) in results {
            meta.push((slot, key, freshness));
            analyses.push(analysis);
        }
        let clock = Instant::now();
        if let Some(scorer) = sentiment {
            attach_sentiment(scorer, &mut analyses)?;
        }
        let spent = clock.elapsed();
        // Rendering rows and cache lines is most of the per-article cost of
        // a rerun: do it on all cores, leaving the sink only to append.
        let done: Vec<Done> = meta
            .into_par_iter()
            .zip(analyses.par_iter())
            .map(|((slot, key, freshness), analysis)| {
                let duplicates = self.plan.kept[slot].duplicates;
                Done {
                    freshness,
                    duplicates,
                    rows: report::Spool::render(analysis, duplicates),
                    cache_line: CacheWriter::render(&key, analysis),
                }
            })
            .collect();
        for (done, analysis) in done.into_iter().zip(&analyses) {
            sink.add(done, analysis)?;
        }
        Ok(spent)
    }
}

/// Pass 2's reading of an article pass 1 kept: the same text, or a skip
/// (it changed or vanished in between; its earlier reading is not used,
/// since its mentions could not be checked against the file).
fn second_read(kept: &Kept, item: Result<Article, Skip>) -> Result<Article, Skip> {
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

/// Runs `f` over the corpus's articles while a second thread reads ahead
/// (reading, decoding and hashing overlap with the analysis). The reader
/// stops as soon as `f` returns.
fn read_ahead<R>(
    corpus: &Corpus,
    f: impl FnOnce(&mut dyn Iterator<Item = Result<Article, Skip>>) -> R,
) -> R {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1024);
        scope.spawn(move || {
            for item in corpus.articles() {
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        let mut items = rx.into_iter();
        f(&mut items)
    })
}

/// Pass 2 analyses articles in batches of at most this many articles or
/// bytes: enough to keep every core busy, small enough that the corpus is
/// never in memory at once.
const BATCH_ARTICLES: usize = 4096;
const BATCH_BYTES: usize = 64 * 1024 * 1024;

/// What pass 1 learned about an article it keeps.
struct Kept {
    content_hash: String,
    /// Copies dropped (same outlet, same content).
    duplicates: usize,
}

/// The outcome of pass 1 over the corpus.
struct Plan {
    /// One entry per item of `Corpus::articles`, in order: the index in
    /// `kept` of an article to analyse, `None` for a skip or a copy.
    slots: Vec<Option<usize>>,
    kept: Vec<Kept>,
    repeated: HashMap<OutletId, RepeatedLines>,
    bytes: usize,
    skipped: Vec<Skip>,
    warnings: Vec<String>,
}

/// Pass 1: reads every article once, drops copies, refuses reused ids and
/// learns each outlet's repeated lines, keeping no text.
///
/// A copy is the same text from the same outlet. The same text from two
/// outlets is kept for both: syndicated wire copy is a choice each outlet
/// made, and part of its framing.
fn plan_articles(corpus: &Corpus) -> Plan {
    let mut plan = Plan {
        slots: Vec::new(),
        kept: Vec::new(),
        repeated: HashMap::new(),
        bytes: 0,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    // First source seen per (outlet, content) and per id, for messages.
    let mut by_content: HashMap<(OutletId, String), (usize, String)> = HashMap::new();
    let mut by_id: HashMap<String, String> = HashMap::new();
    let mut builders: BTreeMap<OutletId, RepeatedLinesBuilder> = BTreeMap::new();
    // Texts whose line keys are still to be computed (in parallel, a batch
    // at a time) and counted for their outlet.
    let mut pending: Vec<Article> = Vec::new();
    let mut pending_bytes = 0;
    let flush = |pending: &mut Vec<Article>,
                 builders: &mut BTreeMap<OutletId, RepeatedLinesBuilder>| {
        let keys: Vec<_> = pending
            .par_iter()
            .map(|a| RepeatedLinesBuilder::keys(&a.text))
            .collect();
        for (a, keys) in pending.drain(..).zip(keys) {
            builders.entry(a.outlet).or_default().add_keys(keys);
        }
    };
    read_ahead(corpus, |items| {
        for item in items {
            plan.slots.push(None);
            let article = match item {
                Ok(a) => a,
                Err(skip) => {
                    plan.skipped.push(skip);
                    continue;
                }
            };
            let content_key = (article.outlet.clone(), article.content_hash.clone());
            if let Some((first, first_source)) = by_content.get(&content_key) {
                plan.kept[*first].duplicates += 1;
                plan.warnings.push(format!(
                    "{}: same text as {first_source} (outlet {}); counted once, as a duplicate",
                    article.source, article.outlet
                ));
                continue;
            }
            if let Some(first_source) = by_id.get(&article.id.0) {
                plan.skipped.push(Skip {
                    source: article.source.clone(),
                    reason: format!(
                        "id `{}` is already used by {first_source} for a different text",
                        article.id
                    ),
                });
                continue;
            }
            let slot = plan.kept.len();
            by_content.insert(content_key, (slot, article.source.clone()));
            by_id.insert(article.id.0.clone(), article.source.clone());
            if let Some(last) = plan.slots.last_mut() {
                *last = Some(slot);
            }
            plan.bytes += article.text.len();
            plan.kept.push(Kept {
                content_hash: article.content_hash.clone(),
                duplicates: 0,
            });
            pending_bytes += article.text.len();
            pending.push(article);
            if pending.len() >= BATCH_ARTICLES || pending_bytes >= BATCH_BYTES {
                flush(&mut pending, &mut builders);
                pending_bytes = 0;
            }
        }
    });
    flush(&mut pending, &mut builders);
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
    analyses: &mut [ArticleAnalysis],
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
    fn an_article_changed_between_the_passes_is_skipped_by_name() {
        let first = article("The occupation forces left.");
        let kept = Kept {
            content_hash: first.content_hash.clone(),
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
