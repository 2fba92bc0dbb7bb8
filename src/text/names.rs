//! Proper names in an article: the people, organisations and countries a
//! story is about ("Mohammed Shia al-Sudani", "Islamic State", "Pentagon"),
//! whether or not a lexicon lists them, and the rule that merges their
//! spellings and short forms ([`merge_aliases`]).
//!
//! A name is a run of capitalised words (or acronyms: `US`, `PMF`) on one
//! line, joined by spaces and by particles inside it (`bin`, `al`, `of`:
//! "Osama bin Laden", "Ministry of Defense"). What is not part of it:
//!
//! * a title before it ("Prime Minister", "President", "Major General"):
//!   kept beside the name as [`Name::title`], as evidence;
//! * stop words at either end ("The Pentagon": `Pentagon`), pronouns,
//!   months and days;
//! * a possessive (`Israel's`: `Israel`), which also ends the name;
//! * a word capitalised only because it starts a sentence or a quotation:
//!   a name of one word there counts only when the article also writes the
//!   word capitalised elsewhere ("Officials said" is no name, "Al-Sudani
//!   told Reuters" is when the article names al-Sudani mid-sentence too).
//!   Before a longer name such a word is left out when it is ordinary
//!   English ([`crate::text::dictionary`]: "Meet Barack Obama."). In a
//!   title-case line ("Iraqi PM Says Baghdad Wants…", numbers aside) and a
//!   line in capitals every word needs that confirmation.
//!
//! ```
//! use slant::text::names::find_names;
//! let text = "The Iraqi Prime Minister, Mohammed Shia Al-Sudani, met the Pentagon's envoy.";
//! let names: Vec<String> = find_names(text, &[0..text.len()]).into_iter().map(|n| n.name).collect();
//! assert_eq!(names, ["Iraqi", "Mohammed Shia Al-Sudani", "Pentagon"]);
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

use super::dictionary::is_ordinary_word;
use super::stop_words::is_stop_word;

/// One proper name found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// Byte range of the name (title and possessive left out) in the text.
    pub range: Range<usize>,
    /// The name as written, white space as single spaces.
    pub name: String,
    /// The title written before it ("Prime Minister", "Iraqi Prime
    /// Minister"), if any.
    pub title: Option<String>,
}

/// Lower-case particles that join the words of a name ("bin", "al") or an
/// organisation's ("of", "for"), never start or end one.
const PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "de", "da", "di", "du", "van", "von", "der", "den", "la",
    "le", "of", "for",
];

/// The particles of organisations' names ("Ministry of Defense"), which
/// keep their place in a name's key.
const CONNECTORS: &[&str] = &["of", "for"];

/// Particles written with a hyphen before a name's word (`al-Sudani`):
/// left out of the name's key, so `al-Sudani`, `Al Sudani` and `Sudani`
/// are one short form.
const PREFIX_PARTICLES: &[&str] = &[
    "al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "bin", "ibn", "abd",
];

/// The days of the week and the months, lowercase: capitalised, yet no
/// names (shared with discovery's label candidates).
pub const CALENDAR: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month abbreviations, which name no actor either.
const MONTH_ABBREVIATIONS: &[&str] = &[
    "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// The last word of a title ("Minister", "President", "General").
const TITLE_HEADS: &[&str] = &[
    "president",
    "minister",
    "premier",
    "pm",
    "secretary",
    "general",
    "gen",
    "colonel",
    "col",
    "commander",
    "admiral",
    "adm",
    "captain",
    "capt",
    "sergeant",
    "sgt",
    "lieutenant",
    "lt",
    "major",
    "maj",
    "brigadier",
    "governor",
    "gov",
    "senator",
    "sen",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "mr",
    "mrs",
    "ms",
    "dr",
    "king",
    "queen",
    "prince",
    "princess",
    "sheikh",
    "ayatollah",
    "imam",
    "cleric",
    "pope",
    "chancellor",
    "speaker",
    "chairman",
    "chairwoman",
    "chairperson",
    "ambassador",
    "envoy",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "mayor",
    "judge",
    "leader",
    "emir",
    "sultan",
    "hajj",
    "sardar",
    "mullah",
];

/// Words before a title's head that belong to the title ("Prime", "Vice",
/// "Foreign", "Press", "Supreme").
const TITLE_MODIFIERS: &[&str] = &[
    "vice", "prime", "deputy", "foreign", "defense", "defence", "interior", "press", "crown",
    "supreme", "grand", "chief", "first", "acting", "former", "state", "attorney", "brig",
];

/// What a word can be in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Capitalised (`Sudani`, `Al-Sudani`, `al-Sudani`).
    Cap,
    /// Two or more capitals and nothing else (`US`, `U.S.`, `ISIS`).
    Acronym,
    /// A lower-case particle ([`PARTICLES`]).
    Particle,
    /// Anything else: ends a name.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    /// Byte range of the word, possessive left out.
    range: Range<usize>,
    kind: Kind,
    /// Lower case, for the article's sets of words.
    lower: String,
    /// A possessive followed (`Israel's`): the name ends here.
    possessive: bool,
    /// The token starts a sentence or a quotation.
    initial: bool,
    /// Only white space (no line break) separates it from the next token.
    joined: bool,
}

fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

fn is_prefix_particle(part: &str) -> bool {
    PREFIX_PARTICLES.contains(&part.to_lowercase().as_str())
}

fn kind_of(word: &str) -> Kind {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return Kind::Other;
    }
    if is_particle(word) {
        return Kind::Particle;
    }
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 2
        && letters.iter().all(|c| c.is_uppercase())
        && word.chars().all(|c| c.is_alphabetic() || c == '.')
    {
        return Kind::Acronym;
    }
    if letters.len() < 2 {
        return Kind::Other;
    }
    let parts: Vec<&str> = word.split('-').collect();
    let capital = |p: &str| p.chars().next().is_some_and(char::is_uppercase);
    let ok = parts.iter().enumerate().all(|(i, p)| {
        if p.is_empty() {
            return false;
        }
        if i == 0 && parts.len() > 1 && is_prefix_particle(p) {
            return true;
        }
        capital(p)
    });
    if ok && parts.iter().any(|p| capital(p)) {
        Kind::Cap
    } else {
        Kind::Other
    }
}

/// The words of `text[range]` with their byte ranges.
fn tokens(text: &str, range: Range<usize>, title_case_line: &mut bool) -> Vec<Token> {
    let s = &text[range.clone()];
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let inner = |c: char| c == '-' || c == '\'' || c == '.';
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < chars.len() {
            let c = chars[end].1;
            let inside = inner(c) && chars.get(end + 1).is_some_and(|n| n.1.is_alphanumeric());
            if c.is_alphanumeric() || inside {
                end += 1;
            } else {
                break;
            }
        }
        let byte = |k: usize| chars.get(k).map_or(s.len(), |c| c.0);
        let mut word = &s[byte(start)..byte(end)];
        // `U.S.`: the dot after the last capital is the acronym's.
        if chars.get(end).is_some_and(|c| c.1 == '.')
            && word.len() >= 3
            && word.contains('.')
            && kind_of(word) == Kind::Acronym
        {
            end += 1;
            word = &s[byte(start)..byte(end)];
        }
        let mut possessive = false;
        let mut len = word.len();
        if let Some(stem) = word.strip_suffix("'s").or_else(|| word.strip_suffix("'S")) {
            possessive = true;
            len = stem.len();
        } else if chars.get(end).is_some_and(|c| c.1 == '\'') && word.ends_with('s') {
            possessive = true;
        }
        let word = &word[..len];
        // What stands between the previous word and this one.
        let before = out.last().map_or(&s[..byte(start)], |t| {
            &text[t.range.end..range.start + byte(start)]
        });
        let initial = out.is_empty() || {
            let gap = before.trim_end_matches(' ');
            // An opening quotation mark: one after a space (a closing one
            // follows the quoted words' punctuation).
            let opening = gap
                .strip_suffix(['"', '\''])
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(char::is_whitespace));
            opening || gap.ends_with(':') || gap.ends_with('(')
        };
        if let Some(prev) = out.last_mut() {
            prev.joined =
                !prev.possessive && !before.is_empty() && before.chars().all(|c| c == ' ');
        }
        let at = range.start + byte(start);
        out.push(Token {
            range: at..at + len,
            kind: kind_of(word),
            lower: word.to_lowercase(),
            possessive,
            initial,
            joined: false,
        });
        i = end;
    }
    // A title-case line: every word, function words and numbers aside,
    // capitalised ("12 Reasons Ted Cruz Is a Strong GOP 2016 Candidate"),
    // or a line in capitals ("WE LOVE PENNSYLVANIA"), whose acronyms are
    // the line's capitals too.
    let content: Vec<&Token> = out
        .iter()
        .filter(|t| {
            t.kind != Kind::Particle
                && !is_stop_word(&t.lower)
                && !t.lower.chars().any(|c| c.is_ascii_digit())
        })
        .collect();
    let capitalised = content
        .iter()
        .filter(|t| matches!(t.kind, Kind::Cap | Kind::Acronym))
        .count();
    let shouted = out.iter().filter(|t| t.kind == Kind::Acronym).count();
    *title_case_line = (content.len() >= 4 && capitalised == content.len())
        || (shouted >= 3
            && out.iter().all(|t| {
                t.kind == Kind::Acronym || !text[t.range.clone()].chars().any(char::is_lowercase)
            }));
    out
}

/// The proper names in `text`'s `sentences` (byte ranges into `text`), in
/// text order.
pub fn find_names(text: &str, sentences: &[Range<usize>]) -> Vec<Name> {
    let mut lines: Vec<(Vec<Token>, bool)> = Vec::with_capacity(sentences.len());
    for r in sentences {
        let Some(r) = text.get(r.clone()).map(|_| r.clone()) else {
            continue;
        };
        let mut title_case = false;
        let tokens = tokens(text, r, &mut title_case);
        lines.push((tokens, title_case));
    }
    // The article's evidence about its words: capitalised where nothing
    // forces a capital, and written in lower case.
    let mut confirmed: HashSet<&str> = HashSet::new();
    let mut lower: HashSet<&str> = HashSet::new();
    for (tokens, title_case) in &lines {
        for t in tokens {
            let word = &text[t.range.clone()];
            if !matches!(t.kind, Kind::Cap | Kind::Acronym) {
                if word.chars().next().is_some_and(char::is_lowercase) {
                    lower.insert(&t.lower);
                }
            } else if !t.initial && !title_case {
                confirmed.insert(&t.lower);
                // `al-Sudani` confirms `Sudani` too.
                if let Some((p, core)) = t.lower.split_once('-') {
                    if is_prefix_particle(p) {
                        confirmed.insert(core);
                    }
                }
            }
        }
    }
    let mut names = Vec::new();
    for (tokens, title_case) in &lines {
        let usable = |t: &Token| match t.kind {
            Kind::Cap | Kind::Acronym => !*title_case || confirmed.contains(t.lower.as_str()),
            Kind::Particle => true,
            Kind::Other => false,
        };
        let mut i = 0;
        while i < tokens.len() {
            if !usable(&tokens[i]) || tokens[i].kind == Kind::Particle {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while end < tokens.len()
                && tokens[end - 1].joined
                && usable(&tokens[end])
                && !(tokens[end].kind == Kind::Particle
                    && !(end + 1 < tokens.len()
                        && tokens[end].joined
                        && usable(&tokens[end + 1])
                        && tokens[end + 1].kind != Kind::Particle))
            {
                end += 1;
            }
            if let Some(name) = name_of(text, &tokens[i..end], &confirmed, &lower) {
                names.push(name);
            }
            i = end;
        }
    }
    names
}

/// The name a run of words gives, if any.
fn name_of(
    text: &str,
    run: &[Token],
    confirmed: &HashSet<&str>,
    lower: &HashSet<&str>,
) -> Option<Name> {
    let plain = |t: &Token| {
        (t.kind != Kind::Acronym && is_stop_word(&t.lower))
            || CALENDAR.contains(&t.lower.as_str())
            || MONTH_ABBREVIATIONS.contains(&t.lower.as_str())
            || stop_word_contraction(&t.lower)
    };
    let mut run = run;
    while run
        .first()
        .is_some_and(|t| plain(t) || t.kind == Kind::Particle)
    {
        run = &run[1..];
    }
    while run
        .last()
        .is_some_and(|t| plain(t) || t.kind == Kind::Particle)
    {
        run = &run[..run.len() - 1];
    }
    let first = run.first()?;
    // A capital at the start of a sentence or quotation proves nothing.
    if first.initial && first.kind == Kind::Cap && !confirmed.contains(first.lower.as_str()) {
        // Left out: a word alone, one the article writes in lower case too,
        // an ordinary English word ("Meet Barack Obama."), and one a
        // particle follows ("Hundreds of U.S. troops").
        if run.len() == 1
            || lower.contains(first.lower.as_str())
            || is_ordinary_word(&first.lower)
            || CONNECTORS.contains(&run[1].lower.as_str())
        {
            run = &run[1..];
        }
        while run.first().is_some_and(|t| t.kind == Kind::Particle) {
            run = &run[1..];
        }
    }
    if run.is_empty() {
        return None;
    }
    // The title: up to the last title head followed by a name.
    let word = |t: &Token| t.lower.trim_end_matches('.').to_string();
    let head = (0..run.len().saturating_sub(1)).rev().find(|&k| {
        TITLE_HEADS.contains(&word(&run[k]).as_str()) && run[k + 1].kind != Kind::Particle
    });
    let (name, title) = match head {
        Some(k) => (&run[k + 1..], &run[..=k]),
        None => {
            // A title with no name after it ("the Pentagon Press
            // Secretary"): the words before it are the name.
            let mut k = run.len();
            while k > 0 && {
                let w = word(&run[k - 1]);
                TITLE_HEADS.contains(&w.as_str()) || TITLE_MODIFIERS.contains(&w.as_str())
            } {
                k -= 1;
            }
            if k < run.len() && TITLE_HEADS.contains(&word(&run[run.len() - 1]).as_str()) {
                (&run[..k], &run[k..])
            } else {
                (run, &run[..0])
            }
        }
    };
    let name = {
        let mut n = name;
        while n
            .first()
            .is_some_and(|t| t.kind == Kind::Particle || plain(t))
        {
            n = &n[1..];
        }
        n
    };
    let (first, last) = (name.first()?, name.last()?);
    let range = first.range.start..last.range.end;
    let written = text
        .get(range.clone())?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if name_key(&written).is_empty() {
        return None;
    }
    let title = match (title.first(), title.last()) {
        (Some(a), Some(b)) => text
            .get(a.range.start..b.range.end)
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
        _ => None,
    };
    Some(Name {
        range,
        name: written,
        title,
    })
}

/// A function word with a contraction (`i'm`, `we're`, `didn't`), lower
/// case: no name, though written capitalised ("Ultimately I'm running").
fn stop_word_contraction(lower: &str) -> bool {
    let Some((stem, ending)) = lower.split_once('\'') else {
        return false;
    };
    let stem_ok =
        is_stop_word(stem) || (ending == "t" && stem.strip_suffix('n').is_some_and(is_stop_word));
    stem_ok && matches!(ending, "m" | "re" | "ve" | "ll" | "d" | "t" | "s")
}

/// A stretch of original text as a name is written: white space as
/// single spaces, `’` as `'`.
///
/// ```
/// assert_eq!(slant::text::names::written("Al\u{2019}Sudani  of\nIraq"), "Al'Sudani of Iraq");
/// ```
pub fn written(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{2019}', "'")
}

/// A name's key: its words in lower case, particles left out, so that
/// spellings of one name share it.
///
/// ```
/// use slant::text::names::name_key;
/// assert_eq!(name_key("Mohammed Shia al-Sudani"), ["mohammed", "shia", "sudani"]);
/// assert_eq!(name_key("Al Sudani"), name_key("al-Sudani"));
/// assert_eq!(name_key("U.S."), ["us"]);
/// ```
pub fn name_key(name: &str) -> Vec<String> {
    let mut key = Vec::new();
    for word in name.split_whitespace() {
        let lower = word.to_lowercase().replace('.', "");
        // "of" and "for" stay: they tell "University of Baghdad" from a
        // longer name of Baghdad.
        let connector = CONNECTORS.contains(&lower.as_str());
        if !connector && (is_particle(&lower) || PREFIX_PARTICLES.contains(&lower.as_str())) {
            continue;
        }
        let core = match lower.split_once('-') {
            Some((p, rest)) if PREFIX_PARTICLES.contains(&p) && !rest.is_empty() => rest,
            _ => &lower,
        };
        key.push(core.to_string());
    }
    key
}

/// Whether the key `short` is a short form of the key `long`: its last
/// word(s), not all of them, and not what follows an "of" or a "for"
/// ("Baghdad" is no short form of "University of Baghdad").
///
/// ```
/// use slant::text::names::{ends_name, name_key};
/// assert!(ends_name(&name_key("Qassem Soleimani"), &name_key("Soleimani")));
/// assert!(!ends_name(&name_key("University of Baghdad"), &name_key("Baghdad")));
/// assert!(!ends_name(&name_key("Soleimani"), &name_key("Soleimani")));
/// ```
pub fn ends_name(long: &[String], short: &[String]) -> bool {
    let Some(at) = long.len().checked_sub(short.len()).filter(|&at| at > 0) else {
        return false;
    };
    long.ends_with(short)
        && !CONNECTORS.contains(&long[at - 1].as_str())
        && !CONNECTORS.contains(&long[at].as_str())
}

/// Merges names into actors: each name (with how often it is used) → the
/// name of the actor it belongs to. The rules of one article; a corpus
/// adds one ([`merge_corpus_aliases`]).
///
/// * Spellings whose [`name_key`] is the same are one actor (`al-Sudani`,
///   `Al-Sudani`, `Al Sudani`).
/// * Names of two words or more that differ only as transliterations do
///   are one actor too: as many words, and each word of one has the same
///   consonants as the other's ([`consonants`]) and is at most two letters
///   away from it (`Mohammed Shia al-Sudani`, `Muhammad Shiaa al Sudani`;
///   `Qassem Soleimani`, `Qassam Soleimani`; but not `Ali Hassan` and `Ali
///   Hussein`).
/// * A short form, a name whose key is the last word(s) of longer names'
///   keys (`Sudani`, `Trump`), joins the one full name it is the end of.
///   Names that are themselves the end of a longer name count as that
///   longer name (`Shia al-Sudani` is `Mohammed Shia al-Sudani`).
/// * An acronym (one word of 2 to 6 capitals, dots aside, in its most used
///   spelling: `US`, `U.S.`, `FBI`) is a short form too, of the full names whose words' initials
///   spell it, with or without those of "of" and "for" (`United States`;
///   `Federal Bureau of Investigation`; `Centers for Disease Control`).
///   A person's name is not spelt so (`PR` is no short form of `Paul
///   Ryan`): a full name counts when it has an ordinary English word in it
///   ([`crate::text::dictionary`]: organisations and countries are named
///   with common words) or when its last word is not a name alone (as
///   `Ryan` is beside `Paul Ryan`). Nor is a name that holds the acronym
///   (`U.S. Senate`).
/// * A short form that two different full names end with (`Trump` after
///   `Donald Trump` and `Ivanka Trump`), or that two full names spell,
///   stays an actor of its own: which one is meant is not in the name.
///
/// An actor is named by the most used spelling (ties: the first in byte
/// order) of the full name its other names lead to, the longest: within
/// an article that is the name the article introduces it by. (A report
/// over a corpus names it by its most used name instead:
/// [`crate::score::actors::merge_actors`].) The result does not depend on
/// the order of `names`.
///
/// ```
/// use slant::text::names::merge_aliases;
/// let m = merge_aliases([("Mohammed Shia al-Sudani", 1), ("Al-Sudani", 4), ("Sudani", 1),
///                        ("Donald Trump", 1), ("Trump", 3), ("Ivanka Trump", 1),
///                        ("United States", 1), ("U.S.", 2)]);
/// assert_eq!(m["Sudani"], "Mohammed Shia al-Sudani");
/// assert_eq!(m["Al-Sudani"], "Mohammed Shia al-Sudani");
/// assert_eq!(m["Trump"], "Trump", "two full names end with it");
/// assert_eq!(m["U.S."], "United States");
/// ```
pub fn merge_aliases<'a>(
    names: impl IntoIterator<Item = (&'a str, u64)>,
) -> BTreeMap<String, String> {
    merge(names, None).0
}

/// The share, in percent, of an acronym's candidates' uses that one full
/// name must have for [`merge_corpus_aliases`] to give it the acronym.
pub const DOMINANT_PERCENT: u64 = 95;

/// [`merge_aliases`] over a whole corpus, with one more rule: an acronym
/// that several full names spell joins the one whose names have at least
/// [`DOMINANT_PERCENT`] % of those full names' uses, the names that end
/// with a shorter candidate counted as its (`U.S.` is `United States`
/// when a corpus names it 444 times and `Uncle Sam` and others 17 times).
/// Within one article ([`merge_aliases`]) the rule does not apply. Nor
/// does it to other short forms: a bare "House" is seldom the White
/// House's even where the White House is named most, so a surname shared
/// by two full names (`Trump`) stays its own actor too.
///
/// What each joined short form went by is kept ([`CorpusMerge::by_share`]),
/// so a report can say which merges rest on this rule.
///
/// ```
/// use slant::text::names::merge_corpus_aliases;
/// let m = merge_corpus_aliases([("United States", 96), ("Uncle Sam", 4), ("US", 50),
///                               ("European Union", 80), ("Emergency Unit", 20), ("EU", 30),
///                               ("Donald Trump", 99), ("Ivanka Trump", 1), ("Trump", 50)]);
/// assert_eq!(m.actor_of["US"], "United States");
/// assert_eq!(m.actor_of["EU"], "EU", "80 % is not enough");
/// assert_eq!(m.actor_of["Trump"], "Trump", "no acronym");
/// let joined = &m.by_share[0];
/// assert_eq!((joined.name.as_str(), joined.person, joined.candidates), ("US", 96, 100));
/// ```
pub fn merge_corpus_aliases<'a>(names: impl IntoIterator<Item = (&'a str, u64)>) -> CorpusMerge {
    let (actor_of, by_share) = merge(names, Some(DOMINANT_PERCENT));
    CorpusMerge { actor_of, by_share }
}

/// [`merge_corpus_aliases`]' result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusMerge {
    /// Each name → the name of its actor.
    pub actor_of: BTreeMap<String, String>,
    /// The short forms joined to a person by the share of its uses, in the
    /// order of their keys.
    pub by_share: Vec<ByShare>,
}

/// A short form joined to the person with [`DOMINANT_PERCENT`] % of its
/// candidates' uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByShare {
    /// The short form, in its most used spelling.
    pub name: String,
    /// Its uses (its spellings' together).
    pub uses: u64,
    /// The uses of the person's names among the candidates…
    pub person: u64,
    /// …and of all the candidates: the full names the short form ends or
    /// spells.
    pub candidates: u64,
}

/// The merge; `dominant`: the share (percent) with which a shared short
/// form goes to the person most of its candidates' uses are of, those
/// joined so listed.
fn merge<'a>(
    names: impl IntoIterator<Item = (&'a str, u64)>,
    dominant: Option<u64>,
) -> (BTreeMap<String, String>, Vec<ByShare>) {
    let mut by_key: BTreeMap<Vec<String>, BTreeMap<&str, u64>> = BTreeMap::new();
    for (name, n) in names {
        let key = name_key(name);
        if key.is_empty() {
            continue;
        }
        *by_key.entry(key).or_default().entry(name).or_default() += n;
    }
    let keys: Vec<&[String]> = by_key.keys().map(Vec::as_slice).collect();
    let weight = |k: &[String]| -> u64 { by_key[k].values().sum() };
    // Transliterations: full names with the same consonants, word by word.
    let mut variant: HashMap<&[String], &[String]> = HashMap::new();
    let mut buckets: BTreeMap<Vec<String>, Vec<&[String]>> = BTreeMap::new();
    for &k in &keys {
        variant.insert(k, k);
        if k.len() >= 2 {
            buckets
                .entry(k.iter().map(|w| consonants(w)).collect())
                .or_default()
                .push(k);
        }
    }
    for bucket in buckets.values() {
        // Groups within the bucket, each led by its most used key.
        let mut groups: Vec<Vec<&[String]>> = Vec::new();
        for &k in bucket {
            let near = |g: &Vec<&[String]>| {
                g.iter().any(|o| {
                    o.iter()
                        .zip(k.iter())
                        .all(|(a, b)| edit_distance(a, b) <= 2)
                })
            };
            match groups.iter_mut().find(|g| near(g)) {
                Some(g) => g.push(k),
                None => groups.push(vec![k]),
            }
        }
        for g in groups {
            let lead = g
                .iter()
                .copied()
                .max_by(|a, b| weight(a).cmp(&weight(b)).then_with(|| b.cmp(a)))
                .unwrap_or(g[0]);
            for k in g {
                variant.insert(k, lead);
            }
        }
    }
    // Longest keys first: a short form's candidates are settled before
    // it; the spellings of one full name (as long as each other) together.
    let mut order: Vec<&[String]> = keys.clone();
    order.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let mut root: HashMap<&[String], &[String]> = HashMap::new();
    // The uses of each root's names settled so far: a short form's
    // candidates, being longer, are complete when it is settled.
    let mut root_weight: HashMap<&[String], u64> = HashMap::new();
    // Proper suffix → the keys it ends.
    let mut ends: HashMap<&[String], Vec<&[String]>> = HashMap::new();
    // Initials → the full names they spell: not a person's ("PR" is no
    // short form of Paul Ryan). Organisations and countries are named with
    // common words, and their last word is seldom a name alone; people
    // are named with neither rule's exception.
    let mut spelled: HashMap<String, Vec<&[String]>> = HashMap::new();
    let no_person = |k: &[String]| {
        let common = k
            .iter()
            .any(|w| !CONNECTORS.contains(&w.as_str()) && is_ordinary_word(w));
        common
            || !k
                .last()
                .is_some_and(|w| by_key.contains_key(std::slice::from_ref(w)))
    };
    for &k in keys.iter().filter(|k| k.len() >= 2 && no_person(k)) {
        let all: String = k.iter().filter_map(|w| w.chars().next()).collect();
        let core: String = k
            .iter()
            .filter(|w| !CONNECTORS.contains(&w.as_str()))
            .filter_map(|w| w.chars().next())
            .collect();
        spelled.entry(all.clone()).or_default().push(k);
        if core != all {
            spelled.entry(core).or_default().push(k);
        }
    }
    // Written mostly in capitals: "TRUMP" in a headline is no acronym.
    let acronym = |k: &[String]| {
        let most = by_key[k]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
        k.len() == 1 && most.is_some_and(|(s, _)| is_acronym(s))
    };
    // Short form → (person's uses, candidates' uses), where the share chose.
    let mut by_share: Vec<(&[String], u64, u64)> = Vec::new();
    let mut at = 0;
    while at < order.len() {
        let len = order[at].len();
        let tier: Vec<&[String]> = order[at..]
            .iter()
            .copied()
            .take_while(|k| k.len() == len)
            .collect();
        at += tier.len();
        let mut candidates: BTreeMap<&[String], BTreeSet<&[String]>> = BTreeMap::new();
        for &k in &tier {
            let set = candidates.entry(variant[k]).or_default();
            if let Some(longer) = ends.get(k) {
                set.extend(longer.iter().map(|l| root[l]));
            }
            if let Some(full) = spelled.get(&k[0]).filter(|_| acronym(k)) {
                // "U.S. Senate" is built on "U.S.", not spelt by it.
                let spelt = full.iter().filter(|l| !l.contains(&k[0]));
                set.extend(spelt.map(|l| root[l]));
            }
        }
        for &k in &tier {
            let lead = variant[k];
            let r = match candidates.get(lead) {
                Some(set) if set.len() == 1 => set.iter().next().copied().unwrap_or(lead),
                Some(set) if set.len() > 1 && acronym(k) => {
                    match dominant.and_then(|p| dominant_person(set, &root_weight, p)) {
                        Some((person, most, total)) => {
                            by_share.push((k, most, total));
                            person
                        }
                        None => lead,
                    }
                }
                _ => lead,
            };
            root.insert(k, r);
            *root_weight.entry(r).or_default() += weight(k);
        }
        for &k in &tier {
            // What follows "of" is another name ("Baghdad" in "University
            // of Baghdad"), not a short form of this one.
            for i in 1..k.len() {
                if ends_name(k, &k[i..]) {
                    ends.entry(&k[i..]).or_default().push(k);
                }
            }
        }
    }
    let spelling = |spellings: &BTreeMap<&str, u64>| -> String {
        let mut best: Option<(&str, u64)> = None;
        for (&s, &n) in spellings {
            if best.is_none_or(|b| n > b.1) {
                best = Some((s, n));
            }
        }
        best.map(|b| b.0.to_string()).unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    for (key, spellings) in &by_key {
        let r = root[key.as_slice()];
        let name = spelling(&by_key[r]);
        for s in spellings.keys() {
            out.insert(s.to_string(), name.clone());
        }
    }
    by_share.sort();
    let by_share = by_share
        .into_iter()
        .map(|(k, person, candidates)| ByShare {
            name: spelling(&by_key[k]),
            uses: weight(k),
            person,
            candidates,
        })
        .collect();
    (out, by_share)
}

/// The person most of a shared short form's candidates' uses are of, when
/// they are at least `percent` % of them: each candidate counted as the
/// shortest candidate it ends with (`Republican Donald Trump` as `Donald
/// Trump`), ties to the first key in order; with the person's uses and
/// all the candidates'.
fn dominant_person<'k>(
    candidates: &BTreeSet<&'k [String]>,
    weight: &HashMap<&[String], u64>,
    percent: u64,
) -> Option<(&'k [String], u64, u64)> {
    let mut persons: BTreeMap<&[String], u64> = BTreeMap::new();
    for &c in candidates {
        let person = candidates
            .iter()
            .copied()
            .filter(|&p| p == c || ends_name(c, p))
            .min_by_key(|p| p.len())
            .unwrap_or(c);
        *persons.entry(person).or_default() += weight.get(c).copied().unwrap_or(0);
    }
    let total: u64 = persons.values().sum();
    let (best, most) = persons
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))?;
    (total > 0 && most.saturating_mul(100) >= percent.saturating_mul(total))
        .then_some((best, most, total))
}

/// Whether a name as written is an acronym: one word of 2 to 6 capital
/// letters, dots aside (`US`, `U.S.`, `NATO`).
fn is_acronym(name: &str) -> bool {
    let letters = name.chars().filter(|&c| c != '.');
    !name.contains(char::is_whitespace)
        && (2..=6).contains(&letters.clone().count())
        && letters.into_iter().all(|c| c.is_ascii_uppercase())
}

/// A word's consonants, lower case, a doubled letter once: what
/// transliterations of one name keep (`mohammed`, `muhammad`, `mohamed`:
/// `mhmd`).
///
/// ```
/// use slant::text::names::consonants;
/// assert_eq!(consonants("muhammad"), consonants("mohamed"));
/// assert_ne!(consonants("hassan"), consonants("hadi"));
/// ```
pub fn consonants(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars().flat_map(char::to_lowercase) {
        if "aeiouy'".contains(c) || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
