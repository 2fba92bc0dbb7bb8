//! Proper names in an article: the people, organisations and countries a
//! story is about ("Mohammed Shia al-Sudani", "Islamic State", "Pentagon"),
//! whether or not a lexicon lists them, and the rule that merges their
//! spellings and short forms ([`merge_aliases`]).
//!
//! A name is a run of capitalised words (or acronyms: `US`, `PMF`) on one
//! line, joined by spaces and by particles and middle initials inside it
//! (`bin`, `al`, `of`, `M.`: "Osama bin Laden", "Ministry of Defense",
//! "Gary M. Cohen"). What is not part of it:
//!
//! * a title before it ("Prime Minister", "President", "Major General";
//!   "Secretary of State" up to a given name, [`crate::text::dictionary`]):
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

use std::collections::HashSet;
use std::ops::Range;

use super::dictionary::{is_given_name, is_ordinary_word};
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
        // "M." in "Gary M. Cohen": a middle initial, read with its dot as
        // a particle is, so that it is inside a name, never at its ends.
        let middle_initial = end == start + 1
            && chars[start].1.is_uppercase()
            && chars.get(end).is_some_and(|c| c.1 == '.')
            && chars.get(end + 1).is_some_and(|c| c.1 == ' ')
            && chars.get(end + 2).is_some_and(|c| c.1.is_uppercase());
        if middle_initial {
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
            kind: if middle_initial {
                Kind::Particle
            } else {
                kind_of(word)
            },
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
    // "Secretary of State John Kerry": a title with "of" in it ends where
    // a given name starts a name of two words or more.
    let start = head.map(|k| k + 1).or_else(|| {
        let k = (0..run.len()).find(|&k| {
            TITLE_HEADS.contains(&word(&run[k]).as_str())
                && run.get(k + 1).is_some_and(|t| t.lower == "of")
        })?;
        (k + 3..run.len().saturating_sub(1)).find(|&j| is_given_name(&run[j].lower))
    });
    let (name, title) = match start {
        Some(j) => (&run[j..], &run[..j]),
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

/// A name's key: its words in lower case, particles and middle initials
/// left out, so that spellings of one name share it.
///
/// ```
/// use slant::text::names::name_key;
/// assert_eq!(name_key("Mohammed Shia al-Sudani"), ["mohammed", "shia", "sudani"]);
/// assert_eq!(name_key("Al Sudani"), name_key("al-Sudani"));
/// assert_eq!(name_key("Elijah E. Cummings"), name_key("Elijah Cummings"));
/// assert_eq!(name_key("U.S."), ["us"]);
/// assert_eq!(name_key("Plan B"), ["plan", "b"]);
/// ```
pub fn name_key(name: &str) -> Vec<String> {
    let mut key = Vec::new();
    let words: Vec<&str> = name.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let lower = word.to_lowercase().replace('.', "");
        let middle = i > 0 && i + 1 < words.len();
        if middle && lower.chars().count() == 1 {
            continue;
        }
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

mod merge;

pub use merge::{
    consonants, ends_name, merge_aliases, merge_corpus_aliases, ByShare, CorpusMerge,
    DOMINANT_PERCENT,
};

#[cfg(test)]
mod tests;
