//! `divergence.csv`: how differently two outlets (or two groups) label the
//! same referents, with a test that says whether the difference is more
//! than the luck of which articles each happened to run.
//!
//! For each referent concept of the lexicon, a key's label distribution is
//! its own-voice mentions per label; two keys' distributions are compared
//! by Jensen–Shannon divergence (base 2: 0 = the same shares, 1 = no label
//! in common). "Overall" is the mean of the concepts' divergences weighted
//! by their mentions ([`super::stats::weighted_block_jsd`]).
//!
//! The p-value comes from a permutation test over whole articles: the two
//! keys' articles are pooled and dealt out again at random into two sets
//! of the same sizes, with a fixed seed per pair; each random split serves
//! every concept of the pair and the overall figure
//! ([`super::stats::shared_permutation_tests`]). Articles, not mentions,
//! are the units, because the mentions of one article are not independent
//! of each other. How many splits a pair draws is set by [`PLAN`]. The
//! q-values are Benjamini–Hochberg's over every test in the file.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;

use super::counts::{keys, Discovery, Key, Scope};
use super::stats::{benjamini_hochberg, shared_permutation_tests, BlockJsd, Plan};

/// The most random splits per test.
pub const PERMUTATIONS: usize = 999;

/// How each pair draws its splits: at most [`PERMUTATIONS`]; fewer, down
/// to 99 (p ≥ 0.01), for a pair whose splits move so many articles that
/// the file's work would pass [`WORK`] (a large corpus); and a test stops
/// counting once 20 splits are as far apart as the real one (Besag &
/// Clifford 1991), when its p-value is clearly large. The `permutations`
/// column says how many each test drew. `budget` is set per run: [`WORK`]
/// shared among the pairs.
pub const PLAN: Plan = Plan {
    permutations: PERMUTATIONS,
    min: 99,
    stop_at_hits: 20,
    budget: usize::MAX,
};

/// The work all the tests of a file share, in article counts added up
/// over all splits; a pair whose share buys fewer than [`PLAN`]'s `min`
/// splits draws `min` all the same, so a large corpus goes past it. At
/// 100,000 articles in 12 outlets most pairs are at that floor, and the
/// file's tests take about 2 s on 2 cores beside the scores
/// (`discover_divergence` in `run.json`); every pair of a corpus the size
/// of SEESAW still draws 999.
pub const WORK: usize = 200_000_000;

/// The seed every test's stream derives from (with the keys and concept).
pub const SEED: u64 = 0x5eed_d1f0;

/// The concept of a row that combines every concept.
pub const OVERALL: &str = "(overall)";

/// One row of `divergence.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct DivergenceRow {
    pub scope: Scope,
    pub key_a: String,
    pub key_b: String,
    pub concept: String,
    /// Labels of the concept either key uses.
    pub labels: usize,
    pub mentions_a: u64,
    pub mentions_b: u64,
    pub articles_a: usize,
    pub articles_b: usize,
    pub jsd: f64,
    pub p_value: f64,
    pub q_value: f64,
    pub permutations: usize,
}

/// Every pair of outlets and every pair of groups, for each of
/// `concepts` (referent concept ids, in lexicon order) that both keys
/// use, then overall. Sorted by scope, pair, then concept in the given
/// order with overall last.
pub fn divergence(d: &Discovery, concepts: &[String]) -> Vec<DivergenceRow> {
    // Label indices of each concept, in index order: one block each.
    let mut blocks: Vec<(String, Vec<u32>)> =
        concepts.iter().map(|c| (c.clone(), Vec::new())).collect();
    for i in 0.. {
        let Some((concept, _)) = d.label(i) else {
            break;
        };
        if let Some(b) = blocks.iter_mut().find(|b| b.0 == concept) {
            b.1.push(i);
        }
    }
    blocks.retain(|b| !b.1.is_empty());
    let mut slot = BTreeMap::new();
    let mut ranges = Vec::new();
    let mut at = 0;
    for (_, labels) in &blocks {
        for (k, &l) in labels.iter().enumerate() {
            slot.insert(l, at + k);
        }
        ranges.push(at..at + labels.len());
        at += labels.len();
    }
    let width = at;
    // Each article's own-voice counts over all blocks, sparse.
    let units: Vec<Vec<(usize, f64)>> = d
        .articles()
        .iter()
        .map(|a| {
            let mut v: Vec<(usize, f64)> = a
                .labels
                .iter()
                .filter_map(|(l, n)| slot.get(l).map(|&s| (s, f64::from(*n))))
                .collect();
            v.sort_by_key(|e| e.0);
            v
        })
        .collect();
    let all = keys(d);
    let members: Vec<Vec<u32>> = all
        .iter()
        .map(|k| {
            d.articles()
                .iter()
                .enumerate()
                .filter(|(_, a)| k.holds(&d.cells()[a.cell as usize]))
                .map(|(i, _)| i as u32)
                .collect()
        })
        .collect();
    // Each concept's divergence, then overall, computed together a split.
    let statistics = BlockJsd { blocks: &ranges };
    let mut names: Vec<&str> = blocks.iter().map(|b| b.0.as_str()).collect();
    names.push(OVERALL);
    let mut spans = ranges.clone();
    spans.push(0..width);
    // What each key's rows say of its side, the same whatever the pair.
    let sides: Vec<Side> = members
        .iter()
        .map(|of| Side::of(&units, of, &spans, width))
        .collect();
    // Pairs in order, each tested on its own: they run side by side.
    let pairs: Vec<(usize, usize)> = (0..all.len())
        .flat_map(|i| (i + 1..all.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| all[i].scope == all[j].scope)
        .collect();
    let plan = Plan {
        budget: WORK / pairs.len().max(1),
        ..PLAN
    };
    let per_pair: Vec<Vec<DivergenceRow>> = pairs
        .par_iter()
        .map(|&(i, j)| {
            let (a, b) = (&all[i], &all[j]);
            let (of_a, of_b) = (&members[i], &members[j]);
            let tests = shared_permutation_tests(
                &units,
                width,
                of_a,
                of_b,
                &statistics,
                plan,
                seed_of(a, b),
            );
            let (sa, sb) = (&sides[i], &sides[j]);
            let mut rows = Vec::new();
            for (c, (t, concept)) in tests.into_iter().zip(&names).enumerate() {
                let Some(t) = t else { continue };
                let span = spans[c].clone();
                rows.push(DivergenceRow {
                    scope: a.scope,
                    key_a: a.name.clone(),
                    key_b: b.name.clone(),
                    concept: concept.to_string(),
                    labels: span.filter(|&p| sa.used[p] || sb.used[p]).count(),
                    mentions_a: sa.mentions[c] as u64,
                    mentions_b: sb.mentions[c] as u64,
                    articles_a: sa.articles[c],
                    articles_b: sb.articles[c],
                    jsd: t.observed,
                    p_value: t.p_value,
                    q_value: t.p_value,
                    permutations: t.permutations,
                });
            }
            rows
        })
        .collect();
    let mut rows: Vec<DivergenceRow> = per_pair.into_iter().flatten().collect();
    let q = benjamini_hochberg(&rows.iter().map(|r| r.p_value).collect::<Vec<_>>());
    for (r, q) in rows.iter_mut().zip(q) {
        r.q_value = q;
    }
    rows
}

/// One key's side of its pairs' rows: per span (each concept's labels,
/// then all of them), its own-voice mentions and the articles with any;
/// per label, whether it uses it.
struct Side {
    mentions: Vec<f64>,
    articles: Vec<usize>,
    used: Vec<bool>,
}

impl Side {
    /// `spans` are the concepts' blocks, disjoint and in order, then the
    /// whole `0..width`.
    fn of(units: &[Vec<(usize, f64)>], of: &[u32], spans: &[Range<usize>], width: usize) -> Side {
        let whole = spans.len() - 1;
        let mut block_of = vec![whole; width];
        for (c, span) in spans[..whole].iter().enumerate() {
            for p in span.clone() {
                block_of[p] = c;
            }
        }
        let mut side = Side {
            mentions: vec![0.0; spans.len()],
            articles: vec![0; spans.len()],
            used: vec![false; width],
        };
        let mut seen = vec![false; spans.len()];
        for &u in of {
            seen.fill(false);
            for &(p, x) in &units[u as usize] {
                let c = block_of[p];
                if c != whole {
                    side.mentions[c] += x;
                    seen[c] = true;
                }
                side.mentions[whole] += x;
                seen[whole] = true;
                side.used[p] = true;
            }
            for (n, s) in side.articles.iter_mut().zip(&seen) {
                *n += usize::from(*s);
            }
        }
        side
    }
}

/// A pair's seed: the same pair gets the same splits whatever else is in
/// the run.
fn seed_of(a: &Key, b: &Key) -> u64 {
    let text = format!("{}\u{1f}{}\u{1f}{}", a.scope.as_str(), a.name, b.name);
    SEED ^ xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::OutletId;
    use crate::text::phrases::ArticlePhrases;

    #[test]
    fn keys_that_label_alike_do_not_differ_and_opposite_ones_do() {
        let mut d = Discovery::default();
        let none = ArticlePhrases::default();
        for _ in 0..12 {
            d.add(
                &OutletId("a".into()),
                Some("x"),
                &none,
                [("us", "troops", 2)],
            );
            d.add(
                &OutletId("b".into()),
                Some("x"),
                &none,
                [("us", "troops", 1)],
            );
            d.add(
                &OutletId("c".into()),
                Some("y"),
                &none,
                [("us", "occupation", 3)],
            );
        }
        let rows = divergence(&d, &["us".to_string()]);
        let find = |a: &str, b: &str, c: &str| {
            rows.iter()
                .find(|r| r.key_a == a && r.key_b == b && r.concept == c)
                .unwrap()
        };
        let same = find("a", "b", "us");
        assert_eq!(same.jsd, 0.0);
        assert_eq!(same.p_value, 1.0, "every split is as alike");
        // ... and the test stopped after its first round (Besag–Clifford).
        assert_eq!(
            same.permutations,
            2 * crate::discover::stats::PERMUTATION_CHUNK
        );
        assert_eq!((same.mentions_a, same.mentions_b), (24, 12));
        let apart = find("a", "c", "us");
        assert_eq!(apart.jsd, 1.0);
        // No split of 24 articles into 12 + 12 is as far apart as the
        // real one, except the real one: p = 1 / (1 + 999).
        assert_eq!(apart.p_value, 1.0 / 1000.0);
        assert_eq!(apart.labels, 2);
        let groups = find("x", "y", "us");
        assert_eq!(groups.scope, Scope::Group);
        assert_eq!(find("a", "c", OVERALL).jsd, 1.0);
        // BH: q ≥ p, and the pairs that do not differ keep q = 1.
        assert!(rows.iter().all(|r| r.q_value >= r.p_value));
        assert_eq!(same.q_value, 1.0);
        // Same inputs, same p-values.
        assert_eq!(rows, divergence(&d, &["us".to_string()]));
    }

    #[test]
    fn each_side_counts_its_own_mentions_articles_and_labels() {
        // a: {troops 2, daesh 1}, {troops 1}, {}; b: {isis 2},
        // {occupation 1, isis 1}. Worked out by hand per concept.
        let mut d = Discovery::default();
        let none = ArticlePhrases::default();
        let (a, b) = (OutletId("a".into()), OutletId("b".into()));
        d.add(&a, None, &none, [("us", "troops", 2), ("isis", "daesh", 1)]);
        d.add(&a, None, &none, [("us", "troops", 1)]);
        d.add(&a, None, &none, []);
        d.add(&b, None, &none, [("isis", "isis", 2)]);
        d.add(
            &b,
            None,
            &none,
            [("us", "occupation", 1), ("isis", "isis", 1)],
        );
        let rows = divergence(&d, &["us".to_string(), "isis".to_string()]);
        let sides = |c: &str| {
            let r = rows
                .iter()
                .find(|r| r.key_a == "a" && r.key_b == "b" && r.concept == c)
                .unwrap();
            (
                r.mentions_a,
                r.articles_a,
                r.mentions_b,
                r.articles_b,
                r.labels,
            )
        };
        assert_eq!(sides("us"), (3, 2, 1, 1, 2));
        assert_eq!(sides("isis"), (1, 1, 3, 2, 2));
        assert_eq!(sides(OVERALL), (4, 2, 4, 2, 4));
        let order: Vec<&str> = rows.iter().map(|r| r.concept.as_str()).collect();
        assert_eq!(order, ["us", "isis", OVERALL]);
    }
}
