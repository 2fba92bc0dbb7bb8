//! Sentence segmentation for news text.
//!
//! Hand-written rather than UAX #29 (`unicode-segmentation`), because news
//! text needs the exceptions more than the rules: UAX #29 splits
//! `Gen. Smith`, `Mr. Ali` and `U.S. President`, which are everywhere here.
//!
//! Rules, applied inside one line (a line break always ends a sentence):
//! - a sentence ends after `.`, `!`, `?` or `...` (with any closing quotes
//!   and brackets that follow: `He said "go." Then`) when whitespace and then
//!   something other than a lowercase word follows;
//! - a dot not followed by whitespace ends nothing (`3.5`, `U.S.-led`,
//!   `IraqiNews.com`);
//! - no break after a title or other abbreviation that always precedes
//!   something (`Gen.`, `Mr.`, `Lt.`, `vs.`, see [`TITLES`]);
//! - no break after a month or number abbreviation before a digit (`Jan. 9`,
//!   `No. 5`, see [`BEFORE_NUMBERS`]);
//! - no break after a single capital letter (initials: `J. Smith`,
//!   `George W. Bush`);
//! - after a dotted initialism (`U.S.`, `U.K.`, `a.m.`) a break only before
//!   a word that commonly opens a sentence (`The`, `He`, `But` …, see
//!   [`OPENERS`]), so `U.S. President Biden` stays whole while
//!   `… led by the U.S. The next day …` splits.
//!
//! Sentences with no letter or digit (a line of `***`) are dropped; a
//! sentence longer than [`MAX_SENTENCE_BYTES`] is cut at a space.

use std::ops::Range;

/// Abbreviations that always precede a name or a word: never a sentence end.
pub const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Gen", "Gens", "Lt", "Col", "Maj", "Capt", "Cpt", "Sgt",
    "Cpl", "Pvt", "Adm", "Cmdr", "Cdr", "Brig", "Gov", "Sen", "Rep", "Reps", "Pres", "Rev", "Fr",
    "Hon", "Amb", "Sec", "Supt", "Insp", "Det", "Mt", "Ft", "St", "Messrs", "Sheikh", "vs", "v",
    "cf", "viz", "approx", "ca", "Nr",
];

/// Abbreviations that do not end a sentence when a number follows.
pub const BEFORE_NUMBERS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No",
    "Nos", "no", "Art", "Fig", "Vol", "Ch", "p", "pp", "para", "Sec", "Ex", "Tel", "tel", "est",
];

/// Other abbreviations that take a dot. They may end a sentence, but they
/// are never the left half of an obfuscated word.
const OTHER_ABBREVIATIONS: &[&str] = &[
    "Inc", "Ltd", "Co", "Corp", "Bros", "Jr", "Sr", "etc", "al", "Dept", "Univ", "Ave", "Blvd",
    "Rd", "Assn", "Intl", "Govt",
];

/// Words that commonly open a sentence (used after a dotted initialism).
pub const OPENERS: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "You",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Here",
    "But",
    "And",
    "Or",
    "So",
    "Yet",
    "In",
    "On",
    "At",
    "As",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "However",
    "Meanwhile",
    "Also",
    "Its",
    "His",
    "Her",
    "Their",
    "Our",
    "My",
    "Your",
    "What",
    "Why",
    "How",
    "Who",
    "Where",
    "Some",
    "Many",
    "Most",
    "Several",
    "One",
    "Both",
    "Each",
    "Such",
    "Still",
    "Now",
    "Then",
    "Last",
    "Earlier",
    "Later",
    "According",
    "Although",
    "Though",
    "Despite",
    "During",
    "For",
    "From",
    "Under",
    "With",
    "Without",
    "By",
    "To",
    "Over",
    "Instead",
    "Indeed",
    "Thus",
];

/// Whether `word` (without its dot) is a known abbreviation.
///
/// ```
/// use slant::text::sentences::is_abbreviation;
/// assert!(is_abbreviation("Gen"));
/// assert!(is_abbreviation("jan"));
/// assert!(!is_abbreviation("IS"));
/// ```
pub fn is_abbreviation(word: &str) -> bool {
    TITLES
        .iter()
        .chain(BEFORE_NUMBERS)
        .chain(OTHER_ABBREVIATIONS)
        .any(|a| a.eq_ignore_ascii_case(word))
}

fn is_title(word: &str) -> bool {
    TITLES.contains(&word)
}

/// `U.S`, `e.g`, `J.R.R`, `Ph.D`: dotted, every part one or two letters.
pub fn is_dotted_initialism(word: &str) -> bool {
    word.contains('.')
        && word.split('.').all(|p| {
            let n = p.chars().count();
            (1..=2).contains(&n) && p.chars().all(char::is_alphabetic)
        })
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}')
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?')
}

/// Splits the given lines (byte ranges of `text`, sorted) into sentences:
/// trimmed byte ranges of `text`, in order.
///
/// ```
/// use slant::text::sentences::split;
///
/// let text = "Gen. Smith met U.S. officials on Jan. 9 in Baghdad. He said \"go.\" Then he left.";
/// let got: Vec<&str> = split(text, &[0..text.len()]).into_iter().map(|r| &text[r]).collect();
/// assert_eq!(got, [
///     "Gen. Smith met U.S. officials on Jan. 9 in Baghdad.",
///     "He said \"go.\"",
///     "Then he left.",
/// ]);
/// ```
pub fn split(text: &str, lines: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for line in lines {
        let end = line.end.min(text.len());
        if line.start >= end || !text.is_char_boundary(line.start) || !text.is_char_boundary(end) {
            continue;
        }
        split_line(text, line.start..end, &mut out);
    }
    out
}

/// Longest sentence, in bytes. Real sentences stay far below it (the seed
/// articles' longest is under 600); past it, text without sentence
/// punctuation (a table flattened to one line, a scrape gone wrong) is cut
/// at the last space before the limit, so every later stage, and every
/// `sentence` cell of a mention row, stays bounded.
pub const MAX_SENTENCE_BYTES: usize = 3000;

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let mut r = r;
    loop {
        let s = &text[r.clone()];
        let lead = s.len() - s.trim_start().len();
        let trimmed = s.trim();
        let start = r.start + lead;
        if trimmed.len() <= MAX_SENTENCE_BYTES {
            if trimmed.chars().any(char::is_alphanumeric) {
                out.push(start..start + trimmed.len());
            }
            return;
        }
        let mut cut = MAX_SENTENCE_BYTES;
        while !trimmed.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(space) = trimmed[..cut].rfind(char::is_whitespace) {
            if space > 0 {
                cut = space;
            }
        }
        let head = &trimmed[..cut];
        if head.chars().any(char::is_alphanumeric) {
            let head_end = start + head.trim_end().len();
            out.push(start..head_end);
        }
        r = start + cut..start + trimmed.len();
    }
}

fn split_line(text: &str, line: Range<usize>, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut start = line.start;
    let mut i = line.start;
    while i < line.end {
        // Terminators and closers are ASCII, so scanning bytes is safe: a
        // multi-byte character never contains an ASCII byte.
        if !is_terminator(bytes[i] as char) {
            i += 1;
            continue;
        }
        let term_start = i;
        while i < line.end && is_terminator(bytes[i] as char) {
            i += 1;
        }
        let run = &text[term_start..i];
        while i < line.end && is_closer(bytes[i] as char) {
            i += 1;
        }
        let after = i;
        let next_char = text[after..line.end].chars().next();
        match next_char {
            None => break,
            Some(c) if !c.is_whitespace() => continue,
            _ => {}
        }
        if is_boundary(text, line.clone(), term_start, run, after) {
            push_trimmed(text, start..after, out);
            start = after;
        }
    }
    if start < line.end {
        push_trimmed(text, start..line.end, out);
    }
}

/// The first word after `pos` (skipping spaces and opening punctuation).
fn next_word(text: &str, pos: usize, end: usize) -> &str {
    let rest = &text[pos..end];
    let rest = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | '(' | '[' | '{' | '-' | '—')
    });
    let w_end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .unwrap_or(rest.len());
    &rest[..w_end]
}

/// The word right before `pos` (back to whitespace or opening punctuation).
pub(crate) fn word_before(text: &str, line_start: usize, pos: usize) -> &str {
    let head = &text[line_start..pos];
    let w_start = head
        .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | '[' | '{' | '—'))
        .map(|k| k + head[k..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    &head[w_start..]
}

fn is_boundary(text: &str, line: Range<usize>, term_start: usize, run: &str, after: usize) -> bool {
    let next = next_word(text, after, line.end);
    let Some(first) = next.chars().next() else {
        // Only punctuation follows on this line; end here.
        return true;
    };
    if first.is_lowercase() {
        return false;
    }
    if run != "." {
        return true;
    }
    let word = word_before(text, line.start, term_start);
    if is_title(word) {
        return false;
    }
    if first.is_numeric() && BEFORE_NUMBERS.contains(&word) {
        return false;
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_uppercase() {
            return false;
        }
    }
    if is_dotted_initialism(word) {
        return OPENERS.contains(&next);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(text: &str) -> Vec<&str> {
        let lines: Vec<Range<usize>> = {
            let mut v = Vec::new();
            let mut s = 0;
            for (i, c) in text.char_indices() {
                if c == '\n' {
                    v.push(s..i);
                    s = i + 1;
                }
            }
            v.push(s..text.len());
            v
        };
        split(text, &lines).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn abbreviations_and_initials_do_not_split() {
        assert_eq!(
            sents("Lt. Gen. Ali met Mr. J. Smith and George W. Bush. They talked."),
            [
                "Lt. Gen. Ali met Mr. J. Smith and George W. Bush.",
                "They talked."
            ]
        );
        assert_eq!(
            sents(
                "The U.S.-led coalition left on Jan. 9 and No. 5 stayed. Prices rose 3.5 percent."
            ),
            [
                "The U.S.-led coalition left on Jan. 9 and No. 5 stayed.",
                "Prices rose 3.5 percent."
            ]
        );
    }

    #[test]
    fn dotted_initialisms_split_only_before_openers() {
        assert_eq!(
            sents("Hundreds of U.S. troops stayed. U.S. President Biden spoke."),
            [
                "Hundreds of U.S. troops stayed.",
                "U.S. President Biden spoke."
            ]
        );
        assert_eq!(
            sents("Forces were led by the U.S. The talks ended."),
            ["Forces were led by the U.S.", "The talks ended."]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        assert_eq!(
            sents("He said \"go.\" Then he left. \"Why?\" she asked. 'Stop!' They ran."),
            [
                "He said \"go.\"",
                "Then he left.",
                "\"Why?\" she asked.",
                "'Stop!'",
                "They ran."
            ]
        );
        assert_eq!(
            sents("It was \"destabilizing.\" (The talks ended.) Next."),
            ["It was \"destabilizing.\"", "(The talks ended.)", "Next."]
        );
    }

    #[test]
    fn line_breaks_end_sentences_and_empty_lines_vanish() {
        assert_eq!(
            sents("A headline without a stop\n\n  \n***\nBody text here... More text"),
            [
                "A headline without a stop",
                "Body text here...",
                "More text"
            ]
        );
        assert!(sents("").is_empty());
        assert!(sents(" \n\t\n").is_empty());
    }

    #[test]
    fn ellipsis_and_lowercase_continuations() {
        assert_eq!(
            sents("He paused... and went on. Then e.g. this one."),
            ["He paused... and went on.", "Then e.g. this one."]
        );
    }
}
