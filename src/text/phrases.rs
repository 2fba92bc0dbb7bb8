//! The phrases of an article that discovery counts: every run of one to
//! three words ([`MAX_WORDS`]) inside one sentence and one voice, counted
//! in the outlet's own voice and in quoted or attributed speech apart.
//!
//! A phrase does not start or end with a common function word
//! ([`super::stop_words`]): "the coalition" and "coalition of" add nothing
//! that "coalition" does not say. It holds no number (a word with a digit
//! breaks the run: figures and dates are not wording), and it does not
//! cross punctuation, except a hyphen or an apostrophe inside a word
//! (`US-led coalition` is a phrase of three words), nor start inside such
//! a word (`led coalition` is not one). Boilerplate is in no
//! sentence, so none of it is counted.
//!
//! A phrase is keyed by its lower-cased text with white space as one space
//! and `’` as `'` ([`phrase_key`]), hashed to 64 bits ([`phrase_hash`]) so
//! an article's counts take a few bytes each. How the article writes it is
//! kept as a [`shape`](PhraseUse::shape): which words start with a capital
//! and which are all capitals. A report shows the key capitalised where
//! some article capitalises the word inside a sentence, in capitals where
//! all do ([`display`]): a choice that does not depend on the order of the
//! articles, so a rerun names a phrase as a run from scratch does.
//!
//! ```
//! use slant::text::{phrases::{article_phrases, display, phrase_hash}, PreparedText, RepeatedLines};
//! let p = PreparedText::prepare(
//!     "The US-led coalition stayed. \u{201c}The occupation forces must go,\u{201d} he said.",
//!     &RepeatedLines::empty(),
//! );
//! let found = article_phrases(&p);
//! let coalition = found.get(phrase_hash("us-led coalition")).unwrap();
//! assert_eq!((coalition.own, coalition.other), (1, 0));
//! let occupation = found.get(phrase_hash("occupation forces")).unwrap();
//! assert_eq!((occupation.own, occupation.other), (0, 1));
//! assert!(found.get(phrase_hash("the occupation")).is_none(), "starts with a function word");
//! let coalition = found.get(phrase_hash("us-led coalition")).unwrap();
//! assert_eq!(found.name(phrase_hash("us-led coalition")), Some("us-led coalition"));
//! assert_eq!(display("us-led coalition", coalition.shape), "US-led coalition");
//! ```

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::stop_words::is_stop_word;
use super::PreparedText;
use crate::mention::Voice;

/// The longest phrase counted, in words.
pub const MAX_WORDS: usize = 3;

/// Uses of one phrase in one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseUse {
    /// [`phrase_hash`] of the phrase.
    pub hash: u64,
    /// In the outlet's own voice.
    pub own: u32,
    /// In quoted or attributed speech.
    pub other: u32,
    /// How this article writes its words ([`display`]): in the low byte,
    /// bit `i` when word `i` starts with a capital somewhere and bit `3 + i`
    /// when it is in capitals throughout (`US`); in the high byte, the same
    /// bits when a use does not. A sentence's first word counts for
    /// neither. The article's uses ORed.
    pub shape: u16,
}

/// An article's phrases: counts sorted by hash, and (for an article just
/// analysed, not one read back from a cache) the key of each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticlePhrases {
    pub uses: Vec<PhraseUse>,
    /// Keys ([`phrase_key`]) in the order of `uses`, separated by `\n`. Not
    /// kept in a cache: a phrase's key is kept once per run, not per article.
    #[serde(skip)]
    pub names: String,
}

impl ArticlePhrases {
    /// The uses of the phrase with this hash.
    pub fn get(&self, hash: u64) -> Option<&PhraseUse> {
        self.uses
            .binary_search_by_key(&hash, |u| u.hash)
            .ok()
            .map(|i| &self.uses[i])
    }

    /// The key of the phrase with this hash, when known.
    pub fn name(&self, hash: u64) -> Option<&str> {
        let i = self.uses.binary_search_by_key(&hash, |u| u.hash).ok()?;
        self.names().nth(i)
    }

    /// Keys in the order of `uses` (empty when not kept).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.split('\n').filter(|_| !self.names.is_empty())
    }
}

/// The key a phrase is counted under: lower case, white space runs as one
/// space, `’` as `'`.
///
/// ```
/// assert_eq!(slant::text::phrases::phrase_key("US-led\n Coalition’s"), "us-led coalition's");
/// ```
pub fn phrase_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_key(&mut out, s);
    out
}

/// The 64-bit hash of a phrase's [`phrase_key`] (xxh3).
pub fn phrase_hash(s: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(phrase_key(s).as_bytes())
}

/// A phrase's uses in an article so far: own, other, its shape, and where
/// it first stands (for its key).
type Found = (u32, u32, u16, Range<usize>);

/// Counts the phrases of an article's sentences (see the module docs).
pub fn article_phrases(p: &PreparedText) -> ArticlePhrases {
    let text = &p.normalized;
    let mut found: HashMap<u64, Found, foldhash::fast::RandomState> = HashMap::default();
    let mut words: Vec<Range<usize>> = Vec::new();
    // `edge_word` of each of `words`: each word is the first of up to
    // `MAX_WORDS` phrases.
    let mut edges: Vec<bool> = Vec::new();
    let mut key = String::new();
    for sentence in &p.sentences {
        let base = sentence.range.start;
        let mut run_voice = None;
        let mut sentence_start = None;
        words.clear();
        edges.clear();
        for (i, w) in text[sentence.range.clone()].unicode_word_indices() {
            let sentence_start = *sentence_start.get_or_insert(base + i);
            let range = base + i..base + i + w.len();
            let voice = p.voice_at(range.clone()).0 == Voice::Own;
            let joined = words
                .last()
                .is_some_and(|prev| joins(&text[prev.end..range.start]))
                && run_voice == Some(voice);
            if !joined {
                words.clear();
                edges.clear();
            }
            if w.bytes().any(|b| b.is_ascii_digit()) {
                words.clear();
                edges.clear();
                run_voice = None;
                continue;
            }
            run_voice = Some(voice);
            edges.push(edge_word(w));
            words.push(range);
            let last = &words[words.len() - 1];
            if edges[edges.len() - 1] {
                continue;
            }
            // Every phrase that ends on this word.
            for n in 1..=MAX_WORDS.min(words.len()) {
                let first = &words[words.len() - n];
                if edges[edges.len() - n] {
                    continue;
                }
                // Not from the middle of a hyphenated word: `led coalition`
                // is a piece of `US-led coalition`.
                let cut = words.len() > n && {
                    let before = &words[words.len() - n - 1];
                    !text[before.end..first.start]
                        .chars()
                        .all(char::is_whitespace)
                };
                if cut {
                    continue;
                }
                let range = first.start..last.end;
                key.clear();
                push_key(&mut key, &text[range.clone()]);
                let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes());
                let shape = shape_of(text, &words[words.len() - n..], sentence_start);
                let e = found.entry(hash).or_insert((0, 0, 0, range));
                if voice {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
                e.2 |= shape;
            }
        }
    }
    let mut uses: Vec<(u64, Found)> = found.into_iter().collect();
    uses.sort_unstable_by_key(|u| u.0);
    let mut names = String::new();
    for (i, (_, (_, _, _, range))) in uses.iter().enumerate() {
        if i > 0 {
            names.push('\n');
        }
        push_key(&mut names, &text[range.clone()]);
    }
    ArticlePhrases {
        uses: uses
            .into_iter()
            .map(|(hash, (own, other, shape, _))| PhraseUse {
                hash,
                own,
                other,
                shape,
            })
            .collect(),
        names,
    }
}

/// The capitals of a phrase's words (see [`PhraseUse::shape`]).
fn shape_of(text: &str, words: &[Range<usize>], sentence_start: usize) -> u16 {
    let (mut on, mut off) = (0u16, 0u16);
    for (i, w) in words.iter().enumerate().take(3) {
        // A sentence's first word says nothing of how the word is written:
        // it is capitalised anyway, and a dateline (`BAGHDAD -`) is in
        // capitals.
        if w.start == sentence_start {
            continue;
        }
        let word = &text[w.clone()];
        let letters = || word.chars().filter(|c| c.is_alphabetic());
        let bit = |yes: bool, b: u16, on: &mut u16, off: &mut u16| {
            if yes {
                *on |= 1 << b;
            } else {
                *off |= 1 << b;
            }
        };
        let capitals = letters().count() > 1 && letters().all(char::is_uppercase);
        bit(capitals, 3 + i as u16, &mut on, &mut off);
        let capital = word.chars().next().is_some_and(char::is_uppercase);
        bit(capital, i as u16, &mut on, &mut off);
    }
    on | (off << 8)
}

/// A phrase's key as its articles write it ([`PhraseUse::shape`], their
/// shapes ORed): a word is capitalised when some article capitalises it
/// inside a sentence, and in capitals throughout when every article that
/// shows its case writes it so. Which articles are read first does not
/// matter, so a rerun shows a phrase as a run from scratch does.
///
/// ```
/// use slant::text::phrases::display;
/// assert_eq!(display("us-led coalition", 0b001_001), "US-led coalition");
/// assert_eq!(display("islamic state", 0b000_011), "Islamic State");
/// // Capitalised in one article, not in another: a name someone also
/// // writes in lower case.
/// assert_eq!(display("trump", 0b1 | 0b1 << 8), "Trump");
/// // In capitals in a headline only.
/// assert_eq!(display("kentucky", 0b1001 | 0b1000 << 8), "Kentucky");
/// ```
pub fn display(key: &str, shape: u16) -> String {
    let on = |b: usize| shape & (1 << b) != 0;
    // Capitals throughout only where no article writes the word otherwise
    // (a headline's `KENTUCKY` is `Kentucky`); a capital first letter where
    // any article gives one mid-sentence (`Trump`, though some article
    // writes "trump card").
    let set = |b: usize| on(b) && (b < 3 || shape & (1 << (b + 8)) == 0);
    let mut out = String::with_capacity(key.len());
    let mut at = 0;
    for (i, (start, word)) in key.unicode_word_indices().enumerate() {
        out.push_str(&key[at..start]);
        at = start + word.len();
        if i < 3 && set(3 + i) {
            out.extend(word.chars().flat_map(char::to_uppercase));
        } else if i < 3 && set(i) {
            let mut chars = word.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
            }
            out.push_str(chars.as_str());
        } else {
            out.push_str(word);
        }
    }
    out.push_str(&key[at..]);
    out
}

/// [`phrase_key`] of `s` appended to `out`, without allocating.
fn push_key(out: &mut String, s: &str) {
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c == '\u{2019}' {
            out.push('\'');
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// Whether two words with this between them are in one phrase: white
/// space only, or a hyphen or apostrophe joining the parts of one word.
fn joins(gap: &str) -> bool {
    // `.-` joins the `U.S` of `U.S.-led` (the word ends before its dot).
    gap.chars().all(char::is_whitespace) || matches!(gap, "-" | ".-" | "'" | "\u{2019}")
}

/// Whether a phrase may not start or end on this word: a function word,
/// or one letter alone. A function word in capitals is an acronym (`US`,
/// `IT`), not the pronoun.
fn edge_word(word: &str) -> bool {
    let stem = word.split(['\'', '\u{2019}']).next().unwrap_or(word);
    let acronym = stem.chars().count() > 1 && stem.chars().all(|c| c.is_uppercase() || c == '.');
    word.chars().count() < 2
        || (!acronym && (is_stop_word(word) || (stem.len() < word.len() && is_stop_word(stem))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::RepeatedLines;

    fn phrases(text: &str) -> Vec<(String, u32, u32)> {
        let p = PreparedText::prepare(text, &RepeatedLines::empty());
        let found = article_phrases(&p);
        let mut out: Vec<(String, u32, u32)> = found
            .uses
            .iter()
            .zip(found.names())
            .map(|(u, n)| (n.to_string(), u.own, u.other))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_key_is_how_a_detector_hit_is_named() {
        for s in ["US-led\n Coalition’s", "  Ünited  STATES ", "a", "İstanbul"] {
            assert_eq!(phrase_key(s), crate::text::lower_words(s), "{s:?}");
        }
    }

    #[test]
    fn runs_stop_at_punctuation_numbers_and_function_word_edges() {
        let got = phrases("Militias attacked 2,500 US troops, officials said.");
        let keys: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        // "militias attacked" is own voice; "officials said" is the
        // attribution's own words; no phrase crosses 2,500 or the comma.
        assert!(keys.contains(&"militias attacked"), "{keys:?}");
        assert!(keys.contains(&"us troops"), "{keys:?}");
        assert!(!keys.iter().any(|k| k.contains("attacked us")), "{keys:?}");
        assert!(
            !keys.iter().any(|k| k.contains("troops officials")),
            "{keys:?}"
        );
        assert!(!keys.iter().any(|k| k.chars().any(|c| c.is_ascii_digit())));
    }

    #[test]
    fn counts_split_by_voice_and_add_up() {
        let got = phrases(
            "The regime fell. \u{201c}The regime lied,\u{201d} she said. The regime's army left.",
        );
        let regime = got.iter().find(|g| g.0 == "regime").unwrap();
        assert_eq!((regime.1, regime.2), (1, 1), "{got:?}");
        let army = got.iter().find(|g| g.0 == "regime's army").unwrap();
        assert_eq!((army.1, army.2), (1, 0));
    }

    #[test]
    fn a_phrase_never_spans_two_voices() {
        let got = phrases("Critics call it \u{201c}occupation forces\u{201d} of old.");
        // The two quoted words are a scare quote: own voice, one phrase.
        assert!(got.iter().any(|g| g.0 == "occupation forces"), "{got:?}");
        let got = phrases("Troops stayed, and \u{201c}troops must leave now,\u{201d} Ali said.");
        assert!(!got.iter().any(|g| g.0 == "stayed troops"), "{got:?}");
    }
}
