//! Accuracy, macro-F1 and the confusion matrix for the three classes
//! (computed by [`crate::metrics`]).

use serde::{Deserialize, Serialize};

use super::Polarity;
use crate::metrics::Confusion;

/// Scores of predictions against gold labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub n: usize,
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1 (a class with no gold and no
    /// predicted items counts as F1 = 0, as scikit-learn does).
    pub macro_f1: f64,
    pub f1: [f64; 3],
    /// `confusion[gold][predicted]`, classes in [`Polarity::ALL`] order.
    pub confusion: [[usize; 3]; 3],
}

impl Scores {
    /// Scores `predicted` against `gold` (same length, same order).
    ///
    /// ```
    /// use slant::sentiment::{metrics::Scores, Polarity::*};
    /// let s = Scores::compute(&[Negative, Neutral, Positive], &[Negative, Neutral, Neutral]);
    /// assert!((s.accuracy - 2.0 / 3.0).abs() < 1e-9);
    /// assert_eq!(s.confusion[2][1], 1);
    /// ```
    pub fn compute(gold: &[Polarity], predicted: &[Polarity]) -> Scores {
        assert_eq!(
            gold.len(),
            predicted.len(),
            "gold and predictions differ in length"
        );
        let mut confusion = Confusion::<3>::new();
        for (g, p) in gold.iter().zip(predicted) {
            confusion.add(g.index(), p.index());
        }
        Scores {
            n: confusion.n(),
            accuracy: confusion.accuracy(),
            macro_f1: confusion.macro_f1(),
            f1: [0, 1, 2].map(|c| confusion.class(c).f1()),
            confusion: *confusion.matrix(),
        }
    }

    /// A human-readable table: accuracy, macro-F1, per-class F1 and the
    /// confusion matrix (rows gold, columns predicted).
    pub fn render(&self) -> String {
        let mut s = format!(
            "n = {}\naccuracy = {:.4}\nmacro-F1 = {:.4}\nF1 negative/neutral/positive = {:.4} / {:.4} / {:.4}\n",
            self.n, self.accuracy, self.macro_f1, self.f1[0], self.f1[1], self.f1[2]
        );
        s.push_str("confusion (rows gold, columns predicted):\n");
        s.push_str(&format!(
            "{:>10} {:>9} {:>9} {:>9}\n",
            "", "negative", "neutral", "positive"
        ));
        for (g, row) in self.confusion.iter().enumerate() {
            s.push_str(&format!(
                "{:>10} {:>9} {:>9} {:>9}\n",
                Polarity::ALL[g].as_str(),
                row[0],
                row[1],
                row[2]
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Polarity::*;

    #[test]
    fn perfect_and_worst() {
        let g = [Negative, Neutral, Positive, Positive];
        let s = Scores::compute(&g, &g);
        assert_eq!(s.accuracy, 1.0);
        assert_eq!(s.macro_f1, 1.0);
        let s = Scores::compute(&g, &[Positive, Negative, Neutral, Neutral]);
        assert_eq!(s.accuracy, 0.0);
        assert_eq!(s.macro_f1, 0.0);
    }

    #[test]
    fn macro_f1_matches_hand_computation() {
        // gold: 2 neg, 1 neu, 1 pos; one neg predicted neutral.
        let s = Scores::compute(
            &[Negative, Negative, Neutral, Positive],
            &[Negative, Neutral, Neutral, Positive],
        );
        // F1 neg = 2*1/(2+1) = 2/3, neu = 2*1/(1+2) = 2/3, pos = 1.
        assert!((s.macro_f1 - (2.0 / 3.0 + 2.0 / 3.0 + 1.0) / 3.0).abs() < 1e-12);
        assert!(s.render().contains("macro-F1 = 0.7778"));
    }
}
