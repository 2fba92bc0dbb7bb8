//! The loaded-word detector as a run uses it: its hits for each article's
//! sentences, its identity for the cache key and `run.json`, and the time
//! it took.
//!
//! Articles are analysed on all cores, and the model is one (libtorch runs
//! it on all cores itself): the analyses take turns at it
//! ([`crate::detect::Finder`]), an article's sentences one batch.

use std::time::Duration;

use serde::Serialize;

use crate::analyze::WordFinder;

/// The detector's entry in `run.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectorSummary {
    pub name: String,
    pub version: String,
    pub dir: String,
    /// SHA-256 over the weights, tokenizer and settings; part of every
    /// article's cache key.
    pub sha256: String,
    pub word_threshold: f32,
}

/// A [`WordFinder`] a run can name and time.
pub trait LoadedWords: WordFinder {
    fn summary(&self) -> DetectorSummary;
    /// Time spent in the model so far.
    fn spent(&self) -> Duration;
}

#[cfg(feature = "model")]
pub use with_model::DetectorFinder;

#[cfg(feature = "model")]
mod with_model {
    use std::path::Path;
    use std::time::Duration;

    use super::{DetectorSummary, LoadedWords};
    use crate::analyze::{FinderError, Stretches, WordFinder};
    use crate::detect::{DetectError, Detector, Finder, Tagger};

    /// The bundled (or a given) [`Detector`], shared by the analyses.
    pub struct DetectorFinder {
        finder: Finder,
        summary: DetectorSummary,
    }

    impl DetectorFinder {
        pub fn open(dir: &Path) -> Result<DetectorFinder, DetectError> {
            let detector = Detector::load(dir)?;
            let info = detector.info().clone();
            let summary = DetectorSummary {
                name: info.name,
                version: info.version,
                dir: info.dir.display().to_string(),
                sha256: info.hash,
                word_threshold: detector.thresholds().word,
            };
            Ok(DetectorFinder {
                finder: Finder::new(Box::new(detector)),
                summary,
            })
        }
    }

    impl WordFinder for DetectorFinder {
        fn find(&self, sentences: &[&str]) -> Result<Vec<Stretches>, FinderError> {
            self.finder.find(sentences)
        }
    }

    impl LoadedWords for DetectorFinder {
        fn summary(&self) -> DetectorSummary {
            self.summary.clone()
        }

        fn spent(&self) -> Duration {
            self.finder.spent()
        }
    }
}
