//! Boilerplate: page chrome, donation appeals and an outlet's repeated lines.
//!
//! Boilerplate is not deleted from the normalised text (offsets stay put);
//! it is listed as byte ranges that no sentence covers, so no mention in it
//! is counted and its words count toward no rate.
//!
//! Three rules, each over one line (one paragraph in news text):
//! - **page chrome**: short navigation and sharing lines (`Skip to main
//!   content`, `Back to top`, `Share this article`, `Follow us on …`, cookie
//!   and newsletter banners, `Advertisement`, `Author`), matched on the
//!   line's words without case or punctuation;
//! - **donation appeals**: a line asking the reader for money or support for
//!   the outlet's own work (a money word such as *donate*, *subscribe*,
//!   *reader-funded*, together with the outlet speaking of itself: *our
//!   journalism*, *keeps us*, *readers like you*), or a short appeal header
//!   (`If you value our journalism…`). A paragraph of several lines (blank
//!   line separated, at most 150 words) that reads as an appeal as a whole
//!   goes too;
//! - **repeated lines**: a line found in at least two distinct articles of
//!   the same outlet ([`RepeatedLines`]). Only lines of at most
//!   [`MAX_REPEATED_WORDS`] words count: longer repeats are usually a
//!   background paragraph the outlet reuses, which is its own voice and
//!   should be scored.

use foldhash::{HashMap, HashSet, HashSetExt};
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Longest line (in words) that [`RepeatedLines`] considers.
pub const MAX_REPEATED_WORDS: usize = 20;

/// Lines that repeat across articles of one outlet (page chrome the outlet
/// stamps on every page).
///
/// Lines are compared by their words only: NFKC, lowercase, punctuation
/// and spacing ignored (so `Back To Top` = `back to top!`, and `IS.IS` =
/// `ISIS`, the same line before and after normalisation).
///
/// ```
/// use slant::text::RepeatedLines;
///
/// let r = RepeatedLines::from_texts(["Story one.\nSupport our work\n", "Story two.\nSUPPORT our work!"]);
/// assert!(r.contains("support our work"));
/// assert!(!r.contains("Story one."));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RepeatedLines {
    keys: HashSet<LineKey>,
}

/// A line's comparison key (see [`RepeatedLines`]), kept as a 128-bit hash
/// so that the run cache can store every article's keys and a rerun can
/// learn an outlet's repeated lines without reading its articles again.
/// Two different lines share a key with probability about 2⁻¹²⁸ per pair.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct LineKey(pub u128);

impl LineKey {
    /// The key of `line`, or `None` for a line that can never be repeated
    /// boilerplate (trivial, or longer than [`MAX_REPEATED_WORDS`] words).
    ///
    /// ```
    /// use slant::text::LineKey;
    /// assert_eq!(LineKey::of("Back To Top"), LineKey::of("back to top!"));
    /// assert!(LineKey::of("Hi").is_none());
    /// ```
    pub fn of(line: &str) -> Option<LineKey> {
        line_key(line).map(|k| LineKey::hash(&k))
    }

    fn hash(key: &str) -> LineKey {
        LineKey(xxhash_rust::xxh3::xxh3_128(key.as_bytes()))
    }
}

impl RepeatedLines {
    pub fn empty() -> RepeatedLines {
        RepeatedLines::default()
    }

    /// Builds from all article texts of ONE outlet: a line (trimmed,
    /// whitespace-folded, non-trivial) found in >= 2 distinct articles
    /// counts. Identical texts count once, so a duplicated article does not
    /// turn all its lines into boilerplate.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> RepeatedLines {
        let mut seen_texts: HashSet<&'a str> = HashSet::new();
        let mut builder = RepeatedLinesBuilder::default();
        for text in texts {
            if seen_texts.insert(text) {
                builder.add(text);
            }
        }
        builder.build()
    }

    pub fn contains(&self, line: &str) -> bool {
        !self.keys.is_empty() && LineKey::of(line).is_some_and(|k| self.keys.contains(&k))
    }

    /// [`RepeatedLines::contains`] of a line already keyed by [`key_of`].
    fn contains_keyed(&self, key: String, words: usize) -> bool {
        !self.keys.is_empty()
            && repeatable(key, words).is_some_and(|k| self.keys.contains(&LineKey::hash(&k)))
    }

    /// Whether the line with this key is repeated.
    pub fn contains_key(&self, key: LineKey) -> bool {
        self.keys.contains(&key)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Builds [`RepeatedLines`] one text at a time, so a corpus can be streamed
/// without holding its texts. Unlike [`RepeatedLines::from_texts`] it does
/// not drop identical texts: the caller adds each distinct text once.
///
/// ```
/// use slant::text::RepeatedLinesBuilder;
///
/// let mut b = RepeatedLinesBuilder::default();
/// b.add("Story one.\nSupport our work\n");
/// b.add("Story two.\nSUPPORT our work!");
/// assert!(b.build().contains("support our work"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct RepeatedLinesBuilder {
    /// Line key → number of texts it occurs in. Only short lines get a key,
    /// so this grows with an outlet's chrome, not with its articles' text.
    counts: HashMap<LineKey, u32>,
}

impl RepeatedLinesBuilder {
    pub fn add(&mut self, text: &str) {
        self.add_keys(&RepeatedLinesBuilder::keys(text));
    }

    /// The distinct line keys of one text, sorted, for
    /// [`RepeatedLinesBuilder::add_keys`]: computing them is the costly part,
    /// and can run in parallel (or be kept from an earlier run).
    pub fn keys(text: &str) -> Vec<LineKey> {
        let mut keys: Vec<LineKey> = text.lines().filter_map(LineKey::of).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Counts one text's keys, as [`RepeatedLinesBuilder::keys`] returns
    /// them (distinct).
    pub fn add_keys(&mut self, keys: &[LineKey]) {
        for &k in keys {
            *self.counts.entry(k).or_default() += 1;
        }
    }

    pub fn build(self) -> RepeatedLines {
        RepeatedLines {
            keys: self
                .counts
                .into_iter()
                .filter(|&(_, n)| n >= 2)
                .map(|(k, _)| k)
                .collect(),
        }
    }
}

/// The words of a line: NFKC, lowercase, letters and digits only.
fn words_of(line: &str) -> Vec<String> {
    line.split_whitespace()
        .map(|w| {
            w.nfkc()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// [`words_of`] joined by single spaces, and how many words there are:
/// the form every rule compares. A line of plain ASCII, nearly every line,
/// is keyed in one pass with one allocation: NFKC leaves ASCII as it is.
fn key_of(line: &str) -> (String, usize) {
    if !line.is_ascii() {
        let words = words_of(line);
        return (words.join(" "), words.len());
    }
    let mut key = String::with_capacity(line.len());
    let mut words = 0;
    for token in line.split_whitespace() {
        let start = key.len();
        if words > 0 {
            key.push(' ');
        }
        let before = key.len();
        key.extend(
            token
                .bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
        if key.len() == before {
            key.truncate(start);
        } else {
            words += 1;
        }
    }
    (key, words)
}

/// A line's comparison key, or `None` for a trivial line (fewer than three
/// letters or digits) or one too long to be chrome.
fn line_key(line: &str) -> Option<String> {
    // Most lines are paragraphs: reject them before normalising every word.
    // A token counts unless it is plain ASCII punctuation, which can never
    // become a word (non-ASCII might, through NFKC).
    let maybe_word = |w: &&str| w.chars().any(|c| c.is_alphanumeric() || !c.is_ascii());
    if line
        .split_whitespace()
        .filter(maybe_word)
        .nth(MAX_REPEATED_WORDS)
        .is_some()
    {
        return None;
    }
    let (key, words) = key_of(line);
    repeatable(key, words)
}

/// [`line_key`] of a line already keyed by [`key_of`].
fn repeatable(key: String, words: usize) -> Option<String> {
    // The key's letters and digits: all of it but the spaces between words.
    let alnum = key.chars().count() - words.saturating_sub(1);
    if words == 0 || words > MAX_REPEATED_WORDS || alnum < 3 {
        return None;
    }
    Some(key)
}

/// Lines that are chrome when they are the whole line.
const CHROME_LINES: &[&str] = &[
    "skip to main content",
    "skip to content",
    "skip to navigation",
    "skip navigation",
    "back to top",
    "scroll to top",
    "go to top",
    "share",
    "share this",
    "share this article",
    "share this story",
    "share this post",
    "share article",
    "tweet",
    "print",
    "print this article",
    "email",
    "email this",
    "comments",
    "comment",
    "leave a comment",
    "leave a reply",
    "add comment",
    "author",
    "authors",
    "about the author",
    "advertisement",
    "advertising",
    "sponsored",
    "sponsored content",
    "related",
    "related articles",
    "related posts",
    "related stories",
    "related news",
    "read more",
    "read also",
    "also read",
    "see also",
    "more stories",
    "you may also like",
    "you might also like",
    "recommended",
    "most read",
    "most popular",
    "trending",
    "latest news",
    "tags",
    "topics",
    "menu",
    "main menu",
    "home",
    "search",
    "toggle navigation",
    "subscribe",
    "subscribe now",
    "sign in",
    "log in",
    "login",
    "register",
    "sign up",
    "newsletter",
    "previous article",
    "next article",
    "previous post",
    "next post",
    "loading",
    "accept",
    "accept all",
    "reject all",
    "accept cookies",
    "manage preferences",
    "cookie settings",
    "cookie policy",
    "privacy policy",
    "terms of use",
    "terms of service",
    "contact us",
    "about us",
    "all rights reserved",
    "follow us",
    "listen to this article",
    "copy link",
    "link copied",
    "donate",
    "donate now",
    "support us",
];

/// Line openings that make a short line chrome.
const CHROME_PREFIXES: &[&str] = &[
    "follow us on",
    "follow us at",
    "share on",
    "share this on",
    "share via",
    "sign up for",
    "sign up to",
    "subscribe to our",
    "subscribe to the",
    "click here",
    "read more at",
    "read more on",
    "read more related",
    "related articles",
    "filed under",
    "copyright",
    "all rights reserved",
    "we use cookies",
    "this website uses cookies",
    "this site uses cookies",
    "by continuing to use",
    "by using this site",
    "download our app",
    "download the app",
    "join our telegram",
    "join our whatsapp",
    "join our channel",
    "get the latest",
    "get our newsletter",
    "enter your email",
    "photo credit",
    "image credit",
    "the views expressed",
    "disclaimer",
    "continue reading",
    "listen to this article",
    "last updated",
    "reporting by",
    "editing by",
    "writing by",
];

/// Line openings (raw, before word folding) that mark a link list or tag
/// line: `Read more: …`, `Tags: …`.
const CHROME_LABELS: &[&str] = &[
    "read more:",
    "read also:",
    "also read:",
    "related:",
    "tags:",
    "topics:",
    "see also:",
    "©",
    "(c) ",
];

/// Longest line (in words) that the prefix rules consider.
const MAX_CHROME_WORDS: usize = 25;

/// Whether `line`, keyed `key` with `words` words ([`key_of`]), is page
/// chrome.
fn is_chrome(line: &str, key: &str, words: usize) -> bool {
    if words == 0 {
        return false;
    }
    if CHROME_LINES.contains(&key) {
        return true;
    }
    if words > MAX_CHROME_WORDS {
        return false;
    }
    if CHROME_PREFIXES
        .iter()
        .any(|p| key.starts_with(p) && key[p.len()..].chars().next().is_none_or(|c| c == ' '))
    {
        return true;
    }
    let lower = line.trim_start().to_lowercase();
    if CHROME_LABELS.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    (key.contains("cookie")
        && ["accept", "consent", "we use", "uses"]
            .iter()
            .any(|w| key.contains(w)))
        || (key.contains("newsletter")
            && ["sign up", "subscribe", "inbox"]
                .iter()
                .any(|w| key.contains(w)))
}

/// Words asking for money or support.
const MONEY: &[&str] = &[
    "donat",
    "contribut",
    "fundrais",
    "reader funded",
    "readerfunded",
    "reader supported",
    "readersupported",
    "support us",
    "support our",
    "support independent",
    "become a member",
    "become a patron",
    "become a supporter",
    "patreon",
    "paypal",
    "subscribe",
    "subscription",
    "chip in",
    "give what you can",
    "pledge",
    "crowdfund",
];

/// The outlet speaking of itself to the reader.
const SELF: &[&str] = &[
    "our journalism",
    "our reporting",
    "our work",
    "our newsroom",
    "our mission",
    "our website",
    "our site",
    "independent journalism",
    "independent media",
    "independent news",
    "keeps us",
    "keep us",
    "help us",
    "readers like you",
    "our readers",
    "we rely",
    "we depend",
    "we need your",
    "weve launched",
    "we have launched",
];

/// Openings of a short appeal header.
const APPEAL_HEADERS: &[&str] = &[
    "if you value",
    "if you appreciate",
    "if you enjoy",
    "if you enjoyed",
    "if you like",
    "if you liked",
    "if you found this",
    "support our journalism",
    "support independent journalism",
    "please support",
    "please consider supporting",
    "help us",
    "make a donation",
    "we need your help",
    "dear reader",
    "dear readers",
];

/// Longest header line (in words).
const MAX_HEADER_WORDS: usize = 12;
/// Longest line or paragraph (in words) the appeal rule considers.
const MAX_APPEAL_WORDS: usize = 150;

/// Whether a line or paragraph keyed `key` with `words` words
/// ([`key_of`]) asks the reader for money or support.
fn is_appeal(key: &str, words: usize) -> bool {
    if words == 0 || words > MAX_APPEAL_WORDS {
        return false;
    }
    if words <= MAX_HEADER_WORDS && APPEAL_HEADERS.iter().any(|h| key.starts_with(h)) {
        return true;
    }
    MONEY.iter().any(|m| key.contains(m)) && SELF.iter().any(|s| key.contains(s))
}

/// What [`find`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removal {
    /// Byte ranges (whole trimmed lines) of boilerplate, sorted.
    pub removed: Vec<Range<usize>>,
    /// How many lines or paragraphs were removed.
    pub count: usize,
}

/// The non-blank lines of `text`, trimmed, as byte ranges.
pub fn lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            push_line(text, start..i, &mut out);
            start = i + 1;
        }
    }
    push_line(text, start..text.len(), &mut out);
    out
}

fn push_line(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let trimmed = s.trim();
    if !trimmed.is_empty() {
        let start = r.start + (s.len() - s.trim_start().len());
        out.push(start..start + trimmed.len());
    }
}

/// Finds the boilerplate lines of one normalised article.
///
/// ```
/// use slant::text::boilerplate::find;
/// use slant::text::RepeatedLines;
///
/// let text = "Skip to main content\nTroops left the base.\nIf you value our journalism...\nBack To Top";
/// let r = find(text, &RepeatedLines::empty());
/// assert_eq!(r.count, 3);
/// let kept: Vec<&str> = slant::text::boilerplate::lines(text)
///     .into_iter()
///     .filter(|l| !r.removed.contains(l))
///     .map(|l| &text[l])
///     .collect();
/// assert_eq!(kept, ["Troops left the base."]);
/// ```
pub fn find(text: &str, repeated: &RepeatedLines) -> Removal {
    let all = lines(text);
    let mut removed_flags = vec![false; all.len()];
    let mut count = 0;
    for (k, l) in all.iter().enumerate() {
        let line = &text[l.clone()];
        // Keyed once for all three rules.
        let (key, words) = key_of(line);
        if is_chrome(line, &key, words)
            || is_appeal(&key, words)
            || repeated.contains_keyed(key, words)
        {
            removed_flags[k] = true;
            count += 1;
        }
    }
    // Paragraphs of several lines (hard-wrapped appeals).
    let mut k = 0;
    while k < all.len() {
        let mut j = k + 1;
        while j < all.len() && !blank_between(text, all[j - 1].end, all[j].start) {
            j += 1;
        }
        if j - k >= 2 && !removed_flags[k..j].iter().all(|&f| f) {
            let para = &text[all[k].start..all[j - 1].end];
            let (key, words) = key_of(para);
            if is_appeal(&key, words) {
                removed_flags[k..j].iter_mut().for_each(|f| *f = true);
                count += 1;
            }
        }
        k = j;
    }
    Removal {
        removed: all
            .into_iter()
            .zip(removed_flags)
            .filter(|(_, f)| *f)
            .map(|(l, _)| l)
            .collect(),
        count,
    }
}

/// Whether the gap between two lines holds a blank line.
fn blank_between(text: &str, end: usize, start: usize) -> bool {
    text[end..start].bytes().filter(|&b| b == b'\n').count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass key of an ASCII line is the key word by word.
        #[test]
        fn a_line_is_keyed_as_its_words(line in "[ -~\t\n\x0b\x0cé]{0,60}") {
            let words = words_of(&line);
            proptest::prop_assert_eq!(key_of(&line), (words.join(" "), words.len()));
        }
    }

    #[test]
    fn punctuation_alone_is_no_word() {
        assert_eq!(
            key_of("  -- Sub-scribe, NOW! \u{b} ..."),
            ("subscribe now".into(), 2)
        );
        assert_eq!(key_of("— ..."), (String::new(), 0));
    }

    fn removed(text: &str, repeated: &RepeatedLines) -> (Vec<String>, usize) {
        let r = find(text, repeated);
        (
            r.removed
                .iter()
                .map(|l| text[l.clone()].to_string())
                .collect(),
            r.count,
        )
    }

    #[test]
    fn page_chrome_lines() {
        let text = "skip to Main Content\n\nTroops left the base on Monday.\nShare this article:\n\
                    Follow us on Telegram and X\nRead more: Other story here\nAuthor\n\nBack To Top";
        let (got, n) = removed(text, &RepeatedLines::empty());
        assert_eq!(
            got,
            [
                "skip to Main Content",
                "Share this article:",
                "Follow us on Telegram and X",
                "Read more: Other story here",
                "Author",
                "Back To Top"
            ]
        );
        assert_eq!(n, 6);
    }

    #[test]
    fn donation_appeal_paragraph() {
        // Written for this test: an appeal in the usual shape.
        let appeal = "The Daily Example is an independent, reader-funded newsroom. A small gift from \
                      readers like you keeps us going, and we have launched a drive to cover our costs. \
                      Please donate today if you can.";
        let text = format!("Troops left the base.\n\nIf you value our journalism…\n\n{appeal}\n");
        let (got, n) = removed(&text, &RepeatedLines::empty());
        assert_eq!(got, ["If you value our journalism…", appeal]);
        assert_eq!(n, 2);
    }

    #[test]
    fn news_about_donations_is_not_an_appeal() {
        let text = "The charity urged people to donate blankets to families in Mosul.\n\
                    Officials said aid contributions rose sharply this year.";
        let (got, _) = removed(text, &RepeatedLines::empty());
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn hard_wrapped_appeal_paragraph() {
        let text = "Troops left.\n\nWe rely on readers like\nyou. Please donate to keep\nus online.\n\nEnd of story.";
        let (got, n) = removed(text, &RepeatedLines::empty());
        assert_eq!(
            got,
            [
                "We rely on readers like",
                "you. Please donate to keep",
                "us online."
            ]
        );
        assert_eq!(n, 1);
    }

    #[test]
    fn repeated_lines_across_an_outlets_articles() {
        let a = "Title one\nTroops left the base.\nThe Example Post | Independent news\n";
        let b = "Title two\nTalks resumed in Baghdad.\nThe Example Post | Independent news\n";
        let c = "Title three\nTroops left the base.\n";
        let r = RepeatedLines::from_texts([a, b, c, a]);
        assert!(r.contains("the example post independent news"));
        assert!(r.contains("Troops left the base."));
        assert!(!r.contains("Title one"));
        assert_eq!(r.len(), 2);
        let (got, n) = removed(b, &r);
        assert_eq!(got, ["The Example Post | Independent news"]);
        assert_eq!(n, 1);
        // The same text twice does not make its lines repeated.
        assert!(RepeatedLines::from_texts([a, a]).is_empty());
    }

    #[test]
    fn long_repeated_lines_are_kept() {
        let long =
            "Iraq has hosted foreign troops since 2014 when the group seized large parts of the \
                    north and the government asked for help from a coalition of many countries.";
        let r = RepeatedLines::from_texts([long, long.trim_end_matches('.')]);
        assert!(!r.contains(long));
    }
}
