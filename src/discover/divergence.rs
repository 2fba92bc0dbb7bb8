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
//! keys' articles that use the concept are pooled and dealt out again at
//! random into two sets of the same sizes, [`PERMUTATIONS`] times, with a
//! fixed seed per test. Articles, not mentions, are the units, because the
//! mentions of one article are not independent of each other. The q-values
//! are Benjamini–Hochberg's over every test in the file.

use std::collections::BTreeMap;

use super::counts::{keys, Discovery, Key, Scope};
use super::stats::{
    benjamini_hochberg, jensen_shannon, permutation_test_planned, weighted_block_jsd, Plan,
};

/// The most random splits per test.
pub const PERMUTATIONS: usize = 999;

/// How each test draws its splits: at most [`PERMUTATIONS`]; fewer, down
/// to 99 (p ≥ 0.01), for a test whose splits move many articles (the work
/// of a test is bounded, so a pair of large outlets costs no more than a
/// pair of small ones); and it stops once 20 splits are as far apart as the
/// real one (Besag & Clifford 1991), when the p-value is clearly large.
/// The `permutations` column says how many each test drew.
pub const PLAN: Plan = Plan {
    permutations: PERMUTATIONS,
    min: 99,
    stop_at_hits: 20,
    budget: 250_000,
};

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
    // Each article as one vector over all blocks.
    let vectors: Vec<(u32, Vec<f64>)> = d
        .articles()
        .iter()
        .filter(|a| a.labels.iter().any(|(l, _)| slot.contains_key(l)))
        .map(|a| {
            let mut v = vec![0.0; width];
            for (l, n) in &a.labels {
                if let Some(&s) = slot.get(l) {
                    v[s] += f64::from(*n);
                }
            }
            (a.cell, v)
        })
        .collect();
    let all = keys(d);
    let mut rows = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a.scope != b.scope {
                continue;
            }
            let side = |k: &Key| -> Vec<&Vec<f64>> {
                vectors
                    .iter()
                    .filter(|(cell, _)| k.holds(&d.cells()[*cell as usize]))
                    .map(|(_, v)| v)
                    .collect()
            };
            let (va, vb) = (side(a), side(b));
            for ((concept, _), range) in blocks.iter().zip(&ranges) {
                let pick = |side: &[&Vec<f64>]| -> Vec<Vec<f64>> {
                    side.iter()
                        .map(|v| v[range.clone()].to_vec())
                        .filter(|v| v.iter().any(|&x| x > 0.0))
                        .collect()
                };
                let (ua, ub) = (pick(&va), pick(&vb));
                let seed = seed_of(a, b, concept);
                let Some(t) = permutation_test_planned(&ua, &ub, jensen_shannon, PLAN, seed) else {
                    continue;
                };
                rows.push(row(a, b, concept, &ua, &ub, t));
            }
            let ua: Vec<Vec<f64>> = va.iter().map(|v| v.to_vec()).collect();
            let ub: Vec<Vec<f64>> = vb.iter().map(|v| v.to_vec()).collect();
            let statistic = |p: &[f64], q: &[f64]| weighted_block_jsd(p, q, &ranges);
            let seed = seed_of(a, b, OVERALL);
            if let Some(t) = permutation_test_planned(&ua, &ub, statistic, PLAN, seed) {
                rows.push(row(a, b, OVERALL, &ua, &ub, t));
            }
        }
    }
    let q = benjamini_hochberg(&rows.iter().map(|r| r.p_value).collect::<Vec<_>>());
    for (r, q) in rows.iter_mut().zip(q) {
        r.q_value = q;
    }
    rows
}

fn row(
    a: &Key,
    b: &Key,
    concept: &str,
    ua: &[Vec<f64>],
    ub: &[Vec<f64>],
    t: super::stats::Permutation,
) -> DivergenceRow {
    let sum = |u: &[Vec<f64>]| u.iter().flatten().sum::<f64>() as u64;
    let width = ua.iter().chain(ub).map(Vec::len).next().unwrap_or(0);
    let labels = (0..width)
        .filter(|&k| ua.iter().chain(ub).any(|v| v[k] > 0.0))
        .count();
    DivergenceRow {
        scope: a.scope,
        key_a: a.name.clone(),
        key_b: b.name.clone(),
        concept: concept.to_string(),
        labels,
        mentions_a: sum(ua),
        mentions_b: sum(ub),
        articles_a: ua.iter().filter(|v| v.iter().any(|&x| x > 0.0)).count(),
        articles_b: ub.iter().filter(|v| v.iter().any(|&x| x > 0.0)).count(),
        jsd: t.observed,
        p_value: t.p_value,
        q_value: t.p_value,
        permutations: t.permutations,
    }
}

/// A test's seed: the same pair and concept get the same stream whatever
/// else is in the run.
fn seed_of(a: &Key, b: &Key, concept: &str) -> u64 {
    let text = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        a.scope.as_str(),
        a.name,
        b.name,
        concept
    );
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
        assert_eq!(same.permutations, 2 * crate::discover::stats::PERMUTATION_CHUNK);
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
}
