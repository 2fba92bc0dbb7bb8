//! The statistics behind slant's discovery reports: which phrases one outlet
//! uses more than the rest ([`log_odds`] with an informative [`prior`]), how
//! far apart two outlets' label distributions are ([`jensen_shannon`],
//! [`weighted_block_jsd`]), whether that distance is more than chance
//! ([`permutation_test`] over whole articles), and false-discovery control
//! over the many comparisons a report makes ([`benjamini_hochberg`]).
//!
//! Each is small enough to recompute by hand, and the tests do. Intervals
//! for rates are [`crate::score::stats`]'s.

mod shared;

use std::ops::Range;

use rand::{Rng, SeedableRng};

use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
pub use shared::{shared_permutation_tests, BlockJsd, Statistic, Statistics};

/// Monroe, Colaresi & Quinn (2008), "Fightin' Words", eq. 16 and 18-20:
/// log-odds ratio of word w between group i and the rest j with an
/// informative Dirichlet prior.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogOdds {
    /// Log-odds of the phrase in the key minus in the rest: above 0 when the
    /// key uses it more.
    pub delta: f64,
    /// The approximate variance of `delta` (eq. 20).
    pub variance: f64,
    /// `delta / sqrt(variance)`, the figure to rank and threshold on.
    pub z: f64,
}

/// y_i: count of the phrase in the key; n_i: total phrase count of the key;
/// y_j, n_j: same for the rest of the corpus; alpha_w: prior pseudo-count of
/// the phrase; alpha_0: sum of the prior over all phrases.
/// delta = ln((y_i+a_w)/(n_i+a_0-y_i-a_w)) - ln((y_j+a_w)/(n_j+a_0-y_j-a_w));
/// variance = 1/(y_i+a_w) + 1/(y_j+a_w); z = delta / sqrt(variance).
/// Returns None when a denominator would be <= 0 or alpha_w <= 0.
///
/// Also `None` when an input is not finite or `y + alpha_w <= 0` (a negative
/// count), since the logarithm and the variance need both parts positive.
///
/// ```
/// use slant::discover::stats::log_odds;
/// // Key: 3 of 10 phrases; rest: 1 of 10; prior 1 of 2.
/// // ln(4/8) - ln(2/10) = ln 2.5; variance 1/4 + 1/2.
/// let lo = log_odds(3.0, 10.0, 1.0, 10.0, 1.0, 2.0).unwrap();
/// assert!((lo.delta - 2.5f64.ln()).abs() < 1e-12);
/// assert!((lo.variance - 0.75).abs() < 1e-12);
/// assert!((lo.z - 2.5f64.ln() / 0.75f64.sqrt()).abs() < 1e-12);
/// assert!(log_odds(3.0, 10.0, 1.0, 10.0, 0.0, 2.0).is_none());
/// ```
pub fn log_odds(
    y_i: f64,
    n_i: f64,
    y_j: f64,
    n_j: f64,
    alpha_w: f64,
    alpha_0: f64,
) -> Option<LogOdds> {
    if !(alpha_w > 0.0
        && [y_i, n_i, y_j, n_j, alpha_w, alpha_0]
            .iter()
            .all(|x| x.is_finite()))
    {
        return None;
    }
    let (hit_i, miss_i) = (y_i + alpha_w, n_i + alpha_0 - y_i - alpha_w);
    let (hit_j, miss_j) = (y_j + alpha_w, n_j + alpha_0 - y_j - alpha_w);
    if [hit_i, miss_i, hit_j, miss_j].iter().any(|&x| x <= 0.0) {
        return None;
    }
    // Differences of logarithms rather than the log of a quotient of
    // quotients: nothing can overflow on the way.
    let delta = (hit_i.ln() - miss_i.ln()) - (hit_j.ln() - miss_j.ln());
    // Eq. 20 keeps only the phrase terms: the 1/(n - y) terms are small
    // beside them for any phrase rarer than half its side's total.
    let variance = 1.0 / hit_i + 1.0 / hit_j;
    Some(LogOdds {
        delta,
        variance,
        z: delta / variance.sqrt(),
    })
}

/// The informative prior used by slant: alpha_w = alpha_0 * (corpus count of w / corpus total).
/// (Monroe et al. use the corpus frequencies scaled to a prior size alpha_0.)
///
/// `None` unless `total > 0`, `alpha_0 > 0` and `0 <= count_w <= total`
/// (all finite). A phrase the corpus never counts gets `Some(0.0)`, which
/// [`log_odds`] refuses: such a phrase has nothing to compare.
///
/// ```
/// use slant::discover::stats::prior;
/// // 5 of 1,000 phrases in the corpus, prior size 200: 200 * 5/1000.
/// assert_eq!(prior(5.0, 1000.0, 200.0), Some(1.0));
/// assert_eq!(prior(5.0, 0.0, 200.0), None);
/// ```
pub fn prior(count_w: f64, total: f64, alpha_0: f64) -> Option<f64> {
    let valid = total.is_finite()
        && alpha_0.is_finite()
        && total > 0.0
        && alpha_0 > 0.0
        && (0.0..=total).contains(&count_w);
    valid.then(|| alpha_0 * (count_w / total))
}

/// Jensen–Shannon divergence, base 2 (so in [0, 1]), of two count vectors of
/// equal length, each normalised to a distribution. None if either sums to 0 or
/// lengths differ. 0·log 0 = 0.
///
/// Also `None` when a count is negative or not finite: they are not counts.
///
/// ```
/// use slant::discover::stats::jensen_shannon;
/// assert_eq!(jensen_shannon(&[2.0, 6.0], &[1.0, 3.0]), Some(0.0)); // same shares
/// assert_eq!(jensen_shannon(&[4.0, 0.0], &[0.0, 9.0]), Some(1.0)); // disjoint
/// assert_eq!(jensen_shannon(&[0.0, 0.0], &[1.0, 3.0]), None);
/// ```
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> Option<f64> {
    let (sp, sq) = (count_sum(p)?, count_sum(q)?);
    if p.len() != q.len() || sp <= 0.0 || sq <= 0.0 {
        return None;
    }
    let mut sum = 0.0;
    for (&x, &y) in p.iter().zip(q) {
        let (a, b) = (x / sp, y / sq);
        let m = 0.5 * (a + b);
        // Where a share is zero its term is 0·log 0 = 0; where it is not,
        // m >= share/2 > 0, so the quotient is defined.
        if a > 0.0 {
            sum += a * (a / m).log2();
        }
        if b > 0.0 {
            sum += b * (b / m).log2();
        }
    }
    // Rounding can leave identical shares a hair below 0 or disjoint ones a
    // hair above 1.
    Some((0.5 * sum).clamp(0.0, 1.0))
}

/// The sum of a count vector, or `None` if an entry is negative or not finite.
fn count_sum(v: &[f64]) -> Option<f64> {
    v.iter()
        .try_fold(0.0, |s, &x| (x >= 0.0 && x.is_finite()).then_some(s + x))
}

/// Result of a permutation test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Permutation {
    /// The statistic on the sides as given.
    pub observed: f64,
    /// `(1 + hits) / (1 + permutations)`; never 0.
    pub p_value: f64,
    /// How many random splits were drawn.
    pub permutations: usize,
}

/// Two-sample permutation test over whole units (articles). `a` and `b` are
/// the units of the two sides, each unit a vector of counts of the same length
/// L. `statistic` gets the two summed vectors (length L) and returns the
/// statistic (None when undefined, e.g. an empty side; then the test returns None).
/// Units are pooled and re-split at random into groups of the original sizes
/// `permutations` times, with a Xoshiro256PlusPlus stream seeded from `seed`
/// (deterministic: same inputs, same seed, same p-value, whatever the thread count).
/// p = (1 + #{permuted stat >= observed - 1e-12}) / (1 + permutations) (Phipson & Smyth 2010: never 0).
/// Permutations where the statistic is undefined count as not >= observed.
///
/// Also `None` when units differ in length, a count is negative or not
/// finite, the observed statistic is NaN, or there are 2³² units or more.
/// Larger statistics must mean "more different": the test is one-sided.
///
/// Permutations run in fixed chunks of [`PERMUTATION_CHUNK`], chunk `c` on
/// its own stream seeded from `seed ^ c·0x9e3779b97f4a7c15`, so the chunks
/// run on all cores and the p-value does not depend on how many there are.
/// One summed side is drawn, the smaller, and the other is the pooled total
/// minus it: exact for whole counts (below 2⁵³); fractional counts may
/// differ from a direct sum in the last bits, which the 1e-12 tolerance
/// absorbs.
///
/// ```
/// use slant::discover::stats::{jensen_shannon, permutation_test};
/// // 20 articles per side, every one of side a says "A", every one of b "B".
/// let a = vec![vec![1.0, 0.0]; 20];
/// let b = vec![vec![0.0, 1.0]; 20];
/// let t = permutation_test(&a, &b, jensen_shannon, 999, 7).unwrap();
/// assert_eq!(t.observed, 1.0);
/// assert_eq!(t.p_value, 1.0 / 1000.0); // no random split is as far apart
/// // Undefined on the sides as given: no test.
/// assert!(permutation_test(&a, &[], jensen_shannon, 999, 7).is_none());
/// ```
pub fn permutation_test(
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    statistic: impl Fn(&[f64], &[f64]) -> Option<f64> + Sync,
    permutations: usize,
    seed: u64,
) -> Option<Permutation> {
    let plan = Plan {
        permutations,
        min: permutations,
        stop_at_hits: 0,
        budget: usize::MAX,
    };
    permutation_test_planned(a, b, statistic, plan, seed)
}

/// How many random splits a [`permutation_test_planned`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The most random splits.
    pub permutations: usize,
    /// The fewest, however costly each split (when `budget` would allow
    /// fewer).
    pub min: usize,
    /// Stop once this many splits are at least as far apart as the sides
    /// given (Besag & Clifford 1991): the p-value is then clearly not small,
    /// and hits ÷ splits drawn estimates it. 0: never stop early.
    pub stop_at_hits: usize,
    /// The most work a test may take, in units added to a sum over all its
    /// splits: a test whose splits cost more draws fewer of them (not fewer
    /// than `min`), so one test on two large outlets does not take longer
    /// than a thousand small ones.
    pub budget: usize,
}

/// [`permutation_test`] with a [`Plan`]. Splits are drawn in rounds of
/// [`ROUND`] chunks, so stopping early gives the same p-value whatever
/// the number of threads. `permutations` in the result is the number drawn,
/// and the p-value is hits ÷ drawn when the test stopped early, else
/// `(1 + hits) / (1 + drawn)`.
///
/// ```
/// use slant::discover::stats::{jensen_shannon, permutation_test_planned, Plan};
/// // Alike sides: every split is as far apart (JSD 0), so the test stops
/// // after its first round with p = 1.
/// let a = vec![vec![1.0, 1.0]; 50];
/// let plan = Plan { permutations: 999, min: 99, stop_at_hits: 10, budget: 1_000_000 };
/// let t = permutation_test_planned(&a, &a, jensen_shannon, plan, 7).unwrap();
/// assert_eq!(t.p_value, 1.0);
/// assert!(t.permutations < 999);
/// ```
pub fn permutation_test_planned(
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    statistic: impl Fn(&[f64], &[f64]) -> Option<f64> + Sync,
    plan: Plan,
    seed: u64,
) -> Option<Permutation> {
    let len = a.iter().chain(b).map(Vec::len).next().unwrap_or(0);
    let pool = Pool::new(a.iter().chain(b), len)?;
    let (sum_a, sum_b) = (side_sum(a, len), side_sum(b, len));
    let observed = statistic(&sum_a, &sum_b).filter(|s| !s.is_nan())?;
    let k = a.len().min(b.len());
    let draw = Draw::cheaper(pool.active.len(), k, pool.types.len());
    let cost = draw.cost(&pool, k).max(1);
    let permutations = (plan.budget / cost).clamp(plan.min, plan.permutations.max(plan.min));
    let split = Split {
        total: sum_a.iter().zip(&sum_b).map(|(x, y)| x + y).collect(),
        k: u32::try_from(k).ok()?,
        // Draw the smaller side: fewer draws and fewer units to add.
        drawn_is_a: a.len() <= b.len(),
        draw,
        pool,
        threshold: observed - TOLERANCE,
        statistic: &statistic,
    };
    let chunks = permutations.div_ceil(PERMUTATION_CHUNK);
    let (mut hits, mut drawn) = (0, 0);
    let mut first = 0;
    while first < chunks {
        let last = (first + ROUND).min(chunks);
        hits += (first..last)
            .into_par_iter()
            .map(|c| {
                let start = c * PERMUTATION_CHUNK;
                let count = PERMUTATION_CHUNK.min(permutations - start);
                let stream = seed ^ (c as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                split.hits(Xoshiro256PlusPlus::seed_from_u64(stream), count)
            })
            .sum::<usize>();
        drawn = (last * PERMUTATION_CHUNK).min(permutations);
        first = last;
        if plan.stop_at_hits > 0 && hits >= plan.stop_at_hits && first < chunks {
            return Some(Permutation {
                observed,
                p_value: hits as f64 / drawn as f64,
                permutations: drawn,
            });
        }
    }
    Some(Permutation {
        observed,
        p_value: (1 + hits) as f64 / (1 + drawn) as f64,
        permutations: drawn,
    })
}

/// A kind with at most this many units is drawn unit by unit.
const SMALL_KIND: u64 = 24;

/// How many of a kind's `count` units a uniformly random draw of `need`
/// of the `left` units still undrawn takes: hypergeometric, drawn unit by
/// unit for a small kind (exact, and cheaper than setting up the
/// distribution), else from `rand_distr`.
fn draw_kind(rng: &mut Xoshiro256PlusPlus, left: u64, count: u64, need: u64) -> u64 {
    if count <= SMALL_KIND {
        let (mut drawn, mut l, mut nd) = (0, left, need);
        for _ in 0..count {
            if nd == 0 {
                break;
            }
            if rng.gen_range(0..l) < nd {
                drawn += 1;
                nd -= 1;
            }
            l -= 1;
        }
        drawn
    } else {
        match rand_distr::Hypergeometric::new(left, count, need) {
            Ok(h) => rng.sample(h),
            // Cannot happen: count <= left and need <= left.
            Err(_) => 0,
        }
    }
}

/// Chunks drawn between two looks at the hits of a planned test.
pub const ROUND: usize = 2;

/// Permutations per random stream. Part of the result: a different chunk
/// size gives different (equally valid) p-values for the same seed.
pub const PERMUTATION_CHUNK: usize = 128;

/// How far below the observed statistic a permuted one still counts as at
/// least as extreme, so that a split equal to the observed one up to
/// rounding is not missed.
const TOLERANCE: f64 = 1e-12;

fn side_sum(units: &[Vec<f64>], len: usize) -> Vec<f64> {
    let mut sum = vec![0.0; len];
    for unit in units {
        for (s, x) in sum.iter_mut().zip(unit) {
            *s += x;
        }
    }
    sum
}

/// All units of both sides, only their nonzero counts: an article counts
/// nothing for most labels of most concepts, and a permutation then costs
/// the counts of the units it moves rather than units × L.
struct Pool {
    /// Unit `u`'s counts are `entries[starts[u]..starts[u + 1]]`.
    starts: Vec<usize>,
    /// (position in the vector, count).
    entries: Vec<(usize, f64)>,
    /// The units with any nonzero count, ascending.
    active: Vec<u32>,
    /// The distinct nonzero units: one unit of each (its index) and how
    /// many units are alike.
    types: Vec<(u32, u32)>,
}

impl Pool {
    /// `None` when a unit's length is not `len`, a count is negative or not
    /// finite, or there are too many units to index with a `u32`.
    fn new<'u>(units: impl Iterator<Item = &'u Vec<f64>>, len: usize) -> Option<Pool> {
        let mut pool = Pool {
            starts: vec![0],
            entries: Vec::new(),
            active: Vec::new(),
            types: Vec::new(),
        };
        let mut type_of: foldhash::HashMap<Vec<(usize, u64)>, usize> = foldhash::HashMap::default();
        for (u, unit) in units.enumerate() {
            if unit.len() != len {
                return None;
            }
            count_sum(unit)?;
            let before = pool.entries.len();
            for (i, &x) in unit.iter().enumerate() {
                if x != 0.0 {
                    pool.entries.push((i, x));
                }
            }
            if pool.entries.len() > before {
                let u = u32::try_from(u).ok()?;
                pool.active.push(u);
                let key: Vec<(usize, u64)> = pool.entries[before..]
                    .iter()
                    .map(|&(i, x)| (i, x.to_bits()))
                    .collect();
                let next = pool.types.len();
                let t = *type_of.entry(key).or_insert(next);
                if t == next {
                    pool.types.push((u, 0));
                }
                pool.types[t].1 += 1;
            }
            pool.starts.push(pool.entries.len());
        }
        u32::try_from(pool.starts.len() - 1).ok()?;
        Some(pool)
    }

    fn units(&self) -> u32 {
        // `new` checked that the count fits.
        (self.starts.len() - 1) as u32
    }

    fn add(&self, unit: u32, sum: &mut [f64]) {
        let u = unit as usize;
        for &(i, x) in &self.entries[self.starts[u]..self.starts[u + 1]] {
            sum[i] += x;
        }
    }
}

/// Two exact ways to draw a uniformly random `k` of the pooled units.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Draw {
    /// Partial Fisher–Yates over all units: `k` draws.
    Shuffle,
    /// Selection sampling (Knuth's Algorithm S) over the units in an order
    /// that puts the active ones first, stopped after them: all-zero units
    /// add nothing to a sum, so which of them are drawn does not matter.
    /// One draw per active unit.
    Select,
    /// How many units of each distinct kind are drawn, from the
    /// multivariate hypergeometric distribution (one univariate draw per
    /// kind, each conditioned on those before): the same distribution of
    /// sums as drawing the units, at a cost that grows with the kinds of
    /// unit, not their number. On a large corpus most articles that use a
    /// concept use it in one of a few ways (one mention of one label, …).
    Types,
}

impl Draw {
    /// About how many units one split adds (a hypergeometric draw counted
    /// as a dozen).
    fn cost(self, pool: &Pool, k: usize) -> usize {
        let active = pool.active.len().max(1);
        let per_unit = pool.entries.len().div_ceil(active);
        let n = (pool.starts.len() - 1).max(1);
        match self {
            Draw::Shuffle => k * (per_unit + 1),
            Draw::Select => active + k * per_unit * active / n,
            Draw::Types => 12 * pool.types.len() * per_unit,
        }
    }

    fn cheaper(active: usize, k: usize, types: usize) -> Draw {
        // A hypergeometric draw costs about as much as adding a dozen units.
        if types.saturating_mul(12) < active.min(k) {
            Draw::Types
        } else if active < k {
            Draw::Select
        } else {
            Draw::Shuffle
        }
    }
}

/// What each chunk of permutations shares.
struct Split<'s, F> {
    pool: Pool,
    total: Vec<f64>,
    /// The size of the drawn side.
    k: u32,
    drawn_is_a: bool,
    draw: Draw,
    threshold: f64,
    statistic: &'s F,
}

impl<F: Fn(&[f64], &[f64]) -> Option<f64>> Split<'_, F> {
    /// How many of `count` random splits reach the threshold. The buffers
    /// are made once per chunk, not per permutation.
    fn hits(&self, mut rng: Xoshiro256PlusPlus, count: usize) -> usize {
        let len = self.total.len();
        let (mut drawn, mut rest) = (vec![0.0; len], vec![0.0; len]);
        let mut order = match self.draw {
            Draw::Shuffle => (0..self.pool.units()).collect(),
            Draw::Select | Draw::Types => Vec::new(),
        };
        let mut hits = 0;
        for _ in 0..count {
            self.draw_sum(&mut rng, &mut order, &mut drawn);
            for ((r, t), d) in rest.iter_mut().zip(&self.total).zip(&drawn) {
                // Whole counts cannot go below 0 here; fractional ones can
                // by a last-bit rounding, which a statistic on counts (such
                // as `jensen_shannon`) would reject.
                *r = (t - d).max(0.0);
            }
            let stat = if self.drawn_is_a {
                (self.statistic)(&drawn, &rest)
            } else {
                (self.statistic)(&rest, &drawn)
            };
            if stat.is_some_and(|s| s >= self.threshold) {
                hits += 1;
            }
        }
        hits
    }

    /// Sets `sum` to the summed counts of `k` units drawn uniformly at
    /// random. `order` is the Fisher–Yates array: it need not be reset
    /// between draws, since a partial shuffle of any arrangement picks a
    /// uniform subset.
    fn draw_sum(&self, rng: &mut Xoshiro256PlusPlus, order: &mut [u32], sum: &mut [f64]) {
        sum.fill(0.0);
        let n = self.pool.units();
        match self.draw {
            Draw::Shuffle => {
                for i in 0..self.k {
                    let j = rng.gen_range(i..n);
                    order.swap(i as usize, j as usize);
                    self.pool.add(order[i as usize], sum);
                }
            }
            Draw::Types => {
                let (mut left, mut need) = (u64::from(n), u64::from(self.k));
                for &(unit, count) in &self.pool.types {
                    if need == 0 {
                        break;
                    }
                    let count = u64::from(count);
                    let drawn = draw_kind(rng, left, count, need);
                    if drawn > 0 {
                        let u = unit as usize;
                        for &(i, x) in
                            &self.pool.entries[self.pool.starts[u]..self.pool.starts[u + 1]]
                        {
                            sum[i] += x * drawn as f64;
                        }
                    }
                    left -= count;
                    need -= drawn;
                }
            }
            Draw::Select => {
                let mut need = self.k;
                for (seen, &unit) in (0..n).zip(&self.pool.active) {
                    if need == 0 {
                        break;
                    }
                    // Take this unit with probability need / units left.
                    if rng.gen_range(0..n - seen) < need {
                        self.pool.add(unit, sum);
                        need -= 1;
                    }
                }
            }
        }
    }
}

/// Benjamini–Hochberg q-values (step-up, monotone, capped at 1), in the input
/// order. Empty in, empty out.
///
/// The q-value of the p-value ranked r (ascending) of m is the smallest
/// `p·m/rank` over it and every larger p-value: reject every hypothesis with
/// q ≤ 0.05 for a false-discovery rate of 5%. Tied p-values get the same
/// q-value. Inputs are p-values in [0, 1].
///
/// ```
/// use slant::discover::stats::benjamini_hochberg;
/// // Ranked: 0.01·3/1 = 0.03, 0.02·3/2 = 0.03, 0.5·3/3 = 0.5.
/// let q = benjamini_hochberg(&[0.5, 0.01, 0.02]);
/// assert!((q[0] - 0.5).abs() < 1e-12 && (q[1] - 0.03).abs() < 1e-12 && (q[2] - 0.03).abs() < 1e-12);
/// assert!(benjamini_hochberg(&[]).is_empty());
/// ```
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len() as f64;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut q = vec![0.0; p.len()];
    // Starting the running minimum at 1 is the cap.
    let mut running = 1.0f64;
    for (rank0, &i) in order.iter().enumerate().rev() {
        // m/rank first: at the top rank it is exactly 1, so q = p there.
        running = running.min(p[i] * (m / (rank0 + 1) as f64));
        q[i] = running;
    }
    q
}

/// The per-concept JSD statistic combined over concepts for an "overall" figure:
/// given blocks (ranges of the count vector, one per concept), the mean of each
/// block's JSD weighted by the block's total count over both sides; blocks where
/// JSD is undefined are left out; None if none is defined.
///
/// Also `None` when `p` and `q` differ in length or a block does not lie
/// within them: that is a mistake in the blocks, not an undefined block.
/// Its signature fits [`permutation_test`] through a closure.
///
/// ```
/// use slant::discover::stats::weighted_block_jsd;
/// // Block 0..2 disjoint (JSD 1, weight 2), block 2..4 alike (JSD 0, weight 6).
/// let (p, q) = ([1.0, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0]);
/// assert_eq!(weighted_block_jsd(&p, &q, &[0..2, 2..4]), Some(2.0 / 8.0));
/// assert_eq!(weighted_block_jsd(&p, &q, &[0..2, 2..5]), None);
/// ```
pub fn weighted_block_jsd(p: &[f64], q: &[f64], blocks: &[Range<usize>]) -> Option<f64> {
    let mut out = vec![None; blocks.len() + 1];
    BlockJsd { blocks }.compute(p, q, &mut out);
    out[blocks.len()]
}

#[cfg(test)]
mod tests;
