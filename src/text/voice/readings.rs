//! What a short quotation without a frame of its own is: a partial quote
//! of someone the sentence names, a name or title, a word mentioned as a
//! word, or (only when none of these fits) a scare quote.

use std::collections::HashMap;
use std::ops::Range;

use super::frames::{participle_speaker, subject_region_start, Frames};
use super::quotes::{in_quote, Quote};
use super::speakers::{clean_np, np_after, subject_before};
use super::tokens::{in_list, is_punct, is_word, tokenize, verb_kind, Tok};
use super::words::{
    lower_in, verbs, VerbKind, CONJUNCTIONS, DETERMINERS, PREPOSITIONS, SUBORDINATORS,
};
use super::{Ctx, SCARE_QUOTE_MAX_WORDS};

/// How far (bytes) around a quote its sentence is searched for a frame:
/// frames sit near what they frame, and a bound keeps a huge unpunctuated
/// text linear.
const FRAME_WINDOW: usize = 400;

/// Words between a speech verb and a quoted modifier within which the
/// modifier is still the speaker's word.
const FRAME_NEAR_WORDS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reading {
    /// The outlet distancing itself.
    Scare,
    /// A name, a title or a word mentioned as a word: the outlet's own
    /// wording, no distancing.
    Own,
    /// Someone's words, with the speaker the sentence gives if any.
    Quoted(Option<String>),
}

/// Verbs that frame a partial quote (`derided him as "timid"`, `blamed
/// them for "browbeating"`) beyond the speech verbs every frame knows.
#[rustfmt::skip]
const QUOTE_VERBS: &[&str] = &[
    "called", "calls", "call", "calling", "slammed", "slams", "slamming", "dubbed", "dubs",
    "bragged", "brags", "boasted", "boasts", "blamed", "blames", "accused", "accuses",
    "criticized", "criticised", "criticizes", "praised", "praises", "touted", "touts",
    "mocked", "mocks", "urged", "urges", "cited", "cites", "citing", "referred", "refers",
    "termed", "quipped", "joked", "complained", "complains", "lamented", "laments",
    "blasted", "blasts", "decried", "decries", "derided", "derides", "hailed", "hails",
    "ridiculed", "lambasted", "denounced", "denounces", "condemned", "condemns", "testified",
    "vowed", "pledged", "promised", "insisting", "recounted", "recalled", "shouted",
    "yelled", "chanted", "blared", "proclaimed", "proclaims", "tweeting", "concluded",
    "concludes", "quoted", "quoting", "predicts", "acknowledging", "conceding", "urging",
    "accuse", "accusing", "blame", "blaming", "criticize", "criticise", "criticizing",
    "spoke", "speaks", "speaking", "talked", "signaled", "signalled", "signals", "continued",
    "rips", "ripped", "knocks", "knocked", "dismissed", "dismisses", "questioned", "vowing",
    "denouncing", "pleaded", "pleads", "detailed", "details", "demanded", "demands",
    "demanding", "scoffed", "sneered", "labeling", "labelling", "invoked", "invoking",
    "reads", "rebuked", "rebukes", "pressed", "presses", "threatening", "warning", "warn",
    "reassured", "assured", "bemoans", "bemoaned", "thundered",
];

/// Nouns that frame a partial quote (`his remark that …`, `the claims that
/// they were "…"`, `a headline read`).
#[rustfmt::skip]
const QUOTE_NOUNS: &[&str] = &[
    "remark", "remarks", "comment", "comments", "statement", "statements", "tweet", "tweets",
    "headline", "headlines", "testimony", "claim", "claims", "quote", "interview", "speech",
    "letter", "memo", "op-ed", "words", "rhetoric", "assertion", "allegation", "allegations",
    "accusation", "accusations", "complaint", "lawsuit", "survey", "poll", "polls",
    "insistence", "argument", "description", "characterization", "promises",
];

/// Nouns before a word mentioned as a word (`the word "…"`).
#[rustfmt::skip]
const MENTION_NOUNS: &[&str] = &[
    "word", "words", "term", "terms", "phrase", "phrases", "label", "labels", "slogan",
    "slogans", "expression", "expressions", "name", "names", "nickname", "nicknames",
    "moniker", "title", "titled", "entitled", "tag", "acronym", "abbreviation", "hashtag",
    "buzzword", "buzzwords", "catchphrase", "euphemism", "epithet", "epithets", "insult",
    "slur", "slurs", "adjective", "noun", "verb", "designation", "category", "heading",
    "keyword", "keywords", "hashtags", "motto", "mantra",
];

/// Verbs that, with `as`, make a term of art (`classified as an "…"`).
#[rustfmt::skip]
const CLASSIFY_VERBS: &[&str] = &[
    "classified", "classifies", "classify", "classifying", "reclassified", "reclassify",
    "defined", "defines", "define", "designated", "designates", "categorized", "categorised",
    "qualifies", "qualify", "qualified", "known", "treated", "treats", "counts", "counted",
    "categorizes", "categorises", "classifies", "rated", "rates",
    "considered", "deemed", "listed", "regarded",
];

/// Words that may stand between a mention noun and its quote (`the term
/// of art "…"`, `the word itself`).
const MENTION_FILLERS: &[&str] = &[
    "of", "art", "itself", "like", "such", "as", "legal", "and", "or",
];

/// What a term of art is defined under.
#[rustfmt::skip]
const LEGAL_NOUNS: &[&str] = &[
    "law", "laws", "rule", "rules", "statute", "statutes", "act", "charter", "constitution",
    "code", "treaty", "regulation", "regulations", "section", "clause", "meaning", "definition",
];

/// Small words a title keeps in lowercase (`Circle of Neighbours`).
#[rustfmt::skip]
const TITLE_SMALL: &[&str] = &[
    "of", "the", "and", "a", "an", "in", "on", "for", "to", "with", "at", "by", "from", "or",
    "nor", "but", "vs", "vs.", "v.", "de", "la", "al", "el", "is", "&",
];

/// The word sequences (up to [`SCARE_QUOTE_MAX_WORDS`] long) of the
/// article's longer quotes, with their speakers: a short quote that repeats
/// one (`"builders"` after `"We are the party of builders," Lee said`) is the
/// speaker's word again.
#[derive(Default)]
pub(super) struct Echoes(HashMap<String, Option<String>>);

impl Echoes {
    pub(super) fn of(ctx: &Ctx, quotes: &[Quote], short: &[bool]) -> Echoes {
        let mut map = HashMap::new();
        for (q, _) in quotes.iter().zip(short).filter(|(_, s)| !**s) {
            let words = words_of(&ctx.text[q.inner.clone()]);
            for n in 1..=SCARE_QUOTE_MAX_WORDS {
                for w in words.windows(n) {
                    map.entry(w.join(" ")).or_insert_with(|| q.speaker.clone());
                }
            }
        }
        Echoes(map)
    }

    fn get(&self, inner: &str) -> Option<&Option<String>> {
        self.0.get(&words_of(inner).join(" "))
    }
}

fn words_of(s: &str) -> Vec<String> {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

pub(super) fn read_quote(
    ctx: &Ctx,
    quotes: &[Quote],
    qi: usize,
    attributed: &[(Range<usize>, Option<String>)],
    echoes: &Echoes,
) -> Reading {
    let q = &quotes[qi];
    let Some(sent) = ctx.sentence_at(q.range.start) else {
        return Reading::Scare;
    };
    if is_title(ctx, q, &sent) {
        return Reading::Own;
    }
    let toks = window_tokens(ctx, &sent, &q.range);
    let at = toks.partition_point(|t| t.start < q.range.start);
    let after = toks.partition_point(|t| t.start < q.range.end);
    if is_mention(ctx, quotes, &toks, at, after) {
        return Reading::Own;
    }
    // `the so-called "reform"`, `the militias that call themselves the
    // "resistance"`: the outlet marks the word as theirs, not its own.
    let before = |n: usize| at.checked_sub(n).map(|k| toks[k]);
    let so_called = (1..=2).any(|n| before(n).is_some_and(|t| is_word(ctx, t, "so-called")));
    let self_named = (1..=3).any(|n| {
        before(n).is_some_and(|t| in_list(ctx, t, &["themselves", "itself", "himself", "herself"]))
    });
    if so_called || self_named {
        return Reading::Scare;
    }
    if let Some(sp) = headline_speaker(ctx, &toks, at, after) {
        return Reading::Quoted(sp);
    }
    // `Lee's "not my problem" comments`: the quote is what was said.
    if toks
        .get(after)
        .is_some_and(|t| in_list(ctx, *t, QUOTE_NOUNS))
    {
        let owner = at
            .checked_sub(1)
            .and_then(|k| ctx.tok(toks[k]).strip_suffix("'s"))
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase));
        return Reading::Quoted(owner.map(str::to_string).or(q.speaker.clone()));
    }
    // `an "advisory" mission`: a quoted modifier of a noun outside the
    // quote is the classic scare quote, even in reported speech: after `X
    // describes as`, or far from the frame (`X declared in 2021 that the
    // mission would turn into an "advisory" one`). Close to a plain speech
    // verb (`praised the "masterful" job`) it is the speaker's word.
    let frame = find_frame(ctx, quotes, &toks, at, after);
    if modifies_next(ctx, &toks, after) && !in_list_of_quotes(ctx, quotes, qi) {
        let near = frame.is_some_and(|k| {
            let (a, b) = if k < at { (k, at) } else { (after, k) };
            let words = toks[a..b].iter().filter(|t| t.word).count();
            verb_kind(ctx, toks[k]) != Some(VerbKind::Describe) && words <= FRAME_NEAR_WORDS
        });
        if !near {
            return Reading::Scare;
        }
    }
    // Headlines quote in single marks: `Lee on talks: 'no deal'`.
    if ctx.text[q.range.clone()].starts_with('\'') && is_headline(ctx, &sent) {
        return Reading::Quoted(q.speaker.clone());
    }
    // Reported speech that reaches across a colon or semicolon
    // (`For the "…", it is a test: if …, they say, …`) is not the quote's.
    if frame.is_some() && (q.speaker.is_some() || in_attributed(attributed, q.range.start)) {
        return Reading::Quoted(q.speaker.clone());
    }
    if let Some(sp) = echoes.get(&ctx.text[q.inner.clone()]) {
        return Reading::Quoted(sp.clone());
    }
    match frame {
        Some(k) => Reading::Quoted(speaker_of_frame(ctx, quotes, &toks, k)),
        None => Reading::Scare,
    }
}

/// Headlines: `Lee: Talks "dead"` (the name before the colon speaks),
/// `McCain to Durbin: …`, and `"Not again": Lee quits` (a quote opening
/// the line before a colon is someone's).
fn headline_speaker(ctx: &Ctx, toks: &[Tok], at: usize, after: usize) -> Option<Option<String>> {
    let sent_start = ctx.sentence_at(toks.get(at)?.start)?.start;
    let first = toks.partition_point(|t| t.start < sent_start);
    if at == first && toks.get(after).is_some_and(|t| is_punct(ctx, *t, ":")) {
        return Some(None);
    }
    let colon = (first..at).find(|&k| is_punct(ctx, toks[k], ":"))?;
    let head = &toks[first..colon];
    let capital = |t: &Tok| ctx.tok(*t).chars().next().is_some_and(char::is_uppercase);
    let name_end = head
        .iter()
        .position(|t| is_word(ctx, *t, "to"))
        .unwrap_or(head.len());
    let label = head
        .first()
        .is_some_and(|t| in_list(ctx, *t, HEADLINE_LABELS));
    let ok = (1..=4).contains(&name_end)
        && !label
        && head.len() <= 7
        && head
            .iter()
            .all(|t| t.word && (capital(t) || is_word(ctx, *t, "to")));
    if !ok {
        return None;
    }
    let name = &ctx.text[head[0].start..head[name_end - 1].end];
    Some(clean_np(name))
}

/// Words before a headline's colon that label the piece, not a speaker.
#[rustfmt::skip]
const HEADLINE_LABELS: &[&str] = &[
    "analysis", "opinion", "editorial", "exclusive", "watch", "explainer", "live", "update",
    "breaking", "factbox", "comment", "commentary", "review", "interview", "video", "photos",
    "report", "news", "perspective", "column", "letters", "poll", "timeline", "fact", "q&a",
];

/// A line without a full stop at its end: a headline or a caption.
fn is_headline(ctx: &Ctx, sent: &Range<usize>) -> bool {
    let line =
        ctx.text[sent.clone()].trim_end_matches(|c: char| c.is_whitespace() || "\"')".contains(c));
    !line.ends_with(['.', '!', '?', ':', ','])
}

/// `"shocking," "sickening" and "jaw-dropping" news`: a run of quoted
/// words is someone's, not a label the outlet keeps at arm's length.
fn in_list_of_quotes(ctx: &Ctx, quotes: &[Quote], qi: usize) -> bool {
    let joined = |a: &Quote, b: &Quote| {
        a.para == b.para
            && ctx.text.get(a.range.end..b.range.start).is_some_and(|gap| {
                gap.split(|c: char| c.is_whitespace() || c == ',')
                    .all(|w| w.is_empty() || lower_in(w, &["and", "or", "a", "an"]))
            })
    };
    let q = &quotes[qi];
    let prev = qi.checked_sub(1).map(|i| &quotes[i]);
    prev.is_some_and(|p| joined(p, q)) || quotes.get(qi + 1).is_some_and(|n| joined(q, n))
}

fn in_attributed(attributed: &[(Range<usize>, Option<String>)], pos: usize) -> bool {
    let k = attributed.partition_point(|(r, _)| r.start <= pos);
    k.checked_sub(1).is_some_and(|i| attributed[i].0.end > pos)
}

/// Tokens of `sent` within [`FRAME_WINDOW`] of `quote`.
fn window_tokens(ctx: &Ctx, sent: &Range<usize>, quote: &Range<usize>) -> Vec<Tok> {
    let mut from = sent.start.max(quote.start.saturating_sub(FRAME_WINDOW));
    while from < quote.start && !ctx.text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = sent.end.min(quote.end + FRAME_WINDOW);
    while to > quote.end && !ctx.text.is_char_boundary(to) {
        to -= 1;
    }
    tokenize(ctx.text, from..to)
}

/// `the "Harvest Week" events`, `a show called "Morning Table"`: every
/// word capitalised but the small ones. A capital that only opens the
/// sentence proves nothing, so a quote opening its sentence needs two.
fn is_title(ctx: &Ctx, q: &Quote, sent: &Range<usize>) -> bool {
    let inner = ctx.text[q.inner.clone()].trim_end_matches([',', '.', ' ']);
    let words: Vec<&str> = inner.split_whitespace().collect();
    let mut caps = 0;
    for (k, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        let first = w.chars().next();
        if first.is_some_and(char::is_uppercase) || first.is_some_and(|c| c.is_ascii_digit()) {
            caps += 1;
        } else if k == 0 || !lower_in(w, TITLE_SMALL) {
            return false;
        }
    }
    // An all-capitals word is shouting, not a name.
    let shouting = words.len() == 1 && !inner.chars().any(char::is_lowercase);
    let opens_sentence = ctx.text[sent.start..q.range.start].trim().is_empty();
    caps > 0 && !shouting && (caps >= 2 || !opens_sentence)
}

/// `the word "siege"`, `using "pivot"`, `"hawk" is a term`,
/// `classified as an "information utility"`.
fn is_mention(ctx: &Ctx, quotes: &[Quote], toks: &[Tok], at: usize, after: usize) -> bool {
    let mut k = at;
    // `the word "…"`, `terms like "…"`, `keywords such as "…" and "…"`.
    while k > 0
        && (in_list(ctx, toks[k - 1], MENTION_FILLERS)
            || is_punct(ctx, toks[k - 1], ",:\"'")
            || in_quote(quotes, toks[k - 1].start))
    {
        k -= 1;
    }
    if k > 0 && in_list(ctx, toks[k - 1], MENTION_NOUNS) {
        return true;
    }
    // `using "pivot"`, but not `used "excessive" force`.
    if at > 0
        && in_list(
            ctx,
            toks[at - 1],
            &[
                "using", "uses", "use", "used", "spelled", "defined", "defines", "define",
            ],
        )
        && !modifies_next(ctx, toks, after)
    {
        return true;
    }
    // `classified as an "…"`, `known as "…"`, `classified as a
    // low-regulation "…"`.
    let as_at = (at.saturating_sub(3)..at).rev().find(|&j| {
        is_word(ctx, toks[j], "as")
            && toks[j + 1..at]
                .iter()
                .all(|t| t.word && !in_list(ctx, *t, PREPOSITIONS))
    });
    if let Some(k) = as_at.map(|j| j + 1).filter(|&k| k > 1) {
        // The verb may have its object between it and `as`.
        let lo = k.saturating_sub(6);
        if (lo..k - 1).any(|j| in_list(ctx, toks[j], CLASSIFY_VERBS)) {
            return true;
        }
    }
    // `"…" is a term`, `"…" means`, `"…" refers to`, `"…," per se,`.
    let mut j = after;
    if j < toks.len() && is_punct(ctx, toks[j], ",") {
        j += 1;
    }
    let next = |n: usize| toks.get(j + n).filter(|t| t.word).map(|t| ctx.tok(*t));
    // `a "standing body" under the charter`: a term of art.
    let legal = (1..4).any(|n| next(n).is_some_and(|w| lower_in(w, LEGAL_NOUNS)));
    let under = |n: usize| next(n).is_some_and(|w| lower_in(w, &["under", "within"]));
    if (under(0) || under(1)) && legal {
        return true;
    }
    match (next(0), next(1), next(2)) {
        (Some(w), _, _) if lower_in(w, &["means", "mean", "meant", "refers", "denotes"]) => true,
        (Some(a), Some(b), _) if a.eq_ignore_ascii_case("per") && b == "se" => true,
        (Some(a), Some(b), Some(c))
            if lower_in(a, &["is", "was"])
                && lower_in(b, &["a", "an", "the"])
                && lower_in(c, MENTION_NOUNS) =>
        {
            true
        }
        _ => false,
    }
}

/// Whether the word right after the quote is a lowercase noun or
/// adjective the quote modifies (`"advisory" mission`), not a verb, a
/// function word or a pronoun opening a new stretch.
fn modifies_next(ctx: &Ctx, toks: &[Tok], after: usize) -> bool {
    let Some(&t) = toks.get(after) else {
        return false;
    };
    // `bleeding "profusely" from`: an adverb modifies no noun.
    let last_inside = after
        .checked_sub(1)
        .and_then(|k| toks[..k].iter().rev().find(|x| x.word).map(|x| ctx.tok(*x)));
    let adverb = |w: &str| (w.len() > 5 && w.ends_with("ly")) || lower_in(w, &["not", "very"]);
    if !t.word || last_inside.is_some_and(adverb) {
        return false;
    }
    let w = ctx.tok(t);
    let lower = w.chars().next().is_some_and(char::is_lowercase);
    let function = lower_in(w, PREPOSITIONS)
        || lower_in(w, SUBORDINATORS)
        || lower_in(w, CONJUNCTIONS)
        || lower_in(w, DETERMINERS)
        || lower_in(w, NOT_NOUNS);
    let verbish = verb_kind(ctx, t).is_some()
        || w.ends_with("ed")
        || w.ends_with("ly")
        || (w.ends_with("ing") && w.len() > 5);
    lower && !function && !verbish
}

/// Lowercase words that follow a quote without it modifying them.
#[rustfmt::skip]
const NOT_NOUNS: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "could",
    "should", "can", "may", "might", "must", "did", "does", "do", "not", "that", "which",
    "who", "whom", "whose", "he", "she", "they", "we", "i", "you", "it", "him", "them", "us",
    "me", "there", "here", "per", "than", "then", "now", "too", "also", "even", "only",
    "just", "still", "again", "yet", "said", "says", "became", "become", "seems", "seemed",
    "remains", "remained", "means", "meant", "went", "came", "made", "took", "gave", "got",
    "left", "put", "kept", "held", "met", "ran", "saw", "knew", "thought", "felt", "set",
    "itself", "himself", "herself", "themselves", "etc", "between", "among", "across",
    "within", "without", "under", "toward", "towards", "despite", "via", "like", "unlike",
    "amid", "beyond", "behind", "below", "above", "near", "around", "along", "upon", "onto",
    "past", "taken", "given", "seen", "done", "known", "shown", "written", "born",
    "whether", "unless", "how", "why", "instead", "rather", "except", "versus", "vs",
];

/// The token of the nearest speech or attribution frame in the quote's
/// clause, before the quote first.
fn find_frame(ctx: &Ctx, quotes: &[Quote], toks: &[Tok], at: usize, after: usize) -> Option<usize> {
    let outside = |k: usize| toks[k].word && !in_quote(quotes, toks[k].start);
    let is_frame = |k: usize| {
        outside(k)
            && (verb_kind(ctx, toks[k]).is_some()
                || verbs().contains_key(ctx.tok(toks[k]).to_lowercase().as_str())
                || in_list(ctx, toks[k], QUOTE_VERBS)
                || in_list(ctx, toks[k], QUOTE_NOUNS)
                || (is_word(ctx, toks[k], "according")
                    && toks.get(k + 1).is_some_and(|t| is_word(ctx, *t, "to"))))
    };
    // The quote's clause: a colon or semicolon, or a dash, starts another
    // one (a parenthesis does not: `according to the NAACP (…), "…"`); but
    // a colon right before the quote introduces it.
    let boundary = |k: usize| is_punct(ctx, toks[k], ";:—–");
    let lo = (0..at.saturating_sub(1))
        .rev()
        .find(|&k| boundary(k))
        .map_or(0, |k| k + 1);
    let hi = (after..toks.len())
        .find(|&k| boundary(k))
        .unwrap_or(toks.len());
    let k = (lo..at)
        .rev()
        .find(|&k| is_frame(k))
        .or_else(|| (after..hi).find(|&k| is_frame(k)))?;
    Some(k)
}

fn speaker_of_frame(ctx: &Ctx, quotes: &[Quote], toks: &[Tok], k: usize) -> Option<String> {
    let tok = toks[k];
    let n = toks.len();
    if is_word(ctx, tok, "according") {
        let from = k + 2;
        let mut e = from;
        while e < n && e < from + 12 && toks[e].word {
            e += 1;
        }
        return (e > from)
            .then(|| clean_np(&ctx.text[toks[from].start..toks[e - 1].end]))
            .flatten();
    }
    if in_list(ctx, tok, QUOTE_NOUNS) && verb_kind(ctx, tok).is_none() {
        // `his remark`, `Smith's comments`: the owner speaks.
        let owner = toks[..k].iter().rev().take(4).find(|t| t.word)?;
        let w = ctx.tok(*owner);
        return match w.to_lowercase().as_str() {
            "his" => Some("he".to_string()),
            "her" => Some("she".to_string()),
            _ => w
                .strip_suffix("'s")
                .filter(|s| s.chars().next().is_some_and(char::is_uppercase))
                .map(str::to_string),
        };
    }
    let sent = ctx.sentence_at(tok.start)?;
    // `…," said the group's director`: the speaker follows the verb.
    if k > 0 && is_punct(ctx, toks[k - 1], ",\"") {
        if let Some(sp) = np_after(ctx, toks, k + 1, n) {
            return Some(sp);
        }
    }
    let w = ctx.tok(tok);
    if w.ends_with("ing") {
        return participle_speaker(ctx, &Frames::default(), &sent, tok.start);
    }
    let from = subject_region_start(ctx, quotes, tok.start);
    subject_before(ctx.text, from..tok.start)
}
