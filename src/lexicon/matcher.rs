//! One Aho-Corasick automaton over every variant of every term.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

use super::TermEntry;

/// What a pattern of the automaton stands for.
#[derive(Debug, Clone)]
pub(crate) struct PatternTarget {
    /// Index into the entries, or `None` for an exclusion (matched so that
    /// it wins over shorter terms inside it, then dropped).
    pub entry: Option<usize>,
    /// The exact pattern, when the match must also agree in case.
    pub exact: Option<String>,
}

/// A compiled lexicon: finds terms in normalised text.
///
/// Built by [`crate::lexicon::Lexicon::compile`]. Cloning is cheap (shared
/// automaton and entries), and a `Matcher` is `Send + Sync`, so one can
/// serve every thread.
///
/// Matching rules:
///
/// * **Case.** ASCII letters match regardless of case (`us forces` finds
///   `US forces`), unless the term sets `case_sensitive = true`.
/// * **Word boundaries.** A hit never starts or ends inside a word: where a
///   term begins (ends) with a letter or digit, the character before (after)
///   it in the text must not be a letter, digit or `_`.
/// * **Leftmost-longest.** Among valid hits, the one starting first wins;
///   among those starting at the same place, the longest. Hits never
///   overlap, so a stretch of text counts once ("Israeli occupation forces"
///   is one hit, not also "occupation forces").
/// * **Whitespace.** Tabs and line breaks in the text match a space in a
///   term, so a term wrapped across lines is still found.
///
/// ```
/// use slant::lexicon::Lexicon;
///
/// let lexicon = Lexicon::from_str("example.toml", r#"
/// [meta]
/// name = "example"
/// version = "1"
/// description = "Two labels for one referent."
///
/// [[concept]]
/// id = "us_presence"
/// referent = "The US military presence in Iraq"
///
/// [[concept.label]]
/// id = "occupation"
/// loaded = 0.9
/// direction = -0.9
/// terms = ["occupation forces"]
///
/// [[concept.label]]
/// id = "us_troops"
/// loaded = 0.0
/// direction = 0.0
/// terms = ["US troops"]
/// "#)?;
/// let matcher = lexicon.compile()?;
/// let text = "American troops and U.S.-occupation force's bases";
/// let found: Vec<(&str, &str)> = matcher
///     .find(text)
///     .into_iter()
///     .map(|h| (&text[h.range.clone()], matcher.entry(h.entry).label.as_str()))
///     .collect();
/// assert_eq!(found, vec![("American troops", "us_troops"), ("occupation force's", "occupation")]);
/// # Ok::<(), slant::lexicon::LexiconError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    ac: AhoCorasick,
    targets: Arc<[PatternTarget]>,
    entries: Arc<[TermEntry]>,
}

/// One occurrence of a lexicon entry in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hit {
    /// Byte range into the text given to [`Matcher::find`].
    pub range: Range<usize>,
    /// Index into [`Matcher::entry`] (the same as
    /// [`crate::lexicon::Lexicon::entries`]).
    pub entry: usize,
}

impl Matcher {
    /// `dfa`: a DFA, about 64 MB for the starter lexicon's ~18,700 patterns
    /// and 85 ms to build, matches 1.5x as fast as the 1.3 MB contiguous
    /// NFA (README, Benchmarks). Both find the same hits.
    pub(crate) fn new(
        patterns: Vec<String>,
        targets: Vec<PatternTarget>,
        entries: Vec<TermEntry>,
        dfa: bool,
    ) -> Result<Matcher, aho_corasick::BuildError> {
        let kind = if dfa {
            aho_corasick::AhoCorasickKind::DFA
        } else {
            aho_corasick::AhoCorasickKind::ContiguousNFA
        };
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            // Unanchored to find candidates; anchored to retry shorter
            // patterns at the same start when a candidate fails a check.
            .start_kind(StartKind::Both)
            .kind(Some(kind))
            .build(&patterns)?;
        Ok(Matcher {
            ac,
            targets: targets.into(),
            entries: entries.into(),
        })
    }

    /// Every hit in `text`, sorted by position, non-overlapping.
    ///
    /// `text` is expected to be normalised the way the text stage does it
    /// (NFKC, ASCII quotes, apostrophes and hyphens), but any string is
    /// accepted: the returned ranges are always in bounds and on character
    /// boundaries.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        let hay: Cow<'_, [u8]> = if text
            .bytes()
            .any(|b| matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        {
            // Same length, same offsets: only ASCII bytes are replaced.
            Cow::Owned(
                text.bytes()
                    .map(|b| match b {
                        b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => b' ',
                        _ => b,
                    })
                    .collect(),
            )
        } else {
            Cow::Borrowed(text.as_bytes())
        };
        let hay: &[u8] = &hay;
        let mut hits = Vec::new();
        let mut pos = 0;
        while pos < hay.len() {
            let input = Input::new(hay).span(pos..hay.len());
            let Ok(Some(m)) = self.ac.try_find(input) else {
                break;
            };
            let start = m.start();
            if !starts_word(text, start, &hay[m.range()]) {
                pos = next_char(text, start);
                continue;
            }
            let mut candidate = Some(m);
            let mut accepted = None;
            while let Some(c) = candidate {
                if self.accepts(text, hay, c.range(), c.pattern().as_usize()) {
                    accepted = Some(c);
                    break;
                }
                // Retry the longest pattern at the same start that ends
                // before this one.
                if c.end() <= start + 1 {
                    break;
                }
                let input = Input::new(hay)
                    .span(start..c.end() - 1)
                    .anchored(Anchored::Yes);
                candidate = self.ac.try_find(input).ok().flatten();
            }
            match accepted {
                Some(c) => {
                    if let Some(entry) = self.targets[c.pattern().as_usize()].entry {
                        hits.push(Hit {
                            range: c.range(),
                            entry,
                        });
                    }
                    pos = c.end().max(start + 1);
                }
                None => pos = next_char(text, start),
            }
        }
        hits
    }

    fn accepts(&self, text: &str, hay: &[u8], range: Range<usize>, pattern: usize) -> bool {
        let bytes = &hay[range.clone()];
        if !ends_word(text, range.end, bytes) {
            return false;
        }
        match &self.targets[pattern].exact {
            Some(exact) => exact.as_bytes() == bytes,
            None => true,
        }
    }

    /// The entry a [`Hit`] refers to.
    ///
    /// # Panics
    ///
    /// When `i` is not an index returned in a [`Hit`] of this matcher.
    pub fn entry(&self, i: usize) -> &TermEntry {
        &self.entries[i]
    }

    /// All entries, in lexicon order.
    pub fn entries(&self) -> &[TermEntry] {
        &self.entries
    }

    /// Number of patterns in the automaton (all variants of all terms and
    /// exclusions, after de-duplication).
    pub fn patterns_len(&self) -> usize {
        self.ac.patterns_len()
    }

    /// Heap memory used by the automaton, in bytes.
    pub fn memory_usage(&self) -> usize {
        self.ac.memory_usage()
    }
}

/// Letters, digits and `_` make words; a hit may not cut through one.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn starts_word(text: &str, start: usize, matched: &[u8]) -> bool {
    let first_is_word = std::str::from_utf8(matched)
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(is_word_char);
    if !first_is_word {
        return true;
    }
    text.get(..start)
        .and_then(|s| s.chars().next_back())
        .is_none_or(|c| !is_word_char(c))
}

fn ends_word(text: &str, end: usize, matched: &[u8]) -> bool {
    let last_is_word = std::str::from_utf8(matched)
        .ok()
        .and_then(|s| s.chars().next_back())
        .is_some_and(is_word_char);
    if !last_is_word {
        return true;
    }
    text.get(end..)
        .and_then(|s| s.chars().next())
        .is_none_or(|c| !is_word_char(c))
}

fn next_char(text: &str, at: usize) -> usize {
    let mut i = at + 1;
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}
