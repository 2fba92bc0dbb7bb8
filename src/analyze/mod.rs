//! One article through the text and lexicon stages: the mentions it holds and
//! the counts its rates are built from.
//!
//! This is the per-article "map" step. It reads nothing but its arguments, so
//! articles can be analysed in any order, in parallel, or on other machines,
//! and the results merged by [`crate::score`]. The run cache
//! ([`crate::store`]) keeps what each article gave between runs,
//! so a rerun analyses only new or changed articles.

use serde::{Deserialize, Serialize};

use crate::corpus::{Article, ArticleId, OutletId};
use crate::lexicon::{is_negated, Matcher};
use crate::mention::{Layer, Mention, Span, Voice};
use crate::target::Target;
use crate::text::{PreparedText, RepeatedLines};

/// Concept id of distancing markers: the lexicon's distancing words and
/// the scare quotes the analysis adds to them.
pub use crate::lexicon::DISTANCING;

/// Label and loadedness given to a scare quote. The lexicon cannot weigh a
/// scare quote (its words can be anything), so it gets a fixed mid weight.
pub const SCARE_QUOTE_LABEL: &str = "scare_quote";
pub const SCARE_QUOTE_LOADED: f32 = 0.5;

/// What the reports need to know about one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleAnalysis {
    pub id: ArticleId,
    pub outlet: OutletId,
    pub outlet_name: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub source: String,
    pub content_hash: String,
    /// Words in sentences (boilerplate excluded), total and by voice.
    pub words: usize,
    pub words_by_voice: [usize; 3],
    pub sentences: usize,
    pub boilerplate_removed: usize,
    /// Mentions in text order.
    pub mentions: Vec<Mention>,
}

/// What the sentiment model scores for a mention: its sentence and its span
/// in that sentence (character offsets), or `None` for a distancing marker,
/// which has no referent to judge.
pub fn sentiment_target(m: &Mention) -> Option<Target> {
    if m.concept == DISTANCING {
        return None;
    }
    Some(Target {
        sentence: m.sentence.clone(),
        start: m.span.start.saturating_sub(m.sentence_span.start),
        end: m.span.end.saturating_sub(m.sentence_span.start),
    })
}

/// Runs the text and lexicon stages on one article.
pub fn analyze_article(
    article: &Article,
    repeated: &RepeatedLines,
    matcher: &Matcher,
) -> ArticleAnalysis {
    let prepared = PreparedText::prepare(&article.text, repeated);
    let chars = CharIndex::new(&article.text);
    let norm = &prepared.normalized;
    let mut mentions = Vec::new();

    // The normalised text of a mention's sentence: the sentence it starts
    // in, extended to the end of the one it ends in when it runs past it (a
    // term matched across a line break, a quote across a full stop), so the
    // sentence shown as evidence always contains the mention.
    let sentence_range = |range: &std::ops::Range<usize>, sentence_index: usize| {
        let first = prepared.sentences[sentence_index].range.clone();
        let end = prepared
            .sentence_index_at(range.end.saturating_sub(1))
            .map_or(range.end, |last| prepared.sentences[last].range.end);
        first.start..first.end.max(end)
    };
    let base = |range: std::ops::Range<usize>, sentence_index: usize| {
        let span = prepared.original_span(range.clone());
        let sentence_span = prepared.original_span(sentence_range(&range, sentence_index));
        let (voice, speaker) = prepared.voice_at(range);
        (
            span,
            chars.slice(span).to_string(),
            sentence_span,
            chars.slice(sentence_span).to_string(),
            voice,
            speaker.map(str::to_string),
        )
    };

    for hit in matcher.find(norm) {
        // Hits in boilerplate belong to no sentence: page chrome is not the
        // outlet's framing of the story.
        let Some(sentence_index) = prepared.sentence_index_at(hit.range.start) else {
            continue;
        };
        let entry = matcher.entry(hit.entry);
        let (span, surface, sentence_span, sentence, voice, speaker) =
            base(hit.range.clone(), sentence_index);
        let sentence_range = sentence_range(&hit.range, sentence_index);
        mentions.push(Mention {
            article_id: article.id.clone(),
            outlet: article.outlet.clone(),
            sentence_index,
            span,
            surface,
            term: entry.term.clone(),
            concept: entry.concept.clone(),
            label: entry.label.clone(),
            layer: entry.layer,
            loaded: entry.loaded,
            direction: entry.direction,
            voice,
            speaker,
            distancing: entry.distancing || prepared.in_scare_quote(hit.range.clone()),
            negated: is_negated(norm, sentence_range, hit.range),
            sentence_span,
            sentence,
            sentiment: None,
        });
    }

    for quote in &prepared.scare_quotes {
        let Some(sentence_index) = prepared.sentence_index_at(quote.start) else {
            continue;
        };
        let (span, surface, sentence_span, sentence, _, _) = base(quote.clone(), sentence_index);
        mentions.push(Mention {
            article_id: article.id.clone(),
            outlet: article.outlet.clone(),
            sentence_index,
            span,
            term: surface.clone(),
            surface,
            concept: DISTANCING.to_string(),
            label: SCARE_QUOTE_LABEL.to_string(),
            // Found by the text stage on any story.
            layer: Layer::General,
            loaded: SCARE_QUOTE_LOADED,
            direction: 0.0,
            // A scare quote is the outlet distancing itself, by definition.
            voice: Voice::Own,
            speaker: None,
            distancing: true,
            negated: false,
            sentence_span,
            sentence,
            sentiment: None,
        });
    }
    mentions.sort_by(|a, b| (a.span, &a.concept).cmp(&(b.span, &b.concept)));

    ArticleAnalysis {
        id: article.id.clone(),
        outlet: article.outlet.clone(),
        outlet_name: article.outlet_name.clone(),
        title: article.title.clone(),
        published: article.published.clone(),
        source: article.source.clone(),
        content_hash: article.content_hash.clone(),
        words: prepared.words(),
        words_by_voice: prepared.words_by_voice(),
        sentences: prepared.sentences.len(),
        boilerplate_removed: prepared.boilerplate_removed,
        mentions,
    }
}

/// Character offsets → byte offsets without a byte offset per character:
/// one checkpoint every [`CharIndex::STRIDE`] characters bounds both memory
/// (a 10 MB article) and lookup cost.
struct CharIndex<'a> {
    text: &'a str,
    checkpoints: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    const STRIDE: usize = 64;

    fn new(text: &'a str) -> CharIndex<'a> {
        let checkpoints = text
            .char_indices()
            .step_by(Self::STRIDE)
            .map(|(b, _)| b)
            .collect();
        CharIndex { text, checkpoints }
    }

    fn byte(&self, char_offset: usize) -> usize {
        let Some(&start) = self.checkpoints.get(char_offset / Self::STRIDE) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(char_offset % Self::STRIDE)
            .map_or(self.text.len(), |(b, _)| start + b)
    }

    fn slice(&self, span: Span) -> &'a str {
        let start = self.byte(span.start);
        let end = self.byte(span.end).max(start);
        &self.text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_index_matches_chars() {
        let text = "ab€d".repeat(50);
        let index = CharIndex::new(&text);
        for start in [0, 1, 3, 63, 64, 65, 130, 199] {
            for len in [0, 1, 5, 70] {
                let end = (start + len).min(200);
                let want: String = text.chars().skip(start).take(end - start).collect();
                assert_eq!(index.slice(Span::new(start, end)), want);
            }
        }
        assert_eq!(
            index.slice(Span::new(195, 500)),
            "ab€d"[..].chars().skip(3).collect::<String>() + "ab€d"
        );
    }
}
