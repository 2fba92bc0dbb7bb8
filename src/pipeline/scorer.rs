//! The sentiment stage as the pipeline sees it: something that scores
//! targets ([`SentimentScorer`]), the shipped model behind the store's
//! result cache ([`ModelScorer`]), and the step that scores a batch's
//! mentions.

#[cfg(feature = "model")]
use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

use super::PipelineError;
use crate::analyze::ArticleAnalysis;
#[cfg(feature = "model")]
use crate::sentiment::{SentimentError, SentimentModel};
#[cfg(feature = "model")]
use crate::store::sentiment::{CacheLoad, CacheStats, SentimentCache};
use crate::target::{Sentiment, Target, TargetKey};

/// Describes the sentiment model in `run.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    pub name: String,
    pub version: String,
    pub sha256: String,
    /// `f32` or `int8` (see [`crate::sentiment::Precision`]); empty when
    /// no model scored.
    pub precision: String,
    /// Longest input in tokens; 0 when no model scored.
    pub max_len: usize,
    pub scored: usize,
    pub cached: usize,
}

/// Scores targets for the sentiment stage; `None` in [`run`] means
/// lexicon-only.
pub trait SentimentScorer {
    fn score(&mut self, targets: &[Target]) -> Result<Vec<Sentiment>, String>;
    /// [`SentimentScorer::score`], telling `progress` as it goes how many
    /// targets the model has scored and of how many (targets answered from
    /// a cache are not counted). By default it tells once, at the end.
    fn score_with(
        &mut self,
        targets: &[Target],
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<Sentiment>, String> {
        let scores = self.score(targets)?;
        progress(targets.len(), targets.len());
        Ok(scores)
    }
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
    cache: SentimentCache,
    cache_path: PathBuf,
    stats: CacheStats,
    /// Why the previous cache was not used, when it was not.
    pub note: Option<String>,
}

#[cfg(feature = "model")]
impl ModelScorer {
    /// Loads the model in `dir` and the sentiment cache of `out` (ignored
    /// with `force`).
    pub fn open(dir: &Path, out: &Path, force: bool) -> Result<ModelScorer, SentimentError> {
        ModelScorer::open_with(dir, out, force, Default::default())
    }

    /// [`ModelScorer::open`] with a chosen precision and window.
    pub fn open_with(
        dir: &Path,
        out: &Path,
        force: bool,
        options: crate::sentiment::LoadOptions,
    ) -> Result<ModelScorer, SentimentError> {
        let model = crate::sentiment::SentimentModel::load_with(dir, options)?;
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
        self.score_with(targets, &|_, _| {})
    }

    fn score_with(
        &mut self,
        targets: &[Target],
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<Sentiment>, String> {
        let (scores, stats) = score_cached_with(&self.model, &mut self.cache, targets, progress)
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
            precision: info.precision.to_string(),
            max_len: info.max_len,
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

#[cfg(feature = "model")]
/// Scores targets through `cache`: pairs already in it (for this model) are
/// not scored again, the rest are scored in one [`SentimentModel::score`] call
/// and added. Results are in input order.
///
/// ```no_run
/// use slant::pipeline::score_cached;
/// use slant::sentiment::SentimentModel;
/// use slant::store::sentiment::SentimentCache;
/// use slant::target::Target;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let model = SentimentModel::load(&SentimentModel::default_dir())?;
/// let path = SentimentCache::path_in(std::path::Path::new("reports"));
/// let (mut cache, _status) = SentimentCache::load(&path);
/// let targets = [Target::find("The mayor praised the firefighters.", "firefighters").unwrap()];
/// let (sentiments, stats) = score_cached(&model, &mut cache, &targets)?;
/// assert_eq!(sentiments.len(), 1);
/// eprintln!("{stats}");
/// cache.save(&path)?;
/// # Ok(()) }
/// ```
pub fn score_cached(
    model: &SentimentModel,
    cache: &mut SentimentCache,
    targets: &[Target],
) -> Result<(Vec<Sentiment>, CacheStats), SentimentError> {
    score_cached_with(model, cache, targets, &|_, _| {})
}

/// [`score_cached`], telling `progress` how many of the targets missing
/// from the cache the model has scored, and of how many.
#[cfg(feature = "model")]
pub fn score_cached_with(
    model: &SentimentModel,
    cache: &mut SentimentCache,
    targets: &[Target],
    progress: &dyn Fn(usize, usize),
) -> Result<(Vec<Sentiment>, CacheStats), SentimentError> {
    let hash = model.info().hash;
    let keys: Vec<TargetKey> = targets.iter().map(|t| TargetKey::new(&hash, t)).collect();
    let mut missing: Vec<Target> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut hits = 0;
    for (t, k) in targets.iter().zip(&keys) {
        if cache.contains(k) {
            hits += 1;
        } else if seen.insert(*k) {
            missing.push(t.clone());
        }
    }
    if !missing.is_empty() {
        let scored = model.score_with(&missing, progress)?;
        for (t, s) in missing.iter().zip(scored) {
            cache.insert(TargetKey::new(&hash, t), s);
        }
    }
    let out = keys
        .iter()
        .map(|k| {
            cache
                .get(k)
                .ok_or_else(|| SentimentError::Torch("scored target missing from cache".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stats = CacheStats {
        targets: targets.len(),
        hits,
        scored: missing.len(),
    };
    Ok((out, stats))
}

/// Scores every mention that has a concept referent, once per distinct
/// (sentence, span), and writes the result onto the mentions. `bar`
/// counts the targets the model scores, over all batches: each batch adds
/// its own to the bar's length.
pub(super) fn attach_sentiment(
    scorer: &mut (dyn SentimentScorer + '_),
    analyses: &mut [&mut ArticleAnalysis],
    bar: &indicatif::ProgressBar,
) -> Result<(), PipelineError> {
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<Target, usize> = HashMap::new();
    let mut slots: Vec<(usize, usize, usize)> = Vec::new();
    // Actor mentions (after an article's other mentions, `mi` past their
    // end) go through the same model and cache as any mention.
    for (ai, a) in analyses.iter().enumerate() {
        for (mi, m) in a.mentions.iter().chain(&a.actors).enumerate() {
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
    let base = bar.position();
    let scores = scorer
        .score_with(&targets, &|done, of| {
            bar.set_length(base + of as u64);
            bar.set_position(base + done as u64);
        })
        .map_err(PipelineError::Sentiment)?;
    if scores.len() != targets.len() {
        return Err(PipelineError::Sentiment(format!(
            "model returned {} results for {} targets",
            scores.len(),
            targets.len()
        )));
    }
    for (ai, mi, t) in slots {
        let a = &mut analyses[ai];
        let n = a.mentions.len();
        let m = if mi < n {
            &mut a.mentions[mi]
        } else {
            &mut a.actors[mi - n]
        };
        m.sentiment = Some(scores[t]);
    }
    Ok(())
}
