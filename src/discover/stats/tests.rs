//! The statistics against values worked out by hand.
use super::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn log_odds_by_hand() {
    // y_i=3, n_i=10, y_j=1, n_j=10, a_w=1, a_0=2:
    //   key:  (3+1)/(10+2-3-1) = 4/8 = 1/2
    //   rest: (1+1)/(10+2-1-1) = 2/10 = 1/5
    //   delta = ln(1/2) - ln(1/5) = ln 2.5 = 0.916290731874155
    //   variance = 1/4 + 1/2 = 0.75; sqrt = 0.866025403784439
    //   z = 0.916290731874155 / 0.866025403784439 = 1.058041...
    let lo = log_odds(3.0, 10.0, 1.0, 10.0, 1.0, 2.0).unwrap();
    assert!(close(lo.delta, 0.916_290_731_874_155, 1e-12), "{lo:?}");
    assert!(close(lo.variance, 0.75, 1e-12));
    assert!(close(lo.z, 1.058_041, 1e-6), "{lo:?}");

    // Swapping the sides flips delta and z, variance unchanged.
    let flipped = log_odds(1.0, 10.0, 3.0, 10.0, 1.0, 2.0).unwrap();
    assert!(close(flipped.delta, -lo.delta, 1e-12) && close(flipped.z, -lo.z, 1e-12));
    assert!(close(flipped.variance, lo.variance, 1e-12));
}

#[test]
fn log_odds_second_hand_example() {
    // y_i=10, n_i=100, y_j=20, n_j=400, a_w=1, a_0=10:
    //   key:  11/(100+10-11) = 11/99 = 1/9      ln = -2.197224577
    //   rest: 21/(400+10-21) = 21/389           ln = 3.044522438 - 5.963579344
    //                                              = -2.919056906
    //   delta = -2.197224577 + 2.919056906 = 0.721832329
    //   variance = 1/11 + 1/21 = 32/231 = 0.138528139
    //   z = 0.721832329 / sqrt(0.138528139) = 0.721832329 / 0.372193684 = 1.939400
    let lo = log_odds(10.0, 100.0, 20.0, 400.0, 1.0, 10.0).unwrap();
    assert!(close(lo.delta, 0.721_832_329, 1e-8), "{lo:?}");
    assert!(close(lo.variance, 32.0 / 231.0, 1e-12));
    assert!(close(lo.z, 1.939_400, 1e-5), "{lo:?}");
}

#[test]
fn log_odds_refuses_degenerate_inputs() {
    // alpha_w must be positive.
    assert!(log_odds(1.0, 10.0, 1.0, 10.0, 0.0, 2.0).is_none());
    assert!(log_odds(1.0, 10.0, 1.0, 10.0, -1.0, 2.0).is_none());
    // Key denominator: 0 + 1 - 0 - 1 = 0 (an empty key with a_0 = a_w).
    assert!(log_odds(0.0, 0.0, 1.0, 10.0, 1.0, 1.0).is_none());
    // Rest denominator: 5 + 1 - 5 - 1 = 0 (every phrase of the rest is w).
    assert!(log_odds(1.0, 10.0, 5.0, 5.0, 1.0, 1.0).is_none());
    // A negative count: y + a_w = -1 + 0.5 < 0.
    assert!(log_odds(-1.0, 10.0, 1.0, 10.0, 0.5, 2.0).is_none());
    assert!(log_odds(f64::INFINITY, 10.0, 1.0, 10.0, 1.0, 2.0).is_none());
    // An empty key with a larger prior is fine: (0+1)/(0+10-0-1) = 1/9.
    assert!(log_odds(0.0, 0.0, 1.0, 10.0, 1.0, 10.0).is_some());
}

#[test]
fn prior_by_hand() {
    // 200 * 5/1000 = 1; 10 * 3/4 = 7.5; 50 * 0/20 = 0.
    assert_eq!(prior(5.0, 1000.0, 200.0), Some(1.0));
    assert_eq!(prior(3.0, 4.0, 10.0), Some(7.5));
    assert_eq!(prior(0.0, 20.0, 50.0), Some(0.0));
    assert_eq!(prior(5.0, 0.0, 200.0), None);
    assert_eq!(prior(5.0, 1000.0, 0.0), None);
    assert_eq!(prior(-1.0, 1000.0, 200.0), None);
    assert_eq!(prior(1001.0, 1000.0, 200.0), None);
    assert_eq!(prior(5.0, f64::INFINITY, 200.0), None);
}

#[test]
fn jsd_identical_and_disjoint() {
    assert_eq!(
        jensen_shannon(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]),
        Some(0.0)
    );
    // Same shares from different totals.
    let d = jensen_shannon(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]).unwrap();
    assert!(close(d, 0.0, 1e-15));
    assert_eq!(
        jensen_shannon(&[1.0, 0.0, 0.0], &[0.0, 3.0, 4.0]),
        Some(1.0)
    );
}

#[test]
fn jsd_by_hand() {
    // p=[1,0] -> P=(1,0); q=[1,1] -> Q=(1/2,1/2); M=(3/4,1/4).
    //   KL(P||M) = 1·log2(1/(3/4)) = log2(4/3) = 2 - log2 3
    //   KL(Q||M) = 1/2·log2((1/2)/(3/4)) + 1/2·log2((1/2)/(1/4))
    //            = 1/2·(1 - log2 3) + 1/2·1 = 1 - 1/2·log2 3
    //   JSD = 1/2·(2 - log2 3 + 1 - 1/2·log2 3) = 3/2 - 3/4·log2 3
    //       = 1.5 - 0.75·1.584962501 = 0.311278124
    let d = jensen_shannon(&[1.0, 0.0], &[1.0, 1.0]).unwrap();
    assert!(close(d, 1.5 - 0.75 * 3f64.log2(), 1e-12), "{d}");
    assert!(close(d, 0.311_278_124, 1e-9));
    // Symmetric.
    assert_eq!(jensen_shannon(&[1.0, 1.0], &[1.0, 0.0]), Some(d));
}

#[test]
fn jsd_undefined() {
    assert_eq!(jensen_shannon(&[0.0, 0.0], &[1.0, 1.0]), None);
    assert_eq!(jensen_shannon(&[1.0, 1.0], &[0.0, 0.0]), None);
    assert_eq!(jensen_shannon(&[], &[]), None);
    assert_eq!(jensen_shannon(&[1.0, 1.0], &[1.0]), None);
    assert_eq!(jensen_shannon(&[2.0, -1.0], &[1.0, 1.0]), None);
    assert_eq!(jensen_shannon(&[f64::INFINITY, 1.0], &[1.0, 1.0]), None);
}

#[test]
fn bh_with_ties_and_the_monotone_step() {
    // p = [0.03, 0.01, 0.03, 0.04, 0.5], m = 5. Ranked ascending:
    //   r1 0.01 -> 0.01·5/1 = 0.05
    //   r2 0.03 -> 0.03·5/2 = 0.075
    //   r3 0.03 -> 0.03·5/3 = 0.05
    //   r4 0.04 -> 0.04·5/4 = 0.05
    //   r5 0.5  -> 0.5·5/5  = 0.5
    // Running minimum from the top: r5 0.5, r4 0.05, r3 0.05,
    // r2 min(0.075, 0.05) = 0.05 (the step), r1 0.05.
    // The two tied 0.03 get the same q whichever is ranked first.
    let q = benjamini_hochberg(&[0.03, 0.01, 0.03, 0.04, 0.5]);
    let want = [0.05, 0.05, 0.05, 0.05, 0.5];
    for (got, want) in q.iter().zip(want) {
        assert!(close(*got, want, 1e-12), "{q:?}");
    }
}

#[test]
fn bh_brief_example() {
    // p = [0.01, 0.04, 0.03, 0.2], m = 4. Ranked ascending:
    //   r1 0.01 -> 0.01·4/1 = 0.04
    //   r2 0.03 -> 0.03·4/2 = 0.06
    //   r3 0.04 -> 0.04·4/3 = 0.053333
    //   r4 0.2  -> 0.2·4/4  = 0.2
    // Running minimum from the top: 0.2, 0.053333, min(0.06, 0.053333)
    // = 0.053333, min(0.04, 0.053333) = 0.04. In input order:
    // [0.04, 0.053333, 0.053333, 0.2]. (Not [0.04, 0.04, 0.04, 0.2]:
    // a q-value is a minimum over its own and larger p-values only.)
    let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2]);
    let want = [0.04, 0.16 / 3.0, 0.16 / 3.0, 0.2];
    for (got, want) in q.iter().zip(want) {
        assert!(close(*got, want, 1e-12), "{q:?}");
    }
}

#[test]
fn bh_edges() {
    assert!(benjamini_hochberg(&[]).is_empty());
    assert_eq!(benjamini_hochberg(&[0.3]), vec![0.3]);
    // All equal: p·m/m = p for the top rank, the minimum for all.
    assert_eq!(benjamini_hochberg(&[0.2, 0.2, 0.2]), vec![0.2, 0.2, 0.2]);
    // Cap: an (improper) p above 1 still gives q = 1.
    assert_eq!(benjamini_hochberg(&[1.5, 1.2]), vec![1.0, 1.0]);
}

#[test]
fn weighted_block_jsd_by_hand() {
    // Block 0..2: p=[1,0], q=[1,1]: JSD = 3/2 - 3/4·log2 3 (jsd_by_hand),
    //   weight 1+0+1+1 = 3.
    // Block 2..4: p=[2,2], q=[2,2]: JSD 0, weight 8.
    // Block 4..6: p=[0,0] sums to 0: undefined, left out (its weight 5
    //   does not count either).
    // Overall = (3·(3/2 - 3/4·log2 3) + 8·0) / (3 + 8) = 0.933834/11 = 0.084894
    let p = [1.0, 0.0, 2.0, 2.0, 0.0, 0.0];
    let q = [1.0, 1.0, 2.0, 2.0, 5.0, 0.0];
    let d = weighted_block_jsd(&p, &q, &[0..2, 2..4, 4..6]).unwrap();
    let want = 3.0 * (1.5 - 0.75 * 3f64.log2()) / 11.0;
    assert!(close(d, want, 1e-12) && close(d, 0.084_894, 1e-6), "{d}");
}

#[test]
fn weighted_block_jsd_undefined() {
    let p = [1.0, 0.0, 0.0, 0.0];
    let q = [0.0, 0.0, 1.0, 0.0];
    // Each block has one side empty.
    assert_eq!(weighted_block_jsd(&p, &q, &[0..2, 2..4]), None);
    assert_eq!(weighted_block_jsd(&p, &q, &[]), None);
    // One block over the whole vector: disjoint.
    let whole = std::slice::from_ref(&(0..4));
    assert_eq!(weighted_block_jsd(&p, &q, whole), Some(1.0));
    // A block outside the vectors, or lengths that differ.
    assert_eq!(weighted_block_jsd(&p, &q, &[0..2, 2..5]), None);
    assert_eq!(weighted_block_jsd(&p, &q[..3], &[0..2, 2..3]), None);
}

fn units(rows: &[(usize, [f64; 2])]) -> Vec<Vec<f64>> {
    rows.iter()
        .flat_map(|&(n, row)| std::iter::repeat_n(row.to_vec(), n))
        .collect()
}

#[test]
fn permutation_clearly_different_sides() {
    // 20 articles all [1,0] vs 20 all [0,1]: observed JSD 1. Only the
    // original split and its mirror reach 1, 2 of C(40,20) ≈ 1.4e11
    // splits, so no drawn split hits and p = (1+0)/(1+999).
    let a = units(&[(20, [1.0, 0.0])]);
    let b = units(&[(20, [0.0, 1.0])]);
    let t = permutation_test(&a, &b, jensen_shannon, 999, 1).unwrap();
    assert_eq!(t.observed, 1.0);
    assert_eq!(t.p_value, 0.001);
    assert_eq!(t.permutations, 999);
}

#[test]
fn permutation_identical_sides() {
    // Both sides 10×[1,0] + 10×[0,1]: observed JSD 0, and JSD >= 0, so
    // every split hits: p = (1+1000)/(1+1000) = 1 exactly.
    let a = units(&[(10, [1.0, 0.0]), (10, [0.0, 1.0])]);
    let t = permutation_test(&a, &a, jensen_shannon, 1000, 3).unwrap();
    assert_eq!((t.observed, t.p_value), (0.0, 1.0));
    // Same mix in another order and unequal sizes: still p = 1.
    let b = units(&[(5, [0.0, 1.0]), (5, [1.0, 0.0])]);
    let t = permutation_test(&a, &b, jensen_shannon, 500, 3).unwrap();
    assert_eq!((t.observed, t.p_value), (0.0, 1.0));
}

#[test]
fn permutation_near_one_for_sides_from_one_source() {
    // Slightly different mixes: a = 6×[1,0] + 4×[0,1], b = 5×[1,0] +
    // 5×[0,1], observed JSD small but not 0. Of the 11 [1,0] units a
    // split puts 6 in side a (the observed split), 5 (its mirror: 5/5
    // vs 6/4, the same JSD up to rounding, which the 1e-12 tolerance
    // absorbs) or further from even (a larger JSD). So every split hits
    // and p = (1+2000)/(1+2000) = 1.
    let a = units(&[(6, [1.0, 0.0]), (4, [0.0, 1.0])]);
    let b = units(&[(5, [1.0, 0.0]), (5, [0.0, 1.0])]);
    let t = permutation_test(&a, &b, jensen_shannon, 2000, 11).unwrap();
    assert!(t.observed > 0.0, "{t:?}");
    assert_eq!(t.p_value, 1.0, "{t:?}");
}

#[test]
fn permutation_exact_by_enumeration() {
    // a = {x=[1,0], x'=[1,0]}, b = {y=[0,1], y'=[0,1]}; observed JSD 1.
    // The C(4,2) = 6 splits of side a: {x,x'} and {y,y'} give JSD 1,
    // the 4 mixed ones give [1,1] vs [1,1], JSD 0. P(hit) = 2/6 = 1/3,
    // so p -> 1/3 as permutations grow; with 30,000 its standard error
    // is sqrt(1/3·2/3/30000) = 0.0027.
    let a = units(&[(2, [1.0, 0.0])]);
    let b = units(&[(2, [0.0, 1.0])]);
    let t = permutation_test(&a, &b, jensen_shannon, 30_000, 5).unwrap();
    assert!(close(t.p_value, 1.0 / 3.0, 0.015), "{t:?}");
}

#[test]
fn permutation_exact_with_undefined_splits() {
    // a = {x=[1,0], 0, 0}, b = {y=[0,1], 0, 0}; observed JSD 1.
    // 2 active units < 3 drawn, so this takes the selection path.
    // C(6,3) = 20 splits of side a:
    //   x in a, y not: C(4,2) = 6 ways, JSD 1 (hit)
    //   y in a, x not: 6 ways, [0,1] vs [1,0], JSD 1 (hit)
    //   both in a: C(4,1) = 4, side b sums to 0: undefined, no hit
    //   neither:   4, side a sums to 0: undefined, no hit
    // P(hit) = 12/20 = 0.6; standard error at 20,000: 0.0035.
    let a = units(&[(1, [1.0, 0.0]), (2, [0.0, 0.0])]);
    let b = units(&[(1, [0.0, 1.0]), (2, [0.0, 0.0])]);
    let t = permutation_test(&a, &b, jensen_shannon, 20_000, 9).unwrap();
    assert!(close(t.p_value, 0.6, 0.02), "{t:?}");
}

#[test]
fn permutation_is_deterministic_whatever_the_thread_count() {
    // The first pair has more active units than it draws (the shuffle),
    // the second mostly all-zero units (the selection).
    let pairs = [
        (
            units(&[(30, [2.0, 1.0]), (25, [0.0, 3.0]), (40, [0.0, 0.0])]),
            units(&[(20, [2.0, 1.0]), (35, [0.0, 3.0]), (10, [1.0, 0.0])]),
        ),
        (
            units(&[(4, [2.0, 1.0]), (3, [0.0, 3.0]), (300, [0.0, 0.0])]),
            units(&[(3, [2.0, 1.0]), (5, [0.0, 3.0]), (250, [0.0, 0.0])]),
        ),
    ];
    for (a, b) in &pairs {
        // 1,000 is not a multiple of the chunk: the last chunk is short.
        let run = |seed| permutation_test(a, b, jensen_shannon, 1000, seed).unwrap();
        let first = run(42);
        assert_eq!(first, run(42));
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(42));
        assert_eq!(first, one_thread);
        assert_ne!(first.p_value, run(43).p_value);
    }
}

#[test]
fn permutation_refuses_bad_input() {
    let a = units(&[(3, [1.0, 0.0])]);
    let b = units(&[(3, [0.0, 1.0])]);
    // Units of different lengths.
    let short = vec![vec![1.0]];
    assert!(permutation_test(&a, &short, jensen_shannon, 10, 0).is_none());
    // A negative count.
    let negative = vec![vec![-1.0, 2.0]];
    assert!(permutation_test(&a, &negative, jensen_shannon, 10, 0).is_none());
    // Undefined observed statistic (an empty side), or NaN.
    assert!(permutation_test(&a, &[], jensen_shannon, 10, 0).is_none());
    assert!(permutation_test(&[], &[], jensen_shannon, 10, 0).is_none());
    assert!(permutation_test(&a, &b, |_, _| Some(f64::NAN), 10, 0).is_none());
    // No permutations: p = (1+0)/(1+0) = 1.
    let t = permutation_test(&a, &b, jensen_shannon, 0, 0).unwrap();
    assert_eq!((t.observed, t.p_value, t.permutations), (1.0, 1.0, 0));
}

#[test]
fn permutation_passes_sides_in_order() {
    // A one-sided statistic, so the order of its arguments matters:
    // side a's first count minus side b's. a = {[3,0]}, b = {[1,0]}:
    // observed 3 - 1 = 2. The two splits are the original (2, a hit)
    // and the swap (1 - 3 = -2, no hit): P(hit) = 1/2.
    let a = vec![vec![3.0, 0.0]];
    let b = vec![vec![1.0, 0.0]];
    let diff = |x: &[f64], y: &[f64]| Some(x[0] - y[0]);
    let t = permutation_test(&a, &b, diff, 10_000, 2).unwrap();
    assert_eq!(t.observed, 2.0);
    assert!(close(t.p_value, 0.5, 0.03), "{t:?}");
    // Side b larger, so side a is the one drawn: b = {[1,0], 0, 0}.
    // Observed 3 - 1 = 2. Side a gets one of the 4 units: [3,0] gives
    // 2 (hit), [1,0] gives 1 - 3 = -2, a zero unit 0 - 4 = -4: P = 1/4.
    let b3 = vec![vec![1.0, 0.0], vec![0.0, 0.0], vec![0.0, 0.0]];
    let t = permutation_test(&a, &b3, diff, 10_000, 2).unwrap();
    assert!(close(t.p_value, 0.25, 0.03), "{t:?}");
}

/// Draws `k` of the `n` one-hot units (unit u counts 1 at position u,
/// or nothing when `u >= active`) `reps` times; returns how often each
/// set of drawn active units came up, keyed by its bit mask.
fn subset_counts(n: usize, active: usize, k: u32, draw: Draw, reps: usize) -> Vec<usize> {
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|u| (0..active).map(|i| f64::from(u8::from(i == u))).collect())
        .collect();
    let split = Split {
        pool: Pool::new(rows.iter(), active).unwrap(),
        total: vec![1.0; active],
        k,
        drawn_is_a: true,
        draw,
        threshold: 0.0,
        statistic: &|_: &[f64], _: &[f64]| -> Option<f64> { None },
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut sum = vec![0.0; active];
    let mut counts = vec![0; 1 << active];
    for _ in 0..reps {
        split.draw_sum(&mut rng, &mut order, &mut sum);
        let mask = sum
            .iter()
            .enumerate()
            .fold(0, |m, (i, &x)| m | (usize::from(x == 1.0) << i));
        counts[mask] += 1;
    }
    counts
}

#[test]
fn both_draws_pick_uniform_subsets() {
    // 5 units, all active, draw 2: each of the C(5,2) = 10 pairs with
    // probability 1/10, 2,000 of 20,000; sd = sqrt(20000·0.1·0.9) = 42.4.
    for draw in [Draw::Shuffle, Draw::Select, Draw::Types] {
        let counts = subset_counts(5, 5, 2, draw, 20_000);
        for (mask, &c) in counts.iter().enumerate() {
            let want = if mask.count_ones() == 2 { 2000.0 } else { 0.0 };
            assert!(close(c as f64, want, 5.0 * 42.4), "{draw:?} {mask:b}: {c}");
        }
    }
    // 6 units of which 3 active (0, 1, 2), draw 2 of C(6,2) = 15 pairs:
    //   no active unit:  C(3,2) = 3 pairs -> 3/15
    //   one given active unit and a zero one: 3 pairs -> 3/15 each
    //   a given pair of active units: 1 pair -> 1/15 each
    // Of 30,000: 6,000 (sd 69) and 2,000 (sd 43).
    for draw in [Draw::Shuffle, Draw::Select, Draw::Types] {
        let counts = subset_counts(6, 3, 2, draw, 30_000);
        for (mask, &c) in counts.iter().enumerate() {
            let want = match mask.count_ones() {
                0 | 1 => 6000.0,
                2 => 2000.0,
                _ => 0.0,
            };
            assert!(close(c as f64, want, 5.0 * 69.3), "{draw:?} {mask:b}: {c}");
        }
    }
}

#[test]
fn the_cheaper_draw_is_chosen() {
    assert_eq!(Draw::cheaper(2, 3, 2), Draw::Select);
    assert_eq!(Draw::cheaper(3, 3, 3), Draw::Shuffle);
    assert_eq!(Draw::cheaper(5000, 4000, 40), Draw::Types);
}

#[test]
fn drawing_by_kind_is_hypergeometric() {
    // Units: three alike [1, 0], two alike [0, 1], one empty; draw 3.
    // P(j of the first kind) = C(3,j)·C(3,3-j)/C(6,3):
    //   j = 0, 1, 2, 3 -> 1/20, 9/20, 9/20, 1/20.
    // Of 40,000: 2,000 (sd 43.6) and 18,000 (sd 99.5).
    let units = [
        vec![1.0, 0.0],
        vec![0.0, 1.0],
        vec![1.0, 0.0],
        vec![0.0, 0.0],
        vec![0.0, 1.0],
        vec![1.0, 0.0],
    ];
    let pool = Pool::new(units.iter(), 2).unwrap();
    assert_eq!(pool.types.len(), 2);
    let split = Split {
        total: vec![3.0, 2.0],
        k: 3,
        drawn_is_a: true,
        draw: Draw::Types,
        pool,
        threshold: 0.0,
        statistic: &|_: &[f64], _: &[f64]| Some(0.0),
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut by_first = [0usize; 4];
    let mut sum = vec![0.0; 2];
    for _ in 0..40_000 {
        split.draw_sum(&mut rng, &mut [], &mut sum);
        assert!(sum[0] + sum[1] <= 3.0 && sum[1] <= 2.0);
        by_first[sum[0] as usize] += 1;
    }
    for (j, want, sd) in [
        (0, 2000.0, 43.6),
        (1, 18000.0, 99.5),
        (2, 18000.0, 99.5),
        (3, 2000.0, 43.6),
    ] {
        assert!(
            close(by_first[j] as f64, want, 5.0 * sd),
            "{j}: {}",
            by_first[j]
        );
    }
}

#[test]
fn shared_splits_give_each_statistic_its_exact_probability() {
    // The 2 + 2 case of `kinds_give_the_exact_split_probability`, as
    // units, with a second statistic on the same splits that always
    // hits (JSD of a block both sides share: 0 >= 0): P = 1/3 and 1.
    let units = vec![
        vec![(0, 1.0), (2, 1.0)],
        vec![(0, 1.0), (2, 1.0)],
        vec![(1, 1.0), (2, 1.0)],
        vec![(1, 1.0), (2, 1.0)],
    ];
    let plan = Plan {
        permutations: 30_000,
        min: 30_000,
        stop_at_hits: 0,
        budget: usize::MAX,
    };
    let first = |p: &[f64], q: &[f64]| jensen_shannon(&p[..2], &q[..2]);
    let second = |p: &[f64], q: &[f64]| jensen_shannon(&p[2..], &q[2..]);
    let stats: [&Statistic; 2] = [&first, &second];
    let t = shared_permutation_tests(&units, 3, &[0, 1], &[2, 3], &stats[..], plan, 5);
    let (t0, t1) = (t[0].unwrap(), t[1].unwrap());
    assert_eq!((t0.observed, t1.observed), (1.0, 0.0));
    assert!(
        close(t0.p_value, 1.0 / 3.0, 5.0 * 0.00272),
        "{}",
        t0.p_value
    );
    assert_eq!(t1.p_value, 1.0);
    // Stopping early: the second stops after its first round, the first
    // goes on; each reports its own count.
    let plan = Plan {
        stop_at_hits: 20,
        ..plan
    };
    let t = shared_permutation_tests(&units, 3, &[0, 1], &[2, 3], &stats[..], plan, 5);
    let (t0, t1) = (t[0].unwrap(), t[1].unwrap());
    assert_eq!(t1.permutations, ROUND * PERMUTATION_CHUNK);
    assert_eq!(
        t0.permutations,
        ROUND * PERMUTATION_CHUNK,
        "1/3 of 256 is past 20 too"
    );
    assert!(close(t0.p_value, 1.0 / 3.0, 0.1));
}

/// Exactly `n` splits, none stopped early.
fn every(n: usize) -> Plan {
    Plan {
        permutations: n,
        min: n,
        stop_at_hits: 0,
        budget: usize::MAX,
    }
}

/// Units of a made-up corpus: 60 articles, three concepts of 2, 3 and 1
/// labels, counts 0–3, some articles with none.
fn made_up_units() -> Vec<Vec<(usize, f64)>> {
    (0..60u64)
        .map(|u| {
            (0..6)
                .filter_map(|p| {
                    let x = (u * 7 + p as u64 * 13 + u * u) % 5;
                    (x < 4 && !(u + p as u64).is_multiple_of(3)).then_some((p, x as f64))
                })
                .collect()
        })
        .collect()
}

#[test]
fn block_jsd_gives_the_figures_of_one_statistic_each() {
    // The same splits and, bit for bit, the same figures as each concept's
    // JSD and the weighted overall figure computed one by one.
    let units = made_up_units();
    let blocks = [0..2, 2..5, 5..6];
    let (a, b): (Vec<u32>, Vec<u32>) = ((0..25).collect(), (25..60).collect());
    let one: Vec<Box<Statistic>> = blocks
        .iter()
        .map(|r| {
            let r = r.clone();
            Box::new(move |p: &[f64], q: &[f64]| jensen_shannon(&p[r.clone()], &q[r.clone()]))
                as Box<Statistic>
        })
        .collect();
    let overall = |p: &[f64], q: &[f64]| weighted_block_jsd(p, q, &blocks);
    let mut each: Vec<&Statistic> = one.iter().map(|s| s.as_ref()).collect();
    each.push(&overall);
    for plan in [
        every(999),
        Plan {
            min: 99,
            stop_at_hits: 20,
            ..every(999)
        },
    ] {
        let by_one = shared_permutation_tests(&units, 6, &a, &b, &each[..], plan, 11);
        let together =
            shared_permutation_tests(&units, 6, &a, &b, &BlockJsd { blocks: &blocks }, plan, 11);
        assert_eq!(by_one.len(), 4);
        assert!(by_one.iter().all(Option::is_some), "{by_one:?}");
        assert_eq!(by_one, together);
    }
}

#[test]
fn fractional_counts_are_tested_like_whole_ones() {
    // Halving every count changes no share, so no statistic and no hit:
    // the p-values are those of the whole counts.
    let units = made_up_units();
    let halves: Vec<Vec<(usize, f64)>> = units
        .iter()
        .map(|u| u.iter().map(|&(p, x)| (p, x / 2.0)).collect())
        .collect();
    let blocks = [0..2, 2..5, 5..6];
    let (a, b): (Vec<u32>, Vec<u32>) = ((0..30).collect(), (30..60).collect());
    let plan = every(999);
    let stats = BlockJsd { blocks: &blocks };
    let whole = shared_permutation_tests(&units, 6, &a, &b, &stats, plan, 3);
    let half = shared_permutation_tests(&halves, 6, &a, &b, &stats, plan, 3);
    for (w, h) in whole.iter().zip(&half) {
        let (w, h) = (w.unwrap(), h.unwrap());
        assert!(close(w.observed, h.observed, 1e-12), "{w:?} {h:?}");
        assert_eq!((w.p_value, w.permutations), (h.p_value, h.permutations));
    }
}

#[test]
fn shared_tests_refuse_what_they_cannot_read() {
    let units = made_up_units();
    let blocks = [0..2, 2..5, 5..6];
    let stats = BlockJsd { blocks: &blocks };
    let plan = every(99);
    // Whether every test of these sides is refused.
    let refused = |units: &[Vec<(usize, f64)>], len: usize, a: &[u32], b: &[u32]| {
        let t = shared_permutation_tests(units, len, a, b, &stats, plan, 1);
        t.len() == 4 && t.iter().all(Option::is_none)
    };
    // A unit the corpus does not have.
    assert!(refused(&units, 6, &[0, 1, 60], &[2, 3]));
    // A position past the vector's length, in one of the sides' units.
    assert!(refused(&units, 5, &[0, 1, 2], &[3, 4, 5]));
    // A negative count in a unit of a side; one outside both is not read.
    let mut bad = units.clone();
    bad[59] = vec![(0, -1.0)];
    assert!(!refused(&bad, 6, &[0, 1, 2], &[3, 4, 5]));
    assert!(refused(&bad, 6, &[0, 1, 59], &[3, 4, 5]));
}
