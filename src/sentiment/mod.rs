//! Target-dependent sentiment: how a sentence speaks of one span in it.
//!
//! The model reads a sentence with one target marked and returns class
//! probabilities for negative / neutral / positive, the NewsMTSC task. One
//! sentence can praise one party and condemn another, which is why slant scores
//! each mention rather than each sentence.
//!
//! Layout:
//!
//! * [`data`]: the NewsMTSC JSONL format (training and evaluation data);
//! * [`metrics`]: accuracy, macro-F1 and the confusion matrix;
//! * [`encode`]: turns a [`Target`] into token ids with the target marked, cut
//!   to a window around the target when the sentence is long;
//! * [`cache`]: results keyed by (sentence, target span, model hash), stored in
//!   the output folder so a rerun does not score them again;
//! * `model`, `train`, `bench` (feature `model`, needs libtorch): the network,
//!   [`SentimentModel`] for inference, fine-tuning and the speed benchmark.
//!
//! Everything except the libtorch parts compiles without the `model` feature,
//! so a lexicon-only build can still read and write the cache.

pub mod cache;
pub mod data;
pub mod encode;
pub mod metrics;

#[cfg(feature = "model")]
pub mod bench;
#[cfg(feature = "model")]
mod model;
#[cfg(feature = "model")]
pub mod train;

pub use cache::{CacheLoad, CacheStats, SentimentCache, TargetKey};
#[cfg(feature = "model")]
pub use model::{
    score_cached, update_model_config, BaseEncoder, ModelConfig, ModelInfo, PredictionCheck,
    SentimentModel, DEFAULT_MODEL_NAME,
};

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The three NewsMTSC classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

impl Polarity {
    /// All classes in the order of [`Sentiment::probs`] and of the model's
    /// output.
    pub const ALL: [Polarity; 3] = [Polarity::Negative, Polarity::Neutral, Polarity::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
            Polarity::Positive => "positive",
        }
    }

    /// Index into [`Sentiment::probs`].
    pub fn index(self) -> usize {
        match self {
            Polarity::Negative => 0,
            Polarity::Neutral => 1,
            Polarity::Positive => 2,
        }
    }

    /// The class at `i` in [`Polarity::ALL`]; `None` past 2.
    pub fn from_index(i: usize) -> Option<Polarity> {
        Polarity::ALL.get(i).copied()
    }
}

/// Class probabilities for one target, `probs = [negative, neutral, positive]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: Polarity,
    pub probs: [f32; 3],
}

impl Sentiment {
    /// `pos - neg`, in -1..=1: the number slant averages.
    pub fn score(&self) -> f32 {
        self.probs[2] - self.probs[0]
    }

    /// The sentiment whose label is the most probable class (ties go to the
    /// earlier class, so the result is deterministic).
    ///
    /// ```
    /// use slant::sentiment::{Polarity, Sentiment};
    /// let s = Sentiment::from_probs([0.1, 0.2, 0.7]);
    /// assert_eq!(s.label, Polarity::Positive);
    /// ```
    pub fn from_probs(probs: [f32; 3]) -> Sentiment {
        let mut best = 0;
        for (i, p) in probs.iter().enumerate().skip(1) {
            if *p > probs[best] {
                best = i;
            }
        }
        Sentiment {
            label: Polarity::ALL[best],
            probs,
        }
    }
}

/// One thing to score: a sentence and the character span of the target in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub sentence: String,
    /// Character offsets of the target inside `sentence`.
    pub start: usize,
    pub end: usize,
}

impl Target {
    /// A target over `sentence[start..end]`, offsets in characters.
    pub fn new(sentence: impl Into<String>, start: usize, end: usize) -> Target {
        Target {
            sentence: sentence.into(),
            start,
            end,
        }
    }

    /// The target over the first occurrence of `needle` in `sentence`, or
    /// `None` when it does not occur.
    ///
    /// ```
    /// use slant::sentiment::Target;
    /// let t = Target::find("The mayor praised the firefighters.", "firefighters").unwrap();
    /// assert_eq!((t.start, t.end), (22, 34));
    /// ```
    pub fn find(sentence: &str, needle: &str) -> Option<Target> {
        let byte = sentence.find(needle)?;
        let start = sentence[..byte].chars().count();
        Some(Target::new(sentence, start, start + needle.chars().count()))
    }

    /// The target's text, or `None` when the span does not fit the sentence.
    pub fn text(&self) -> Option<&str> {
        if self.start >= self.end {
            return None;
        }
        let b0 = char_to_byte(&self.sentence, self.start)?;
        let b1 = char_to_byte(&self.sentence, self.end)?;
        Some(&self.sentence[b0..b1])
    }
}

/// Byte offset of character `c` in `s`; `c == chars` gives `s.len()`.
pub(crate) fn char_to_byte(s: &str, c: usize) -> Option<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .nth(c)
}

/// What can go wrong loading, running or training the sentiment model.
#[derive(Debug, thiserror::Error)]
pub enum SentimentError {
    /// The model folder or one of its files is missing.
    #[error("sentiment model not found: {path}: {reason}. {hint}")]
    MissingModel {
        path: PathBuf,
        reason: String,
        hint: &'static str,
    },
    /// A model file exists but cannot be used.
    #[error("sentiment model file {path} is unusable: {reason}. {hint}")]
    BadModel {
        path: PathBuf,
        reason: String,
        hint: &'static str,
    },
    /// A data file line that is not valid NewsMTSC JSONL.
    #[error("{path}:{line}: {reason}")]
    Data {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// A corpus or lexicon the benchmark could not read.
    #[error("{0}")]
    Input(String),
    /// A target whose span does not fit its sentence.
    #[error("target {start}..{end} does not fit a sentence of {chars} characters")]
    InvalidTarget {
        start: usize,
        end: usize,
        chars: usize,
    },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("libtorch: {0}")]
    Torch(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How to get a working model again, shown with every model-file error.
pub const MODEL_HINT: &str = "Restore the committed model folder (git checkout models/), \
     point --model at a folder written by `slant model train`, or run lexicon-only with --no-model";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_text_uses_char_offsets() {
        let t = Target::new("Él criticó a la OTAN ayer", 16, 20);
        assert_eq!(t.text(), Some("OTAN"));
        let t = Target::new("abc", 2, 3);
        assert_eq!(t.text(), Some("c"));
        assert_eq!(Target::new("abc", 2, 4).text(), None);
        assert_eq!(Target::new("abc", 2, 2).text(), None);
    }

    #[test]
    fn find_counts_chars_not_bytes() {
        let t = Target::find("Für die Größe von Paris", "Paris").unwrap();
        assert_eq!(t.text(), Some("Paris"));
        assert_eq!(t.start, 18);
        assert!(Target::find("abc", "zz").is_none());
    }

    #[test]
    fn from_probs_picks_argmax() {
        assert_eq!(
            Sentiment::from_probs([0.5, 0.3, 0.2]).label,
            Polarity::Negative
        );
        assert_eq!(
            Sentiment::from_probs([0.2, 0.5, 0.3]).label,
            Polarity::Neutral
        );
        assert!((Sentiment::from_probs([0.2, 0.1, 0.7]).score() - 0.5).abs() < 1e-6);
    }
}
