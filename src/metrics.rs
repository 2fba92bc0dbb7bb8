//! Precision, recall, F1, accuracy and macro-F1 of predictions against gold
//! labels: one definition for every place slant measures itself (the
//! sentiment model, `slant eval`).
//!
//! Conventions follow scikit-learn's defaults: a ratio with a zero
//! denominator is 0, and a class with no gold and no predicted item has
//! F1 = 0 and still counts in the macro mean.

use serde::{Deserialize, Serialize};

/// Counts behind precision and recall: `correct` of `predicted` items were
/// right, and they found `correct` of `gold` items.
///
/// ```
/// use slant::metrics::Counts;
/// let c = Counts { gold: 4, predicted: 2, correct: 1 };
/// assert_eq!((c.precision(), c.recall()), (0.5, 0.25));
/// assert!((c.f1() - 1.0 / 3.0).abs() < 1e-12); // 2·1 / (4 + 2)
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    /// 2·correct / (gold + predicted): the harmonic mean of precision and
    /// recall, without the 0/0 when one of them is 0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.correct, self.gold + self.predicted)
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.gold += other.gold;
        self.predicted += other.predicted;
        self.correct += other.correct;
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// A confusion matrix over `N` classes numbered `0..N`:
/// `matrix()[gold][predicted]`.
///
/// ```
/// use slant::metrics::Confusion;
/// let mut c = Confusion::<2>::new();
/// for (gold, predicted) in [(0, 0), (0, 1), (1, 1), (1, 1)] {
///     c.add(gold, predicted);
/// }
/// assert_eq!(c.accuracy(), 0.75);
/// assert_eq!(c.class(1).precision(), 2.0 / 3.0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confusion<const N: usize> {
    matrix: [[usize; N]; N],
}

impl<const N: usize> Default for Confusion<N> {
    fn default() -> Self {
        Confusion {
            matrix: [[0; N]; N],
        }
    }
}

impl<const N: usize> Confusion<N> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one item. Panics when a class is not below `N`: classes come
    /// from the caller's own enum, never from input.
    pub fn add(&mut self, gold: usize, predicted: usize) {
        self.matrix[gold][predicted] += 1;
    }

    pub fn matrix(&self) -> &[[usize; N]; N] {
        &self.matrix
    }

    /// Items counted.
    pub fn n(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    /// Items whose prediction is their gold class.
    pub fn correct(&self) -> usize {
        (0..N).map(|c| self.matrix[c][c]).sum()
    }

    pub fn accuracy(&self) -> f64 {
        ratio(self.correct(), self.n())
    }

    /// One class against the rest.
    pub fn class(&self, c: usize) -> Counts {
        Counts {
            gold: self.matrix[c].iter().sum(),
            predicted: self.matrix.iter().map(|row| row[c]).sum(),
            correct: self.matrix[c][c],
        }
    }

    /// Unweighted mean of the classes' F1.
    pub fn macro_f1(&self) -> f64 {
        if N == 0 {
            return 0.0;
        }
        (0..N).map(|c| self.class(c).f1()).sum::<f64>() / N as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_denominators_give_zero() {
        let none = Counts::default();
        assert_eq!(
            (none.precision(), none.recall(), none.f1()),
            (0.0, 0.0, 0.0)
        );
        let c = Confusion::<3>::new();
        assert_eq!((c.n(), c.accuracy(), c.macro_f1()), (0, 0.0, 0.0));
    }

    #[test]
    fn binary_scores_match_hand_computation() {
        // gold 1 1 1 0 0, predicted 1 0 0 0 1.
        let mut c = Confusion::<2>::new();
        for (g, p) in [(1, 1), (1, 0), (1, 0), (0, 0), (0, 1)] {
            c.add(g, p);
        }
        assert_eq!(c.matrix(), &[[1, 1], [2, 1]]);
        assert_eq!(
            c.class(1),
            Counts {
                gold: 3,
                predicted: 2,
                correct: 1
            }
        );
        // F1(1) = 2/5, F1(0) = 2·1/(2+3) = 2/5.
        assert!((c.class(1).f1() - 0.4).abs() < 1e-12);
        assert!((c.class(0).f1() - 0.4).abs() < 1e-12);
        assert!((c.macro_f1() - 0.4).abs() < 1e-12);
        assert_eq!(c.accuracy(), 0.4);
    }

    #[test]
    fn counts_add_up() {
        let mut total = Counts::default();
        total += Counts {
            gold: 2,
            predicted: 1,
            correct: 1,
        };
        total += Counts {
            gold: 0,
            predicted: 3,
            correct: 0,
        };
        assert_eq!(
            total,
            Counts {
                gold: 2,
                predicted: 4,
                correct: 1
            }
        );
        assert_eq!(total.precision(), 0.25);
    }
}
