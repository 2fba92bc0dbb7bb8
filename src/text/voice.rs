//! Voice: whose words a stretch of text is, and who is speaking.
//!
//! Three voices ([`Voice`]): the outlet's own narration, **quoted** speech
//! (inside quotation marks) and **attributed** speech (reported without
//! quotation marks). Scare quotes are found here too.
//!
//! # Quotes
//!
//! Quote marks are paired per paragraph (a line of the text) from the marks
//! normalisation recorded, so the original glyph's direction (`“` opens, `”`
//! closes) is used even though the text now has a plain `"`. Context decides
//! for the ASCII marks and overrides a glyph that is plainly wrong (a `“`
//! right after a word and before a space closes).
//!
//! - Double quotes: an opener without a closer in its paragraph is capped at
//!   the end of its sentence, so a stray mark never swallows the article;
//!   but when the next paragraph opens with a quote mark (the convention for
//!   a quote running over several paragraphs) it runs to the paragraph end
//!   and the paragraphs form one chain sharing one speaker.
//! - Single quotes: `'` and `’` are apostrophes far more often than quotes.
//!   A mark between two letters (`don't`, `Iraq's`, `Ka'bi`) is an
//!   apostrophe; one before a digit (`'90s`) too. A single quote opens only
//!   before a letter after a space or opening punctuation, and counts only
//!   if a closer (after a non-space, before a space or punctuation) follows
//!   in the same paragraph; otherwise it was an apostrophe. Marks inside a
//!   double quote are left alone (nested quotes are quoted anyway).
//!
//! # Speakers of quotes
//!
//! A direct frame: `"…," Sudani said`, `"…," said Sudani`, `"…," the
//! spokesman, Ali Hassan, added`, or `Sudani said: "…"`, `Sudani told
//! reporters on Monday "…"`. Without one, a quote takes the speaker of its
//! multi-paragraph chain, else of the attributed clause around it (`Bush
//! claimed that the country had "weapons"`), else, when it opens a sentence,
//! of the previous quote in its paragraph (`"…," Nasiri added. "…"`).
//! `he`/`she` are resolved to the last speaker named before them in the
//! article; other pronouns (`it`, `they`) give no speaker.
//!
//! # Scare quotes
//!
//! A closed quote of one to four words, with no sentence-final punctuation
//! inside, no direct frame, not part of a multi-paragraph chain and with
//! narration around it in its sentence: `the "advisory" mission`. It is the
//! outlet distancing itself, so it is recorded in `scare_quotes` and gets no
//! quoted segment (its voice is that of its surroundings).
//!
//! # Attributed speech
//!
//! Within one sentence and outside quotes:
//! - `X said/stressed/warned/told Y (that) CLAUSE` → CLAUSE; verbs that are
//!   often something else (`noted`, `confirmed`, `announced`, `states`) need
//!   the `that`;
//! - `CLAUSE, X said.` and `CLAUSE, X insist.` (frame at the end) and `A, X
//!   said, B` (frame in the middle) → the sentence without the frame;
//! - `…, adding/saying (that) CLAUSE` → CLAUSE, speaker of the sentence;
//! - `according to X, CLAUSE`, `CLAUSE, according to X` → CLAUSE, speaker X;
//! - `X described Y as Z`, `what X describes as Z` → Z (the description is
//!   X's; Y is the outlet's own wording).
//!
//! The frame itself (`X said that`) stays in the outlet's voice. Reported
//! speech is not carried over to the next sentence.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use super::normalize::{QuoteHint, QuoteKind, QuoteMark};
use super::sentences::{is_abbreviation, is_dotted_initialism, word_before};
use super::VoiceSegment;
use crate::mention::Voice;

/// Longest quote (in words) that can be a scare quote.
pub const SCARE_QUOTE_MAX_WORDS: usize = 4;

/// What [`analyze`] found.
#[derive(Debug, Clone, Default)]
pub struct VoiceAnalysis {
    /// Quoted and attributed segments, sorted and non-overlapping.
    pub segments: Vec<VoiceSegment>,
    /// Scare quotes (marks included), sorted.
    pub scare_quotes: Vec<Range<usize>>,
}

#[derive(Debug, Clone)]
struct Quote {
    /// Marks included.
    range: Range<usize>,
    inner: Range<usize>,
    para: usize,
    closed: bool,
    /// The next paragraph re-opens this quote.
    continues: bool,
    /// Index of the quote that continues this one.
    next_in_chain: Option<usize>,
    in_chain: bool,
    framed: bool,
    speaker: Option<String>,
    scare: bool,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    word: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VerbKind {
    /// Finite, reports speech with or without `that`.
    Say,
    /// Finite, reports speech only with `that` (or a quote).
    SayThat,
    /// Participle, with or without `that`.
    Saying,
    /// Participle, only with `that`.
    SayingThat,
    /// `describe … as`.
    Describe,
}

impl VerbKind {
    fn finite(self) -> bool {
        matches!(self, VerbKind::Say | VerbKind::SayThat)
    }
    fn participle(self) -> bool {
        matches!(self, VerbKind::Saying | VerbKind::SayingThat)
    }
}

/// Finite verbs that report speech with a bare clause (`X said the plan
/// failed`), or with `that`. Title-case forms are for headlines (`PM Says
/// Troops Must Go`); `Said` is left out because it is also a name.
#[rustfmt::skip]
const SAY_BARE: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "added", "adds", "insisted", "insists",
    "insist", "argued", "argues", "argue", "warned", "warns",
    "Says", "Tells", "Warns", "Insists", "Adds", "Argues",
];

/// Finite verbs that report speech only with `that` (`noted that`), with a
/// quote, or as a closing frame (`…, analysts noted.`): without one of
/// those they are as often something else (`claimed responsibility`,
/// `declared victory`, `wrote a letter`).
#[rustfmt::skip]
const SAY_THAT: &[&str] = &[
    "stressed", "stresses", "claimed", "claim", "claims", "stated", "states", "declared",
    "declares", "asserted", "asserts", "explained", "explains", "wrote", "writes", "asked",
    "asks", "replied", "replies", "responded", "reiterated", "reiterates", "emphasized",
    "emphasised", "emphasizes", "emphasises", "alleged", "alleges", "contended", "contends",
    "countered", "cautioned", "conceded", "vowed", "vows", "predicted", "admitted", "admits",
    "acknowledged", "acknowledges", "tweeted", "affirmed", "affirms", "underlined",
    "underscored", "noted", "notes", "announced", "announces", "confirmed", "confirms",
    "revealed", "reveals", "indicated", "indicates", "suggested", "suggests", "highlighted",
    "observed", "recalled", "denied", "denies", "estimated", "believes", "believed", "reported",
    "reports", "agreed", "hoped", "hopes", "feared", "fears", "threatened", "pledged",
    "promised", "concluded", "maintained", "maintains", "expressed", "pointed", "mentioned",
    "Stresses", "Declares", "Claims",
];

/// Participles that report speech with a bare clause (`…, saying the plan
/// failed`).
#[rustfmt::skip]
const SAYING_BARE: &[&str] = &[
    "saying", "adding", "insisting", "warning", "arguing", "telling",
];

/// Participles that report speech only with `that`.
#[rustfmt::skip]
const SAYING_THAT: &[&str] = &[
    "claiming", "declaring", "asserting", "writing", "stressing", "noting", "stating",
    "explaining", "alleging", "emphasizing", "emphasising", "reiterating", "affirming",
    "underlining", "underscoring", "contending", "cautioning", "announcing", "confirming",
    "acknowledging", "admitting", "suggesting", "indicating", "revealing", "denying", "vowing",
    "implying", "pointing", "expressing",
];

/// `X described Y as Z`.
#[rustfmt::skip]
const DESCRIBE: &[&str] = &[
    "described", "describes", "describe", "describing", "labelled", "labeled", "labels",
    "labelling", "labeling", "branded", "brands", "branding", "characterized", "characterised",
    "characterizes", "characterises", "characterizing", "characterising", "portrayed",
    "portrays", "portraying", "depicted", "depicts", "depicting", "regards", "regarded",
];

fn verbs() -> &'static HashMap<&'static str, VerbKind> {
    static VERBS: OnceLock<HashMap<&'static str, VerbKind>> = OnceLock::new();
    VERBS.get_or_init(|| {
        let mut m = HashMap::new();
        let lists = [
            (SAY_BARE, VerbKind::Say),
            (SAY_THAT, VerbKind::SayThat),
            (SAYING_BARE, VerbKind::Saying),
            (SAYING_THAT, VerbKind::SayingThat),
            (DESCRIBE, VerbKind::Describe),
        ];
        for (list, kind) in lists {
            for v in list {
                m.insert(*v, kind);
            }
        }
        m
    })
}

/// Speech verbs that are also plural nouns.
const NOUN_OR_VERB: &[&str] = &[
    "reports", "claims", "notes", "states", "fears", "hopes", "says",
];

/// Words before a noun (not a verb) in `various reports that`.
#[rustfmt::skip]
const NOUN_BEFORE: &[&str] = &[
    "the", "a", "an", "various", "some", "many", "several", "these", "those", "such",
    "numerous", "multiple", "other", "conflicting", "unconfirmed", "recent", "earlier",
    "previous", "his", "her", "its", "their", "our", "my", "your", "media", "news", "press",
    "local", "further", "initial", "first", "new", "no", "any", "all", "both", "false",
    "widespread", "persistent", "growing",
];

/// Words that open an adverbial part before a subject (`In addition, …`).
const LEAD_INS: &[&str] = &[
    "in",
    "on",
    "at",
    "for",
    "meanwhile",
    "however",
    "earlier",
    "later",
    "last",
    "this",
    "also",
    "since",
    "after",
    "before",
    "yet",
    "still",
    "separately",
    "moreover",
    "furthermore",
    "additionally",
    "just",
    "then",
    "now",
    "today",
    "yesterday",
    "during",
    "while",
    "when",
    "as",
    "according",
    "speaking",
    "addressing",
    "following",
    "despite",
    "although",
    "though",
    "with",
    "without",
    "instead",
    "indeed",
    "similarly",
    "likewise",
    "nevertheless",
    "previously",
    "once",
    "recently",
    "if",
    "because",
    "by",
    "from",
    "to",
    "over",
    "under",
    "amid",
    "after",
    "asked",
    "responding",
    "commenting",
    "writing",
    "in addition",
];

const CONJUNCTIONS: &[&str] = &[
    "and", "but", "or", "so", "while", "then", "because", "though", "although", "yet", "plus",
    "nor",
];

const RELATIVES: &[&str] = &["who", "which", "whose", "where", "when", "whom", "what"];

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my",
    "your", "he", "she", "it", "they", "we", "i", "you", "some", "many", "several", "both", "all",
    "each", "most", "other", "another",
];

/// Words at which a speaker phrase stops (`Sudani has stated`, `Ali on
/// Monday said`).
const CUT_WORDS: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "must",
    "can",
    "also",
    "later",
    "earlier",
    "then",
    "again",
    "once",
    "openly",
    "publicly",
    "repeatedly",
    "previously",
    "reportedly",
    "recently",
    "on",
    "in",
    "at",
    "during",
    "last",
    "this",
    "today",
    "yesterday",
    "who",
    "which",
    "that",
    "separately",
    "further",
    "subsequently",
    "immediately",
    "not",
    "never",
    "did",
    "does",
    "do",
    "already",
    "himself",
    "herself",
    "itself",
    "themselves",
    "however",
    "therefore",
    "still",
    "just",
    "even",
    "only",
    "first",
    "finally",
    "too",
    "afterwards",
    "tonight",
];

/// Words that follow a transitive verb (used to spot `issued a`, `denied
/// it` inside a would-be speaker phrase).
const OBJECT_STARTS: &[&str] = &[
    "the", "a", "an", "it", "this", "that", "its", "his", "her", "their", "them", "him", "to",
    "on", "in", "at", "by", "for", "with", "any", "all", "no", "some", "our", "us",
];

/// Words after a speech verb that cannot open a reported clause.
const PREPOSITIONS: &[&str] = &[
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "of",
    "from",
    "about",
    "into",
    "during",
    "after",
    "before",
    "when",
    "while",
    "as",
    "over",
    "through",
    "against",
    "up",
    "out",
    "off",
    "and",
    "or",
    "but",
    "than",
    "so",
    "if",
    "because",
    "nothing",
    "something",
    "anything",
    "goodbye",
    "yes",
    "no",
    "so",
];

/// Objects of `tell` that are skipped before the reported clause.
const TELL_OBJECTS: &[&str] = &[
    "reporters",
    "journalists",
    "lawmakers",
    "parliament",
    "him",
    "her",
    "them",
    "us",
    "me",
    "you",
    "officials",
    "delegates",
    "supporters",
    "crowds",
    "troops",
    "media",
    "press",
    "television",
    "tv",
    "radio",
    "agency",
    "newspaper",
    "broadcaster",
    "channel",
    "audience",
];

const WEEKDAYS_MONTHS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
];

const ADVERBS: &[&str] = &[
    "earlier",
    "later",
    "today",
    "yesterday",
    "again",
    "also",
    "repeatedly",
    "recently",
    "previously",
    "publicly",
    "openly",
    "then",
    "too",
    "once",
    "however",
    "separately",
    "privately",
    "bluntly",
    "flatly",
    "firmly",
    "reportedly",
    "tonight",
    "now",
];

const VENUES: &[&str] = &[
    "statement",
    "interview",
    "conference",
    "speech",
    "address",
    "post",
    "tweet",
    "briefing",
    "letter",
    "message",
    "remarks",
    "session",
    "meeting",
    "call",
];

/// Runs voice detection. `paragraphs` are the content lines (boilerplate
/// excluded) and `sentences` the sentence ranges, both sorted; `marks` are
/// the quote marks normalisation recorded.
pub fn analyze(
    text: &str,
    paragraphs: &[Range<usize>],
    sentences: &[Range<usize>],
    marks: &[QuoteMark],
) -> VoiceAnalysis {
    let ctx = Ctx { text, sentences };
    let mut quotes = find_quotes(&ctx, paragraphs, marks);

    let mut used_verbs: HashSet<usize> = HashSet::new();
    let mut frames = Frames::default();
    let mut candidates: Vec<(Range<usize>, Option<String>)> = Vec::new();

    let mut qi = 0;
    let mut si = 0;
    for (pi, para) in paragraphs.iter().enumerate() {
        let toks = tokenize(text, para.clone());
        // Quote frames in this paragraph.
        while qi < quotes.len() && quotes[qi].para < pi {
            qi += 1;
        }
        let q_first = qi;
        let f_first = frames.quote.len();
        while qi < quotes.len() && quotes[qi].para == pi {
            let frame = after_frame(&ctx, &toks, &quotes, qi)
                .or_else(|| before_frame(&ctx, &toks, &quotes, qi));
            if let Some((verb, speaker)) = frame {
                used_verbs.insert(verb);
                frames.push_quote(verb, speaker.clone());
                quotes[qi].framed = true;
                quotes[qi].speaker = speaker;
            }
            qi += 1;
        }
        frames.sort_quote_tail(f_first);
        let para_quotes = &quotes[q_first..qi];
        // Attributed frames, sentence by sentence.
        while si < sentences.len() && sentences[si].end <= para.start {
            si += 1;
        }
        while si < sentences.len() && sentences[si].start < para.end {
            let sent = sentences[si].clone();
            attributed_in_sentence(
                &ctx,
                &toks,
                sent,
                para_quotes,
                &used_verbs,
                &mut frames,
                &mut candidates,
            );
            si += 1;
        }
    }

    let attributed = merge(candidates);
    assign_quote_speakers(&ctx, &mut quotes, &attributed);
    for q in quotes.iter_mut() {
        q.scare = is_scare(&ctx, q);
    }

    let quoted: Vec<(Range<usize>, Option<String>)> = quotes
        .iter()
        .filter(|q| !q.scare && !q.inner.is_empty())
        .map(|q| (q.range.clone(), q.speaker.clone()))
        .collect();
    let scare_quotes = quotes
        .iter()
        .filter(|q| q.scare)
        .map(|q| q.range.clone())
        .collect();

    let mut segments: Vec<VoiceSegment> = quoted
        .iter()
        .map(|(r, s)| VoiceSegment {
            range: r.clone(),
            voice: Voice::Quoted,
            speaker: s.clone(),
        })
        .collect();
    let quoted_ranges: Vec<Range<usize>> = quoted.into_iter().map(|(r, _)| r).collect();
    for (range, speaker) in attributed {
        for piece in subtract(text, range, &quoted_ranges) {
            segments.push(VoiceSegment {
                range: piece,
                voice: Voice::Attributed,
                speaker: speaker.clone(),
            });
        }
    }
    segments.sort_by_key(|s| s.range.start);
    resolve_pronouns(&mut segments);
    VoiceAnalysis {
        segments,
        scare_quotes,
    }
}

struct Ctx<'a> {
    text: &'a str,
    sentences: &'a [Range<usize>],
}

impl Ctx<'_> {
    fn sentence_at(&self, pos: usize) -> Option<Range<usize>> {
        let k = self.sentences.partition_point(|s| s.start <= pos);
        let s = self.sentences.get(k.checked_sub(1)?)?;
        (pos < s.end).then(|| s.clone())
    }

    fn char_before(&self, pos: usize, floor: usize) -> Option<char> {
        if pos <= floor {
            return None;
        }
        self.text[..pos].chars().next_back()
    }

    fn char_after(&self, pos: usize, ceil: usize) -> Option<char> {
        if pos >= ceil {
            return None;
        }
        self.text[pos..ceil].chars().next()
    }

    fn tok(&self, t: Tok) -> &str {
        &self.text[t.start..t.end]
    }
}

// ---------------------------------------------------------------- quotes

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    Either,
}

fn double_role(ctx: &Ctx, para: &Range<usize>, m: &QuoteMark, reversed: bool) -> Role {
    let prev = ctx.char_before(m.pos, para.start);
    let next = ctx.char_after(m.pos + 1, para.end);
    let open_ctx = prev.map_or(true, |c| c.is_whitespace() || "([{-—/:".contains(c));
    let close_ctx = next.map_or(true, |c| c.is_whitespace() || ".,;:!?)]}-—".contains(c));
    let ctx_role = match (open_ctx, close_ctx) {
        (true, false) => Role::Open,
        (false, true) => Role::Close,
        _ => Role::Either,
    };
    let hint = match (m.glyph, reversed) {
        ('«', false) | ('»', true) => QuoteHint::Open,
        ('»', false) | ('«', true) => QuoteHint::Close,
        _ => m.hint,
    };
    match hint {
        QuoteHint::Open if ctx_role == Role::Close => Role::Close,
        QuoteHint::Open => Role::Open,
        QuoteHint::Close if ctx_role == Role::Open => Role::Open,
        QuoteHint::Close => Role::Close,
        _ => ctx_role,
    }
}

fn new_quote(range: Range<usize>, para: usize, closed: bool, continues: bool) -> Quote {
    let inner = if closed {
        range.start + 1..range.end - 1
    } else {
        range.start + 1..range.end
    };
    Quote {
        range,
        inner,
        para,
        closed,
        continues,
        next_in_chain: None,
        in_chain: false,
        framed: false,
        speaker: None,
        scare: false,
    }
}

/// End of an unclosed quote opened at `pos`: the end of its sentence.
fn cap_unclosed(ctx: &Ctx, para: &Range<usize>, pos: usize, limit: usize) -> usize {
    let end = ctx.sentence_at(pos).map_or(para.end, |s| s.end);
    end.clamp(pos + 1, limit.max(pos + 1))
}

fn mark_at(marks: &[QuoteMark], pos: usize) -> Option<&QuoteMark> {
    let k = marks.partition_point(|m| m.pos < pos);
    marks.get(k).filter(|m| m.pos == pos)
}

/// Whether `para` opens with a quote mark of `kind` that can open.
fn opens_with(
    ctx: &Ctx,
    marks: &[QuoteMark],
    para: Option<&Range<usize>>,
    kind: QuoteKind,
) -> bool {
    let Some(para) = para else { return false };
    let Some(m) = mark_at(marks, para.start) else {
        return false;
    };
    let next = ctx.char_after(para.start + 1, para.end);
    m.kind == kind
        && m.hint != QuoteHint::Apostrophe
        && (kind == QuoteKind::Double || m.hint != QuoteHint::Close)
        && next.is_some_and(|c| !c.is_whitespace())
}

fn find_quotes(ctx: &Ctx, paragraphs: &[Range<usize>], marks: &[QuoteMark]) -> Vec<Quote> {
    let mut quotes: Vec<Quote> = Vec::new();
    let mut pending_chain: Option<usize> = None;
    let mut mi = 0;
    for (pi, para) in paragraphs.iter().enumerate() {
        while mi < marks.len() && marks[mi].pos < para.start {
            mi += 1;
        }
        let mut mj = mi;
        while mj < marks.len() && marks[mj].pos < para.end {
            mj += 1;
        }
        let pm = &marks[mi..mj];
        mi = mj;
        let next_para = paragraphs.get(pi + 1);

        let doubles = pair_doubles(
            ctx,
            pi,
            para,
            pm,
            opens_with(ctx, marks, next_para, QuoteKind::Double),
        );
        let singles = pair_singles(
            ctx,
            pi,
            para,
            pm,
            &doubles,
            opens_with(ctx, marks, next_para, QuoteKind::Single),
        );
        // Singles that cross a double quote are dropped; doubles inside a
        // single quote are part of it. Both lists are sorted and
        // non-overlapping, so binary searches keep this linear.
        let singles: Vec<Quote> = singles
            .into_iter()
            .filter(|s| {
                let k = doubles.partition_point(|d| d.range.end <= s.range.start);
                doubles[k..]
                    .iter()
                    .take_while(|d| d.range.start < s.range.end)
                    .all(|d| s.range.start <= d.range.start && d.range.end <= s.range.end)
            })
            .collect();
        let mut para_quotes: Vec<Quote> = doubles
            .into_iter()
            .filter(|d| {
                let k = singles.partition_point(|s| s.range.start <= d.range.start);
                !k.checked_sub(1)
                    .is_some_and(|i| d.range.end <= singles[i].range.end)
            })
            .collect();
        para_quotes.extend(singles);
        para_quotes.sort_by_key(|q| q.range.start);

        let base = quotes.len();
        if let Some(prev) = pending_chain.take() {
            if para_quotes
                .first()
                .is_some_and(|q| q.range.start == para.start)
            {
                quotes[prev].next_in_chain = Some(base);
                quotes[prev].in_chain = true;
                para_quotes[0].in_chain = true;
            }
        }
        if let Some(last) = para_quotes.last() {
            if last.continues {
                pending_chain = Some(base + para_quotes.len() - 1);
            }
        }
        quotes.extend(para_quotes);
    }
    quotes
}

fn pair_doubles(
    ctx: &Ctx,
    pi: usize,
    para: &Range<usize>,
    pm: &[QuoteMark],
    next_opens: bool,
) -> Vec<Quote> {
    let reversed = pm
        .iter()
        .find(|m| m.glyph == '«' || m.glyph == '»')
        .is_some_and(|m| m.glyph == '»');
    let mut out = Vec::new();
    let mut open: Option<QuoteMark> = None;
    for m in pm.iter().filter(|m| m.kind == QuoteKind::Double) {
        let role = double_role(ctx, para, m, reversed);
        match open {
            None => {
                if role != Role::Close {
                    open = Some(*m);
                }
            }
            Some(o) => {
                let closes = match role {
                    Role::Close | Role::Either => true,
                    Role::Open => o.glyph == '\u{201E}' && m.glyph == '\u{201C}',
                };
                if closes {
                    out.push(new_quote(o.pos..m.pos + 1, pi, true, false));
                    open = None;
                } else {
                    let end = cap_unclosed(ctx, para, o.pos, m.pos);
                    out.push(new_quote(o.pos..end, pi, false, false));
                    open = Some(*m);
                }
            }
        }
    }
    if let Some(o) = open {
        if next_opens {
            out.push(new_quote(o.pos..para.end, pi, false, true));
        } else {
            let end = cap_unclosed(ctx, para, o.pos, para.end);
            out.push(new_quote(o.pos..end, pi, false, false));
        }
    }
    out
}

fn pair_singles(
    ctx: &Ctx,
    pi: usize,
    para: &Range<usize>,
    pm: &[QuoteMark],
    doubles: &[Quote],
    next_opens: bool,
) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut open: Option<QuoteMark> = None;
    let mut di = 0;
    for m in pm.iter().filter(|m| m.kind == QuoteKind::Single) {
        if m.hint == QuoteHint::Apostrophe {
            continue;
        }
        while di < doubles.len() && doubles[di].range.end <= m.pos {
            di += 1;
        }
        if doubles.get(di).is_some_and(|d| d.range.start <= m.pos) {
            continue;
        }
        let prev = ctx.char_before(m.pos, para.start);
        let next = ctx.char_after(m.pos + 1, para.end);
        if prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric) {
            continue;
        }
        let opener = matches!(m.hint, QuoteHint::Open | QuoteHint::Either)
            && prev.map_or(true, |c| c.is_whitespace() || "([{-—/\"".contains(c))
            && next.is_some_and(|c| c.is_alphabetic() || c == '"');
        let closer = matches!(m.hint, QuoteHint::Close | QuoteHint::Either)
            && prev.is_some_and(|c| !c.is_whitespace())
            && next.map_or(true, |c| c.is_whitespace() || ".,;:!?)]}-—\"".contains(c));
        match open {
            None if opener => open = Some(*m),
            Some(o) if closer => {
                out.push(new_quote(o.pos..m.pos + 1, pi, true, false));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(o) = open {
        // An unclosed single quote is only kept in the multi-paragraph
        // convention; anything else was an apostrophe.
        if next_opens && o.hint == QuoteHint::Open {
            out.push(new_quote(o.pos..para.end, pi, false, true));
        }
    }
    out
}

// ---------------------------------------------------------------- tokens

/// Words (letters and digits, with inner `'`, `-` and `.`; a trailing dot
/// kept on abbreviations) and single punctuation characters.
fn tokenize(text: &str, range: Range<usize>) -> Vec<Tok> {
    let s = &text[range.clone()];
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(Tok {
                start: range.start + i,
                end: range.start + i + c.len_utf8(),
                word: false,
            });
            continue;
        }
        let mut end = i + c.len_utf8();
        loop {
            match it.peek().copied() {
                Some((j, d)) if d.is_alphanumeric() => {
                    end = j + d.len_utf8();
                    it.next();
                }
                Some((j, '\'' | '-' | '.')) => {
                    let after = s[j + 1..].chars().next();
                    if after.is_some_and(char::is_alphanumeric) {
                        end = j + 1;
                        it.next();
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        // Keep the dot of an abbreviation with its word (`U.S.`, `Gen.`).
        if s[end..].starts_with('.') {
            let w = &s[i..end];
            if w.chars().count() == 1 || is_dotted_initialism(w) || is_abbreviation(w) {
                end += 1;
                it.next();
            }
        }
        out.push(Tok {
            start: range.start + i,
            end: range.start + end,
            word: true,
        });
    }
    out
}

fn is_punct(ctx: &Ctx, t: Tok, set: &str) -> bool {
    !t.word && ctx.tok(t).chars().next().is_some_and(|c| set.contains(c))
}

fn is_word(ctx: &Ctx, t: Tok, w: &str) -> bool {
    t.word && ctx.tok(t).eq_ignore_ascii_case(w)
}

fn in_list(ctx: &Ctx, t: Tok, list: &[&str]) -> bool {
    t.word && list.iter().any(|w| ctx.tok(t).eq_ignore_ascii_case(w))
}

fn verb_kind(ctx: &Ctx, t: Tok) -> Option<VerbKind> {
    if !t.word {
        return None;
    }
    verbs().get(ctx.tok(t)).copied()
}

/// Skips time and manner adverbials after a verb (`on Monday`, `last
/// week`, `in a statement`, `, however,`). Returns the next token index.
fn skip_adverbials(ctx: &Ctx, toks: &[Tok], mut k: usize, end: usize) -> usize {
    loop {
        let start = k;
        if k < end && in_list(ctx, toks[k], ADVERBS) {
            k += 1;
        }
        if k + 1 < end && is_word(ctx, toks[k], "last") && toks[k + 1].word {
            k += 2;
        }
        if k + 1 < end && is_word(ctx, toks[k], "on") {
            let mut j = k + 1;
            let mut n = 0;
            while j < end && n < 3 && toks[j].word && {
                let w = ctx.tok(toks[j]);
                WEEKDAYS_MONTHS.contains(&w) || w.chars().all(|c| c.is_ascii_digit())
            } {
                j += 1;
                n += 1;
            }
            if n > 0 {
                k = j;
            }
        }
        if k + 1 < end && (is_word(ctx, toks[k], "in") || is_word(ctx, toks[k], "at")) {
            // `in a statement`, `at a news conference`: up to four words
            // ending with a venue word.
            let mut j = k + 1;
            while j < end && j <= k + 4 && toks[j].word {
                if in_list(ctx, toks[j], VENUES) {
                    k = j + 1;
                    break;
                }
                j += 1;
            }
        }
        // `, however,`
        if k + 2 < end
            && is_punct(ctx, toks[k], ",")
            && in_list(ctx, toks[k + 1], ADVERBS)
            && is_punct(ctx, toks[k + 2], ",")
        {
            k += 3;
        }
        if k == start {
            return k;
        }
    }
}

// ---------------------------------------------------------------- speakers

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn lower_in(w: &str, list: &[&str]) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
}

fn name_like(part: &str) -> bool {
    let w = first_word(part);
    w.chars().next().is_some_and(char::is_uppercase) && !lower_in(w, DETERMINERS)
}

/// Longest stretch (bytes) before a verb searched for its subject: speaker
/// phrases are short, and a bound keeps a huge unpunctuated text linear.
const SUBJECT_WINDOW: usize = 300;

/// Words after which a new clause, with its own subject, starts (`… after
/// the then president Bush claimed that`).
const SUBORDINATORS: &[&str] = &[
    "after", "before", "when", "while", "because", "since", "until", "although", "though",
    "whereas", "if", "once", "as", "where", "what",
];

/// Name particles that may sit inside a capitalised name (`Abu Mahdi
/// al-Muhandis`, `Muhammad al Sudani`).
const NAME_PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "de", "da", "di", "du", "la", "le", "van", "von", "der",
];

/// Words of `s` with their byte offsets.
fn words_at(s: &str) -> impl DoubleEndedIterator<Item = (usize, &str)> {
    s.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

/// Splits at commas, except a comma between digits (`2,500`).
fn split_commas(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b',' {
            let digits =
                i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !digits {
                out.push(&s[from..i]);
                from = i + 1;
            }
        }
    }
    out.push(&s[from..]);
    out
}

fn bare(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The speaker named in `region`, which ends right before a speech verb.
fn subject_before(text: &str, region: Range<usize>) -> Option<String> {
    let mut from = region.start.max(region.end.saturating_sub(SUBJECT_WINDOW));
    while from < region.end && !text.is_char_boundary(from) {
        from += 1;
    }
    let whole = text.get(from..region.end)?;
    let s = whole;
    // Start after the last clause boundary.
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = match c {
            ';' | ':' | '—' | '"' | '(' | ')' | '[' | ']' => true,
            '-' => chars.peek().map_or(true, |&(_, n)| n.is_whitespace()),
            _ => false,
        };
        if boundary {
            start = i + c.len_utf8();
        }
    }
    let mut s = &s[start..];
    // A subordinate clause has its own subject: `what Washington describes
    // as`, `after Bush claimed`.
    let sub = words_at(s)
        .rfind(|(_, w)| lower_in(bare(w), SUBORDINATORS) && !w.ends_with(','))
        .map(|(i, w)| (i, i + w.len()));
    if let Some((at, e)) = sub {
        let rest = &s[e..];
        let pieces = split_commas(rest);
        if rest.trim_end().ends_with(',') {
            // `X, …, since the war began in October, said`: the clause is
            // closed before the verb, whose subject comes before it.
            s = &s[..at];
        } else if pieces.len() > 1 {
            // `after the strike, officials said`: the clause ended at its
            // comma; the subject follows it.
            s = &rest[pieces[0].len() + 1..];
        } else {
            s = rest;
        }
    }
    // `…, in which he stressed`: a pronoun right before the verb is the
    // subject (resolved later to the last named speaker).
    for (_, w) in words_at(s).rev() {
        let w = bare(w);
        if lower_in(w, CUT_WORDS) || lower_in(w, ADVERBS) {
            continue;
        }
        if lower_in(w, &["he", "she"]) {
            // `Sudani held a press conference, in which he stressed`: a
            // name opening the sentence is the likeliest antecedent.
            let name = (from == region.start)
                .then(|| leading_name(whole))
                .flatten();
            return name.or_else(|| Some(w.to_string()));
        }
        break;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in split_commas(s) {
        let mut p = part.trim();
        while lower_in(first_word(p), CONJUNCTIONS) {
            p = p[first_word(p).len()..].trim_start();
        }
        let fw = first_word(p);
        if p.is_empty() || lower_in(fw, LEAD_INS) || lower_in(fw, RELATIVES) {
            continue;
        }
        parts.push(p);
    }
    let chosen = parts.iter().rev().find(|p| name_like(p)).or(parts.first());
    chosen
        .and_then(|p| clean_np(p))
        .or_else(|| capitalised_run_before(s))
}

/// A name opening `s` (`Sudani held …` → `Sudani`, `The Iraqi President
/// Ali Rashid met …` → `The Iraqi President Ali Rashid`): capitalised words
/// and name particles, after an optional `The`, up to the first lowercase
/// word, which must follow.
fn leading_name(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().take(12).collect();
    let mut k = usize::from(words.first().is_some_and(|w| *w == "The"));
    let first = k;
    while k < words.len() {
        let w = words[k];
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        if (cap && !w.ends_with(',')) || (k > first && lower_in(bare(w), NAME_PARTICLES)) {
            k += 1;
        } else {
            break;
        }
    }
    let lower_next = words
        .get(k)
        .is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
    let first_word = words.get(first).map_or("", |w| bare(w));
    if k == first || !lower_next || lower_in(first_word, LEAD_INS) || is_pronoun(first_word) {
        return None;
    }
    clean_np(&words[..k].join(" "))
}

/// The run of capitalised words (name particles allowed) that ends right
/// before the verb: `This comes after Iraqi President Abdel Rashid` →
/// `Iraqi President Abdel Rashid`.
fn capitalised_run_before(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut end = words.len();
    while end > 0
        && (lower_in(bare(words[end - 1]), CUT_WORDS) || lower_in(bare(words[end - 1]), ADVERBS))
    {
        end -= 1;
    }
    let mut start = end;
    while start > 0 {
        let w = words[start - 1];
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        if cap || lower_in(bare(w), NAME_PARTICLES) {
            start -= 1;
        } else {
            break;
        }
    }
    while start < end && !words[start].chars().next().is_some_and(char::is_uppercase) {
        start += 1;
    }
    if start == end || lower_in(words[start], DETERMINERS) && end - start == 1 {
        return None;
    }
    clean_np(&words[start..end].join(" "))
}

/// Trims a speaker phrase: drops a leading `what`, stops at auxiliaries,
/// adverbs and verbs with objects, keeps at most twelve words.
fn clean_np(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut from = 0;
    while from < words.len() && lower_in(words[from], &["what", "which", "whom", "who"]) {
        from += 1;
    }
    let mut out: Vec<&str> = Vec::new();
    for (k, w) in words.iter().enumerate().skip(from) {
        if k > from {
            // `the then president` is a title, not an adverb.
            let the_then =
                w.eq_ignore_ascii_case("then") && words[k - 1].eq_ignore_ascii_case("the");
            if lower_in(w, CUT_WORDS) && !the_then {
                break;
            }
            let is_ed_verb = w.len() > 4
                && w.ends_with("ed")
                && w.chars().all(|c| c.is_lowercase())
                && words.get(k + 1).is_some_and(|n| lower_in(n, OBJECT_STARTS));
            if is_ed_verb {
                break;
            }
        }
        out.push(w);
    }
    let joined = out.join(" ");
    let trimmed = joined.trim_matches(|c: char| !(c.is_alphanumeric() || c == '.' || c == ')'));
    let trimmed = trimmed.trim_end_matches(['.', ')']);
    let n = trimmed.split_whitespace().count();
    if n == 0 || n > 12 || !trimmed.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(trimmed.to_string())
}

/// Words for `VERB NP` frames (`…," said the official.`).
fn np_after(ctx: &Ctx, toks: &[Tok], from: usize, end: usize) -> Option<String> {
    let mut k = from;
    while k < end && k < from + 8 && toks[k].word && !in_list(ctx, toks[k], PREPOSITIONS) {
        if in_list(ctx, toks[k], CUT_WORDS) && k > from {
            break;
        }
        k += 1;
    }
    if k == from {
        return None;
    }
    clean_np(&ctx.text[toks[from].start..toks[k - 1].end])
}

/// Frames found so far, as (verb position, speaker). Two lists, each
/// filled in text order (so pushing keeps them sorted and cheap): quote
/// frames, found paragraph by paragraph before the attributed ones.
#[derive(Default)]
struct Frames {
    quote: Vec<(usize, Option<String>)>,
    attributed: Vec<(usize, Option<String>)>,
}

impl Frames {
    fn push_quote(&mut self, verb_start: usize, speaker: Option<String>) {
        self.quote.push((verb_start, speaker));
    }

    /// Sorts the quote frames pushed since `from` (one paragraph's).
    fn sort_quote_tail(&mut self, from: usize) {
        self.quote[from..].sort_by_key(|f| f.0);
    }

    fn push_attributed(&mut self, verb_start: usize, speaker: Option<String>) {
        self.attributed.push((verb_start, speaker));
    }

    /// The last frame before `pos`.
    fn last_before(&self, pos: usize) -> Option<&(usize, Option<String>)> {
        fn last(v: &[(usize, Option<String>)], pos: usize) -> Option<&(usize, Option<String>)> {
            let k = v.partition_point(|f| f.0 < pos);
            k.checked_sub(1).map(|i| &v[i])
        }
        match (last(&self.quote, pos), last(&self.attributed, pos)) {
            (Some(a), Some(b)) => Some(if a.0 > b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// Where a subject phrase for a verb at `verb_start` may begin: the
/// sentence start, or the end of the last quote before the verb in it.
fn subject_region_start(ctx: &Ctx, quotes: &[Quote], verb_start: usize) -> usize {
    let sent_start = ctx.sentence_at(verb_start).map_or(verb_start, |s| s.start);
    let k = quotes.partition_point(|q| q.range.start < verb_start);
    quotes[..k]
        .iter()
        .rev()
        .map(|q| q.range.end)
        .find(|&e| e <= verb_start)
        .map_or(sent_start, |e| e.max(sent_start))
}

/// The speaker for a participle frame (`…, adding that`): the last frame of
/// the sentence, else the sentence's subject.
fn participle_speaker(
    ctx: &Ctx,
    frames: &Frames,
    sent: &Range<usize>,
    verb_start: usize,
) -> Option<String> {
    if let Some((pos, sp)) = frames.last_before(verb_start) {
        if *pos >= sent.start {
            return sp.clone();
        }
    }
    let mut from = sent.start.max(verb_start.saturating_sub(SUBJECT_WINDOW));
    while !ctx.text.is_char_boundary(from) {
        from += 1;
    }
    let head = &ctx.text[from..verb_start];
    let cut = head.find(',').map_or(verb_start, |i| from + i);
    subject_before(ctx.text, from..cut)
}

// ---------------------------------------------------------------- frames

/// `"…," Sudani said` / `"…," said Sudani` / `"…." Sudani said.`
fn after_frame(
    ctx: &Ctx,
    toks: &[Tok],
    quotes: &[Quote],
    qi: usize,
) -> Option<(usize, Option<String>)> {
    let q = &quotes[qi];
    if !q.closed {
        return None;
    }
    let n = toks.len();
    let mut t = toks.partition_point(|x| x.start < q.range.end);
    let inner_last = ctx.text[q.inner.clone()].trim_end().chars().next_back();
    let mut comma = matches!(inner_last, Some(',' | '?' | '!' | '-' | '—'));
    if t < n && is_punct(ctx, toks[t], ",") {
        comma = true;
        t += 1;
    }
    if t >= n {
        return None;
    }
    if let Some(kind) = verb_kind(ctx, toks[t]) {
        if kind.finite() && comma {
            return Some((toks[t].start, np_after(ctx, toks, t + 1, n)));
        }
    }
    let mut k = t;
    let mut words = 0;
    let mut saw_comma = false;
    while k < n && words <= 12 {
        let tok = toks[k];
        if !tok.word {
            if is_punct(ctx, tok, ",") {
                saw_comma = true;
                k += 1;
                continue;
            }
            return None;
        }
        if let Some(kind) = verb_kind(ctx, tok) {
            if !kind.finite() {
                return None;
            }
            if !comma {
                // Without a comma tying them, only a bare frame sentence
                // (`"…." Sudani said.`) belongs to the quote.
                if saw_comma {
                    return None;
                }
                let a = skip_adverbials(ctx, toks, k + 1, n);
                if a < n && !is_punct(ctx, toks[a], ".!?;,") {
                    return None;
                }
            }
            let sp = subject_before(ctx.text, q.range.end..tok.start);
            return Some((tok.start, sp));
        }
        words += 1;
        k += 1;
    }
    None
}

/// `Sudani said: "…"`, `Sudani told reporters on Monday "…"`.
fn before_frame(
    ctx: &Ctx,
    toks: &[Tok],
    quotes: &[Quote],
    qi: usize,
) -> Option<(usize, Option<String>)> {
    let q = &quotes[qi];
    let mut k = toks.partition_point(|x| x.start < q.range.start);
    if k > 0 && is_punct(ctx, toks[k - 1], ":,") {
        k -= 1;
    }
    let mut words = 0;
    while k > 0 && words < 6 {
        let tok = toks[k - 1];
        if !tok.word {
            if is_punct(ctx, tok, ",") {
                k -= 1;
                continue;
            }
            return None;
        }
        if is_word(ctx, tok, "that") {
            return None;
        }
        if let Some(kind) = verb_kind(ctx, tok) {
            if kind == VerbKind::Describe {
                return None;
            }
            let sent = ctx.sentence_at(tok.start)?;
            let sp = if kind.participle() {
                participle_speaker(ctx, &Frames::default(), &sent, tok.start)
            } else {
                let from = subject_region_start(ctx, quotes, tok.start);
                subject_before(ctx.text, from..tok.start)
            };
            return Some((tok.start, sp));
        }
        words += 1;
        k -= 1;
    }
    None
}

fn in_quote(quotes: &[Quote], pos: usize) -> bool {
    let k = quotes.partition_point(|q| q.range.start <= pos);
    k > 0 && quotes[k - 1].range.end > pos
}

/// Clause from token `from` to the sentence end.
fn clause_to_end(
    toks: &[Tok],
    from: usize,
    end: usize,
    sent: &Range<usize>,
) -> Option<Range<usize>> {
    (from < end).then(|| toks[from].start..sent.end)
}

#[allow(clippy::too_many_arguments)]
fn attributed_in_sentence(
    ctx: &Ctx,
    toks: &[Tok],
    sent: Range<usize>,
    quotes: &[Quote],
    used_verbs: &HashSet<usize>,
    frames: &mut Frames,
    out: &mut Vec<(Range<usize>, Option<String>)>,
) {
    let a = toks.partition_point(|t| t.start < sent.start);
    let b = toks.partition_point(|t| t.start < sent.end);
    according_to(ctx, toks, a, b, &sent, quotes, out);
    for v in a..b {
        let tok = toks[v];
        let Some(kind) = verb_kind(ctx, tok) else {
            continue;
        };
        if used_verbs.contains(&tok.start) || in_quote(quotes, tok.start) {
            continue;
        }
        // `various reports that …`, `the claims that …`: a noun, not a verb.
        if lower_in(ctx.tok(tok), NOUN_OR_VERB) && v > a && in_list(ctx, toks[v - 1], NOUN_BEFORE) {
            continue;
        }
        let speaker = || -> Option<String> {
            if kind.participle() || ctx.tok(tok).ends_with("ing") {
                participle_speaker(ctx, frames, &sent, tok.start)
            } else {
                let from = subject_region_start(ctx, quotes, tok.start);
                subject_before(ctx.text, from..tok.start)
            }
        };
        if kind == VerbKind::Describe {
            let mut j = v + 1;
            while j < b && j <= v + 8 && !is_punct(ctx, toks[j], ".;!?") {
                if is_word(ctx, toks[j], "as") {
                    let start = j + 1;
                    let mut e = start;
                    while e < b && !is_punct(ctx, toks[e], ",;:") {
                        e += 1;
                    }
                    if e > start {
                        let sp = speaker();
                        frames.push_attributed(tok.start, sp.clone());
                        out.push((toks[start].start..toks[e - 1].end, sp));
                    }
                    break;
                }
                j += 1;
            }
            continue;
        }
        // `… that CLAUSE` within a few words (`told Reuters that`, `said
        // last week that`, `expressed hope that`).
        let mut j = v + 1;
        let mut that_at = None;
        while j < b && j <= v + 9 {
            let t = toks[j];
            if !t.word && !is_punct(ctx, t, ",") {
                break;
            }
            if in_quote(quotes, t.start) {
                break;
            }
            if t.word && ctx.tok(t) == "that" {
                that_at = Some(j);
                break;
            }
            j += 1;
        }
        if let Some(j) = that_at {
            if let Some(r) = clause_to_end(toks, j + 1, b, &sent) {
                let sp = speaker();
                frames.push_attributed(tok.start, sp.clone());
                out.push((r, sp));
            }
            continue;
        }
        if !matches!(kind, VerbKind::Say | VerbKind::SayThat | VerbKind::Saying) {
            continue;
        }
        let mut after = skip_adverbials(ctx, toks, v + 1, b);
        if v > a && is_punct(ctx, toks[v - 1], ",") {
            // `CLAUSE, said the official.`: the speaker follows the verb.
            // Not `X, the spokesman, warned the attacks would go on`: there
            // the words after the verb are a clause, which the speaker
            // phrase cleaning cuts short (at `would`).
            let mut j = v + 1;
            while j < b && j <= v + 8 && toks[j].word && !in_list(ctx, toks[j], PREPOSITIONS) {
                j += 1;
            }
            let whole_np = j > v + 1
                && clean_np(&ctx.text[toks[v + 1].start..toks[j - 1].end])
                    .is_some_and(|np| np.split_whitespace().count() == j - v - 1);
            if whole_np {
                after = skip_adverbials(ctx, toks, j, b);
            }
        }
        let at_end = after >= b || is_punct(ctx, toks[after], ".!?;");
        let then_comma = after < b && is_punct(ctx, toks[after], ",");
        if kind.finite() && (at_end || then_comma) {
            if let Some((before, sp)) = inverted_frame(ctx, toks, a, v, quotes) {
                let sp =
                    sp.or_else(|| (v + 1 < b).then(|| np_after(ctx, toks, v + 1, b)).flatten());
                frames.push_attributed(tok.start, sp.clone());
                if before.start < before.end {
                    out.push((before, sp.clone()));
                }
                if then_comma {
                    if let Some(r) = clause_to_end(toks, after + 1, b, &sent) {
                        out.push((r, sp));
                    }
                }
                continue;
            }
        }
        if kind == VerbKind::SayThat || at_end {
            continue;
        }
        // `X said CLAUSE` / `X told reporters CLAUSE` / `…, saying CLAUSE`.
        let mut c = after;
        if matches!(
            ctx.tok(tok),
            "told" | "tells" | "tell" | "telling" | "Tells"
        ) {
            c = skip_tell_object(ctx, toks, c, b);
        }
        c = skip_adverbials(ctx, toks, c, b);
        if c < b && is_punct(ctx, toks[c], ":") {
            c += 1;
        }
        if c >= b
            || !toks[c].word
            || in_list(ctx, toks[c], PREPOSITIONS)
            || in_quote(quotes, toks[c].start)
        {
            continue;
        }
        if let Some(r) = clause_to_end(toks, c, b, &sent) {
            let sp = speaker();
            frames.push_attributed(tok.start, sp.clone());
            out.push((r, sp));
        }
    }
}

fn skip_tell_object(ctx: &Ctx, toks: &[Tok], mut k: usize, end: usize) -> usize {
    let start = k;
    if k < end
        && lower_in(
            ctx.tok(toks[k]),
            &["the", "a", "an", "his", "her", "its", "their", "state"],
        )
    {
        k += 1;
    }
    let mut n = 0;
    while k < end
        && n < 4
        && toks[k].word
        && (in_list(ctx, toks[k], TELL_OBJECTS)
            || ctx
                .tok(toks[k])
                .chars()
                .next()
                .is_some_and(char::is_uppercase))
    {
        k += 1;
        n += 1;
    }
    if n == 0 {
        start
    } else {
        k
    }
}

/// `CLAUSE, X said.` / `A, X said, B` / `CLAUSE, said X.`: returns the
/// clause before the frame and the speaker between the comma and the verb.
fn inverted_frame(
    ctx: &Ctx,
    toks: &[Tok],
    a: usize,
    v: usize,
    quotes: &[Quote],
) -> Option<(Range<usize>, Option<String>)> {
    let mut k = v;
    let mut words = 0;
    while k > a && words <= 8 {
        let t = toks[k - 1];
        if is_punct(ctx, t, ",") {
            // A comma right after a quote: the quote's own frame.
            let ends_here = {
                let j = quotes.partition_point(|q| q.range.end < t.start);
                quotes.get(j).is_some_and(|q| q.range.end == t.start)
            };
            if in_quote(quotes, t.start) || ends_here {
                return None;
            }
            if k - 1 == a {
                return None;
            }
            let before = toks[a].start..toks[k - 2].end;
            let sp = if k == v {
                None
            } else {
                subject_before(ctx.text, t.end..toks[v].start)
            };
            return Some((before, sp));
        }
        if !t.word || verb_kind(ctx, t).is_some() {
            return None;
        }
        words += 1;
        k -= 1;
    }
    None
}

/// `according to X, CLAUSE` / `CLAUSE, according to X` / `A, according to
/// X, B`.
fn according_to(
    ctx: &Ctx,
    toks: &[Tok],
    a: usize,
    b: usize,
    sent: &Range<usize>,
    quotes: &[Quote],
    out: &mut Vec<(Range<usize>, Option<String>)>,
) {
    for k in a..b.saturating_sub(1) {
        if !(is_word(ctx, toks[k], "according") && is_word(ctx, toks[k + 1], "to")) {
            continue;
        }
        if in_quote(quotes, toks[k].start) {
            continue;
        }
        let x_start = k + 2;
        let mut x_end = x_start;
        while x_end < b && x_end < x_start + 12 && toks[x_end].word {
            x_end += 1;
        }
        if x_end == x_start {
            continue;
        }
        let speaker = clean_np(&ctx.text[toks[x_start].start..toks[x_end - 1].end]);
        let comma_before = k > a && is_punct(ctx, toks[k - 1], ",");
        let comma_after = x_end < b && is_punct(ctx, toks[x_end], ",");
        if k > a && (comma_before || x_end >= b || !comma_after) {
            let end = if comma_before { k - 1 } else { k };
            if end > a {
                out.push((toks[a].start..toks[end - 1].end, speaker.clone()));
            }
        }
        if comma_after {
            if let Some(r) = clause_to_end(toks, x_end + 1, b, sent) {
                out.push((r, speaker));
            }
        }
    }
}

// ---------------------------------------------------------------- assembly

/// Sorts and merges overlapping candidates; the earlier frame's speaker wins.
fn merge(mut c: Vec<(Range<usize>, Option<String>)>) -> Vec<(Range<usize>, Option<String>)> {
    c.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<(Range<usize>, Option<String>)> = Vec::new();
    for (r, sp) in c {
        if r.start >= r.end {
            continue;
        }
        match out.last_mut() {
            Some((last, last_sp)) if r.start < last.end => {
                last.end = last.end.max(r.end);
                if last_sp.is_none() {
                    *last_sp = sp;
                }
            }
            _ => out.push((r, sp)),
        }
    }
    out
}

/// `range` minus the quoted ranges, trimmed of spaces and punctuation at the
/// edges, keeping only pieces with a letter or digit.
fn subtract(text: &str, range: Range<usize>, quoted: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut cur = range.start;
    let k = quoted.partition_point(|q| q.end <= range.start);
    for q in &quoted[k..] {
        if q.start >= range.end {
            break;
        }
        if q.start > cur {
            pieces.push(cur..q.start);
        }
        cur = cur.max(q.end);
    }
    if cur < range.end {
        pieces.push(cur..range.end);
    }
    pieces
        .into_iter()
        .filter_map(|p| {
            let s = &text[p.clone()];
            let lead = s.len()
                - s.trim_start_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
                    .len();
            let body = s
                .trim_start_matches(|c: char| c.is_whitespace() || ",;:".contains(c))
                .trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c));
            body.chars()
                .any(char::is_alphanumeric)
                .then(|| p.start + lead..p.start + lead + body.len())
        })
        .collect()
}

fn assign_quote_speakers(
    ctx: &Ctx,
    quotes: &mut [Quote],
    attributed: &[(Range<usize>, Option<String>)],
) {
    // Chains share the first speaker any member names.
    let mut k = 0;
    while k < quotes.len() {
        let is_head = quotes[k].in_chain && !(k > 0 && quotes[k - 1].next_in_chain == Some(k));
        if is_head {
            let mut members = vec![k];
            let mut cur = k;
            while let Some(n) = quotes[cur].next_in_chain {
                members.push(n);
                cur = n;
            }
            let sp = members.iter().find_map(|&m| quotes[m].speaker.clone());
            for &m in &members {
                if quotes[m].speaker.is_none() {
                    quotes[m].speaker = sp.clone();
                }
            }
        }
        k += 1;
    }
    for i in 0..quotes.len() {
        if quotes[i].speaker.is_some() {
            continue;
        }
        let start = quotes[i].range.start;
        let a = attributed.partition_point(|(r, _)| r.start <= start);
        if let Some((r, sp)) = a.checked_sub(1).map(|j| &attributed[j]) {
            if r.end > start && sp.is_some() {
                quotes[i].speaker = sp.clone();
                continue;
            }
        }
        // `"…," Nasiri added. "…"`: a quote opening a sentence goes on with
        // the previous quote's speaker in the paragraph.
        if ctx.sentence_at(start).is_some_and(|s| s.start == start)
            && i > 0
            && quotes[i - 1].para == quotes[i].para
        {
            quotes[i].speaker = quotes[i - 1].speaker.clone();
        }
    }
}

fn has_final_punct(ctx: &Ctx, inner: &Range<usize>) -> bool {
    let s = &ctx.text[inner.clone()];
    if s.contains(['!', '?']) {
        return true;
    }
    let t = s.trim_end();
    for (i, c) in t.char_indices() {
        if c != '.' {
            continue;
        }
        let at_end = i + 1 == t.len();
        let before_space = t[i + 1..].starts_with(char::is_whitespace);
        if !(at_end || before_space) {
            continue;
        }
        let w = word_before(t, 0, i);
        let single_cap = w.chars().count() == 1 && w.chars().all(char::is_uppercase);
        if !(is_dotted_initialism(w) || is_abbreviation(w) || single_cap || w.ends_with('.')) {
            return true;
        }
    }
    false
}

fn is_scare(ctx: &Ctx, q: &Quote) -> bool {
    if !q.closed || q.framed || q.in_chain {
        return false;
    }
    let words = super::word_count(&ctx.text[q.inner.clone()]);
    if words == 0 || words > SCARE_QUOTE_MAX_WORDS || has_final_punct(ctx, &q.inner) {
        return false;
    }
    let Some(sent) = ctx.sentence_at(q.range.start) else {
        return false;
    };
    let outside = |r: Range<usize>| {
        ctx.text
            .get(r)
            .is_some_and(|s| s.chars().any(char::is_alphanumeric))
    };
    outside(sent.start..q.range.start) || outside(q.range.end.min(sent.end)..sent.end)
}

/// Pronouns and placeholders that name nobody by themselves.
fn is_pronoun(s: &str) -> bool {
    lower_in(
        s,
        &[
            "he", "she", "him", "her", "it", "they", "them", "we", "i", "you", "us", "me", "there",
            "here", "this", "that", "these", "those", "which", "who", "one",
        ],
    )
}

/// `he`/`she` → the last speaker named before; other pronouns and
/// placeholders (`it`, `they`, `there`) → none.
fn resolve_pronouns(segments: &mut [VoiceSegment]) {
    let mut last: Option<String> = None;
    for seg in segments.iter_mut() {
        match seg.speaker.as_deref() {
            Some(p) if is_pronoun(p) => {
                seg.speaker = if lower_in(p, &["he", "she", "him", "her"]) {
                    last.clone()
                } else {
                    None
                };
            }
            Some(name) => last = Some(name.to_string()),
            None => {}
        }
    }
}
