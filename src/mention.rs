//! The unit of evidence: one occurrence of a lexicon term in one article.
//!
//! Every number slant reports is an aggregate of [`Mention`]s, and every
//! mention points back at characters a reader can check in the original file.

use serde::{Deserialize, Serialize};

use crate::corpus::{ArticleId, OutletId};
use crate::target::Sentiment;

/// A half-open range of **character** (Unicode scalar) offsets into an
/// article's original text, as loaded (after decoding, before any cleaning).
///
/// `original.chars().skip(start).take(end - start)` is the surface text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whose words a stretch of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Voice {
    /// The outlet's own narration (scare-quoted phrases included: they are
    /// the outlet distancing itself, not somebody speaking).
    Own,
    /// Inside quotation marks: a speaker's words.
    Quoted,
    /// Reported speech without quotation marks ("X said that …").
    Attributed,
}

impl Voice {
    pub const ALL: [Voice; 3] = [Voice::Own, Voice::Quoted, Voice::Attributed];

    pub fn as_str(self) -> &'static str {
        match self {
            Voice::Own => "own",
            Voice::Quoted => "quoted",
            Voice::Attributed => "attributed",
        }
    }
}

impl std::fmt::Display for Voice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which layer of loaded-language detection a mention comes from, so that
/// an outlet's rate on the story's own labels is not drowned by generic
/// words: the story lexicon (its concepts and competing labels), the
/// general layer (loaded language whatever the story: distancing words,
/// scare quotes, generic labels, intensifiers), or the loaded-word
/// detector (a model's hits that no lexicon term covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Story,
    General,
    Detector,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Story, Layer::General, Layer::Detector];

    /// The name used in the lexicon's `[meta] layer` and in the reports.
    ///
    /// ```
    /// assert_eq!(slant::mention::Layer::General.as_str(), "general");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Story => "story",
            Layer::General => "general",
            Layer::Detector => "detector",
        }
    }

    /// What found the mention: `lexicon` or `model` (the `source` column).
    pub fn source(self) -> &'static str {
        match self {
            Layer::Story | Layer::General => "lexicon",
            Layer::Detector => "model",
        }
    }

    /// Position in [`Layer::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One lexicon hit, distancing marker or detector hit in one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub article_id: ArticleId,
    pub outlet: OutletId,
    /// Index of the sentence in the article (0-based, boilerplate excluded).
    pub sentence_index: usize,
    /// Character offsets into the original article text.
    pub span: Span,
    /// The original characters at `span`.
    pub surface: String,
    /// The lexicon term as written in the lexicon (before variant expansion).
    pub term: String,
    /// Concept id, or a generic category id, or `distancing`.
    pub concept: String,
    pub label: String,
    /// The lexicon layer of the term's file; scare quotes are general;
    /// the detector's own hits are [`Layer::Detector`].
    pub layer: Layer,
    /// The loaded-word detector's probability for the mention's words when
    /// it called them loaded (its highest word); `None` when it did not, or
    /// did not run. A lexicon mention with a probability was found by both.
    #[serde(default)]
    pub model_prob: Option<f32>,
    /// Loadedness in 0..=1 (0 for neutral labels).
    pub loaded: f32,
    /// Direction toward the referent in -1..=1.
    pub direction: f32,
    pub voice: Voice,
    pub speaker: Option<String>,
    /// The mention is a distancing marker, or sits inside a scare quote.
    pub distancing: bool,
    /// A negation governs the mention ("not an occupation").
    pub negated: bool,
    /// Character span of the carrying sentence in the original text.
    pub sentence_span: Span,
    /// The carrying sentence, as in the original text.
    pub sentence: String,
    /// Filled by the sentiment stage; `None` when run lexicon-only. Not
    /// serialised: an analysis does not depend on the model.
    #[serde(skip)]
    pub sentiment: Option<Sentiment>,
}
