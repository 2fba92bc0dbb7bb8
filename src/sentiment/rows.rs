//! Which inputs share a forward pass.
//!
//! A model that marks its target in the text (`inline`, `pair`) gives
//! every target its own token ids, so each is a row of its own. A model
//! that reads the sentence alone (`none`) gives the targets of one
//! sentence the same ids: they can share one row, and the head reads each
//! target's tokens from it. [`Rows::of`] groups inputs by their ids, so the
//! sharing follows from the inputs, whatever the marking.
//!
//! ```text
//! inputs  [ids A, target 1..2] [ids B, target 3..4] [ids A, target 5..7]
//! rows    A: inputs 0 and 2    B: input 1
//! ```

use std::collections::HashMap;
use std::ops::Range;

use super::encode::Encoded;

/// Distinct token sequences of a set of inputs, and the inputs each one
/// serves.
#[derive(Debug)]
pub(crate) struct Rows<'a> {
    /// The first input with each distinct sequence (its ids are the row's).
    pub first: Vec<&'a Encoded>,
    /// The inputs each row serves, in input order.
    pub members: Vec<Vec<usize>>,
}

impl<'a> Rows<'a> {
    /// One row per distinct `(ids, type_ids)` when `share`, else one row
    /// per input.
    pub fn of(inputs: &'a [Encoded], share: bool) -> Rows<'a> {
        let mut rows = Rows {
            first: Vec::new(),
            members: Vec::new(),
        };
        let mut seen: HashMap<(&[i64], &[i64]), usize> = HashMap::new();
        for (i, e) in inputs.iter().enumerate() {
            let row = if share {
                *seen
                    .entry((e.ids.as_slice(), e.type_ids.as_slice()))
                    .or_insert(rows.first.len())
            } else {
                rows.first.len()
            };
            if row == rows.first.len() {
                rows.first.push(e);
                rows.members.push(Vec::new());
            }
            rows.members[row].push(i);
        }
        rows
    }

    /// Token lengths of the rows.
    pub fn lens(&self) -> Vec<usize> {
        self.first.iter().map(|e| e.ids.len()).collect()
    }

    /// For a batch of rows (indices into `self`), the inputs it scores and
    /// where each reads its target.
    pub fn layout(&self, batch: &[usize], inputs: &[Encoded]) -> Layout {
        let mut layout = Layout::default();
        for (at, &row) in batch.iter().enumerate() {
            for &i in &self.members[row] {
                layout.slots.push(i);
                layout.targets.push((at, inputs[i].target.clone()));
            }
        }
        layout
    }
}

/// The targets of one batch of rows, in the order its logits come out.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The input each target is.
    pub slots: Vec<usize>,
    /// `(position of its row in the batch, its target's tokens)`.
    pub targets: Vec<(usize, Range<usize>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(ids: &[i64], target: Range<usize>) -> Encoded {
        Encoded {
            ids: ids.to_vec(),
            type_ids: vec![0; ids.len()],
            target,
        }
    }

    #[test]
    fn inputs_with_the_same_ids_share_a_row_when_asked() {
        let inputs = [
            input(&[101, 7, 8, 9, 102], 1..2),
            input(&[101, 5, 102], 1..2),
            input(&[101, 7, 8, 9, 102], 2..4),
        ];
        let shared = Rows::of(&inputs, true);
        assert_eq!(shared.members, [vec![0, 2], vec![1]]);
        assert_eq!(shared.lens(), [5, 3]);
        assert_eq!(
            shared.layout(&[1, 0], &inputs),
            Layout {
                slots: vec![1, 0, 2],
                targets: vec![(0, 1..2), (1, 1..2), (1, 2..4)],
            }
        );
        let apart = Rows::of(&inputs, false);
        assert_eq!(apart.members, [vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn other_type_ids_are_another_row() {
        let mut b = input(&[101, 7, 102], 1..2);
        b.type_ids[2] = 1;
        let inputs = [input(&[101, 7, 102], 1..2), b];
        assert_eq!(Rows::of(&inputs, true).members, [vec![0], vec![1]]);
    }
}
