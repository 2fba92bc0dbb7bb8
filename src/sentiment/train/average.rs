//! Weight averaging over a run's evaluation checkpoints (`--average-from`).
//!
//! Fine-tuning a small encoder on 8,700 targets swings a point or more of
//! dev macro-F1 from one evaluation to the next: the best single checkpoint
//! partly wins by luck, and its luck does not carry to other text. The mean of
//! the weights at several checkpoints of one run (stochastic weight
//! averaging, Izmailov et al. 2018) sits nearer the middle of the region the
//! run explores, which tends to hold up better away from the data that chose
//! it. Only checkpoints of one run are averaged: they share one
//! initialisation of the head, so their weights live in one basin.

use std::collections::HashMap;

use tch::{nn, Tensor};

/// A running sum of a variable store's weights, one snapshot per step added.
#[derive(Default)]
pub(crate) struct WeightAverage {
    sum: HashMap<String, Tensor>,
    steps: Vec<usize>,
}

impl WeightAverage {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The steps whose weights are in the sum, in the order they were added.
    pub(crate) fn steps(&self) -> &[usize] {
        &self.steps
    }

    /// Adds the store's current weights (taken at `step`) to the sum.
    pub(crate) fn add(&mut self, vs: &nn::VarStore, step: usize) {
        tch::no_grad(|| {
            for (name, t) in vs.variables() {
                match self.sum.get_mut(&name) {
                    Some(s) => *s += t.detach(),
                    None => {
                        self.sum.insert(name, t.detach().copy());
                    }
                }
            }
        });
        self.steps.push(step);
    }

    /// Puts the mean of the added weights into the store. The store's own
    /// weights are overwritten: call it when training is over.
    pub(crate) fn load_into(&self, vs: &mut nn::VarStore) {
        let n = self.steps.len().max(1) as f64;
        tch::no_grad(|| {
            let mut vars = vs.variables();
            for (name, s) in &self.sum {
                if let Some(t) = vars.get_mut(name) {
                    t.copy_(&(s / n));
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn the_mean_of_three_snapshots_is_loaded() {
        let mut vs = nn::VarStore::new(Device::Cpu);
        let w = vs.root().zeros("w", &[2]);
        let mut avg = WeightAverage::new();
        for (step, v) in [(10, [1.0f32, 2.0]), (20, [3.0, 2.0]), (30, [5.0, 8.0])] {
            tch::no_grad(|| w.shallow_clone().copy_(&Tensor::from_slice(&v)));
            avg.add(&vs, step);
        }
        assert_eq!(avg.steps(), &[10, 20, 30]);
        avg.load_into(&mut vs);
        let got: Vec<f32> = Vec::try_from(&w).expect("a float vector");
        assert_eq!(got, vec![3.0, 4.0]);
    }
}
