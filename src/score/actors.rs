//! `actors.csv`: how each outlet and group speaks of the story's actors,
//! the proper names the text stage finds ([`crate::text::names`]).
//!
//! Per article, an [`ActorParts`] (inside the [`super::ArticlePartial`]
//! the run cache keeps) holds each name's mentions by voice and its
//! own-voice sentiment sums; an outlet's or group's [`ActorSums`] folds
//! them in with the article's place, so that names merged at the end
//! (corpus-wide: [`merge_actors`]) are resampled as one cluster per
//! article, as the per-concept sentiment of [`super::finish`] is.

use std::collections::{BTreeMap, BTreeSet};

use compact_str::CompactString;
use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use super::timeline::Scope;
use super::{sentiment_estimate, voice_index, Estimate, SentimentSums};
use crate::analyze::ArticleAnalysis;
use crate::corpus::OutletId;
use crate::lexicon::{ConceptKind, Lexicon};
use crate::mention::Voice;

/// An actor is reported when the corpus mentions it at least this often
/// (in any voice)…
pub const MIN_MENTIONS: u64 = 3;
/// …in at least this many articles.
pub const MIN_ARTICLES: u64 = 2;

/// One name's share of one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ActorPart {
    /// The name the article gives the actor in full ([`crate::Mention::term`]).
    name: CompactString,
    /// The names as written that the article merged into it, sorted.
    surfaces: Vec<CompactString>,
    by_voice: [u64; 3],
    /// (Σ pos−neg, n) of the own-voice mentions with a sentiment score.
    sentiment_own: (f64, f64),
}

/// One article's actor mentions, without the mentions: what
/// [`ActorSums::add`] folds in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActorParts(Vec<ActorPart>);

impl ActorParts {
    /// The parts of an analysed article's [`ArticleAnalysis::actors`].
    pub fn of(article: &ArticleAnalysis) -> ActorParts {
        // Per name: its surfaces, mentions by voice, own-voice sentiment.
        type Tally = (BTreeSet<String>, [u64; 3], (f64, f64));
        let mut by_name: BTreeMap<&str, Tally> = BTreeMap::new();
        for m in &article.actors {
            let e = by_name.entry(m.term.as_str()).or_default();
            e.0.insert(crate::text::names::written(&m.surface));
            e.1[voice_index(m.voice)] += 1;
            if let (Voice::Own, Some(s)) = (m.voice, &m.sentiment) {
                e.2 .0 += f64::from(s.score());
                e.2 .1 += 1.0;
            }
        }
        ActorParts(
            by_name
                .into_iter()
                .map(|(name, (surfaces, by_voice, sentiment_own))| ActorPart {
                    name: name.into(),
                    surfaces: surfaces.into_iter().map(CompactString::from).collect(),
                    by_voice,
                    sentiment_own,
                })
                .collect(),
        )
    }
}

/// One name's sums over an outlet's (or group's) articles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct NameSums {
    by_voice: [u64; 3],
    surfaces: BTreeSet<CompactString>,
    /// The articles (by their place among the key's articles) that
    /// mention it.
    articles: Vec<u32>,
    /// (article place, Σ pos−neg, n) of the articles with a scored
    /// own-voice mention.
    sentiment_own: Vec<(u32, f64, f64)>,
}

/// An outlet's or group's actor sums; mergeable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActorSums {
    /// Articles added (with or without actors): the next article's place.
    articles: u32,
    names: HashMap<CompactString, NameSums>,
}

impl ActorSums {
    /// Adds one article's parts.
    pub fn add(&mut self, parts: &ActorParts) {
        let place = self.articles;
        self.articles += 1;
        for p in &parts.0 {
            let e = match self.names.get_mut(p.name.as_str()) {
                Some(e) => e,
                None => self.names.entry(p.name.clone()).or_default(),
            };
            for (sum, n) in e.by_voice.iter_mut().zip(p.by_voice) {
                *sum += n;
            }
            e.surfaces.extend(p.surfaces.iter().cloned());
            e.articles.push(place);
            if p.sentiment_own.1 > 0.0 {
                e.sentiment_own
                    .push((place, p.sentiment_own.0, p.sentiment_own.1));
            }
        }
    }

    /// Folds in the sums of articles added elsewhere, after these.
    pub fn merge(&mut self, other: ActorSums) {
        let offset = self.articles;
        self.articles += other.articles;
        for (name, o) in other.names {
            let e = self.names.entry(name).or_default();
            for (sum, n) in e.by_voice.iter_mut().zip(o.by_voice) {
                *sum += n;
            }
            e.surfaces.extend(o.surfaces);
            e.articles
                .extend(o.articles.into_iter().map(|a| a + offset));
            e.sentiment_own.extend(
                o.sentiment_own
                    .into_iter()
                    .map(|(a, s, n)| (a + offset, s, n)),
            );
        }
    }
}

/// One row of `actors.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorRow {
    pub scope: Scope,
    /// The outlet id or the group's value.
    pub key: String,
    pub actor: String,
    /// The names as written that the key's mentions of the actor use.
    pub aliases: Vec<String>,
    /// Mentions in [`Voice::ALL`] order.
    pub mentions: [u64; 3],
    /// Own-voice sentiment (pos − neg) with its article-bootstrap interval.
    pub sentiment_own: Estimate,
}

/// `actors.csv`'s rows and how many actors the minimum left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actors {
    pub rows: Vec<ActorRow>,
    /// Actors reported (at least [`MIN_MENTIONS`] mentions in
    /// [`MIN_ARTICLES`] articles).
    pub kept: usize,
    /// Actors left out by that minimum.
    pub left_out: usize,
    /// Actor mentions in the corpus, in any voice.
    pub mentions: u64,
    /// The short forms joined to a person by the share of its uses.
    pub by_share: Vec<JoinedByShare>,
}

/// A short form the corpus-wide merge joined to the person with at least
/// [`crate::text::names::DOMINANT_PERCENT`] % of its candidates' mentions
/// (`run.json`, `actors.joined_by_share`): the evidence for a merge the
/// names alone do not settle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JoinedByShare {
    /// The short form, in its most used spelling ("Trump").
    pub name: String,
    /// The actor it was joined to, as `actors.csv` names it.
    pub actor: String,
    /// Its mentions, any voice.
    pub mentions: u64,
    /// Mentions of that person's full names…
    pub person_mentions: u64,
    /// …and of every full name the short form ends or spells.
    pub candidate_mentions: u64,
}

/// Name → actor, corpus-wide: [`crate::text::names::merge_corpus_aliases`] over
/// every name the outlets' articles give (each weighted by its
/// mentions), each actor named by its most used name, then lexicon
/// concepts that name actors: an actor one of
/// whose names is a term of a referent concept (ignoring case), or ends
/// with one (`Qassem Soleimani` and the term `Soleimani`), is reported as
/// that concept's id; with several such concepts, the first in lexicon
/// order. Its own names win over endings.
pub fn merge_actors<'a>(
    lexicon: &Lexicon,
    outlets: impl IntoIterator<Item = &'a ActorSums>,
) -> BTreeMap<String, String> {
    merge_actors_noting(lexicon, outlets).0
}

/// [`merge_actors`], with the short forms joined by share.
fn merge_actors_noting<'a>(
    lexicon: &Lexicon,
    outlets: impl IntoIterator<Item = &'a ActorSums>,
) -> (BTreeMap<String, String>, Vec<JoinedByShare>) {
    let mut weight: BTreeMap<&str, u64> = BTreeMap::new();
    let mut surfaces: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for sums in outlets {
        for (name, s) in &sums.names {
            *weight.entry(name.as_str()).or_default() += s.by_voice.iter().sum::<u64>();
            surfaces
                .entry(name.as_str())
                .or_default()
                .extend(s.surfaces.iter().map(CompactString::as_str));
        }
    }
    let crate::text::names::CorpusMerge {
        actor_of: merged,
        by_share,
    } = crate::text::names::merge_corpus_aliases(weight.iter().map(|(n, w)| (*n, *w)));
    let display = most_used_names(&merged, &weight);
    // The names of each merged actor, written and given.
    let mut names_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, actor) in &merged {
        let set = names_of.entry(actor.as_str()).or_default();
        set.insert(name.as_str());
        if let Some(s) = surfaces.get(name.as_str()) {
            set.extend(s.iter().copied());
        }
    }
    let terms: Vec<(&str, Vec<String>)> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .flat_map(|c| {
            c.labels
                .iter()
                .flat_map(|l| &l.terms)
                .map(move |t| (c.id.as_str(), crate::text::names::name_key(t)))
        })
        .filter(|(_, key)| !key.is_empty())
        .collect();
    let concept_of = |names: &BTreeSet<&str>| -> Option<&str> {
        let keys: Vec<Vec<String>> = names
            .iter()
            .map(|n| crate::text::names::name_key(n))
            .collect();
        let exact = terms.iter().find(|(_, t)| keys.iter().any(|k| k == t));
        let ending = || {
            terms
                .iter()
                .find(|(_, t)| keys.iter().any(|k| crate::text::names::ends_name(k, t)))
        };
        exact.or_else(ending).map(|(c, _)| *c)
    };
    let actor_of: BTreeMap<&str, String> = names_of
        .iter()
        .map(|(actor, names)| {
            let reported = concept_of(names)
                .or_else(|| display.get(*actor).map(String::as_str))
                .unwrap_or(actor);
            (*actor, reported.to_string())
        })
        .collect();
    let reported: BTreeMap<String, String> = merged
        .iter()
        .map(|(name, actor)| (name.clone(), actor_of[actor.as_str()].clone()))
        .collect();
    let joined = by_share
        .into_iter()
        .map(|b| JoinedByShare {
            actor: reported.get(&b.name).cloned().unwrap_or_default(),
            name: b.name,
            mentions: b.uses,
            person_mentions: b.person,
            candidate_mentions: b.candidates,
        })
        .collect();
    (reported, joined)
}

/// Each merged actor's name for the report: the most used spelling of its
/// most used name, the spellings of one name (one [`name_key`]) counted
/// together; ties go to the longer name. [`merge_aliases`] names an actor
/// by its longest name, which the article-level merge needs (a bare
/// "Trump" in an article that names Donald Trump is his), but across a
/// corpus the longest name can be one article's run-together words ("GOP
/// Speaker of the House John Boehner" gives `House John Boehner`).
///
/// [`name_key`]: crate::text::names::name_key
/// [`merge_aliases`]: crate::text::names::merge_aliases
fn most_used_names(
    merged: &BTreeMap<String, String>,
    weight: &BTreeMap<&str, u64>,
) -> BTreeMap<String, String> {
    // Actor → key → (weight of the key, spelling → weight).
    type Keys<'a> = BTreeMap<Vec<String>, (u64, BTreeMap<&'a str, u64>)>;
    let mut by_actor: BTreeMap<&str, Keys> = BTreeMap::new();
    for (name, actor) in merged {
        let w = weight.get(name.as_str()).copied().unwrap_or(0);
        let key = crate::text::names::name_key(name);
        let e = by_actor
            .entry(actor.as_str())
            .or_default()
            .entry(key)
            .or_default();
        e.0 += w;
        *e.1.entry(name.as_str()).or_default() += w;
    }
    by_actor
        .into_iter()
        .filter_map(|(actor, keys)| {
            let (_, (_, spellings)) = keys.iter().max_by(|a, b| {
                (a.1 .0, a.0.len())
                    .cmp(&(b.1 .0, b.0.len()))
                    .then_with(|| b.0.cmp(a.0))
            })?;
            let (spelling, _) = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
            Some((actor.to_string(), spelling.to_string()))
        })
        .collect()
}

/// Sums of one actor for one key, its names merged.
#[derive(Default)]
struct Merged {
    by_voice: [u64; 3],
    surfaces: BTreeSet<CompactString>,
    articles: BTreeSet<u32>,
    /// Article place → (Σ pos−neg, n).
    sentiment_own: BTreeMap<u32, (f64, f64)>,
}

fn merged_of<'a>(
    sums: &'a ActorSums,
    actor_of: &'a BTreeMap<String, String>,
) -> BTreeMap<&'a str, Merged> {
    let mut out: BTreeMap<&str, Merged> = BTreeMap::new();
    for (name, s) in &sums.names {
        let Some(actor) = actor_of.get(name.as_str()) else {
            continue;
        };
        let m = out.entry(actor.as_str()).or_default();
        for (sum, n) in m.by_voice.iter_mut().zip(s.by_voice) {
            *sum += n;
        }
        m.surfaces.extend(s.surfaces.iter().cloned());
        m.articles.extend(s.articles.iter().copied());
        for &(place, sum, n) in &s.sentiment_own {
            let e = m.sentiment_own.entry(place).or_default();
            e.0 += sum;
            e.1 += n;
        }
    }
    out
}

/// `actors.csv`: one row per outlet × actor, then per group × actor,
/// each sorted by mentions (all voices) descending, then actor. Actors
/// with fewer than [`MIN_MENTIONS`] mentions or [`MIN_ARTICLES`] articles
/// in the corpus (the outlets' sums) are left out everywhere.
pub fn finish_actors(
    lexicon: &Lexicon,
    outlets: &BTreeMap<OutletId, &ActorSums>,
    groups: &BTreeMap<OutletId, &ActorSums>,
) -> Actors {
    let (actor_of, by_share) = merge_actors_noting(lexicon, outlets.values().copied());
    let by_outlet: Vec<(&OutletId, BTreeMap<&str, Merged>)> = outlets
        .iter()
        .map(|(o, s)| (o, merged_of(s, &actor_of)))
        .collect();
    let mut corpus: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (_, merged) in &by_outlet {
        for (actor, m) in merged {
            let e = corpus.entry(actor).or_default();
            e.0 += m.by_voice.iter().sum::<u64>();
            e.1 += m.articles.len() as u64;
        }
    }
    let kept: BTreeSet<&str> = corpus
        .iter()
        .filter(|(_, (mentions, articles))| *mentions >= MIN_MENTIONS && *articles >= MIN_ARTICLES)
        .map(|(a, _)| *a)
        .collect();
    let mut actors = Actors {
        kept: kept.len(),
        left_out: corpus.len() - kept.len(),
        mentions: corpus.values().map(|c| c.0).sum(),
        rows: Vec::new(),
        by_share,
    };
    let by_group: Vec<(&OutletId, BTreeMap<&str, Merged>)> = groups
        .iter()
        .map(|(g, s)| (g, merged_of(s, &actor_of)))
        .collect();
    for (scope, keyed) in [(Scope::Outlet, &by_outlet), (Scope::Group, &by_group)] {
        for (key, merged) in keyed {
            let mut rows: Vec<ActorRow> = merged
                .iter()
                .filter(|(actor, _)| kept.contains(*actor))
                .map(|(actor, m)| {
                    let sums = SentimentSums {
                        per_article: m.sentiment_own.values().copied().collect(),
                    };
                    ActorRow {
                        scope,
                        key: key.0.clone(),
                        actor: actor.to_string(),
                        aliases: m.surfaces.iter().map(|s| s.to_string()).collect(),
                        mentions: m.by_voice,
                        sentiment_own: sentiment_estimate(
                            &sums,
                            &format!("{}\u{1f}{key}\u{1f}actor\u{1f}{actor}", scope.as_str()),
                        ),
                    }
                })
                .collect();
            rows.sort_by(|a, b| {
                let all = |r: &ActorRow| r.mentions.iter().sum::<u64>();
                all(b).cmp(&all(a)).then_with(|| a.actor.cmp(&b.actor))
            });
            actors.rows.extend(rows);
        }
    }
    actors
}

#[cfg(test)]
mod tests;
