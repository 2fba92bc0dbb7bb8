//! `keyness.csv`: the phrases whose use in one outlet's (or one group's)
//! own voice differs most from the rest of the corpus.
//!
//! The figure is the log-odds ratio with an informative Dirichlet prior of
//! Monroe, Colaresi & Quinn (2008) and its z-score
//! ([`super::stats::log_odds`]). The prior is the corpus itself: a phrase's
//! pseudo-count is its count in the whole corpus, so a phrase is judged
//! against how common it is, and a rare phrase needs many uses before its
//! z grows.
//!
//! A phrase one article repeats is that article's subject, not the
//! outlet's habit, so a phrase is reported for a key only when at least
//! [`KeynessOptions::min_articles`] of the key's articles use it. The cut
//! is on articles, not on z: z counts uses, and ten uses in one article
//! look as strong as ten uses in ten.

use super::counts::{Cell, Discovery, Key, KeyCell};
use super::stats::{log_odds, prior};
use crate::lexicon::{Matcher, TermEntry};

/// How keyness is computed and cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeynessOptions {
    /// A phrase is reported for a key only if this many of the key's
    /// articles use it.
    pub min_articles: u32,
    /// Rows per key, the highest z first.
    pub top: usize,
    /// Count quoted and attributed speech too (default: own voice only).
    pub quotes: bool,
}

impl Default for KeynessOptions {
    fn default() -> KeynessOptions {
        KeynessOptions {
            min_articles: 3,
            top: 30,
            quotes: false,
        }
    }
}

/// One row of `keyness.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeynessRow {
    pub key: Key,
    pub phrase: String,
    /// Uses in the key and in the rest of the corpus.
    pub count: u64,
    pub count_rest: u64,
    /// The key's articles that use it.
    pub articles: u32,
    pub log_odds: f64,
    pub z: f64,
    /// `concept:label` when a lexicon term covers the whole phrase.
    pub in_lexicon: Option<String>,
}

/// A phrase's figures for one key, before it is named.
struct Scored {
    z: f64,
    delta: f64,
    count: u64,
    rest: u64,
    articles: u32,
    hash: u64,
}

/// `concept:label` of the lexicon term that covers all of `phrase`, if one does.
pub fn in_lexicon(matcher: &Matcher, phrase: &str) -> Option<String> {
    whole_term(matcher, phrase).map(|e| format!("{}:{}", e.concept, e.label))
}

/// The lexicon entry of the one term that is all of `phrase`, if any.
pub(super) fn whole_term<'m>(matcher: &'m Matcher, phrase: &str) -> Option<&'m TermEntry> {
    let hits = matcher.find(phrase);
    match hits.as_slice() {
        [hit] if hit.range == (0..phrase.len()) => Some(matcher.entry(hit.entry)),
        _ => None,
    }
}

/// Keyness rows for every outlet and group, sorted by scope, key and z
/// descending. `corpus` is every cell summed ([`Discovery::sum`]), `keys`
/// each key's ([`super::counts::key_cells`]).
pub fn keyness(
    d: &Discovery,
    corpus: &Cell,
    keys: &[KeyCell<'_>],
    matcher: &Matcher,
    options: KeynessOptions,
) -> Vec<KeynessRow> {
    let total = |c: &Cell| {
        if options.quotes {
            c.total_own + c.total_other
        } else {
            c.total_own
        }
    };
    let n = total(corpus) as f64;
    let mut rows = Vec::new();
    for (key, cell) in keys {
        let n_i = total(cell) as f64;
        let mut scored: Vec<Scored> = cell
            .phrases
            .iter()
            .filter_map(|(&hash, uses)| {
                let (y_i, articles) = uses.uses.counted(options.quotes);
                if articles < options.min_articles || y_i == 0 {
                    return None;
                }
                let (y, _) = corpus.phrases.get(&hash)?.uses.counted(options.quotes);
                let alpha = prior(y as f64, n, n)?;
                let lo = log_odds(y_i as f64, n_i, (y - y_i) as f64, n - n_i, alpha, n)?;
                (lo.z > 0.0).then_some(Scored {
                    z: lo.z,
                    delta: lo.delta,
                    count: y_i,
                    rest: y - y_i,
                    articles,
                    hash,
                })
            })
            .collect();
        scored.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.hash.cmp(&b.hash)));
        // A phrase found only inside a longer one on the list (the same
        // uses in the key) says nothing the longer one does not.
        let mut kept: Vec<KeynessRow> = Vec::new();
        let candidates = scored.iter().take(options.top.saturating_mul(4));
        let named: Vec<(&Scored, String)> = candidates
            .filter_map(|s| d.display(s.hash, corpus).map(|n| (s, n)))
            .collect();
        for (s, name) in &named {
            let lower = crate::text::phrases::phrase_key(name);
            let inside = named.iter().any(|(t, other)| {
                t.count == s.count && other.len() > name.len() && {
                    let other = crate::text::phrases::phrase_key(other);
                    contains_words(&other, &lower)
                }
            });
            if inside {
                continue;
            }
            kept.push(KeynessRow {
                key: key.clone(),
                phrase: name.clone(),
                count: s.count,
                count_rest: s.rest,
                articles: s.articles,
                log_odds: s.delta,
                z: s.z,
                in_lexicon: in_lexicon(matcher, name),
            });
            if kept.len() == options.top {
                break;
            }
        }
        rows.extend(kept);
    }
    rows
}

/// Whether `inner` is a run of whole words of `outer` (both phrase keys).
pub(super) fn contains_words(outer: &str, inner: &str) -> bool {
    outer.match_indices(inner).any(|(i, _)| {
        let before = outer[..i].chars().next_back();
        let after = outer[i + inner.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::OutletId;
    use crate::lexicon::Lexicon;
    use crate::text::phrases::{ArticlePhrases, PhraseUse};

    fn article(uses: &[(&str, u32)]) -> ArticlePhrases {
        let mut sorted: Vec<(u64, &str, u32)> = uses
            .iter()
            .map(|(p, n)| (crate::text::phrases::phrase_hash(p), *p, *n))
            .collect();
        sorted.sort();
        ArticlePhrases {
            uses: sorted
                .iter()
                .map(|&(hash, _, own)| PhraseUse {
                    hash,
                    own,
                    other: 0,
                    shape: 0,
                })
                .collect(),
            names: sorted.iter().map(|s| s.1).collect::<Vec<_>>().join("\n"),
        }
    }

    #[test]
    fn z_is_the_hand_computed_log_odds_and_the_article_cut_holds() {
        // Outlet a: 3 articles, each "regime" once and "government" once.
        // Outlet b: 3 articles, each "government" twice; and one article
        // of b says "militias" 9 times.
        let mut d = Discovery::default();
        let (a, b) = (OutletId("a".into()), OutletId("b".into()));
        for _ in 0..3 {
            d.add(&a, None, &article(&[("regime", 1), ("government", 1)]), []);
        }
        for _ in 0..2 {
            d.add(&b, None, &article(&[("government", 2)]), []);
        }
        d.add(
            &b,
            None,
            &article(&[("government", 2), ("militias", 9)]),
            [],
        );
        let corpus = d.sum(|_| true);
        let matcher = Lexicon::embedded().compile().unwrap();
        let rows = keyness(
            &d,
            &corpus,
            &super::super::counts::key_cells(&d),
            &matcher,
            KeynessOptions::default(),
        );
        // By hand for a/"regime": N = 6 + 15 = 21 phrases; y_w = 3, so
        // alpha_w = 21 * 3/21 = 3 and alpha_0 = 21.
        // key:  (3+3) / (6+21-3-3)  = 6/21
        // rest: (0+3) / (15+21-0-3) = 3/33
        // delta = ln(6/21) - ln(3/33) = ln(22/7) = 1.14513230
        // variance = 1/6 + 1/3 = 0.5; z = 1.14513230 * sqrt(2) = 1.61946164
        let regime = rows.iter().find(|r| r.phrase == "regime").unwrap();
        assert_eq!(
            (regime.count, regime.count_rest, regime.articles),
            (3, 0, 3)
        );
        assert!((regime.log_odds - (22.0f64 / 7.0).ln()).abs() < 1e-9);
        assert!((regime.z - 1.619_461_64).abs() < 1e-7, "{}", regime.z);
        assert_eq!(regime.key.scope.as_str(), "outlet");
        // "militias" has the most uses but one article: not reported.
        assert!(!rows.iter().any(|r| r.phrase == "militias"), "{rows:?}");
        // Only phrases a key uses more than the rest are listed: b's
        // "government" (6 of 15 against a's 3 of 6) is not.
        assert!(rows.iter().all(|r| r.z > 0.0));
        assert!(!rows
            .iter()
            .any(|r| r.key.name == "b" && r.phrase == "government"));
        // The starter lexicon lists "regime" as a delegitimising label.
        assert!(regime
            .in_lexicon
            .as_deref()
            .is_some_and(|l| l.ends_with(":regime")));
    }

    #[test]
    fn a_phrase_only_inside_a_longer_listed_one_is_left_out() {
        assert!(contains_words("us-led coalition", "coalition"));
        assert!(!contains_words("coalitions", "coalition"));
        assert!(contains_words("occupation forces left", "forces"));
    }

    #[test]
    fn lexicon_terms_are_named() {
        let matcher = Lexicon::embedded().compile().unwrap();
        assert_eq!(
            in_lexicon(&matcher, "occupation forces").as_deref(),
            Some("us_presence:occupation")
        );
        assert_eq!(in_lexicon(&matcher, "occupation forces left"), None);
    }
}
