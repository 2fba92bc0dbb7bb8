//! The text stage: from an article's original text to normalised text with
//! sentences and voice, keeping a map back to the original characters.
//!
//! Stages, in order: [`normalize`] (NFKC, quote/dash unification, obfuscation
//! repair, offset map) → [`boilerplate`] (page chrome, donation appeals,
//! lines repeated across an outlet's articles) → [`sentences`] → [`voice`]
//! (own / quoted / attributed, speakers, scare quotes).
//!
//! ```
//! use slant::text::{PreparedText, RepeatedLines};
//! use slant::Voice;
//!
//! let original = "Skip to main content\n\
//!                 Troops stayed for the “advisory” mission. “We will not leave IS.IS a \
//!                 foothold,” Gen. Ali said.\nOfficials said the talks would resume.";
//! let p = PreparedText::prepare(original, &RepeatedLines::empty());
//! assert_eq!(p.boilerplate_removed, 1);
//! assert_eq!(p.sentences.len(), 3);
//!
//! let at = p.normalized.find("ISIS").unwrap();
//! assert_eq!(p.voice_at(at..at + 4), (Voice::Quoted, Some("Gen. Ali")));
//! let span = p.original_span(at..at + 4);
//! let surface: String = original.chars().skip(span.start).take(span.len()).collect();
//! assert_eq!(surface, "IS.IS");
//!
//! let adv = p.normalized.find("advisory").unwrap();
//! assert!(p.in_scare_quote(adv..adv + 8));
//! assert_eq!(p.voice_at(adv..adv + 8).0, Voice::Own);
//!
//! let talks = p.normalized.find("talks").unwrap();
//! assert_eq!(p.voice_at(talks..talks + 5), (Voice::Attributed, Some("Officials")));
//! ```

pub mod boilerplate;
pub mod dictionary;
pub mod names;
pub mod normalize;
pub mod phrases;
pub mod sentences;
pub mod stop_words;
pub mod voice;

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::mention::{Span, Voice};

pub use boilerplate::{LineKey, RepeatedLines, RepeatedLinesBuilder};

/// A sentence as a byte range of [`PreparedText::normalized`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub range: Range<usize>,
}

/// A stretch of non-own voice, as a byte range of the normalised text.
/// Text that no segment covers is the outlet's own voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceSegment {
    pub range: Range<usize>,
    pub voice: Voice,
    pub speaker: Option<String>,
}

/// An article after the text stage.
#[derive(Debug, Clone)]
pub struct PreparedText {
    /// NFKC text with quotes, apostrophes and dashes unified and obfuscated
    /// words repaired. Case is kept. All ranges below index into it.
    /// Boilerplate stays in it (so offsets stay simple) but is in no
    /// sentence.
    pub normalized: String,
    /// Sentences in order; boilerplate is in none of them.
    pub sentences: Vec<Sentence>,
    /// Quoted and attributed segments, sorted, non-overlapping.
    pub voice: Vec<VoiceSegment>,
    /// Scare quotes: short quoted phrases with no speaker, in the outlet's
    /// own voice. The range covers the quotation marks too.
    pub scare_quotes: Vec<Range<usize>>,
    /// How many boilerplate lines/paragraphs were removed.
    pub boilerplate_removed: usize,
    /// Boilerplate lines, as byte ranges of `normalized`, sorted.
    pub boilerplate: Vec<Range<usize>>,
    /// Words whose obfuscating dots were removed (`ISIS` from `IS.IS`), as
    /// byte ranges of `normalized`.
    pub repairs: Vec<Range<usize>>,
    // Offset map back to the original text (private: use `original_span`).
    map: normalize::OffsetMap,
}

/// Unicode words (UAX #29) in `s`: `U.S.`, `2,500` and `don't` are one
/// word each; punctuation is none.
///
/// ```
/// assert_eq!(slant::text::word_count("The U.S.-led coalition, 2,500 troops."), 6);
/// ```
pub fn word_count(s: &str) -> usize {
    s.unicode_words().count()
}

/// Lower case, white space runs as one space, `’` as `'`: how a stretch of
/// text is named when no lexicon names it (a detector hit's label).
///
/// ```
/// assert_eq!(slant::text::lower_words("Far-Left\n  Mobs’"), "far-left mobs'");
/// ```
pub fn lower_words(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{2019}', "'")
        .to_lowercase()
}

impl PreparedText {
    /// Runs the whole text stage on one article's original text.
    ///
    /// Never fails and never panics: any string gives a (possibly empty)
    /// result. Runs in time roughly linear in the text's length.
    pub fn prepare(original: &str, repeated: &RepeatedLines) -> PreparedText {
        let norm = normalize::normalize(original);
        let text = norm.text;
        let removal = boilerplate::find(&text, repeated);
        let content: Vec<Range<usize>> = {
            let mut removed = removal.removed.iter().peekable();
            boilerplate::lines(&text)
                .into_iter()
                .filter(|l| {
                    while removed.peek().is_some_and(|r| r.start < l.start) {
                        removed.next();
                    }
                    removed.peek().is_none_or(|r| r.start != l.start)
                })
                .collect()
        };
        let sentence_ranges = sentences::split(&text, &content);
        let analysis = voice::analyze(&text, &content, &sentence_ranges, &norm.quotes);
        PreparedText {
            sentences: sentence_ranges
                .into_iter()
                .map(|range| Sentence { range })
                .collect(),
            voice: analysis.segments,
            scare_quotes: analysis.scare_quotes,
            boilerplate_removed: removal.count,
            boilerplate: removal.removed,
            repairs: norm.repairs,
            map: norm.map,
            normalized: text,
        }
    }

    /// Normalised byte range → CHARACTER offsets into the original text
    /// (what the `mentions/` rows report).
    ///
    /// `original.chars().skip(s.start).take(s.len())` is the original text
    /// of the range, across repaired obfuscations (`ISIS` ← `IS.IS`), NFKC
    /// changes (`fi` ← `ﬁ`) and unified quotes. Offsets beyond the text or
    /// inside a character are clamped outward to whole characters.
    pub fn original_span(&self, range: Range<usize>) -> Span {
        self.map.original_span(&self.normalized, range)
    }

    /// Voice and speaker at a normalised byte range: those of the segment
    /// containing `range.start`, or [`Voice::Own`] if none does.
    pub fn voice_at(&self, range: Range<usize>) -> (Voice, Option<&str>) {
        let k = self.voice.partition_point(|s| s.range.start <= range.start);
        match k.checked_sub(1).map(|i| &self.voice[i]) {
            Some(seg) if range.start < seg.range.end => (seg.voice, seg.speaker.as_deref()),
            _ => (Voice::Own, None),
        }
    }

    /// Index into `sentences` of the sentence containing this normalised
    /// byte; `None` if it is in boilerplate or between sentences.
    pub fn sentence_index_at(&self, byte: usize) -> Option<usize> {
        let k = self.sentences.partition_point(|s| s.range.start <= byte);
        let i = k.checked_sub(1)?;
        (byte < self.sentences[i].range.end).then_some(i)
    }

    /// Whether the range overlaps the inside of a scare quote (the words
    /// between the marks): `"advisory" mission` is distanced as a whole.
    pub fn in_scare_quote(&self, range: Range<usize>) -> bool {
        let k = self.scare_quotes.partition_point(|q| q.end <= range.start);
        self.scare_quotes.get(k).is_some_and(|q| {
            let inner = q.start + 1..q.end.saturating_sub(1);
            range.start < inner.end && inner.start < range.end.max(range.start + 1)
        })
    }

    /// Words over sentence text (boilerplate excluded).
    pub fn words(&self) -> usize {
        self.sentences
            .iter()
            .map(|s| word_count(&self.normalized[s.range.clone()]))
            .sum()
    }

    /// Words over sentence text by voice, indexed in [`Voice::ALL`] order
    /// (own, quoted, attributed). A word's voice is the voice at its first
    /// byte. Sums to [`PreparedText::words`].
    pub fn words_by_voice(&self) -> [usize; 3] {
        let mut out = [0usize; 3];
        let mut seg = 0;
        for s in &self.sentences {
            for (i, _) in self.normalized[s.range.clone()].unicode_word_indices() {
                let at = s.range.start + i;
                while seg < self.voice.len() && self.voice[seg].range.end <= at {
                    seg += 1;
                }
                let voice = match self.voice.get(seg) {
                    Some(v) if v.range.start <= at => v.voice,
                    _ => Voice::Own,
                };
                let idx = Voice::ALL.iter().position(|&v| v == voice).unwrap_or(0);
                out[idx] += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
