//! Is a lexicon hit negated ("not an occupation")?
//!
//! The rule is deliberately short, so a reader can predict it:
//!
//! > A hit is negated when a **negator** stands before it in the same
//! > sentence with at most [`MAX_GAP`] **filler** words between them and no
//! > clause punctuation (`, ; : ( ) [ ] " . ! ?`) in between.
//!
//! * Negators: `not`, `no`, `never`, `neither`, `nor`, `without`, `cannot`,
//!   any word ending in `n't` (`isn't`, `wasn't`, `don't`), and `deny`,
//!   `denies`, `denied`, `denying`.
//! * Fillers: articles and determiners (`a`, `an`, `the`, `this`, `that`,
//!   `these`, `those`, `any`, `such`, `its`, `their`), copulas (`is`, `are`,
//!   `was`, `were`, `be`, `been`, `being`), `longer` (for "no longer") and
//!   the hedging adverbs `really`, `simply`, `merely`, `just`, `even`,
//!   `actually`, `exactly`, `truly`.
//!
//! So "is not an occupation", "no longer an occupation", "denied any
//! massacre" and "neither invaders nor occupiers" (both) are negated; "does
//! not need foreign forces" is not (the verb `need` is not a filler: the
//! sentence negates the need, not the label), nor is "not, as some say, an
//! occupation" (the comma ends the window).
//!
//! Known limits: "not just an occupation but …" counts as negated, and a
//! negator after the hit ("an occupation? No.") is not seen.

use std::ops::Range;

/// Filler words allowed between a negator and the hit.
pub const MAX_GAP: usize = 3;

const NEGATORS: &[&str] = &[
    "not", "no", "never", "neither", "nor", "without", "cannot", "deny", "denies", "denied",
    "denying",
];

const FILLERS: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "any", "such", "its", "their", "is", "are",
    "was", "were", "be", "been", "being", "longer", "really", "simply", "merely", "just", "even",
    "actually", "exactly", "truly",
];

const CLAUSE_PUNCT: &[char] = &[',', ';', ':', '(', ')', '[', ']', '"', '.', '!', '?'];

/// Whether a negator governs `hit` (see the module docs for the rule).
///
/// `text` is the normalised article text; `sentence` and `hit` are byte
/// ranges into it. Ranges that are out of bounds, not on character
/// boundaries or inconsistent give `false` rather than a panic.
///
/// ```
/// use slant::lexicon::is_negated;
///
/// let text = "This is not an occupation, he said.";
/// let hit = 15..25; // "occupation"
/// assert!(is_negated(text, 0..text.len(), hit));
///
/// let text = "Iraq does not need foreign forces.";
/// assert!(!is_negated(text, 0..text.len(), 19..33));
/// ```
pub fn is_negated(text: &str, sentence: Range<usize>, hit: Range<usize>) -> bool {
    let start = sentence.start;
    let end = hit.start;
    if start > end || hit.start > hit.end || hit.end > text.len() || end > sentence.end {
        return false;
    }
    let Some(before) = text.get(start..end) else {
        return false;
    };
    // Walk words backwards from the hit.
    let mut gap = 0;
    let mut rest = before;
    loop {
        let trimmed =
            rest.trim_end_matches(|c: char| !is_word_char(c) && !CLAUSE_PUNCT.contains(&c));
        if trimmed.is_empty() {
            return false;
        }
        let Some(last) = trimmed.chars().next_back() else {
            return false;
        };
        if CLAUSE_PUNCT.contains(&last) {
            return false;
        }
        let word_start = trimmed
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_word_char(c))
            .last()
            .map_or(trimmed.len(), |(i, _)| i);
        let word = &trimmed[word_start..];
        if is_negator(word) {
            return true;
        }
        if gap >= MAX_GAP || !FILLERS.iter().any(|f| f.eq_ignore_ascii_case(word)) {
            return false;
        }
        gap += 1;
        rest = &trimmed[..word_start];
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

fn is_negator(word: &str) -> bool {
    if NEGATORS.iter().any(|n| n.eq_ignore_ascii_case(word)) {
        return true;
    }
    let lower = word.to_ascii_lowercase();
    lower.ends_with("n't") && lower.len() > 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Negation of the first occurrence of `hit` in `text`, whole text as
    /// the sentence.
    fn neg(text: &str, hit: &str) -> bool {
        let s = text.find(hit).expect("hit in text");
        is_negated(text, 0..text.len(), s..s + hit.len())
    }

    #[test]
    fn negated_forms() {
        assert!(neg("The mission is not an occupation.", "occupation"));
        assert!(neg("It is no longer an occupation.", "occupation"));
        assert!(neg("There was no massacre there.", "massacre"));
        assert!(neg("It was never really a genocidal war.", "genocidal war"));
        assert!(neg("This isn't an occupation.", "occupation"));
        assert!(neg("The ministry denied any massacre.", "massacre"));
        assert!(neg("They are neither invaders nor occupiers.", "invaders"));
        assert!(neg("They are neither invaders nor occupiers.", "occupiers"));
        assert!(neg("A country without foreign forces.", "foreign forces"));
        assert!(neg("NOT AN OCCUPATION", "OCCUPATION"));
    }

    #[test]
    fn not_negated_forms() {
        assert!(!neg("Iraq does not need foreign forces.", "foreign forces"));
        assert!(!neg("The occupation is not over.", "occupation"));
        assert!(!neg("It is not, some say, an occupation.", "occupation"));
        assert!(!neg("He did not say \"occupation\" once.", "occupation"));
        assert!(!neg("Nobody doubts the occupation.", "occupation"));
        assert!(!neg(
            "Not one of them. The occupation goes on.",
            "occupation"
        ));
        assert!(!neg("It is not a very long occupation.", "occupation"));
        assert!(!neg("Knot an occupation.", "occupation"));
    }

    #[test]
    fn window_is_bounded_by_the_sentence() {
        let text = "It is not. An occupation goes on.";
        let s = text.find("An").expect("present");
        let hit = text.find("occupation").expect("present");
        // Sentence starts at "An": the "not" before it is out of reach.
        assert!(!is_negated(text, s..text.len(), hit..hit + 10));
        let text = "not occupation";
        assert!(!is_negated(text, 4..14, 4..14));
        assert!(is_negated(text, 0..14, 4..14));
    }

    #[test]
    fn gap_limit() {
        assert!(neg("It is not really just an occupation.", "occupation"));
        assert!(!neg(
            "It is not really just simply an occupation.",
            "occupation"
        ));
    }

    #[test]
    fn bad_ranges_do_not_panic() {
        let text = "no €uro occupation";
        assert!(!is_negated(text, 0..100, 5..6));
        #[allow(clippy::reversed_empty_ranges)]
        let (backwards_sentence, backwards_hit) = (5..2, 4..2);
        assert!(!is_negated(text, backwards_sentence, 3..4));
        assert!(!is_negated(text, 0..4, backwards_hit));
        assert!(!is_negated(text, 4..text.len(), 4..5));
        assert!(!is_negated("", 0..0, 0..0));
    }
}
