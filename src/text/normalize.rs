//! Normalisation with a map back to the original characters.
//!
//! Two passes over a [`NormalizedString`] (which keeps, for every byte of the
//! normalised text, the original bytes it came from):
//!
//! 1. NFKC (skipped when the text is already NFKC).
//! 2. One character pass that unifies quotes, apostrophes, dashes, line
//!    breaks and invisible characters, and repairs obfuscated words
//!    (`IS.IS` → `ISIS`, `kill.ing` → `killing`).
//!
//! Quotes: every double quote (`" “ ” „ ‟ « »`) becomes `"` and every single
//! quote or apostrophe (`' ‘ ’ ‚ ‛ ‹ ›`, and the letter apostrophes `ʼ ʻ ʾ ʿ`)
//! becomes `'`, so that the lexicon sees one spelling (`Da’esh` = `Da'esh`).
//! Unifying throws away the one thing typography tells us about a quote mark,
//! whether it opens or closes, so this pass records it first: each `"` and
//! `'` of the output gets a [`QuoteMark`] with the direction its original
//! glyph had. Voice detection pairs quotes from those marks.
//!
//! Dashes: hyphens, the minus sign and the en dash become `-` (the en dash is
//! often typed for a hyphen, as in `US–led`); the em dash and horizontal bar
//! become `—`, because they never join words and keeping them apart from `-`
//! keeps `Iraq—an` from looking like a hyphenated compound.
//!
//! Obfuscation repair: a dot between two letters inside a word is removed
//! unless the word is an abbreviation or a name with a dot:
//! - initialisms and initials (`U.S.`, `e.g.`, `J.R.R.`, `Ph.D.`): a side of
//!   the dot has a single letter;
//! - abbreviations before a word (`Gen.Smith`, `Dr.Ali`): the left side is a
//!   known abbreviation, or the right side is a capitalised word (a missing
//!   space after a full stop, `end.The`, is also left alone);
//! - domain names and file names (`IraqiNews.com`, `report.pdf`): the last
//!   part is a known top-level domain or file extension, or the first is
//!   `www`;
//! - anything with a digit next to the dot's parts (`v2.0`, `F.16a`).
//!
//! What remains (`IS.IS`, `Da.esh`, `kill.ing`, `terror.ists`) is repaired.
//! The repaired words are listed so a reader can see what was changed, and
//! the offset map still points at the original characters, dot included.

use std::ops::Range;

use tokenizers::tokenizer::normalizer::{NormalizedString, Range as NRange};
use unicode_normalization::{is_nfkc_quick, IsNormalized};

use crate::mention::Span;

/// Whether a quote mark is `"` or `'` in the normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteKind {
    Double,
    Single,
}

/// What the original glyph says about a quote mark's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteHint {
    /// `“ „ ‘ ‚ « ‹`
    Open,
    /// `” ’ » ›`
    Close,
    /// The ASCII `"` and `'`: context decides.
    Either,
    /// A letter apostrophe (`ʼ ʻ ʾ ʿ`): never a quote.
    Apostrophe,
}

/// A `"` or `'` in the normalised text, with what its original glyph said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteMark {
    /// Byte offset in the normalised text (the mark itself is one byte).
    pub pos: usize,
    pub kind: QuoteKind,
    pub hint: QuoteHint,
    /// The character the mark had before unification (after NFKC).
    pub glyph: char,
}

/// The result of [`normalize`].
#[derive(Debug, Clone)]
pub struct Normalized {
    pub text: String,
    pub map: OffsetMap,
    /// Every `"` and `'` of `text`, in order.
    pub quotes: Vec<QuoteMark>,
    /// Byte ranges of `text` holding a repaired word (`ISIS` from `IS.IS`).
    pub repairs: Vec<Range<usize>>,
}

/// Normalised byte offsets → character offsets into the original text.
///
/// Holds, for every byte of the normalised text, the original character
/// range it came from (as `u32`: articles are far below 4 G characters).
/// Both columns are non-decreasing, so mapped ranges keep their order.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    starts: Vec<u32>,
    ends: Vec<u32>,
    original_chars: u32,
}

impl OffsetMap {
    /// Maps a byte range of `normalized` (the text this map was built with)
    /// to a character span of the original. Out-of-range or mid-character
    /// offsets are clamped outward to whole characters, so the result is
    /// always a valid span of the original.
    pub fn original_span(&self, normalized: &str, range: Range<usize>) -> Span {
        let len = normalized.len().min(self.starts.len());
        let start = floor_boundary(normalized, range.start.min(len));
        let end = ceil_boundary(normalized, range.end.clamp(start, len));
        if start == end {
            let at = if start < len {
                self.starts[start]
            } else {
                self.original_chars
            };
            return Span::new(at as usize, at as usize);
        }
        Span::new(self.starts[start] as usize, self.ends[end - 1] as usize)
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Runs the normalisation passes on one article's original text.
///
/// ```
/// use slant::text::normalize::normalize;
///
/// let n = normalize("The “IS.IS” threat – U.S.-led");
/// assert_eq!(n.text, "The \"ISIS\" threat - U.S.-led");
/// // "ISIS" maps back to the five original characters "IS.IS".
/// let at = n.text.find("ISIS").unwrap();
/// let span = n.map.original_span(&n.text, at..at + 4);
/// assert_eq!((span.start, span.end), (5, 10));
/// ```
pub fn normalize(original: &str) -> Normalized {
    let mut ns = NormalizedString::from(original);
    if is_nfkc_quick(original.chars()) != IsNormalized::Yes {
        ns.nfkc();
    }

    let chars: Vec<char> = ns.get().chars().collect();
    let repairs_chars = find_obfuscations(&chars);
    let mut drop_dot = vec![false; 0];
    if !repairs_chars.is_empty() {
        drop_dot = vec![false; chars.len()];
        for r in &repairs_chars {
            for &d in &r.dots {
                drop_dot[d] = true;
            }
        }
    }

    let mut transforms: Vec<(char, isize)> = Vec::with_capacity(chars.len());
    let mut initial_removed = 0usize;
    let mut quotes = Vec::new();
    let mut repairs = Vec::with_capacity(repairs_chars.len());
    let mut next_repair = repairs_chars.iter().peekable();
    let mut repair_start = 0usize;
    let mut out_len = 0usize;

    for (i, &c) in chars.iter().enumerate() {
        if let Some(r) = next_repair.peek() {
            if r.chars.start == i {
                repair_start = out_len;
            }
        }
        let action = if drop_dot.get(i).copied().unwrap_or(false) {
            Action::Drop
        } else {
            classify(c, chars.get(i + 1).copied())
        };
        match action {
            Action::Drop => match transforms.last_mut() {
                Some(last) => last.1 -= 1,
                None => initial_removed += 1,
            },
            Action::Keep(out) => {
                transforms.push((out, 0));
                out_len += out.len_utf8();
            }
            Action::Quote(kind, hint) => {
                let out = match kind {
                    QuoteKind::Double => '"',
                    QuoteKind::Single => '\'',
                };
                quotes.push(QuoteMark {
                    pos: out_len,
                    kind,
                    hint,
                    glyph: c,
                });
                transforms.push((out, 0));
                out_len += 1;
            }
        }
        if let Some(r) = next_repair.peek() {
            if r.chars.end == i + 1 {
                repairs.push(repair_start..out_len);
                next_repair.next();
            }
        }
    }
    drop(chars);
    ns.transform(transforms, initial_removed);

    let map = build_map(original, &ns);
    Normalized {
        text: ns.get().to_string(),
        map,
        quotes,
        repairs,
    }
}

enum Action {
    Keep(char),
    Drop,
    Quote(QuoteKind, QuoteHint),
}

fn classify(c: char, next: Option<char>) -> Action {
    use QuoteHint::*;
    use QuoteKind::*;
    match c {
        '\n' | ' ' => Action::Keep(c),
        '\r' if next == Some('\n') => Action::Drop,
        '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Action::Keep('\n'),
        '\t' => Action::Keep(' '),
        // Invisible characters that split words for no reader-visible reason.
        '\u{AD}'
        | '\u{200B}'
        | '\u{2060}'
        | '\u{FEFF}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => Action::Drop,
        c if c.is_control() => Action::Keep(' '),
        '"' => Action::Quote(Double, Either),
        '\u{201C}' | '\u{201E}' | '\u{201F}' | '«' | '\u{2E42}' => Action::Quote(Double, Open),
        '\u{201D}' | '»' => Action::Quote(Double, Close),
        '\'' => Action::Quote(Single, Either),
        '\u{2018}' | '\u{201A}' | '\u{201B}' | '‹' => Action::Quote(Single, Open),
        '\u{2019}' | '›' => Action::Quote(Single, Close),
        '\u{02BC}' | '\u{02BB}' | '\u{02BE}' | '\u{02BF}' => Action::Quote(Single, Apostrophe),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{FE58}'
        | '\u{FE63}' | '\u{FF0D}' => Action::Keep('-'),
        '\u{2014}' | '\u{2015}' | '\u{2E3A}' | '\u{2E3B}' | '\u{FE31}' | '\u{FE32}' => {
            Action::Keep('—')
        }
        c => Action::Keep(c),
    }
}

/// A word with obfuscating dots: its char range (dots included) in the text
/// being normalised and the char indices of the dots to drop.
struct Obfuscation {
    chars: Range<usize>,
    dots: Vec<usize>,
}

fn is_dot(c: char) -> bool {
    c == '.' || c == '·'
}

/// Top-level domains and file extensions: a dot before one of these is part
/// of a name, not an obfuscation. Deliberately short: `is` (Iceland) is left
/// out because `IS.IS` is the obfuscation this pass exists for.
const NAME_SUFFIXES: &[&str] = &[
    "com", "org", "net", "gov", "edu", "mil", "int", "info", "biz", "io", "co", "uk", "us", "eu",
    "iq", "ir", "il", "ps", "sy", "lb", "jo", "sa", "ae", "qa", "tr", "eg", "ru", "cn", "de", "fr",
    "tv", "fm", "me", "ly", "news", "online", "site", "html", "htm", "php", "aspx", "pdf", "doc",
    "docx", "jpg", "jpeg", "png", "gif", "txt", "csv", "js",
];

/// A letter or digit that stays one after unification (the letter
/// apostrophes `ʼ ʻ ʾ ʿ` become `'`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !matches!(c, '\u{02BC}' | '\u{02BB}' | '\u{02BE}' | '\u{02BF}')
}

fn find_obfuscations(chars: &[char]) -> Vec<Obfuscation> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !(is_word_char(chars[i]) || is_dot(chars[i])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (is_word_char(chars[i]) || is_dot(chars[i])) {
            // An ellipsis ends a token: `ax.com...said` is `ax.com` then `said`.
            if i > start && is_dot(chars[i]) && chars.get(i + 1).is_some_and(|&c| is_dot(c)) {
                break;
            }
            i += 1;
        }
        if let Some(o) = check_token(chars, start, i) {
            out.push(o);
        }
    }
    out
}

fn check_token(chars: &[char], mut start: usize, mut end: usize) -> Option<Obfuscation> {
    while start < end && is_dot(chars[start]) {
        start += 1;
    }
    while end > start && is_dot(chars[end - 1]) {
        end -= 1;
    }
    let token = &chars[start..end];
    if !token.iter().any(|&c| is_dot(c)) {
        return None;
    }
    // Segments between dots, as char ranges of `token`.
    let mut segs: Vec<Range<usize>> = Vec::new();
    let mut s = 0;
    for (k, &c) in token.iter().enumerate() {
        if is_dot(c) {
            segs.push(s..k);
            s = k + 1;
        }
    }
    segs.push(s..token.len());
    let seg_str = |r: &Range<usize>| token[r.clone()].iter().collect::<String>();
    let first = seg_str(&segs[0]).to_lowercase();
    let last = seg_str(&segs[segs.len() - 1]).to_lowercase();
    if first == "www" || NAME_SUFFIXES.contains(&last.as_str()) {
        return None;
    }
    let mut dots = Vec::new();
    for w in segs.windows(2) {
        let (l, r) = (&w[0], &w[1]);
        let left = &token[l.clone()];
        let right = &token[r.clone()];
        // `..` or a dot at the edge: not a word-internal dot.
        if left.is_empty() || right.is_empty() {
            continue;
        }
        if !left[left.len() - 1].is_alphabetic() || !right[0].is_alphabetic() {
            continue;
        }
        if left.iter().chain(right).any(|c| c.is_numeric()) {
            continue;
        }
        if left.len() == 1 || right.len() == 1 {
            continue;
        }
        if right[0].is_uppercase() && right[1..].iter().any(|c| c.is_lowercase()) {
            continue;
        }
        if super::sentences::is_abbreviation(&left.iter().collect::<String>()) {
            continue;
        }
        dots.push(start + l.end);
    }
    if dots.is_empty() {
        None
    } else {
        Some(Obfuscation {
            chars: start..end,
            dots,
        })
    }
}

/// Builds the compact byte → original-character map from the alignments the
/// [`NormalizedString`] kept.
fn build_map(original: &str, ns: &NormalizedString) -> OffsetMap {
    // Original byte offset → char offset (byte offsets from the alignments
    // always fall on char boundaries).
    let mut byte_to_char = vec![0u32; original.len() + 1];
    let mut n = 0u32;
    for (b, _) in original.char_indices() {
        byte_to_char[b] = n;
        n += 1;
    }
    byte_to_char[original.len()] = n;
    let original_chars = n;
    let orig: Vec<char> = original.chars().collect();

    let text = ns.get();
    let mut starts = Vec::with_capacity(text.len());
    let mut ends = Vec::with_capacity(text.len());
    // Per normalised char: (start, end) original char offsets.
    let mut per_char: Vec<(u32, u32)> = Vec::with_capacity(text.len());
    let (mut lo, mut hi) = (0u32, 0u32);
    for (b, c) in text.char_indices() {
        let r = ns
            .convert_offsets(NRange::Normalized(b..b + c.len_utf8()))
            .unwrap_or(0..0);
        let s = byte_to_char.get(r.start).copied().unwrap_or(original_chars);
        let e = byte_to_char.get(r.end).copied().unwrap_or(original_chars);
        // Canonical reordering can make alignments go backwards; keep them
        // monotonic so mapped ranges never invert.
        lo = lo.max(s);
        hi = hi.max(e).max(lo);
        per_char.push((lo, hi));
    }
    // Extend each char's end over original characters that were merged into
    // it (combining marks composed by NFKC, a dropped soft hyphen), but not
    // over dropped whitespace or controls (the `\r` of `\r\n`), so that a
    // word's span never swallows a line break.
    for k in 0..per_char.len() {
        let next = per_char.get(k + 1).map(|p| p.0).unwrap_or(original_chars);
        let (_, mut end) = per_char[k];
        while end < next {
            match orig.get(end as usize) {
                Some(&c) if !(c.is_whitespace() || c.is_control() || is_format(c)) => end += 1,
                _ => break,
            }
        }
        per_char[k].1 = end;
    }
    for ((_, c), (s, e)) in text.char_indices().zip(per_char) {
        for _ in 0..c.len_utf8() {
            starts.push(s);
            ends.push(e);
        }
    }
    OffsetMap {
        starts,
        ends,
        original_chars: to_u32(orig.len()).max(original_chars),
    }
}

fn is_format(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orig_text(original: &str, n: &Normalized, range: Range<usize>) -> String {
        let span = n.map.original_span(&n.text, range);
        original.chars().skip(span.start).take(span.len()).collect()
    }

    #[test]
    fn quotes_dashes_unified_and_marks_recorded() {
        let original = "“Go,” he said — ‘now’ «vite» U.S.–Iraq don’t";
        let n = normalize(original);
        assert_eq!(n.text, "\"Go,\" he said — 'now' \"vite\" U.S.-Iraq don't");
        let hints: Vec<_> = n.quotes.iter().map(|q| (q.kind, q.hint)).collect();
        use QuoteHint::*;
        use QuoteKind::*;
        assert_eq!(
            hints,
            vec![
                (Double, Open),
                (Double, Close),
                (Single, Open),
                (Single, Close),
                (Double, Open),
                (Double, Close),
                (Single, Close),
            ]
        );
        for q in &n.quotes {
            assert!(matches!(&n.text[q.pos..q.pos + 1], "\"" | "'"));
        }
    }

    #[test]
    fn obfuscated_word_repaired_and_mapped_to_original() {
        let original = "the “IS.IS” threat after kill.ing and Da.esh";
        let n = normalize(original);
        assert_eq!(n.text, "the \"ISIS\" threat after killing and Daesh");
        let words: Vec<&str> = n.repairs.iter().map(|r| &n.text[r.clone()]).collect();
        assert_eq!(words, vec!["ISIS", "killing", "Daesh"]);
        for (r, want) in n.repairs.iter().zip(["IS.IS", "kill.ing", "Da.esh"]) {
            assert_eq!(orig_text(original, &n, r.clone()), want);
        }
    }

    #[test]
    fn abbreviations_domains_and_numbers_are_not_repaired() {
        for text in [
            "U.S.-led coalition",
            "the U.K. and e.g. a.m. talks",
            "J.R.R. Tolkien and Ph.D. students",
            "see IraqiNews.com or www.example.org today",
            "the report.pdf file",
            "version 2.5 and v1.2b",
            "it ended.The next day",
            "Gen.Smith spoke",
            "I.S.I.S.",
        ] {
            let n = normalize(text);
            assert_eq!(n.text, text, "changed {text:?}");
            assert!(n.repairs.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn nfkc_and_invisible_characters_map_back() {
        let original = "a\u{00A0}ﬁne e\u{301}lan kill\u{AD}ing\r\nx\ry\u{0}z";
        let n = normalize(original);
        assert_eq!(n.text, "a fine élan killing\nx\ny z");
        let fi = n.text.find("fine").unwrap();
        assert_eq!(orig_text(original, &n, fi..fi + 4), "ﬁne");
        let elan = n.text.find("élan").unwrap();
        assert_eq!(
            orig_text(original, &n, elan..elan + "élan".len()),
            "e\u{301}lan"
        );
        let k = n.text.find("killing").unwrap();
        assert_eq!(orig_text(original, &n, k..k + 7), "kill\u{AD}ing");
        // The word before a CRLF does not swallow the dropped '\r'.
        let x = n.text.find("killing").unwrap();
        assert_eq!(orig_text(original, &n, x..x + 7), "kill\u{AD}ing");
        let y = n.text.find('x').unwrap();
        assert_eq!(orig_text(original, &n, y..y + 1), "x");
    }

    #[test]
    fn empty_and_edge_ranges() {
        let n = normalize("");
        assert_eq!(n.text, "");
        assert_eq!(n.map.original_span(&n.text, 0..10), Span::new(0, 0));
        let n = normalize("\u{FEFF}abc");
        assert_eq!(n.text, "abc");
        assert_eq!(n.map.original_span(&n.text, 0..3), Span::new(1, 4));
        assert_eq!(n.map.original_span(&n.text, 3..3), Span::new(4, 4));
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 5..1;
        assert_eq!(n.map.original_span(&n.text, reversed), Span::new(4, 4));
    }
}
