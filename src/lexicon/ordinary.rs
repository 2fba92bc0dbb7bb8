//! Ordinary English: phrases a variant must not turn a loaded term into.
//!
//! Variant expansion writes a hyphen as a space too (`US-led` ⇄ `US led`).
//! For most terms that is the same term spelled another way, but a few
//! hyphenated terms become a phrase of ordinary copy: `would-be` becomes
//! `would be` ("the report would be released"). A phrase whose every word
//! is a common function word (spaCy's English stop-word list,
//! `data/english/stop-words.txt`) is such a phrase: expansion drops it, and
//! `slant lexicon check` says so.

use crate::text::stop_words::stop_words;

/// Whether `phrase` (words separated by spaces) is ordinary English: two
/// or more words, each a common function word, ignoring ASCII case. A
/// single word is never "ordinary" here: a one-word term is the author's
/// explicit choice.
///
/// ```
/// use slant::lexicon::ordinary_phrase;
/// assert!(ordinary_phrase("would be"));
/// assert!(ordinary_phrase("All Out"));
/// assert!(!ordinary_phrase("so called"));
/// assert!(!ordinary_phrase("would-be"));
/// assert!(!ordinary_phrase("would"));
/// ```
pub fn ordinary_phrase(phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split(' ').collect();
    words.len() > 1
        && words.iter().all(|w| {
            !w.is_empty() && {
                let lower = w.to_ascii_lowercase();
                stop_words().contains(lower.as_str())
            }
        })
}

pub(crate) use crate::text::stop_words::is_stop_word;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_whole_and_without_its_header() {
        let words = stop_words();
        assert!(words.len() > 250, "{}", words.len());
        assert!(words.contains("would") && words.contains("be"));
        assert!(!words.iter().any(|w| w.starts_with('#')));
        assert!(!words.contains("called") && !words.contains("war"));
        // What `is_stop_word`'s single lookup of an ASCII word relies on.
        assert!(words.iter().all(|w| w.is_ascii()
            && *w == w.to_lowercase()
            && w.len() <= crate::text::stop_words::LONGEST));
    }
}
