//! The score stage: per-outlet aggregates with intervals.
//!
//! Aggregation is split into a mergeable accumulator ([`OutletAccumulator`],
//! holding only counts, sums and one small record per article) and a final
//! step ([`finish`]) that turns accumulators into report rows. Accumulators
//! built on different shards of a corpus merge into the same result as one
//! built on the whole corpus, so the map step (per-article analysis plus
//! [`OutletAccumulator::add`]) can run anywhere and only the merge is central.

pub mod actors;
pub mod stats;
pub mod timeline;

use std::collections::BTreeMap;

use compact_str::CompactString;
use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use crate::analyze::{ArticleAnalysis, DISTANCING};
use crate::corpus::OutletId;
use crate::lexicon::Lexicon;
use crate::mention::{Layer, Voice};

/// How many terms `top_terms_own` lists.
pub const TOP_TERMS: usize = 5;

/// Label used in `concepts.csv` for the row that sums over a concept's labels.
pub const ALL_LABELS: &str = "(all)";

/// Per-article numbers the intervals resample.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ArticleSums {
    words_own: f64,
    loaded_own: f64,
    /// `loaded_own` split by [`Layer`], in [`Layer::ALL`] order.
    loaded_own_by_layer: [f64; 3],
    words_quoted: f64,
    loaded_quoted: f64,
}

/// Sentiment sums of one article for one key: resampled as a cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct SentimentSums {
    /// (Σ pos−neg, n) per article that has at least one scored mention.
    per_article: Vec<(f64, f64)>,
}

impl SentimentSums {
    fn push(&mut self, sum: f64, n: f64) {
        if n > 0.0 {
            self.per_article.push((sum, n));
        }
    }

    fn n(&self) -> f64 {
        self.per_article.iter().map(|p| p.1).sum()
    }

    fn mean(&self) -> Option<f64> {
        let n = self.n();
        (n > 0.0).then(|| self.per_article.iter().map(|p| p.0).sum::<f64>() / n)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct LabelSums {
    mentions_own: u64,
    mentions_all: u64,
    direction_sum_own: f64,
    sentiment_own: SentimentSums,
}

/// Everything needed to report one outlet; mergeable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutletAccumulator {
    pub outlet_name: Option<String>,
    articles: u64,
    duplicates: u64,
    words: u64,
    words_by_voice: [u64; 3],
    mentions_by_voice: [u64; 3],
    distancing_own: u64,
    negated_own: u64,
    per_article: Vec<ArticleSums>,
    // Hash maps, not ordered ones: folding 100k cached articles is mostly
    // key lookups, and [`finish`] puts every key in report order itself.
    /// term → (own-voice mentions, Σ loadedness)
    terms_own: HashMap<CompactString, (u64, f64)>,
    /// (concept, label) → sums
    labels: HashMap<(CompactString, CompactString), LabelSums>,
    /// concept → own-voice sentiment over all its labels
    concept_sentiment_own: HashMap<CompactString, SentimentSums>,
    /// Its actors (`actors.csv`), which no other table counts.
    actors: actors::ActorSums,
}

/// One label's share of an article in an [`ArticlePartial`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct LabelPart {
    mentions_own: u64,
    mentions_all: u64,
    direction_sum_own: f64,
    /// (Σ pos−neg, n) of the own-voice mentions with a sentiment score.
    sentiment_own: (f64, f64),
}

/// One article's share of an [`OutletAccumulator`]: everything
/// [`OutletAccumulator::add`] folds in, without the mentions. The run cache
/// keeps it per article, so a rerun folds cached articles in without
/// reading their mentions back; folding the partial of an article is
/// exactly adding the article.
///
/// ```
/// # use slant::score::{ArticlePartial, OutletAccumulator};
/// # fn check(analysis: &slant::analyze::ArticleAnalysis) {
/// let mut a = OutletAccumulator::default();
/// a.add(analysis);
/// let mut b = OutletAccumulator::default();
/// b.add_partial(&ArticlePartial::of(analysis));
/// assert_eq!(a, b);
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticlePartial {
    outlet_name: Option<CompactString>,
    words: u64,
    words_by_voice: [u64; 3],
    mentions_by_voice: [u64; 3],
    distancing_own: u64,
    negated_own: u64,
    sums: ArticleSums,
    // Keys are short: stored inline, a rerun decodes 100k partials from
    // the cache without a heap allocation per key.
    /// (term, own-voice mentions, Σ loadedness), sorted by term.
    terms_own: Vec<(CompactString, u64, f64)>,
    /// Sorted by (concept, label).
    labels: Vec<((CompactString, CompactString), LabelPart)>,
    /// (concept, Σ pos−neg, n) of own-voice scored mentions, sorted.
    concept_sentiment_own: Vec<(CompactString, f64, f64)>,
    /// Its actor mentions, for `actors.csv` only.
    actors: actors::ActorParts,
}

impl ArticlePartial {
    pub fn of(article: &ArticleAnalysis) -> ArticlePartial {
        let mut p = ArticlePartial {
            outlet_name: article.outlet_name.as_deref().map(CompactString::from),
            words: article.words as u64,
            actors: actors::ActorParts::of(article),
            sums: ArticleSums {
                words_own: article.words_by_voice[0] as f64,
                words_quoted: article.words_by_voice[1] as f64,
                ..ArticleSums::default()
            },
            ..ArticlePartial::default()
        };
        for (total, w) in p.words_by_voice.iter_mut().zip(article.words_by_voice) {
            *total = w as u64;
        }
        let mut terms: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
        let mut labels: BTreeMap<(&str, &str), LabelPart> = BTreeMap::new();
        let mut concepts: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        for m in &article.mentions {
            p.mentions_by_voice[voice_index(m.voice)] += 1;
            let label = labels.entry((&m.concept, &m.label)).or_default();
            label.mentions_all += 1;
            match m.voice {
                Voice::Own => {
                    p.sums.loaded_own += m.loaded as f64;
                    p.sums.loaded_own_by_layer[m.layer.index()] += m.loaded as f64;
                    label.mentions_own += 1;
                    label.direction_sum_own += m.direction as f64;
                    if m.distancing || m.concept == DISTANCING {
                        p.distancing_own += 1;
                    }
                    if m.negated {
                        p.negated_own += 1;
                    }
                    let term = terms.entry(&m.term).or_default();
                    term.0 += 1;
                    term.1 += m.loaded as f64;
                    if let Some(s) = &m.sentiment {
                        label.sentiment_own.0 += s.score() as f64;
                        label.sentiment_own.1 += 1.0;
                        let c = concepts.entry(&m.concept).or_default();
                        c.0 += s.score() as f64;
                        c.1 += 1.0;
                    }
                }
                Voice::Quoted => p.sums.loaded_quoted += m.loaded as f64,
                Voice::Attributed => {}
            }
        }
        p.terms_own = terms
            .into_iter()
            .map(|(t, (n, w))| (t.into(), n, w))
            .collect();
        p.labels = labels
            .into_iter()
            .map(|((c, l), part)| ((c.into(), l.into()), part))
            .collect();
        p.concept_sentiment_own = concepts
            .into_iter()
            .map(|(c, (sum, n))| (c.into(), sum, n))
            .collect();
        p
    }
}

impl ArticlePartial {
    /// Own-voice mentions per (concept, label), sorted.
    pub fn labels_own(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.labels
            .iter()
            .filter(|(_, part)| part.mentions_own > 0)
            .map(|((c, l), part)| (c.as_str(), l.as_str(), part.mentions_own))
    }
}

impl OutletAccumulator {
    /// Adds one analysed article.
    pub fn add(&mut self, article: &ArticleAnalysis) {
        self.add_partial(&ArticlePartial::of(article));
    }

    /// Adds one article's [`ArticlePartial`].
    pub fn add_partial(&mut self, p: &ArticlePartial) {
        if self.outlet_name.is_none() {
            self.outlet_name = p.outlet_name.as_ref().map(|n| n.to_string());
        }
        self.articles += 1;
        self.words += p.words;
        for i in 0..3 {
            self.words_by_voice[i] += p.words_by_voice[i];
            self.mentions_by_voice[i] += p.mentions_by_voice[i];
        }
        self.distancing_own += p.distancing_own;
        self.negated_own += p.negated_own;
        // Keys are looked up before they are cloned: on a large corpus
        // almost every key is already there.
        for (term, n, w) in &p.terms_own {
            let e = match self.terms_own.get_mut(term.as_str()) {
                Some(e) => e,
                None => self.terms_own.entry(term.clone()).or_default(),
            };
            e.0 += n;
            e.1 += w;
        }
        for (key, part) in &p.labels {
            let e = match self.labels.get_mut(key) {
                Some(e) => e,
                None => self.labels.entry(key.clone()).or_default(),
            };
            e.mentions_own += part.mentions_own;
            e.mentions_all += part.mentions_all;
            e.direction_sum_own += part.direction_sum_own;
            e.sentiment_own
                .push(part.sentiment_own.0, part.sentiment_own.1);
        }
        for (concept, sum, n) in &p.concept_sentiment_own {
            let e = match self.concept_sentiment_own.get_mut(concept.as_str()) {
                Some(e) => e,
                None => self
                    .concept_sentiment_own
                    .entry(concept.clone())
                    .or_default(),
            };
            e.push(*sum, *n);
        }
        self.per_article.push(p.sums.clone());
        self.actors.add(&p.actors);
    }

    /// The actor sums of the articles added (`actors.csv`).
    pub fn actors(&self) -> &actors::ActorSums {
        &self.actors
    }

    /// Counts an article dropped as a copy of one already added.
    pub fn add_duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// Folds another accumulator of the same outlet into this one.
    ///
    /// Per-article records are kept in the order added; [`finish`] does not
    /// depend on that order, so shards may merge in any order.
    pub fn merge(&mut self, other: OutletAccumulator) {
        if self.outlet_name.is_none() {
            self.outlet_name = other.outlet_name;
        }
        self.articles += other.articles;
        self.duplicates += other.duplicates;
        self.words += other.words;
        for i in 0..3 {
            self.words_by_voice[i] += other.words_by_voice[i];
            self.mentions_by_voice[i] += other.mentions_by_voice[i];
        }
        self.distancing_own += other.distancing_own;
        self.negated_own += other.negated_own;
        self.per_article.extend(other.per_article);
        for (term, (n, w)) in other.terms_own {
            let e = self.terms_own.entry(term).or_default();
            e.0 += n;
            e.1 += w;
        }
        for (key, l) in other.labels {
            let e = self.labels.entry(key).or_default();
            e.mentions_own += l.mentions_own;
            e.mentions_all += l.mentions_all;
            e.direction_sum_own += l.direction_sum_own;
            e.sentiment_own
                .per_article
                .extend(l.sentiment_own.per_article);
        }
        self.actors.merge(other.actors);
        for (concept, s) in other.concept_sentiment_own {
            self.concept_sentiment_own
                .entry(concept)
                .or_default()
                .per_article
                .extend(s.per_article);
        }
    }
}

fn voice_index(voice: Voice) -> usize {
    match voice {
        Voice::Own => 0,
        Voice::Quoted => 1,
        Voice::Attributed => 2,
    }
}

/// A mean with its 95% interval and the number of observations behind it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Estimate {
    pub value: Option<f64>,
    pub ci: Option<(f64, f64)>,
    pub n: u64,
}

/// One row of `outlets.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutletRow {
    pub outlet: OutletId,
    pub outlet_name: String,
    pub articles: u64,
    pub duplicates: u64,
    pub words: u64,
    pub words_own: u64,
    pub words_quoted: u64,
    pub words_attributed: u64,
    pub mentions_own: u64,
    pub mentions_quoted: u64,
    pub mentions_attributed: u64,
    pub loaded_per_1k_own: Estimate,
    /// The same rate from each [`Layer`]'s mentions alone, in
    /// [`Layer::ALL`] order; they add up to `loaded_per_1k_own`.
    pub loaded_per_1k_own_by_layer: [Estimate; 3],
    pub loaded_per_1k_quoted: Option<f64>,
    pub distancing_own: u64,
    pub negated_own: u64,
    /// `term (n)` for the most loaded own-voice terms, by Σ loadedness.
    pub top_terms_own: Vec<(String, u64)>,
    /// Own-voice sentiment toward each concept's referent, in lexicon order.
    pub sentiment_own_by_concept: Vec<(String, Estimate)>,
}

/// One row of `concepts.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptRow {
    pub outlet: OutletId,
    pub concept: String,
    pub label: String,
    pub loaded: Option<f32>,
    pub direction: Option<f32>,
    pub mentions_own: u64,
    pub mentions_all: u64,
    pub share_own: Estimate,
    pub direction_mean_own: Option<f64>,
    pub sentiment_own: Estimate,
}

/// The aggregated tables, in report order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    pub outlets: Vec<OutletRow>,
    pub concepts: Vec<ConceptRow>,
    /// One row per group, as for an outlet: `outlet` is the group's name
    /// and `outlet_name` its outlets, `; `-separated.
    pub groups: Vec<OutletRow>,
    /// `timeline.csv` ([`timeline`]); the run computes it beside the
    /// others, from a [`timeline::TimelineAccumulator`].
    pub timeline: timeline::Timeline,
    /// `actors.csv` ([`actors`]), computed beside the others by
    /// [`actors::finish_actors`].
    pub actors: actors::Actors,
}

/// Turns accumulators into report rows: outlets sorted by id, concepts and
/// labels in lexicon order (every label of every concept, zero rows
/// included, so outlets line up row for row), then labels seen in mentions
/// but not in the lexicon (scare quotes, affiliation labels), sorted. The
/// detector's own hits (concept `detected`) are no concept's labels and
/// have no rows here.
pub fn finish(lexicon: &Lexicon, outlets: &BTreeMap<OutletId, OutletAccumulator>) -> Tables {
    let mut tables = Tables::default();
    let mut order: Vec<(String, String, Option<f32>, Option<f32>)> = Vec::new();
    for concept in lexicon.concepts() {
        for label in &concept.labels {
            order.push((
                concept.id.clone(),
                label.id.clone(),
                Some(label.loaded),
                Some(label.direction),
            ));
        }
    }
    let mut extra: Vec<(String, String)> = outlets
        .values()
        .flat_map(|a| a.labels.keys())
        // The detector's hits share no referent: their words are a list of
        // evidence in mentions/, not labels competing for one concept.
        .filter(|k| k.0 != crate::analyze::DETECTED)
        .filter(|k| !order.iter().any(|o| o.0 == k.0 && o.1 == k.1))
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect();
    extra.sort();
    extra.dedup();
    order.extend(extra.into_iter().map(|(c, l)| (c, l, None, None)));
    let mut concepts: Vec<String> = Vec::new();
    for o in &order {
        if !concepts.contains(&o.0) {
            concepts.push(o.0.clone());
        }
    }

    for (outlet, acc) in outlets {
        tables.outlets.push(outlet_row(outlet, acc, &concepts));
        for concept in &concepts {
            let labels: Vec<_> = order.iter().filter(|o| &o.0 == concept).collect();
            let concept_own: u64 = labels
                .iter()
                .map(|o| label_sums(acc, &o.0, &o.1).mentions_own)
                .sum();
            let concept_all: u64 = labels
                .iter()
                .map(|o| label_sums(acc, &o.0, &o.1).mentions_all)
                .sum();
            for (c, l, loaded, direction) in &labels {
                let sums = label_sums(acc, c, l);
                let share = wilson_estimate(sums.mentions_own, concept_own);
                tables.concepts.push(ConceptRow {
                    outlet: outlet.clone(),
                    concept: c.clone(),
                    label: l.clone(),
                    loaded: *loaded,
                    direction: *direction,
                    mentions_own: sums.mentions_own,
                    mentions_all: sums.mentions_all,
                    share_own: share,
                    direction_mean_own: (sums.mentions_own > 0)
                        .then(|| sums.direction_sum_own / sums.mentions_own as f64),
                    sentiment_own: sentiment_estimate(
                        &sums.sentiment_own,
                        &format!("{outlet}\u{1f}{c}\u{1f}{l}"),
                    ),
                });
            }
            let direction_sum: f64 = labels
                .iter()
                .map(|o| label_sums(acc, &o.0, &o.1).direction_sum_own)
                .sum();
            tables.concepts.push(ConceptRow {
                outlet: outlet.clone(),
                concept: concept.clone(),
                label: ALL_LABELS.to_string(),
                loaded: None,
                direction: None,
                mentions_own: concept_own,
                mentions_all: concept_all,
                share_own: wilson_estimate(concept_own, concept_own),
                direction_mean_own: (concept_own > 0).then(|| direction_sum / concept_own as f64),
                sentiment_own: concept_sentiment(acc, outlet, concept),
            });
        }
    }
    tables
}

fn label_sums(acc: &OutletAccumulator, concept: &str, label: &str) -> LabelSums {
    acc.labels
        .get(&(concept.into(), label.into()))
        .cloned()
        .unwrap_or_default()
}

fn wilson_estimate(k: u64, n: u64) -> Estimate {
    Estimate {
        value: (n > 0).then(|| k as f64 / n as f64),
        ci: stats::wilson(k, n),
        n,
    }
}

fn sentiment_estimate(sums: &SentimentSums, key: &str) -> Estimate {
    Estimate {
        value: sums.mean(),
        ci: stats::bootstrap_ratio(&sums.per_article, key),
        n: sums.n() as u64,
    }
}

fn concept_sentiment(acc: &OutletAccumulator, outlet: &OutletId, concept: &str) -> Estimate {
    acc.concept_sentiment_own
        .get(concept)
        .map(|s| sentiment_estimate(s, &format!("{outlet}\u{1f}{concept}")))
        .unwrap_or_default()
}

fn outlet_row(outlet: &OutletId, acc: &OutletAccumulator, concepts: &[String]) -> OutletRow {
    let words_own: f64 = acc.per_article.iter().map(|a| a.words_own).sum();
    let loaded_own: f64 = acc.per_article.iter().map(|a| a.loaded_own * 1000.0).sum();
    // The whole own-voice rate and its layers from the same resamples.
    let by_layer: Vec<([f64; 4], f64)> = acc
        .per_article
        .iter()
        .map(|a| {
            let [story, general, detector] = a.loaded_own_by_layer.map(|l| l * 1000.0);
            (
                [a.loaded_own * 1000.0, story, general, detector],
                a.words_own,
            )
        })
        .collect();
    let own_ci = stats::bootstrap_ratios(&by_layer, outlet.0.as_str());
    let words_quoted: f64 = acc.per_article.iter().map(|a| a.words_quoted).sum();
    let loaded_quoted: f64 = acc.per_article.iter().map(|a| a.loaded_quoted).sum();
    let mut top: Vec<(&CompactString, &(u64, f64))> =
        acc.terms_own.iter().filter(|t| t.1 .1 > 0.0).collect();
    top.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1).then_with(|| a.0.cmp(b.0)));
    OutletRow {
        outlet: outlet.clone(),
        outlet_name: acc.outlet_name.clone().unwrap_or_else(|| outlet.0.clone()),
        articles: acc.articles,
        duplicates: acc.duplicates,
        words: acc.words,
        words_own: acc.words_by_voice[0],
        words_quoted: acc.words_by_voice[1],
        words_attributed: acc.words_by_voice[2],
        mentions_own: acc.mentions_by_voice[0],
        mentions_quoted: acc.mentions_by_voice[1],
        mentions_attributed: acc.mentions_by_voice[2],
        loaded_per_1k_own: Estimate {
            value: (words_own > 0.0).then(|| loaded_own / words_own),
            ci: own_ci[0],
            n: acc.articles,
        },
        loaded_per_1k_own_by_layer: Layer::ALL.map(|layer| {
            let loaded: f64 = acc
                .per_article
                .iter()
                .map(|a| a.loaded_own_by_layer[layer.index()] * 1000.0)
                .sum();
            Estimate {
                value: (words_own > 0.0).then(|| loaded / words_own),
                ci: own_ci[1 + layer.index()],
                n: acc.articles,
            }
        }),
        loaded_per_1k_quoted: (words_quoted > 0.0).then(|| loaded_quoted * 1000.0 / words_quoted),
        distancing_own: acc.distancing_own,
        negated_own: acc.negated_own,
        top_terms_own: top
            .into_iter()
            .take(TOP_TERMS)
            .map(|(t, (n, _))| (t.to_string(), *n))
            .collect(),
        sentiment_own_by_concept: concepts
            .iter()
            .map(|c| (c.clone(), concept_sentiment(acc, outlet, c)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{sha256_hex, Article, ArticleId};
    use crate::text::RepeatedLines;

    fn article(id: &str, text: &str) -> Article {
        Article {
            id: ArticleId(id.into()),
            outlet: OutletId("o".into()),
            outlet_name: None,
            title: None,
            published: None,
            url: None,
            metadata: Vec::new(),
            source: format!("o/{id}.txt"),
            text: text.into(),
            content_hash: sha256_hex(text.as_bytes()),
        }
    }

    #[test]
    fn the_own_voice_rate_splits_by_layer_and_the_parts_add_up() {
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().unwrap();
        let empty = RepeatedLines::empty();
        let mut acc = OutletAccumulator::default();
        for (id, text) in [
            (
                "1",
                "The occupation forces stayed in the so-called safe zone.\n",
            ),
            (
                "2",
                "The US troops left. Officials said the occupation must end.\n",
            ),
            ("3", "A quiet day in the capital, with no news at all.\n"),
        ] {
            acc.add(&crate::analyze::analyze_article(
                &article(id, text),
                &empty,
                &matcher,
            ));
        }
        let outlets = BTreeMap::from([(OutletId("o".into()), acc)]);
        let row = &finish(&lexicon, &outlets).outlets[0];
        let [story, general, detector] = row.loaded_per_1k_own_by_layer;
        let (story, general) = (story.value.unwrap(), general.value.unwrap());
        assert_eq!(detector.value, Some(0.0), "no detector ran");
        assert!(story > 0.0, "occupation forces is a story label");
        assert!(general > 0.0, "so-called is general loaded language");
        let total = row.loaded_per_1k_own.value.unwrap();
        assert!(
            (story + general - total).abs() < 1e-9,
            "{story} + {general} != {total}"
        );
        // Three articles: each layer has its bootstrap interval.
        assert!(row
            .loaded_per_1k_own_by_layer
            .iter()
            .all(|e| e.ci.is_some()));
    }
}
