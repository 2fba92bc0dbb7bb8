//! `labels.csv`: phrases that name one referent, grouped, and each
//! outlet's and group's share of them.
//!
//! Candidates are the phrases that look like labels: two or three words,
//! one capitalised word (a name: `Daesh`, `Hamas`), or a lexicon term of a
//! referent concept. Those two or more articles use in own voice are
//! ranked by uses and the first [`LabelOptions::candidates`] kept; the
//! lexicon's terms are kept whatever their count. Left out: a phrase that
//! starts or ends with a verb of saying (`Trump said`) or a particle of a
//! name (`Abu Mahdi al`), a day or month name, and a phrase that is mostly
//! part of a longer candidate (`Barack`
//! when four in five of its uses are in `Barack Obama`): it is a piece of
//! a name, not a label of its own.
//!
//! Two candidates are as similar as:
//! * 1 when the lexicon lists both under one referent concept, 0 when it
//!   lists them under two (the lexicon is the authority on its referents);
//! * otherwise, with the phrase encoder, the cosine of their embeddings,
//!   plus 0.1 when both have the same head word (capped at 1); without the
//!   encoder, string evidence alone: 0.8 for the same head word (the last
//!   word, or the last before a function word inside: `forces` in `forces
//!   in Iraq`; `US troops`, `American troops`), else 0.
//!
//! They are clustered by average linkage (UPGMA, the `kodama` crate) and
//! the dendrogram is cut at a dissimilarity of 1 − threshold: a group's
//! phrases are, on average, at least that similar to each other's.
//! Groups of one phrase are not competing labels and are left out.

use std::collections::BTreeMap;

use rayon::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

use super::counts::{Cell, Discovery, Key, KeyCell};
use crate::lexicon::{ConceptKind, Matcher};
use crate::score::stats::wilson;
use crate::text::phrases::phrase_key;
use crate::text::voice::is_speech_verb;

/// Phrase embeddings for grouping: one unit vector per phrase.
pub trait PhraseEmbedder: Sync {
    fn embed(&self, phrases: &[&str]) -> Result<Vec<Vec<f32>>, String>;
    /// Name, folder and hash, for `run.json`.
    fn identity(&self) -> String;
}

/// How candidates are chosen and grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelOptions {
    /// Articles that must use a candidate (own voice) in the whole corpus.
    pub min_articles: u32,
    /// Most candidates besides the lexicon's terms.
    pub candidates: usize,
    /// Least average similarity within a group.
    pub threshold: f64,
}

impl Default for LabelOptions {
    fn default() -> LabelOptions {
        LabelOptions {
            min_articles: 2,
            candidates: 400,
            threshold: 0.8,
        }
    }
}

/// A candidate phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub hash: u64,
    pub name: String,
    /// (concept, label) of the referent lexicon term that is the whole phrase.
    pub lexicon: Option<(String, String)>,
    /// Own-voice uses in the corpus.
    pub uses: u64,
}

/// Phrases found to name one referent.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelGroup {
    /// `g01`, `g02`, … by uses, most first.
    pub id: String,
    /// Its most used phrase.
    pub name: String,
    /// Most used first.
    pub phrases: Vec<Phrase>,
}

/// One row of `labels.csv`: one phrase of a group in one outlet or group.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRow {
    pub group: String,
    pub group_name: String,
    pub phrase: String,
    pub in_lexicon: Option<String>,
    pub key: Key,
    /// Own-voice uses of the phrase by the key, not counting those inside
    /// a longer phrase of the group.
    pub count: u64,
    /// The key's own-voice uses of all the group's phrases.
    pub total: u64,
    pub share: f64,
    pub ci: Option<(f64, f64)>,
    /// The key's articles that use the phrase (own voice).
    pub articles: u32,
}

/// The groups and rows, and how they were made (for `run.json`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    pub groups: Vec<LabelGroup>,
    pub rows: Vec<LabelRow>,
    pub method: String,
    pub candidates: usize,
}

/// Finds the label groups of a run and every key's shares of them.
pub fn labels(
    d: &Discovery,
    corpus: &Cell,
    keys: &[KeyCell<'_>],
    matcher: &Matcher,
    embedder: Option<&dyn PhraseEmbedder>,
    options: LabelOptions,
) -> Result<Labels, String> {
    let candidates = candidates(d, corpus, matcher, options);
    let n = candidates.len();
    let names: Vec<&str> = candidates.iter().map(|c| c.name.as_str()).collect();
    let vectors = match embedder {
        Some(e) if n > 1 => Some(e.embed(&names)?),
        _ => None,
    };
    // Each candidate's head word once, not once per pair it is in.
    let heads: Vec<String> = candidates
        .iter()
        .map(|c| head(&phrase_key(&c.name)))
        .collect();
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|i| {
            (i + 1..n)
                .map(|j| {
                    let (a, b) = (&candidates[i], &candidates[j]);
                    let sim = similarity(a, b, &heads, vectors.as_deref(), i, j);
                    (1.0 - sim).clamp(0.0, 1.0)
                })
                .collect()
        })
        .collect();
    let mut condensed: Vec<f64> = rows.into_iter().flatten().collect();
    let clusters = cut(&mut condensed, n, 1.0 - options.threshold);
    let mut groups: Vec<Vec<usize>> = clusters.into_iter().filter(|c| c.len() > 1).collect();
    for g in &mut groups {
        g.sort_by(|&a, &b| {
            candidates[b]
                .uses
                .cmp(&candidates[a].uses)
                .then(candidates[a].name.cmp(&candidates[b].name))
        });
    }
    let uses = |g: &Vec<usize>| g.iter().map(|&i| candidates[i].uses).sum::<u64>();
    groups.sort_by(|a, b| {
        uses(b)
            .cmp(&uses(a))
            .then(candidates[a[0]].name.cmp(&candidates[b[0]].name))
    });
    let width = groups.len().to_string().len().max(2);
    let groups: Vec<LabelGroup> = groups
        .iter()
        .enumerate()
        .map(|(k, g)| LabelGroup {
            id: format!("g{:0width$}", k + 1),
            name: candidates[g[0]].name.clone(),
            phrases: g.iter().map(|&i| candidates[i].clone()).collect(),
        })
        .collect();
    let rows = shares(keys, &groups);
    let method = match vectors {
        Some(_) => format!(
            "average linkage, cut at similarity {}: lexicon concepts, else phrase-encoder cosine",
            options.threshold
        ),
        None => format!(
            "average linkage, cut at similarity {}: lexicon concepts and string evidence only (no phrase encoder)",
            options.threshold
        ),
    };
    Ok(Labels {
        groups,
        rows,
        method,
        candidates: n,
    })
}

fn candidates(
    d: &Discovery,
    corpus: &Cell,
    matcher: &Matcher,
    options: LabelOptions,
) -> Vec<Phrase> {
    // Each phrase's name and lexicon term, looked up on all cores: the
    // corpus holds hundreds of thousands of phrases on a large run.
    let found: Vec<Phrase> = corpus
        .phrases
        .par_iter()
        .filter_map(|(&hash, uses)| {
            if uses.uses.own == 0 {
                return None;
            }
            let name = d.display(hash, corpus)?;
            let name = name.as_str();
            let term = referent_term(matcher, name);
            // `US-led` is two words; a possessive or a contraction is not.
            let words = name.split(' ').count() + name.matches('-').count();
            // One capitalised word of three letters or more: `Al` of
            // `Al-Sudani` is a piece of a name.
            let capitalised =
                name.chars().next().is_some_and(char::is_uppercase) && name.chars().count() > 2;
            let candidate = term.is_some()
                || (uses.uses.articles_own >= options.min_articles && (words > 1 || capitalised));
            candidate.then(|| Phrase {
                hash,
                name: name.to_string(),
                lexicon: term,
                uses: u64::from(uses.uses.own),
            })
        })
        .collect();
    let (mut lexicon, mut others): (Vec<Phrase>, Vec<Phrase>) =
        found.into_iter().partition(|p| p.lexicon.is_some());
    others.retain(|p| {
        let key = phrase_key(&p.name);
        let first = key.split(' ').next().unwrap_or("");
        let last = key.rsplit(' ').next().unwrap_or("");
        let calendar = first == last && crate::text::names::CALENDAR.contains(&first);
        // `Abu Mahdi al` of `Abu Mahdi al-Muhandis`: a name cut at a
        // particle. A short word in capitals (`US`) is an acronym, not one.
        let particle =
            |w: &str| w.len() <= 2 && !p.name.split([' ', '-']).any(|o| o == w.to_uppercase());
        let cut = key.split(' ').count() > 1 && (particle(first) || particle(last));
        !(is_speech_verb(first) || is_speech_verb(last) || calendar || cut)
    });
    others.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.hash.cmp(&b.hash)));
    // The most uses of a longer candidate that holds each one, found by
    // looking up each candidate's shorter runs of words.
    let keys: Vec<String> = others.iter().map(|p| phrase_key(&p.name)).collect();
    let index: std::collections::HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut container = vec![0u64; others.len()];
    let lexicon_keys: Vec<(String, u64)> = lexicon
        .iter()
        .map(|p| (phrase_key(&p.name), p.uses))
        .collect();
    let containers = keys
        .iter()
        .cloned()
        .zip(others.iter().map(|p| p.uses))
        .chain(lexicon_keys);
    for (key, uses) in containers {
        // Runs of words as Unicode splits them, so that `led coalition` is
        // found inside `us-led coalition`.
        let words: Vec<(usize, usize)> = key
            .unicode_word_indices()
            .map(|(at, w)| (at, at + w.len()))
            .collect();
        for len in 1..words.len() {
            for start in 0..=words.len() - len {
                let run = &key[words[start].0..words[start + len - 1].1];
                if let Some(&i) = index.get(run) {
                    container[i] = container[i].max(uses);
                }
            }
        }
    }
    let mut others: Vec<Phrase> = others
        .into_iter()
        .zip(container)
        .filter(|(p, most)| most * 5 < p.uses * 4)
        .map(|(p, _)| p)
        .collect();
    others.truncate(options.candidates);
    lexicon.extend(others);
    lexicon.sort_by_key(|p| p.hash);
    lexicon
}

/// (concept, label) of the referent lexicon term that is all of `phrase`.
fn referent_term(matcher: &Matcher, phrase: &str) -> Option<(String, String)> {
    super::keyness::whole_term(matcher, phrase)
        .filter(|e| e.kind == ConceptKind::Referent)
        .map(|e| (e.concept.clone(), e.label.clone()))
}

/// Similarity of candidates `i` (`a`) and `j` (`b`); `heads` holds every
/// candidate's [`head`].
fn similarity(
    a: &Phrase,
    b: &Phrase,
    heads: &[String],
    vectors: Option<&[Vec<f32>]>,
    i: usize,
    j: usize,
) -> f64 {
    if let (Some(x), Some(y)) = (&a.lexicon, &b.lexicon) {
        return if x.0 == y.0 { 1.0 } else { 0.0 };
    }
    let string = if heads[i] == heads[j] { SAME_HEAD } else { 0.0 };
    match vectors {
        // Meaning, with a shared head word as a little more evidence.
        Some(v) => (f64::from(cosine(&v[i], &v[j])) + HEAD_BONUS * string / SAME_HEAD).min(1.0),
        None => string,
    }
}

/// What a shared head word adds to the encoder's cosine.
const HEAD_BONUS: f64 = 0.1;

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// String evidence: the similarity of two phrases with the same [`head`]
/// word (without the encoder, all of it).
const SAME_HEAD: f64 = 0.8;

/// A phrase key's head word, a trailing plural `s` dropped: the last word,
/// or the last before a function word inside the phrase: `forces` in
/// `forces in Iraq`, `war` in `war on Gaza`.
fn head(phrase: &str) -> String {
    let words: Vec<&str> = phrase.split([' ', '-']).filter(|w| !w.is_empty()).collect();
    let end = words
        .iter()
        .position(|w| crate::text::stop_words::is_stop_word(w))
        .filter(|&i| i > 0)
        .unwrap_or(words.len());
    let w = words.get(end.saturating_sub(1)).copied().unwrap_or(phrase);
    w.strip_suffix('s')
        .filter(|w| w.len() > 2)
        .unwrap_or(w)
        .to_string()
}

/// Flat clusters of an average-linkage dendrogram cut at `max`
/// dissimilarity, as lists of observation indices.
fn cut(condensed: &mut [f64], n: usize, max: f64) -> Vec<Vec<usize>> {
    if n == 0 {
        return Vec::new();
    }
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    if n > 1 {
        let dendrogram = kodama::linkage(condensed, n, kodama::Method::Average);
        for step in dendrogram.steps() {
            let merged = if step.dissimilarity <= max + 1e-12 {
                let mut m = std::mem::take(&mut members[step.cluster1]);
                m.extend(std::mem::take(&mut members[step.cluster2]));
                m
            } else {
                // Above the cut: the new cluster is not one group; its
                // parts stay as they are (an empty entry keeps the labels
                // of later steps in place).
                Vec::new()
            };
            members.push(merged);
        }
    }
    members.retain(|m| !m.is_empty());
    members
}

/// Every key's own-voice shares of every group's phrases. A use of a
/// phrase inside a longer phrase of the same group (`coalition` inside
/// `US-led coalition`) is counted for the longer one only.
fn shares(keys: &[KeyCell<'_>], groups: &[LabelGroup]) -> Vec<LabelRow> {
    let mut rows = Vec::new();
    for (key, cell) in keys {
        for g in groups {
            let raw: Vec<(u64, u32)> = g
                .phrases
                .iter()
                .map(|p| {
                    cell.phrases
                        .get(&p.hash)
                        .map_or((0, 0), |u| (u64::from(u.uses.own), u.uses.articles_own))
                })
                .collect();
            let keys_of: Vec<String> = g.phrases.iter().map(|p| phrase_key(&p.name)).collect();
            let counts: Vec<u64> = (0..g.phrases.len())
                .map(|i| {
                    let inside: u64 = (0..g.phrases.len())
                        .filter(|&j| j != i && contains_words(&keys_of[j], &keys_of[i]))
                        .map(|j| raw[j].0)
                        .sum();
                    raw[i].0.saturating_sub(inside)
                })
                .collect();
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            for (i, p) in g.phrases.iter().enumerate() {
                rows.push(LabelRow {
                    group: g.id.clone(),
                    group_name: g.name.clone(),
                    phrase: p.name.clone(),
                    in_lexicon: p.lexicon.as_ref().map(|(c, l)| format!("{c}:{l}")),
                    key: key.clone(),
                    count: counts[i],
                    total,
                    share: counts[i] as f64 / total as f64,
                    ci: wilson(counts[i], total),
                    articles: raw[i].1,
                });
            }
        }
    }
    let order: BTreeMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i))
        .collect();
    rows.sort_by(|a, b| {
        order[a.group.as_str()]
            .cmp(&order[b.group.as_str()])
            .then(a.key.cmp(&b.key))
    });
    rows
}

fn contains_words(outer: &str, inner: &str) -> bool {
    outer.len() > inner.len() && super::keyness::contains_words(outer, inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string evidence between two phrase keys, as `labels` weighs it.
    fn string_similarity(a: &str, b: &str) -> f64 {
        let phrase = |name: &str| Phrase {
            hash: 0,
            name: name.to_string(),
            lexicon: None,
            uses: 1,
        };
        let heads = [head(a), head(b)];
        similarity(&phrase(a), &phrase(b), &heads, None, 0, 1)
    }

    #[test]
    fn string_evidence_joins_heads_and_suffixes() {
        assert_eq!(string_similarity("us troops", "american troops"), 0.8);
        assert_eq!(string_similarity("coalition", "us-led coalition"), 0.8);
        assert_eq!(string_similarity("us troop", "us troops"), 0.8);
        assert_eq!(string_similarity("isis", "islamic state"), 0.0);
        assert_eq!(string_similarity("forces in iraq", "iraq"), 0.0);
        assert_eq!(string_similarity("forces in iraq", "us forces"), 0.8);
    }

    #[test]
    fn the_cut_keeps_merges_below_it_only() {
        // a–b 0.1, c far from both: one group of two and one single.
        let mut condensed = vec![0.1, 0.9, 0.95];
        let mut clusters = cut(&mut condensed, 3, 0.3);
        clusters.sort();
        assert_eq!(clusters, vec![vec![0, 1], vec![2]]);
        // Average linkage: c joins {a, b} at (0.2 + 0.4) / 2 = 0.3.
        let mut condensed = vec![0.1, 0.2, 0.4];
        assert_eq!(cut(&mut condensed, 3, 0.3).len(), 1);
        let mut condensed = vec![0.1, 0.2, 0.4];
        assert_eq!(cut(&mut condensed, 3, 0.29).len(), 2);
    }
}
