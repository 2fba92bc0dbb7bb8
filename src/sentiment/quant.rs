//! int8 weights for the forward pass's linear layers (`super::fast`).
//!
//! Quantisation follows ATen's `fbgemm_linear_quantize_weight`, which `tch`
//! does not expose: one scale and zero point per weight matrix, chosen from
//! its min and max as FBGEMM's `ChooseQuantizationParams` does, and the
//! column offsets (each output row's sum of int8 weights minus
//! `zero_point · K`) that the int8 GEMM needs to undo the zero points.

/// Per-tensor affine quantisation parameters: `real = scale · (q − zero_point)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct QParams {
    pub(crate) scale: f32,
    pub(crate) zero_point: i32,
}

/// FBGEMM's `ChooseQuantizationParams` without sparsity preservation or
/// power-of-two scales: the range is widened to hold 0, the scale maps it
/// onto `qmin..=qmax`, and the zero point is the integer nearest to where 0
/// lands (computed from whichever end adds the smaller rounding error).
pub(crate) fn choose_qparams(min: f32, max: f32, qmin: i32, qmax: i32) -> QParams {
    const SMALL_SCALE_THRESHOLD: f32 = 6.1e-5;
    let mut min = min.min(0.0);
    let mut max = max.max(0.0);
    let mut scale = ((f64::from(max) - f64::from(min)) / f64::from(qmax - qmin)) as f32;
    if scale == 0.0 || (1.0 / scale).is_infinite() {
        scale = 0.1;
    }
    if scale < SMALL_SCALE_THRESHOLD {
        let org = scale;
        scale = SMALL_SCALE_THRESHOLD;
        if min == 0.0 {
            max = SMALL_SCALE_THRESHOLD * (qmax - qmin) as f32;
        } else if max == 0.0 {
            min = -SMALL_SCALE_THRESHOLD * (qmax - qmin) as f32;
        } else {
            let amplifier = SMALL_SCALE_THRESHOLD / org;
            min *= amplifier;
            max *= amplifier;
        }
    }
    let s = f64::from(scale);
    let from_min = f64::from(qmin) - f64::from(min) / s;
    let from_max = f64::from(qmax) - f64::from(max) / s;
    let err_min = f64::from(qmin).abs() + (f64::from(min) / s).abs();
    let err_max = f64::from(qmax).abs() + (f64::from(max) / s).abs();
    let initial = if err_min < err_max {
        from_min
    } else {
        from_max
    };
    let zero_point = if initial < f64::from(qmin) {
        qmin
    } else if initial > f64::from(qmax) {
        qmax
    } else {
        initial.round_ties_even() as i32
    };
    QParams { scale, zero_point }
}

/// An `[n, k]` f32 weight quantised to int8 as ATen's
/// `fbgemm_linear_quantize_weight` does: the int8 values (row-major), the
/// column offsets (one per output row) and the parameters.
pub(crate) fn quantize_weight(w: &[f32], n: usize, k: usize) -> (Vec<i8>, Vec<i32>, QParams) {
    let (lo, hi) = w
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let q = choose_qparams(lo, hi, -128, 127);
    let inv = 1.0 / q.scale;
    let values: Vec<i8> = w
        .iter()
        .map(|&x| {
            let v = q.zero_point as f32 + (x * inv).round_ties_even();
            v.clamp(-128.0, 127.0) as i8
        })
        .collect();
    let offsets = (0..n)
        .map(|row| {
            let sum: i32 = values[row * k..(row + 1) * k]
                .iter()
                .map(|&v| i32::from(v))
                .sum();
            sum - q.zero_point * k as i32
        })
        .collect();
    (values, offsets, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qparams_match_fbgemm_on_simple_ranges() {
        // [-1, 1] over 255 steps: 0 lands between -1 and 0, nearer 0 …
        let q = choose_qparams(-1.0, 1.0, -128, 127);
        assert!((q.scale - 2.0 / 255.0).abs() < 1e-9);
        assert_eq!(q.zero_point, 0);
        // … a positive-only range is widened to hold 0, which maps to qmin.
        let q = choose_qparams(0.5, 2.55, 0, 255);
        assert!((q.scale - 0.01).abs() < 1e-7);
        assert_eq!(q.zero_point, 0);
        let q = choose_qparams(-2.55, -0.5, -128, 127);
        assert_eq!(q.zero_point, 127);
        // A constant zero tensor still gets a usable scale.
        assert_eq!(choose_qparams(0.0, 0.0, -128, 127).scale, 0.1);
    }

    #[test]
    fn quantised_weights_round_trip_and_offsets_sum_rows() {
        let w: Vec<f32> = (0..12).map(|i| (i as f32 - 4.0) / 8.0).collect();
        let (q, offsets, p) = quantize_weight(&w, 3, 4);
        for (&x, &v) in w.iter().zip(&q) {
            let back = p.scale * (i32::from(v) - p.zero_point) as f32;
            assert!((back - x).abs() <= p.scale / 2.0 + 1e-6, "{x} -> {back}");
        }
        for row in 0..3 {
            let sum: i32 = q[row * 4..row * 4 + 4].iter().map(|&v| i32::from(v)).sum();
            assert_eq!(offsets[row], sum - 4 * p.zero_point);
        }
    }
}
