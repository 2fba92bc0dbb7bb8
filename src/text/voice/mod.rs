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
//! narration around it in its sentence has the shape of a scare quote.
//! Most such quotes in news are something else, so `readings` tries these
//! first: a name or title (`the "Circle of Neighbours" program`) or a word
//! mentioned as a word (`the word "siege"`, `classified as an "information
//! utility"`) stays in the outlet's voice without distancing; a partial
//! quote (`Lee called it a "sad day"`, `"First among farmers," she boasted`, a
//! speech frame anywhere in its clause, or the words of a longer quote of
//! the article) is quoted, with that frame's speaker. Only what is left
//! (`the "advisory" mission`, `the so-called "resistance"`) is the outlet
//! distancing itself: it is recorded in `scare_quotes` and gets no quoted
//! segment (its voice is that of its surroundings).
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

mod frames;
mod quotes;
mod readings;
mod speakers;
mod tokens;
mod words;

pub(crate) use words::is_speech_verb;

use std::collections::HashSet;
use std::ops::Range;

use super::normalize::QuoteMark;
use super::VoiceSegment;
use crate::mention::Voice;
use frames::{after_frame, attributed_in_sentence, before_frame, Frames};
use quotes::{find_quotes, is_scare};
use readings::{read_quote, Echoes, Reading};
use speakers::{assign_quote_speakers, resolve_pronouns};
use tokens::{tokenize, Tok};

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
    let short: Vec<bool> = quotes.iter().map(|q| is_scare(&ctx, q)).collect();
    let echoes = Echoes::of(&ctx, &quotes, &short);
    for qi in 0..quotes.len() {
        if !short[qi] {
            continue;
        }
        match read_quote(&ctx, &quotes, qi, &attributed, &echoes) {
            Reading::Scare => quotes[qi].scare = true,
            Reading::Own => quotes[qi].own = true,
            Reading::Quoted(sp) => {
                if quotes[qi].speaker.is_none() {
                    quotes[qi].speaker = sp;
                }
            }
        }
    }

    let quoted: Vec<(Range<usize>, Option<String>)> = quotes
        .iter()
        .filter(|q| !q.scare && !q.own && !q.inner.is_empty())
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
