//! Common English function words: spaCy's English stop-word list
//! (`data/english/stop-words.txt`, MIT, see `data/english/LICENSE.spacy`).
//! Variant expansion uses it to tell ordinary copy from a term
//! ([`crate::lexicon::ordinary_phrase`]); discovery uses it to keep phrases
//! from starting or ending on a function word ([`super::phrases`]).

use std::sync::OnceLock;

// foldhash, not the standard SipHash: the set is asked of nearly every word
// of every article, and its keys are fixed, not chosen by an attacker.
use foldhash::HashSet;

static STOP_WORDS: &str = include_str!("../../data/english/stop-words.txt");

pub(crate) fn stop_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| word_list(STOP_WORDS))
}

/// The words of an embedded list: one per line, `#` comments and blank
/// lines left out.
pub(crate) fn word_list(text: &'static str) -> HashSet<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Whether `word` is on the list, ignoring case.
///
/// ```
/// assert!(slant::text::stop_words::is_stop_word("The"));
/// assert!(!slant::text::stop_words::is_stop_word("troops"));
/// ```
pub fn is_stop_word(word: &str) -> bool {
    let set = stop_words();
    if !word.is_ascii() {
        return set.contains(word)
            || (word.len() <= 64 && set.contains(word.to_lowercase().as_str()));
    }
    // This is asked of every word of every article. The list is lower-case
    // ASCII of at most `LONGEST` bytes (its test checks), so an ASCII word
    // is lower-cased on the stack and looked up once.
    let mut buf = [0u8; LONGEST];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return false;
    };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).is_ok_and(|w| set.contains(w))
}

/// No word on the list is longer, in bytes.
pub(crate) const LONGEST: usize = 16;
