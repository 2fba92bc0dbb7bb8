//! The dev sets of a training run and what their evaluations record.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::sentiment::data::Example;
use crate::sentiment::encode::Encoded;
use crate::sentiment::metrics::Scores;
use crate::sentiment::model::{predict, Net};
use crate::sentiment::{Polarity, SentimentError};

/// A dev set, read and encoded once.
pub(super) struct Dev {
    pub(super) name: String,
    pub(super) path: PathBuf,
    pub(super) examples: Vec<Example>,
    pub(super) gold: Vec<Polarity>,
    pub(super) encoded: Vec<Encoded>,
}

/// One dev evaluation during training.
#[derive(Debug, Clone, Serialize)]
pub struct EvalRecord {
    pub step: usize,
    pub epoch: f64,
    pub train_loss: f64,
    /// Mean accuracy over the dev sets.
    pub dev_accuracy: f64,
    /// Mean macro-F1 over the dev sets: what selects the saved model.
    pub dev_macro_f1: f64,
    /// Each dev set's (accuracy, macro-F1), by name (`dev_rw`).
    pub dev: BTreeMap<String, (f64, f64)>,
    pub seconds: f64,
}

impl EvalRecord {
    pub(super) fn new(
        step: usize,
        epoch: f64,
        train_loss: f64,
        dev: BTreeMap<String, (f64, f64)>,
        seconds: f64,
    ) -> Self {
        let mean =
            |f: fn(&(f64, f64)) -> f64| dev.values().map(f).sum::<f64>() / dev.len().max(1) as f64;
        EvalRecord {
            step,
            epoch,
            train_loss,
            dev_accuracy: mean(|s| s.0),
            dev_macro_f1: mean(|s| s.1),
            dev,
            seconds,
        }
    }

    /// `dev acc 0.8001 macro-F1 0.7815 (dev_mt 0.7525, dev_rw 0.8105)`
    pub(super) fn describe(&self) -> String {
        format!(
            "dev acc {:.4} macro-F1 {:.4} ({})",
            self.dev_accuracy,
            self.dev_macro_f1,
            self.dev
                .iter()
                .map(|(name, (_, f1))| format!("{name} {f1:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Each dev set's (accuracy, macro-F1), by name.
type DevScores = BTreeMap<String, (f64, f64)>;

/// The weight average of a run's checkpoints and how it scored.
#[derive(Debug, Clone, Serialize)]
pub struct AveragedRecord {
    /// The evaluation steps whose weights were averaged.
    pub steps: Vec<usize>,
    /// Each dev set's (accuracy, macro-F1) in f32, by name.
    pub dev: BTreeMap<String, (f64, f64)>,
    pub dev_macro_f1: f64,
    /// Whether it scored better than the best single checkpoint and was
    /// saved instead.
    pub saved: bool,
}

/// Scores the network on every dev set: (accuracy, macro-F1) by name, and
/// the labels predicted for the first set.
pub(super) fn evaluate(
    net: &Net,
    devs: &[Dev],
) -> Result<(DevScores, Vec<Polarity>), SentimentError> {
    let mut dev = BTreeMap::new();
    let mut first_pred = None;
    for d in devs {
        let probs = predict(net, &d.encoded, 64)?;
        let pred = labels_of(&probs);
        let s = Scores::compute(&d.gold, &pred);
        dev.insert(d.name.clone(), (s.accuracy, s.macro_f1));
        first_pred.get_or_insert(pred);
    }
    Ok((dev, first_pred.unwrap_or_default()))
}

fn labels_of(probs: &[[f32; 3]]) -> Vec<Polarity> {
    probs
        .iter()
        .map(|p| crate::sentiment::Sentiment::from_probs(*p).label)
        .collect()
}
