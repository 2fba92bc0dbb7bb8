//! Several permutation tests on the same two sides, sharing their random
//! splits: `divergence.csv` tests every concept of a pair of outlets and
//! their combination on one set of splits.

use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use super::{jensen_shannon, Permutation, Plan, PERMUTATION_CHUNK, ROUND, TOLERANCE};

/// A statistic of two summed count vectors: larger means further apart;
/// `None` where it is not defined.
pub type Statistic<'s> = dyn Fn(&[f64], &[f64]) -> Option<f64> + Sync + 's;

/// Several statistics of the same two summed count vectors, computed
/// together: a split is drawn once for all of them, and what they have in
/// common (a concept's divergence and the overall figure made of it) can
/// be computed once too.
///
/// A slice of [`Statistic`]s is one, each computed on its own.
pub trait Statistics: Sync {
    /// How many statistics: the length of `out` in [`Statistics::compute`].
    fn count(&self) -> usize;

    /// Each statistic of `p` and `q` into `out`, `None` where it is not
    /// defined.
    fn compute(&self, p: &[f64], q: &[f64], out: &mut [Option<f64>]);
}

impl Statistics for [&Statistic<'_>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn compute(&self, p: &[f64], q: &[f64], out: &mut [Option<f64>]) {
        for (o, statistic) in out.iter_mut().zip(self) {
            *o = statistic(p, q);
        }
    }
}

/// Each block's [`jensen_shannon`], then the blocks' weighted mean of
/// them (`blocks.len() + 1` statistics): each block's divergence is
/// computed once for its own figure and the overall one.
/// [`super::weighted_block_jsd`] is the last figure alone.
///
/// ```
/// use slant::discover::stats::{jensen_shannon, weighted_block_jsd, BlockJsd, Statistics};
/// let (p, q) = ([1.0, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0]);
/// let blocks = [0..2, 2..4];
/// let mut out = [None; 3];
/// BlockJsd { blocks: &blocks }.compute(&p, &q, &mut out);
/// assert_eq!(out[0], jensen_shannon(&p[0..2], &q[0..2]));
/// assert_eq!(out[1], jensen_shannon(&p[2..4], &q[2..4]));
/// assert_eq!(out[2], weighted_block_jsd(&p, &q, &blocks));
/// ```
pub struct BlockJsd<'b> {
    pub blocks: &'b [Range<usize>],
}

impl Statistics for BlockJsd<'_> {
    fn count(&self) -> usize {
        self.blocks.len() + 1
    }

    fn compute(&self, p: &[f64], q: &[f64], out: &mut [Option<f64>]) {
        // Unequal lengths or a block outside them is a mistake in the
        // blocks: the overall figure is None.
        let mut whole = p.len() == q.len();
        let (mut weighted, mut weight) = (0.0, 0.0);
        for (o, block) in out.iter_mut().zip(self.blocks) {
            let (Some(bp), Some(bq)) = (p.get(block.clone()), q.get(block.clone())) else {
                *o = None;
                whole = false;
                continue;
            };
            *o = jensen_shannon(bp, bq);
            if let Some(d) = *o {
                let w = bp.iter().sum::<f64>() + bq.iter().sum::<f64>();
                weighted += w * d;
                weight += w;
            }
        }
        if let Some(o) = out.get_mut(self.blocks.len()) {
            *o = (whole && weight > 0.0).then(|| weighted / weight);
        }
    }
}

/// Several permutation tests on the same two sides, sharing their random
/// splits: one split of the pooled units serves every statistic (each
/// concept of a pair of outlets, and their combination), so the work of a
/// split, drawing the units, is done once for all of them.
///
/// `units` are sparse count vectors of length `len` ((position, count)
/// pairs); `a` and `b` index the units of each side. Each statistic gets
/// the two summed vectors. A statistic undefined on the sides as given has
/// no test (`None` in its place); every test is `None` when a side names
/// a unit `units` does not have, or one of the sides' units has a
/// position not below `len` or a count negative or not finite, or the
/// sides' entries number 2³² or more. Splits are drawn as in
/// [`super::permutation_test_planned`]: in rounds of [`ROUND`] chunks of
/// [`PERMUTATION_CHUNK`], at most `plan.permutations`, fewer (not below
/// `plan.min`) when one split costs more than `plan.budget` allows, and a
/// statistic stops counting once it has `plan.stop_at_hits` hits; drawing
/// ends when every statistic has stopped.
///
/// ```
/// use slant::discover::stats::{jensen_shannon, shared_permutation_tests, Plan, Statistic};
/// // Ten articles each: side a says "A", side b "B".
/// let units: Vec<Vec<(usize, f64)>> = (0..20).map(|i| vec![(usize::from(i >= 10), 1.0)]).collect();
/// let (a, b): (Vec<u32>, Vec<u32>) = ((0..10).collect(), (10..20).collect());
/// let plan = Plan { permutations: 999, min: 999, stop_at_hits: 20, budget: usize::MAX };
/// let stats: [&Statistic; 1] = [&jensen_shannon];
/// let t = shared_permutation_tests(&units, 2, &a, &b, &stats[..], plan, 7);
/// assert_eq!(t[0].unwrap().p_value, 1.0 / 1000.0);
/// ```
pub fn shared_permutation_tests<S: Statistics + ?Sized>(
    units: &[Vec<(usize, f64)>],
    len: usize,
    a: &[u32],
    b: &[u32],
    statistics: &S,
    plan: Plan,
    seed: u64,
) -> Vec<Option<Permutation>> {
    let m = statistics.count();
    let none = || vec![None; m];
    // Only the sides' units are read: `units` may hold a whole corpus.
    // Whole counts (every caller's) are kept as 32-bit integers: half the
    // bytes a split reads, and the sums are the same.
    let mut whole = true;
    let valid = len <= u32::MAX as usize
        && a.iter().chain(b).all(|&u| {
            units.get(u as usize).is_some_and(|unit| {
                unit.iter().all(|&(i, x)| {
                    whole &= x.fract() == 0.0 && x <= f64::from(u32::MAX);
                    i < len && x >= 0.0 && x.is_finite()
                })
            })
        });
    if !valid {
        return none();
    }
    let side_sum = |side: &[u32]| {
        let mut sum = vec![0.0; len];
        for &u in side {
            for &(i, x) in &units[u as usize] {
                sum[i] += x;
            }
        }
        sum
    };
    let (sum_a, sum_b) = (side_sum(a), side_sum(b));
    let mut observed = vec![None; m];
    statistics.compute(&sum_a, &sum_b, &mut observed);
    for o in &mut observed {
        *o = o.filter(|x| !x.is_nan());
    }
    if observed.iter().all(Option::is_none) {
        return none();
    }
    let sides = Sides {
        len,
        k: a.len().min(b.len()),
        drawn_is_a: a.len() <= b.len(),
        total: sum_a.iter().zip(&sum_b).map(|(x, y)| x + y).collect(),
        observed,
        statistics,
    };
    let tests = if whole {
        Pooled::new(units, a, b, |x| x as u32).map(|p| sides.tests(&p, plan, seed))
    } else {
        Pooled::new(units, a, b, |x| x).map(|p| sides.tests(&p, plan, seed))
    };
    tests.unwrap_or_else(none)
}

/// Interleaved sums per label in a split.
const LANES: usize = 4;

/// A count as a split adds it up: whole counts as integers, exact in any
/// order; others as `f64`, whose last bits may then differ from a sum in
/// another order (the test's tolerance absorbs that).
trait Count: Copy + Send + Sync {
    type Sum: Copy + Default + std::ops::AddAssign;
    fn sum(self) -> Self::Sum;
    fn value(sum: Self::Sum) -> f64;
}

impl Count for u32 {
    type Sum = u64;
    fn sum(self) -> u64 {
        u64::from(self)
    }
    fn value(sum: u64) -> f64 {
        sum as f64
    }
}

impl Count for f64 {
    type Sum = f64;
    fn sum(self) -> f64 {
        self
    }
    fn value(sum: f64) -> f64 {
        sum
    }
}

/// The pooled units of both sides laid out flat: unit `u`'s entries are
/// `entries[spans[u].0..spans[u].1]`. A split shuffles the spans
/// themselves, so drawing a unit reads its entries without first looking
/// up where they start.
struct Pooled<C> {
    entries: Vec<(u32, C)>,
    spans: Vec<(u32, u32)>,
}

impl<C> Pooled<C> {
    /// `None` when the entries number 2³² or more.
    fn new(
        units: &[Vec<(usize, f64)>],
        a: &[u32],
        b: &[u32],
        count: impl Fn(f64) -> C,
    ) -> Option<Pooled<C>> {
        let mut entries = Vec::new();
        let mut spans = Vec::with_capacity(a.len() + b.len());
        for &u in a.iter().chain(b) {
            let start = u32::try_from(entries.len()).ok()?;
            // Positions are below `len`, which fits a u32.
            entries.extend(units[u as usize].iter().map(|&(i, x)| (i as u32, count(x))));
            spans.push((start, u32::try_from(entries.len()).ok()?));
        }
        Some(Pooled { entries, spans })
    }
}

/// What every split of one pair of sides shares.
struct Sides<'s, S: ?Sized> {
    len: usize,
    /// Units drawn a split: the smaller side's.
    k: usize,
    drawn_is_a: bool,
    /// Both sides' sums together: the side not drawn is this minus the
    /// side drawn.
    total: Vec<f64>,
    observed: Vec<Option<f64>>,
    statistics: &'s S,
}

impl<S: Statistics + ?Sized> Sides<'_, S> {
    fn tests<C: Count>(
        &self,
        pooled: &Pooled<C>,
        plan: Plan,
        seed: u64,
    ) -> Vec<Option<Permutation>> {
        let units = pooled.spans.len();
        let per_unit = pooled.entries.len().div_ceil(units.max(1));
        let cost = (self.k * (per_unit + 1)).max(1);
        let permutations = (plan.budget / cost).clamp(plan.min, plan.permutations.max(plan.min));
        let m = self.observed.len();
        let chunks = permutations.div_ceil(PERMUTATION_CHUNK);
        let mut hits = vec![0usize; m];
        // Where a statistic stopped early: (hits, splits drawn) then.
        let mut stopped: Vec<Option<(usize, usize)>> = vec![None; m];
        let (mut first, mut drawn) = (0, 0);
        while first < chunks {
            let last = (first + ROUND).min(chunks);
            let round: Vec<Vec<usize>> = (first..last)
                .into_par_iter()
                .map(|c| {
                    let start = c * PERMUTATION_CHUNK;
                    let todo = PERMUTATION_CHUNK.min(permutations - start);
                    let stream = seed ^ (c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                    self.hits(pooled, Xoshiro256PlusPlus::seed_from_u64(stream), todo)
                })
                .collect();
            for h in round {
                for (t, x) in hits.iter_mut().zip(h) {
                    *t += x;
                }
            }
            drawn = (last * PERMUTATION_CHUNK).min(permutations);
            first = last;
            if plan.stop_at_hits > 0 && first < chunks {
                for s in 0..m {
                    if stopped[s].is_none() && hits[s] >= plan.stop_at_hits {
                        stopped[s] = Some((hits[s], drawn));
                    }
                }
                let open = (0..m).any(|s| self.observed[s].is_some() && stopped[s].is_none());
                if !open {
                    break;
                }
            }
        }
        (0..m)
            .map(|s| {
                let observed = self.observed[s]?;
                Some(match stopped[s] {
                    Some((h, n)) => Permutation {
                        observed,
                        p_value: h as f64 / n as f64,
                        permutations: n,
                    },
                    None => Permutation {
                        observed,
                        p_value: (1 + hits[s]) as f64 / (1 + drawn) as f64,
                        permutations: drawn,
                    },
                })
            })
            .collect()
    }

    /// Each statistic's hits in `todo` random splits drawn from `rng`.
    fn hits<C: Count>(
        &self,
        pooled: &Pooled<C>,
        mut rng: Xoshiro256PlusPlus,
        todo: usize,
    ) -> Vec<usize> {
        let mut order = pooled.spans.clone();
        // Consecutive units add to the same common labels; summing them in
        // LANES interleaved sums lets those adds run side by side instead
        // of each waiting on the one before.
        let mut lanes = vec![[C::Sum::default(); LANES]; self.len];
        let (mut drawn, mut rest) = (vec![0.0; self.len], vec![0.0; self.len]);
        let mut values = vec![None; self.observed.len()];
        let mut hits = vec![0; self.observed.len()];
        for _ in 0..todo {
            lanes.fill([C::Sum::default(); LANES]);
            // A partial Fisher–Yates picks a uniform k-subset whatever
            // order the array is left in by the split before.
            for i in 0..self.k {
                let j = rng.gen_range(i..order.len());
                order.swap(i, j);
            }
            // Apart from the draws, whose each step waits on the random
            // number before it, the units' reads do not wait on each
            // other, so the processor has several under way at once.
            for (i, &(start, end)) in order[..self.k].iter().enumerate() {
                for &(p, x) in &pooled.entries[start as usize..end as usize] {
                    lanes[p as usize][i % LANES] += x.sum();
                }
            }
            for (d, lane) in drawn.iter_mut().zip(&lanes) {
                *d = C::value(lane.iter().fold(C::Sum::default(), |mut s, &x| {
                    s += x;
                    s
                }));
            }
            for ((r, t), d) in rest.iter_mut().zip(&self.total).zip(&drawn) {
                *r = (t - d).max(0.0);
            }
            let (x, y) = if self.drawn_is_a {
                (&drawn, &rest)
            } else {
                (&rest, &drawn)
            };
            self.statistics.compute(x, y, &mut values);
            for ((h, value), obs) in hits.iter_mut().zip(&values).zip(&self.observed) {
                if let (Some(v), Some(obs)) = (value, obs) {
                    if *v >= obs - TOLERANCE {
                        *h += 1;
                    }
                }
            }
        }
        hits
    }
}
