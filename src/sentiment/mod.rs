//! Target-dependent sentiment: how a sentence speaks of one span in it.
//!
//! The model reads a sentence and one target in it and returns class
//! probabilities for negative / neutral / positive, the NewsMTSC task. The
//! target is marked in the input, or (the shipped model, trained with
//! `--marking none`) only pooled by the head, so that every target of a
//! sentence shares one forward pass. One sentence can praise one party and
//! condemn another, which is why slant scores each mention rather than each
//! sentence.
//!
//! Layout:
//!
//! * [`data`]: the NewsMTSC JSONL format (training and evaluation data);
//! * [`metrics`]: accuracy, macro-F1 and the confusion matrix;
//! * [`encode`]: turns a [`Target`] into token ids (the target marked, or
//!   not) and the target's token positions, cut to a window around the
//!   target when the sentence is long;
//! * `model`, `train` (feature `model`, needs libtorch): the network,
//!   [`SentimentModel`] for inference, and fine-tuning (with its dev
//!   evaluations and the mean of a run's checkpoints).
//!
//! What it is asked and answers ([`Target`], [`Sentiment`]) are plain data in
//! [`crate::target`]; the results a run keeps are in
//! [`crate::store::sentiment`], and `slant model bench` is in [`crate::bench`].
//! Everything except the libtorch parts compiles without the `model` feature.

pub mod data;
pub mod encode;
pub mod metrics;
pub mod precision;

#[cfg(feature = "model")]
mod fast;
#[cfg(feature = "model")]
mod model;
#[cfg(feature = "model")]
mod quant;
#[cfg(feature = "model")]
mod rows;
#[cfg(feature = "model")]
pub mod train;
#[cfg(feature = "model")]
mod workers;

pub use crate::target::{Polarity, Sentiment, Target, TargetKey};
#[cfg(feature = "model")]
pub(crate) use fast::{read_tensors, take, Body};
#[cfg(feature = "model")]
pub(crate) use model::{bundled_dir, Batch};
#[cfg(feature = "model")]
pub use model::{
    configure_threads, update_model_config, BaseEncoder, LoadOptions, ModelConfig, ModelInfo,
    Pooling, PredictionCheck, SentimentModel, DEFAULT_BATCH_SIZE, DEFAULT_MODEL_NAME,
};
pub use precision::{InferenceArgs, Precision, DEFAULT_PRECISION};
#[cfg(feature = "model")]
pub(crate) use workers::{length_batches, on_workers};

use std::path::PathBuf;

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
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// How to get a working model again, shown with every model-file error.
pub const MODEL_HINT: &str = "Restore the committed model folder (git checkout models/), \
     point --model at a folder written by `slant model train`, or run lexicon-only with --no-model";
