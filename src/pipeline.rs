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

use crate::analyze::cache::{self, AnalysisCache, CacheCounts, Freshness};
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
        self.stats = stats;
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

    let empty = RepeatedLines::empty();
    let lexicon_hash = lexicon.hash();
    let (previous, note) = if config.force {
        (
            AnalysisCache::default(),
            Some("--force: cache ignored".to_string()),
        )
    } else {
        AnalysisCache::load(&config.out, &lexicon_hash)
    };
    let bar = progress_bar(config.progress, plan.kept.len());
    let mut done: Vec<Option<(String, ArticleAnalysis, Freshness)>> =
        (0..plan.kept.len()).map(|_| None).collect();
    let mut batch: Vec<(usize, Article)> = Vec::new();
    let mut batch_bytes = 0;
    let mut flush = |batch: &mut Vec<(usize, Article)>| {
        let results: Vec<(usize, (String, ArticleAnalysis, Freshness))> = batch
            .par_iter()
            .map(|(slot, a)| {
                let lines = plan.repeated.get(&a.outlet).unwrap_or(&empty);
                let key = cache::key(a, lines);
                let result = match previous.get(&key, a) {
                    Some(hit) => (key, hit, Freshness::Cached),
                    None => (
                        key,
                        analyze_article(a, lines, &matcher),
                        previous.miss_kind(a),
                    ),
                };
                bar.inc(1);
                (*slot, result)
            })
            .collect();
        for (slot, result) in results {
            done[slot] = Some(result);
        }
        batch.clear();
    };
    let mut changed_skips = Vec::new();
    for (pos, item) in corpus.articles().enumerate() {
        let Some(slot) = plan.slots.get(pos).copied().flatten() else {
            continue;
        };
        match item {
            Ok(a) if a.content_hash == plan.kept[slot].content_hash => {
                batch_bytes += a.text.len();
                batch.push((slot, a));
            }
            Ok(a) => changed_skips.push(Skip {
                source: a.source,
                reason: "changed while slant was reading the corpus; run again".into(),
            }),
            Err(skip) => changed_skips.push(skip),
        }
        if batch.len() >= BATCH_ARTICLES || batch_bytes >= BATCH_BYTES {
            flush(&mut batch);
            batch_bytes = 0;
        }
    }
    flush(&mut batch);
    bar.finish_and_clear();
    plan.skipped.extend(changed_skips);

    let mut counts = CacheCounts {
        note,
        ..CacheCounts::default()
    };
    let mut keys = Vec::with_capacity(done.len());
    let mut analyses = Vec::with_capacity(done.len());
    let mut duplicates = Vec::with_capacity(done.len());
    for (slot, result) in done.into_iter().enumerate() {
        // None: the article could not be read again in pass 2 (its skip
        // is recorded above).
        let Some((key, analysis, freshness)) = result else {
            continue;
        };
        match freshness {
            Freshness::New => counts.new += 1,
            Freshness::Changed => counts.changed += 1,
            Freshness::Cached => counts.cached += 1,
        }
        keys.push(key);
        analyses.push(analysis);
        duplicates.push(plan.kept[slot].duplicates);
    }
    let seen: HashSet<String> = analyses.iter().map(|a| a.id.0.clone()).collect();
    counts.removed = previous.removed(&seen);
    drop(previous);
    lap("analyze", &mut timings);

    let model = match sentiment.as_deref_mut() {
        Some(scorer) => {
            attach_sentiment(scorer, &mut analyses)?;
            Some(scorer.summary())
        }
        None => None,
    };
    lap("sentiment", &mut timings);

    // Reports list outlets by id and articles by (outlet, id): the input
    // order is an accident of the file system or the scrape.
    let mut order: Vec<usize> = (0..analyses.len()).collect();
    order.sort_by(|&a, &b| {
        (&analyses[a].outlet, &analyses[a].id).cmp(&(&analyses[b].outlet, &analyses[b].id))
    });
    let mut outlets: BTreeMap<OutletId, OutletAccumulator> = BTreeMap::new();
    for &i in &order {
        let a = &analyses[i];
        let acc = outlets.entry(a.outlet.clone()).or_default();
        acc.add(a);
        for _ in 0..duplicates[i] {
            acc.add_duplicate();
        }
    }
    let tables = score::finish(&lexicon, &outlets);
    lap("score", &mut timings);

    let sorted: Vec<&ArticleAnalysis> = order.iter().map(|&i| &analyses[i]).collect();
    let dups: Vec<usize> = order.iter().map(|&i| duplicates[i]).collect();
    let concepts: Vec<String> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect();
    report::write_tables(&config.out, &tables, &concepts, &sorted, &dups, config.csv)?;
    // The cache is saved after the reports: a run killed before this point
    // leaves the previous cache, which still matches the previous reports.
    cache::save(
        &config.out,
        &lexicon_hash,
        keys.into_iter().zip(analyses.iter().cloned()),
    )?;
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
        articles: analyses.len(),
        outlets: outlets.len(),
        bytes: plan.bytes,
        mentions: analyses.iter().map(|a| a.mentions.len()).sum(),
        duplicates: duplicates.iter().sum(),
        cache: counts,
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

/// Pass 2 analyses articles in batches of at most this many articles or
/// bytes: enough to keep every core busy, small enough that the corpus is
/// never in memory at once.
const BATCH_ARTICLES: usize = 512;
const BATCH_BYTES: usize = 32 * 1024 * 1024;

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
    for item in corpus.articles() {
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
        builders
            .entry(article.outlet.clone())
            .or_default()
            .add(&article.text);
        let slot = plan.kept.len();
        by_content.insert(content_key, (slot, article.source.clone()));
        by_id.insert(article.id.0, article.source);
        if let Some(last) = plan.slots.last_mut() {
            *last = Some(slot);
        }
        plan.bytes += article.text.len();
        plan.kept.push(Kept {
            content_hash: article.content_hash,
            duplicates: 0,
        });
    }
    plan.repeated = builders
        .into_iter()
        .map(|(outlet, b)| (outlet, b.build()))
        .collect();
    plan
}

/// Scores every mention that has a concept referent, once per distinct
/// (sentence, span), and writes the result onto the mentions.
fn attach_sentiment(
    scorer: &mut dyn SentimentScorer,
    analyses: &mut [ArticleAnalysis],
) -> Result<(), PipelineError> {
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<Target, usize> = HashMap::new();
    let mut slots: Vec<(usize, usize, usize)> = Vec::new();
    for (ai, a) in analyses.iter().enumerate() {
        for (mi, m) in a.mentions.iter().enumerate() {
            if m.concept == crate::analyze::DISTANCING {
                continue;
            }
            let target = Target {
                sentence: m.sentence.clone(),
                start: m.span.start.saturating_sub(m.sentence_span.start),
                end: m.span.end.saturating_sub(m.sentence_span.start),
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
