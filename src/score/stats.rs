//! Interval estimates. Both are deliberately simple and documented in the
//! README so a reader can recompute them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
/// independent. `key` seeds the stream, so the interval for one outlet does
/// not depend on which other outlets are in the run or in what order.
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
    if items.len() < 2 || items.iter().map(|i| i.1).sum::<f64>() <= 0.0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED ^ fnv1a(key));
    let mut stats = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    for _ in 0..BOOTSTRAP_RESAMPLES {
        let (mut num, mut den) = (0.0, 0.0);
        for _ in 0..items.len() {
            let (n, d) = items[rng.gen_range(0..items.len())];
            num += n;
            den += d;
        }
        // A resample whose denominator is zero has no ratio; it is dropped
        // rather than counted as zero, which would bias the interval down.
        if den > 0.0 {
            stats.push(num / den);
        }
    }
    if stats.is_empty() {
        return None;
    }
    stats.sort_by(f64::total_cmp);
    Some((percentile(&stats, 0.025), percentile(&stats, 0.975)))
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
}
