//! slant measured against labelled data.
//!
//! * [`loaded`]: `slant eval loaded`, the loaded-language detection against
//!   the BABE sentences ([`crate::corpus::babe`]), sentence by sentence and
//!   word by word, one row per detection layer.
//!
//! Each evaluation runs the product's own per-article analysis on the
//! labelled text, so the figures are those of what `slant analyze` reports.

pub mod loaded;

use crate::corpus::CorpusError;
use crate::lexicon::LexiconError;

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Data(#[from] CorpusError),
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Detect(#[from] crate::detect::DetectError),
}
