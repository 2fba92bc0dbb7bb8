//! Two English word lists the name finder and the actor merge read.
//!
//! **Ordinary words**: SCOWL's size-50 American list, the words it writes
//! in lower case and never capitalised (`data/english/ordinary-words.txt`,
//! built by `scripts/build-ordinary-words.sh`; licence
//! `data/english/LICENSE.scowl`). The name finder asks it of a capitalised
//! word that starts a sentence: "Meet" in "Meet Barack Obama." is the
//! sentence's capital, not a name's. Words the list also holds capitalised
//! ("South", "Mark", "Bill") are left out of the file, so a given name or
//! a place at a sentence's start is not taken for an ordinary word.
//!
//! **Given names**: the US Census Bureau's 1990 first-name lists
//! (`data/english/given-names.txt`, built by
//! `scripts/build-given-names.sh`; public domain, source in
//! `data/english/LICENSE.census-names`). The actor merge asks it whether a
//! full name is a person's before it gives the name a surname that several
//! full names share ([`crate::text::names::merge_corpus_aliases`]):
//! "Donald Trump" starts with a given name, "White House" does not. The
//! lists are American: a name they miss ("Vladimir Putin") is only not
//! given such a surname.

use std::sync::OnceLock;

use foldhash::HashSet;

static ORDINARY_WORDS: &str = include_str!("../../data/english/ordinary-words.txt");
static GIVEN_NAMES: &str = include_str!("../../data/english/given-names.txt");

/// The words of `text`, a list file, read once into `cell`.
fn list(
    cell: &'static OnceLock<HashSet<&'static str>>,
    text: &'static str,
) -> &'static HashSet<&'static str> {
    cell.get_or_init(|| super::stop_words::word_list(text))
}

fn ordinary_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    list(&SET, ORDINARY_WORDS)
}

fn given_names() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    list(&SET, GIVEN_NAMES)
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

/// Whether `lower`, a word in lower case, is a given name.
///
/// ```
/// use slant::text::dictionary::is_given_name;
/// assert!(is_given_name("donald") && is_given_name("hillary"));
/// assert!(!is_given_name("white") && !is_given_name("trump"));
/// ```
pub fn is_given_name(lower: &str) -> bool {
    given_names().contains(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_lower_case_letters_sorted_and_unique() {
        let lists = [
            (ORDINARY_WORDS, ordinary_words(), 50_000, 2),
            (GIVEN_NAMES, given_names(), 5_000, 1),
        ];
        for (text, set, at_least, shortest) in lists {
            let words: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
            assert!(words.len() > at_least, "{}", words.len());
            assert!(words
                .iter()
                .all(|w| w.len() >= shortest && w.bytes().all(|b| b.is_ascii_lowercase())));
            assert!(words.windows(2).all(|p| p[0] < p[1]));
            assert_eq!(set.len(), words.len());
        }
    }
}
