//! Small statistics for summaries: Wilson score intervals, means, standard errors and medians.

/// The 95% Wilson score interval for `k` successes in `n` trials: `(low, high)`.
/// Wilson (1927); it stays inside [0, 1] and behaves at k = 0 and k = n, unlike the normal
/// approximation. `(0, 1)` when `n = 0`.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z: f64 = 1.959_963_984_540_054;
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The arithmetic mean; `None` for no values.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The standard error of the mean, s / √k with s the sample standard deviation (k − 1 in the
/// denominator); `None` for fewer than two values, where the spread is unknown.
pub fn std_error(xs: &[f64]) -> Option<f64> {
    let k = xs.len();
    if k < 2 {
        return None;
    }
    let m = mean(xs)?;
    let variance = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (k - 1) as f64;
    Some((variance / k as f64).sqrt())
}

/// The median (the mean of the two middle values for an even count); `None` for no values.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605;
        // 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718.
        let cases = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ];
        for (k, n, lo, hi) in cases {
            let (l, h) = wilson(k, n);
            assert!(
                (l - lo).abs() < 1e-4 && (h - hi).abs() < 1e-4,
                "{k}/{n}: {l} {h}"
            );
        }
        let (l, h) = wilson(20, 20);
        assert!(close(h, 1.0) && close(l, 1.0 - 0.1611));
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn mean_and_median() {
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[]), None);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(median(&[6.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn std_error_is_the_sample_sd_over_root_k() {
        assert_eq!(std_error(&[]), None);
        assert_eq!(std_error(&[5.0]), None, "one value has no spread");
        assert_eq!(std_error(&[3.0, 3.0, 3.0]), Some(0.0));
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, s² = 32/7, SE = √(32/7/8).
        let se = std_error(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert!(close(se, (32.0f64 / 7.0 / 8.0).sqrt()), "{se}");
    }
}
