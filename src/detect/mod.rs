//! The loaded-word detector: a tagger that reads a sentence and says, word
//! by word, how likely an expert would mark the word as biased wording, and
//! for the whole sentence how likely it is biased.
//!
//! The lexicon finds what someone listed; the detector finds loaded wording
//! nobody listed, on any story. It is the shipped sentence encoder
//! (all-MiniLM-L6-v2) fine-tuned on BABE's expert annotations (the biased
//! words and the sentence label), with two heads on the final hidden
//! states: one logit per word (on the word's first token), one per sentence
//! (on `[CLS]`). A word is a hit at or above the model's word threshold,
//! chosen when it was trained on sentences set aside from training (never
//! the dev split the figures are reported on).
//!
//! Layout:
//!
//! * [`encode`]: words, their keys, and the token that stands for each;
//! * `model`, `train` (feature `model`, needs libtorch): the network,
//!   [`Detector`] for inference, and fine-tuning on BABE.
//!
//! Hits become mentions in [`crate::pipeline`], marked `source` = `model`
//! with the word's probability, so a reader can tell them from the
//! lexicon's.

pub mod encode;
#[cfg(feature = "model")]
mod model;
#[cfg(feature = "model")]
pub mod train;

pub use encode::{word_counts, word_key, word_keys, word_spans, EncodedSentence, WordEncoder};
#[cfg(feature = "model")]
pub use model::{Detector, DetectorConfig, DetectorInfo, DEFAULT_DETECTOR_NAME};

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::analyze::{FinderError, Stretches, WordFinder};

/// What the detector says of one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    /// Probability that the sentence is biased.
    pub sentence: f32,
    /// Every word of the sentence with the probability that it is loaded
    /// (0 for a word past the cut).
    pub words: Vec<(Range<usize>, f32)>,
}

impl Tagged {
    /// The loaded stretches: runs of adjacent words at or above `threshold`
    /// (words separated only by a hyphen, space or apostrophe are one
    /// stretch), each with its highest word probability. A number, or a
    /// name (a capitalised word that does not begin the sentence:
    /// "Blinken", "BuzzFeed"), is never a hit: the model learnt from
    /// sentences where names stand beside loaded words, and a name is not a
    /// wording choice.
    ///
    /// ```
    /// use slant::detect::Tagged;
    /// let s = "a far-left mob attacked";
    /// let t = Tagged { sentence: 0.9, words: vec![(0..1, 0.1), (2..5, 0.8), (6..10, 0.7), (11..14, 0.2), (15..23, 0.6)] };
    /// let hits: Vec<&str> = t.hits(s, 0.5).into_iter().map(|(r, _)| &s[r]).collect();
    /// assert_eq!(hits, ["far-left", "attacked"]);
    ///
    /// let s = "Then Blinken slammed 2 of them";
    /// let t = Tagged { sentence: 0.9, words: vec![(0..4, 0.1), (5..12, 0.9), (13..20, 0.9), (21..22, 0.9), (23..25, 0.1), (26..30, 0.1)] };
    /// let hits: Vec<&str> = t.hits(s, 0.5).into_iter().map(|(r, _)| &s[r]).collect();
    /// assert_eq!(hits, ["slammed"]);
    /// ```
    pub fn hits(&self, sentence: &str, threshold: f32) -> Vec<(Range<usize>, f32)> {
        let mut out: Vec<(Range<usize>, f32)> = Vec::new();
        for (i, (span, p)) in self.words.iter().enumerate() {
            if *p < threshold || is_name_or_number(sentence, span, i == 0) {
                continue;
            }
            if let Some((last, q)) = out.last_mut() {
                let gap = sentence.get(last.end..span.start).unwrap_or("x");
                if gap.len() <= 1 && gap.chars().all(|c| matches!(c, '-' | ' ' | '\'')) {
                    last.end = span.end;
                    *q = q.max(*p);
                    continue;
                }
            }
            out.push((span.clone(), *p));
        }
        out
    }
}

/// A word the detector's call is not taken for: a number, or a name (a
/// capitalised word that does not begin the sentence).
fn is_name_or_number(sentence: &str, word: &Range<usize>, first: bool) -> bool {
    let Some(text) = sentence.get(word.clone()) else {
        return true;
    };
    !text.chars().any(char::is_alphabetic)
        || (!first && text.chars().next().is_some_and(char::is_uppercase))
}

/// The cut-offs that turn probabilities into calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A word at or above this is a hit.
    pub word: f32,
    /// A sentence at or above this is called biased.
    pub sentence: f32,
}

/// Anything that tags sentences: the [`Detector`] (feature `model`), or a
/// stand-in where a test needs one.
pub trait Tagger {
    /// Tags sentences, results in input order.
    fn tag(&self, sentences: &[&str]) -> Result<Vec<Tagged>, DetectError>;
    fn thresholds(&self) -> Thresholds;
}

/// A [`Tagger`] shared by threads, as the analysis uses it: a
/// [`WordFinder`] whose stretches are [`Tagged::hits`] at the tagger's word
/// threshold. Calls take turns (the model is one, and uses every core
/// itself); the time spent in it is kept.
pub struct Finder {
    tagger: Mutex<Box<dyn Tagger + Send>>,
    thresholds: Thresholds,
    spent_ns: AtomicU64,
}

impl Finder {
    pub fn new(tagger: Box<dyn Tagger + Send>) -> Finder {
        Finder {
            thresholds: tagger.thresholds(),
            tagger: Mutex::new(tagger),
            spent_ns: AtomicU64::new(0),
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Time spent tagging so far.
    pub fn spent(&self) -> Duration {
        Duration::from_nanos(self.spent_ns.load(Ordering::Relaxed))
    }

    /// Tags sentences, results in input order.
    pub fn tag(&self, sentences: &[&str]) -> Result<Vec<Tagged>, DetectError> {
        let tagger = self
            .tagger
            .lock()
            .map_err(|_| DetectError::Torch("an earlier call panicked".into()))?;
        let clock = Instant::now();
        let tagged = tagger.tag(sentences);
        let ns = u64::try_from(clock.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.spent_ns.fetch_add(ns, Ordering::Relaxed);
        tagged
    }
}

impl WordFinder for Finder {
    fn find(&self, sentences: &[&str]) -> Result<Vec<Stretches>, FinderError> {
        let tagged = self
            .tag(sentences)
            .map_err(|e| FinderError(e.to_string()))?;
        Ok(sentences
            .iter()
            .zip(&tagged)
            .map(|(s, t)| t.hits(s, self.thresholds.word))
            .collect())
    }
}

/// What can go wrong loading, running or training the detector.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// The model folder or one of its files is missing.
    #[error("loaded-word detector not found: {path}: {reason}. {DETECTOR_HINT}")]
    MissingModel { path: PathBuf, reason: String },
    /// A model file exists but cannot be used.
    #[error("loaded-word detector file {path} is unusable: {reason}. {DETECTOR_HINT}")]
    BadModel { path: PathBuf, reason: String },
    /// Training data that cannot be used.
    #[error("{0}")]
    Data(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("libtorch: {0}")]
    Torch(String),
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// How to get a working detector again, shown with every model-file error.
pub const DETECTOR_HINT: &str = "Restore the committed folder (git checkout models/), \
     point --detector at a folder written by `slant model train-detector`, or run lexicon-only with --no-model";
