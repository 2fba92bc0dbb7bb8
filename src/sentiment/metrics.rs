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

/// Per-class counts of one cluster of predictions (a sentence's targets),
/// as a resampling bootstrap sums them: for each class in
/// [`Polarity::ALL`] order, its gold, predicted and correct counts.
/// [`macro_f1_of`] turns a sum of them back into macro-F1.
///
/// ```
/// use slant::sentiment::metrics::{cluster_counts, macro_f1_of, Scores};
/// use slant::sentiment::Polarity::*;
/// let (gold, pred) = ([Negative, Neutral, Positive], [Negative, Neutral, Neutral]);
/// let clusters = cluster_counts(&gold, &pred, &[1, 1, 2]);
/// assert_eq!(clusters.len(), 2);
/// let total: [f64; 9] = std::array::from_fn(|i| clusters.iter().map(|c| c[i]).sum());
/// assert!((macro_f1_of(&total) - Scores::compute(&gold, &pred).macro_f1).abs() < 1e-12);
/// ```
pub fn cluster_counts(
    gold: &[Polarity],
    predicted: &[Polarity],
    cluster: &[usize],
) -> Vec<[f64; 9]> {
    assert!(
        gold.len() == predicted.len() && gold.len() == cluster.len(),
        "gold, predictions and clusters differ in length"
    );
    let mut index = std::collections::HashMap::new();
    let mut out: Vec<[f64; 9]> = Vec::new();
    for ((g, p), c) in gold.iter().zip(predicted).zip(cluster) {
        let i = *index.entry(*c).or_insert_with(|| {
            out.push([0.0; 9]);
            out.len() - 1
        });
        out[i][3 * g.index()] += 1.0;
        out[i][3 * p.index() + 1] += 1.0;
        if g == p {
            out[i][3 * g.index() + 2] += 1.0;
        }
    }
    out
}

/// Macro-F1 from the nine values of summed [`cluster_counts`], by
/// [`crate::metrics::Counts`]' definition of F1.
pub fn macro_f1_of(counts: &[f64]) -> f64 {
    (0..3)
        .map(|c| {
            crate::metrics::Counts {
                gold: counts[3 * c] as usize,
                predicted: counts[3 * c + 1] as usize,
                correct: counts[3 * c + 2] as usize,
            }
            .f1()
        })
        .sum::<f64>()
        / 3.0
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
    fn cluster_counts_sum_to_the_whole_by_hand() {
        // Sentence 7: two targets, one right; sentence 9: one, wrong.
        let gold = [Negative, Positive, Positive];
        let pred = [Negative, Neutral, Negative];
        let c = cluster_counts(&gold, &pred, &[7, 7, 9]);
        assert_eq!(c[0], [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(c[1], [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
        let total: [f64; 9] = std::array::from_fn(|i| c[0][i] + c[1][i]);
        // F1 negative 2·1/(1+2) = 2/3, neutral 0, positive 0.
        assert!((macro_f1_of(&total) - 2.0 / 9.0).abs() < 1e-12);
        assert!((macro_f1_of(&total) - Scores::compute(&gold, &pred).macro_f1).abs() < 1e-12);
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
