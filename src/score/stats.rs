//! Interval estimates. Both are deliberately simple and documented in the
//! README so a reader can recompute them.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Bootstrap resamples per interval. 2,000 keeps the percentile endpoints
/// stable to about the third decimal for the corpus sizes slant sees.
pub const BOOTSTRAP_RESAMPLES: usize = 2000;

/// The fixed seed all bootstrap streams derive from.
pub const BOOTSTRAP_SEED: u64 = 0x5eed_51a7;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `k` successes in `n` trials (95%).
///
/// ```
/// let (lo, hi) = slant::score::stats::wilson(5, 10).unwrap();
/// assert!((lo - 0.2366).abs() < 1e-4 && (hi - 0.7634).abs() < 1e-4);
/// assert!(slant::score::stats::wilson(0, 0).is_none());
/// ```
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Percentile bootstrap (95%) of the ratio `Σ num / Σ den` over clusters.
///
/// Each item is one cluster (an article): its numerator and denominator are
/// resampled together, because words and mentions within one article are not
/// independent. `key` and the resample's number seed each resample's
/// Xoshiro256++ stream, so the interval for one outlet does not depend on
/// which other outlets are in the run, in what order, or on how many cores
/// compute it.
/// Returns `None` with fewer than two clusters (no spread to resample) or
/// when the denominator is zero.
///
/// ```
/// use slant::score::stats::bootstrap_ratio;
/// let articles = [(2.0, 1000.0), (6.0, 1000.0), (4.0, 1000.0)];
/// let (lo, hi) = bootstrap_ratio(&articles, "outlet-a").unwrap();
/// assert!(lo >= 0.002 && hi <= 0.006 && lo < hi);
/// assert!(bootstrap_ratio(&articles[..1], "outlet-a").is_none());
/// ```
pub fn bootstrap_ratio(items: &[(f64, f64)], key: &str) -> Option<(f64, f64)> {
    let items: Vec<([f64; 1], f64)> = items.iter().map(|&(a, b)| ([a], b)).collect();
    let [ci] = bootstrap_ratios(&items, key);
    ci
}

/// [`bootstrap_ratio`] of `K` numerators over one denominator, from the
/// same resamples: the intervals of parts of a rate (its layers, say) come
/// from the same resampled articles as the whole, and the draws, most of
/// the cost, are made once. The first numerator's interval is exactly
/// `bootstrap_ratio` of it with the same key.
///
/// ```
/// use slant::score::stats::{bootstrap_ratio, bootstrap_ratios};
/// let articles = [([2.0, 1.0], 1000.0), ([6.0, 5.0], 1000.0), ([4.0, 0.0], 1000.0)];
/// let [whole, part] = bootstrap_ratios(&articles, "outlet-a");
/// let firsts: Vec<(f64, f64)> = articles.iter().map(|(n, d)| (n[0], *d)).collect();
/// assert_eq!(whole, bootstrap_ratio(&firsts, "outlet-a"));
/// assert!(part.unwrap().1 <= whole.unwrap().1);
/// ```
pub fn bootstrap_ratios<const K: usize>(
    items: &[([f64; K], f64)],
    key: &str,
) -> [Option<(f64, f64)>; K] {
    let none = [None; K];
    if items.len() < 2 || items.iter().map(|i| i.1).sum::<f64>() <= 0.0 {
        return none;
    }
    let Ok(n) = u32::try_from(items.len()) else {
        return none;
    };
    let resamples: Vec<[f64; K]> = resamples(n, key, |draws| {
        // Two sets of sums halve the chain of dependent additions.
        let (mut num, mut den) = ([[0.0; K]; 2], [0.0; 2]);
        for i in 0..n as usize {
            let (a, b) = &items[draws.next()];
            for (sum, x) in num[i & 1].iter_mut().zip(a) {
                *sum += x;
            }
            den[i & 1] += b;
        }
        let den = den[0] + den[1];
        // A resample whose denominator is zero has no ratio; it is
        // dropped rather than counted as zero, which would bias the
        // interval down.
        (den > 0.0).then(|| std::array::from_fn(|k| (num[0][k] + num[1][k]) / den))
    });
    if resamples.is_empty() {
        return none;
    }
    std::array::from_fn(|k| Some(interval(resamples.iter().map(|r| r[k]).collect())))
}

/// Percentile bootstrap (95%) of any statistic of summed cluster vectors:
/// each resample draws `items.len()` clusters with replacement, sums their
/// `K` values and applies `stat`. The draws are [`bootstrap_ratios`]' (the
/// same streams from `key`), so the interval is reproducible and does not
/// depend on the thread count. A resample where `stat` gives `None` is
/// dropped. `None` with fewer than two clusters or no resample left.
///
/// ```
/// use slant::score::stats::bootstrap_statistic;
/// // The share of hits, clusters of (hits, trials).
/// let clusters = [[1.0, 2.0], [2.0, 2.0], [0.0, 2.0], [1.0, 2.0]];
/// let share = |s: &[f64; 2]| (s[1] > 0.0).then(|| s[0] / s[1]);
/// let (lo, hi) = bootstrap_statistic(&clusters, "dev", share).unwrap();
/// assert!(lo < 0.5 && 0.5 < hi && lo >= 0.0 && hi <= 1.0);
/// assert!(bootstrap_statistic(&clusters[..1], "dev", share).is_none());
/// ```
pub fn bootstrap_statistic<const K: usize>(
    items: &[[f64; K]],
    key: &str,
    stat: impl Fn(&[f64; K]) -> Option<f64> + Sync,
) -> Option<(f64, f64)> {
    if items.len() < 2 {
        return None;
    }
    let n = u32::try_from(items.len()).ok()?;
    let stats = resamples(n, key, |draws| {
        let mut sum = [0.0; K];
        for _ in 0..n {
            for (s, x) in sum.iter_mut().zip(&items[draws.next()]) {
                *s += x;
            }
        }
        stat(&sum)
    });
    (!stats.is_empty()).then(|| interval(stats))
}

/// `one` of each of the [`BOOTSTRAP_RESAMPLES`] resamples of `n` clusters,
/// in resample order, those it gives `None` for left out. Each resample
/// draws from its own stream, seeded from `key` and its number, so
/// resamples run on all cores and the result does not depend on how many
/// there are.
fn resamples<R: Send>(n: u32, key: &str, one: impl Fn(&mut Draws) -> Option<R> + Sync) -> Vec<R> {
    let seed = BOOTSTRAP_SEED ^ fnv1a(key);
    (0..BOOTSTRAP_RESAMPLES as u64)
        .into_par_iter()
        .filter_map(|r| {
            let rng =
                Xoshiro256PlusPlus::seed_from_u64(seed ^ r.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            one(&mut Draws::new(rng, n))
        })
        .collect()
}

/// The 95% percentile interval of a statistic's resampled values.
fn interval(mut stats: Vec<f64>) -> (f64, f64) {
    stats.sort_by(f64::total_cmp);
    (percentile(&stats, 0.025), percentile(&stats, 0.975))
}

/// Uniform indices in `0..n`, two per 64-bit draw, by Lemire's
/// multiply-and-reject method (exactly uniform: the rare biased values are
/// rejected, not folded).
struct Draws {
    rng: Xoshiro256PlusPlus,
    n: u64,
    /// Low products below this are rejected: 2³² mod n.
    threshold: u32,
    spare: Option<u32>,
}

impl Draws {
    fn new(rng: Xoshiro256PlusPlus, n: u32) -> Draws {
        Draws {
            rng,
            n: u64::from(n),
            threshold: n.wrapping_neg() % n,
            spare: None,
        }
    }

    fn word(&mut self) -> u32 {
        use rand::RngCore;
        match self.spare.take() {
            Some(w) => w,
            None => {
                let x = self.rng.next_u64();
                self.spare = Some((x >> 32) as u32);
                x as u32
            }
        }
    }

    fn next(&mut self) -> usize {
        loop {
            let m = u64::from(self.word()) * self.n;
            if (m as u32) >= self.threshold {
                return (m >> 32) as usize;
            }
        }
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_edges() {
        let (lo, hi) = wilson(0, 5).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.4 && hi < 0.6);
        let (lo, hi) = wilson(5, 5).unwrap();
        assert!(lo > 0.4 && hi == 1.0);
    }

    #[test]
    fn bootstrap_is_deterministic_and_contains_estimate() {
        let items: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, 100.0)).collect();
        let a = bootstrap_ratio(&items, "x").unwrap();
        let b = bootstrap_ratio(&items, "x").unwrap();
        assert_eq!(a, b);
        let est = items.iter().map(|i| i.0).sum::<f64>() / 2000.0;
        assert!(a.0 < est && est < a.1, "{a:?} {est}");
        assert_ne!(bootstrap_ratio(&items, "y").unwrap(), a);
    }

    #[test]
    fn bootstrap_identical_clusters_has_zero_width() {
        let items = [(3.0, 10.0); 4];
        let (lo, hi) = bootstrap_ratio(&items, "k").unwrap();
        assert!((lo - 0.3).abs() < 1e-12 && (hi - 0.3).abs() < 1e-12);
    }

    #[test]
    fn statistic_bootstrap_draws_as_the_ratio_bootstrap_does() {
        // The ratio as a statistic of (numerator, denominator) sums gives
        // the ratio bootstrap's interval: the same resamples.
        let items: Vec<(f64, f64)> = (0..50)
            .map(|i| ((i % 5) as f64, 10.0 + (i % 3) as f64))
            .collect();
        let vectors: Vec<[f64; 2]> = items.iter().map(|&(a, b)| [a, b]).collect();
        let ratio = |s: &[f64; 2]| (s[1] > 0.0).then(|| s[0] / s[1]);
        let (lo, hi) = bootstrap_statistic(&vectors, "k", ratio).unwrap();
        let (rlo, rhi) = bootstrap_ratio(&items, "k").unwrap();
        assert!((lo - rlo).abs() < 1e-12 && (hi - rhi).abs() < 1e-12);
        assert!(bootstrap_statistic(&vectors, "k", |_| None).is_none());
        let same = [[3.0, 10.0]; 4];
        let (lo, hi) = bootstrap_statistic(&same, "k", ratio).unwrap();
        assert!((lo - 0.3).abs() < 1e-12 && (hi - 0.3).abs() < 1e-12);
    }

    #[test]
    fn draws_are_uniform_and_in_range() {
        for n in [1u32, 2, 3, 7, 1000] {
            let mut d = Draws::new(Xoshiro256PlusPlus::seed_from_u64(n as u64), n);
            let mut counts = vec![0u32; n as usize];
            let total = 3000 * n;
            for _ in 0..total {
                counts[d.next()] += 1;
            }
            // Each value within 5 standard deviations of its expectation.
            let p = 1.0 / n as f64;
            let sd = (total as f64 * p * (1.0 - p)).sqrt();
            for (v, &c) in counts.iter().enumerate() {
                assert!(
                    (c as f64 - 3000.0).abs() <= 5.0 * sd + 1e-9,
                    "n={n}: {v} drawn {c} times"
                );
            }
        }
    }

    #[test]
    fn bootstrap_does_not_depend_on_the_thread_count() {
        let items: Vec<(f64, f64)> = (0..500)
            .map(|i| ((i % 7) as f64, 100.0 + i as f64))
            .collect();
        let all = bootstrap_ratio(&items, "o").unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| bootstrap_ratio(&items, "o").unwrap());
        assert_eq!(all, one);
    }
}
