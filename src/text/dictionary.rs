//! Ordinary English words: SCOWL's size-50 American list, the words it
//! writes in lower case and never capitalised
//! (`data/english/ordinary-words.txt`, built by
//! `scripts/build-ordinary-words.sh`; licence `data/english/LICENSE.scowl`).
//!
//! The name finder asks it of a capitalised word that starts a sentence:
//! "Meet" in "Meet Barack Obama." is the sentence's capital, not a name's.
//! Words the list also holds capitalised ("South", "Mark", "Bill") are left
//! out of the file, so a given name or a place at a sentence's start is
//! not taken for an ordinary word.

use std::sync::OnceLock;

use foldhash::HashSet;

static ORDINARY_WORDS: &str = include_str!("../../data/english/ordinary-words.txt");

fn ordinary_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| super::stop_words::word_list(ORDINARY_WORDS))
}

/// Whether `lower`, a word in lower case, is an ordinary English word that
/// is never written capitalised.
///
/// ```
/// use slant::text::dictionary::is_ordinary_word;
/// assert!(is_ordinary_word("meet") && is_ordinary_word("originally"));
/// assert!(!is_ordinary_word("south"), "the list also has South");
/// assert!(!is_ordinary_word("donald") && !is_ordinary_word("sudani"));
/// ```
pub fn is_ordinary_word(lower: &str) -> bool {
    ordinary_words().contains(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_lower_case_letters_sorted_and_unique() {
        let words: Vec<&str> = ORDINARY_WORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(words.len() > 50_000, "{}", words.len());
        assert!(words
            .iter()
            .all(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(words.windows(2).all(|p| p[0] < p[1]));
        assert_eq!(ordinary_words().len(), words.len());
    }
}
