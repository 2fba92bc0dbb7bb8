//! Affiliation labels: a sponsor, a hyphen and a word of sponsorship
//! ("Iran-backed", "Saudi-funded", "Kremlin-linked", "U.S.-trained",
//! "state-run"). Naming a group by who backs it is a labeling choice
//! whoever the sponsor is, so it is found as a pattern, not listed country
//! by country: the sponsor is a capitalised word (a name) or one of a few
//! common sponsors ("state", "government", "regime"), never a function
//! word or an adverb ("Well-funded", "Privately-owned" at the start of a
//! sentence are not labels).

use std::ops::Range;

use super::ordinary::is_stop_word;

/// Concept id of affiliation labels in `mentions/`.
pub const AFFILIATION: &str = "affiliation";

/// Loadedness of an affiliation label. The pattern cannot weigh each one,
/// so it gets the fixed mid weight a scare quote gets.
pub const AFFILIATION_LOADED: f32 = 0.5;

/// The words of sponsorship after the hyphen.
const SPONSORED: &[&str] = &[
    "affiliated",
    "aligned",
    "allied",
    "armed",
    "backed",
    "controlled",
    "financed",
    "funded",
    "inspired",
    "leaning",
    "linked",
    "owned",
    "run",
    "sponsored",
    "supported",
    "trained",
];

/// Sponsors written in lower case.
const COMMON_SPONSORS: &[&str] = &["government", "regime", "state"];

/// Capitalised words that start a sentence and are no sponsor.
const NOT_SPONSORS: &[&str] = &[
    "community",
    "donor",
    "employee",
    "family",
    "member",
    "self",
    "student",
    "taxpayer",
    "user",
    "worker",
];

/// Byte ranges of the affiliation labels in `text`, in order.
///
/// ```
/// use slant::lexicon::affiliation_labels;
/// let s = "Saudi-funded outlets and U.S.-trained units; a state-run paper, well-funded.";
/// let found: Vec<&str> = affiliation_labels(s).into_iter().map(|r| &s[r]).collect();
/// assert_eq!(found, ["Saudi-funded", "U.S.-trained", "state-run"]);
/// ```
pub fn affiliation_labels(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (hyphen, _) in text.match_indices('-') {
        let after = &text[hyphen + 1..];
        let suffix_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let suffix = &after[..suffix_len];
        if suffix.is_empty() || !SPONSORED.contains(&suffix.to_ascii_lowercase().as_str()) {
            continue;
        }
        // A longer compound ("Iran-backed-militia") is not this pattern.
        if after[suffix_len..].starts_with('-') {
            continue;
        }
        let before = &text[..hyphen];
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '.')
            .last()
            .map_or(hyphen, |(i, _)| i);
        let sponsor = &text[start..hyphen];
        if !is_sponsor(sponsor) || before[..start].ends_with('-') {
            continue;
        }
        out.push(start..hyphen + 1 + suffix_len);
    }
    out
}

fn is_sponsor(word: &str) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    let lower = word.to_lowercase();
    if COMMON_SPONSORS.contains(&lower.as_str()) {
        return true;
    }
    first.is_uppercase()
        && !NOT_SPONSORS.contains(&lower.as_str())
        && !is_stop_word(word.trim_end_matches('.'))
        && !lower.ends_with("ly")
        && word.chars().any(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &str) -> Vec<&str> {
        affiliation_labels(s).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn sponsors_are_names_or_common_sponsors() {
        assert_eq!(
            labels("Kremlin-linked hackers hit Iran-aligned and Tehran-backed groups"),
            ["Kremlin-linked", "Iran-aligned", "Tehran-backed"]
        );
        assert_eq!(
            labels("the government-controlled press"),
            ["government-controlled"]
        );
    }

    #[test]
    fn ordinary_words_are_not_sponsors() {
        assert!(labels("Well-funded schools. Privately-owned firms. Self-funded runs.").is_empty());
        assert!(labels("a well-run, family-owned, long-run shop").is_empty());
        assert!(labels("The -backed").is_empty());
        assert!(labels("Iran-backedness and Iran-backed-militia").is_empty());
    }

    #[test]
    fn any_text_is_safe() {
        for s in ["-", "--run", "é-run", "Ω-backed", "a-\u{301}backed", "X-"] {
            let _ = affiliation_labels(s);
        }
        assert_eq!(labels("Ω-backed"), ["Ω-backed"]);
    }
}
