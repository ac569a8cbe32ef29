//! Axes: how a value maps onto a panel (linear, logarithmic, or one band per distinct value)
//! and which ticks it gets. Tick labels are distinct by construction: a linear axis writes as
//! many decimals as its step needs; a log axis labels powers of ten (and 2 and 5 times them
//! when fewer than three powers fall inside) and draws the other multiples as unlabelled minor
//! ticks.

/// One tick: where it is, and its label (`None` for a minor tick).
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: Option<String>,
}

/// How data values map onto [0, 1] along an axis.
#[derive(Clone, Debug, PartialEq)]
pub enum Scale {
    Linear {
        lo: f64,
        hi: f64,
    },
    Log {
        lo: f64,
        hi: f64,
    },
    /// `count` bands, one per distinct value; value `i` is the centre of band `i`.
    Bands {
        count: usize,
    },
}

impl Scale {
    /// A linear scale over the data range, padded by 4% each side, so a point on 0 or 1
    /// shows whole.
    pub fn linear(lo: f64, hi: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 1.0, hi + 1.0)
        };
        let pad = (hi - lo) * 0.04;
        Scale::Linear {
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// A log scale over positive data, padded by a factor 1.25 each side.
    pub fn log(lo: f64, hi: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo / 2.0, hi * 2.0)
        };
        Scale::Log {
            lo: lo / 1.25,
            hi: hi * 1.25,
        }
    }

    /// Where `v` falls, as a fraction of the axis (0 = start, 1 = end); may fall outside.
    pub fn fraction(&self, v: f64) -> f64 {
        match *self {
            Scale::Linear { lo, hi } => (v - lo) / (hi - lo),
            Scale::Log { lo, hi } => {
                (v.max(f64::MIN_POSITIVE).ln() - lo.ln()) / (hi.ln() - lo.ln())
            }
            Scale::Bands { count } => (v + 0.5) / count.max(1) as f64,
        }
    }

    /// The ticks of this axis; for bands, `labels` names the values.
    pub fn ticks(&self, labels: &[String]) -> Vec<Tick> {
        match *self {
            Scale::Linear { lo, hi } => linear_ticks(lo, hi, 6),
            Scale::Log { lo, hi } => log_ticks(lo, hi),
            Scale::Bands { .. } => labels
                .iter()
                .enumerate()
                .map(|(i, l)| Tick {
                    value: i as f64,
                    label: Some(l.clone()),
                })
                .collect(),
        }
    }
}

/// About `target` ticks at a step of 1, 2 or 5 times a power of ten.
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|i| {
            let value = i as f64 * step;
            Tick {
                value,
                label: Some(fixed_label(value, decimals, step)),
            }
        })
        .collect()
}

/// `value` with `decimals` places; large round values in powers of ten (`2×10⁶`).
fn fixed_label(value: f64, decimals: usize, step: f64) -> String {
    if value.abs() >= 1e6 && step >= 1e5 {
        let exponent = step.log10().floor() as i32;
        let mantissa = value / 10f64.powi(exponent);
        return format!("{}×10{}", mantissa.round(), superscript(exponent));
    }
    let s = format!("{value:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s[1..].to_string()
    } else {
        s
    }
}

/// Ticks of a log axis over [lo, hi] (both > 0).
pub fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let powers = (first..=last).filter(|&d| inside(10f64.powi(d))).count();
    let labelled = |k: u32| k == 1 || (powers < 3 && (k == 2 || k == 5));
    let mut ticks = Vec::new();
    for d in first..=last {
        for k in 1..=9u32 {
            let value = k as f64 * 10f64.powi(d);
            if !inside(value) {
                continue;
            }
            let label = labelled(k).then(|| power_label(k, d));
            ticks.push(Tick { value, label });
        }
    }
    ticks
}

/// `k × 10^d` written plainly where short (`0.05`, `200`, `10000`), else as `k×10ᵈ`.
fn power_label(k: u32, d: i32) -> String {
    if (-3..=4).contains(&d) {
        let decimals = (-d).max(0) as usize;
        format!("{:.decimals$}", k as f64 * 10f64.powi(d))
    } else if k == 1 {
        format!("10{}", superscript(d))
    } else {
        format!("{k}×10{}", superscript(d))
    }
}

fn superscript(d: i32) -> String {
    d.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// A value as written in a legend, a panel title or a hover text: as the CSV has it.
pub fn value_label(column: &str, value: &str) -> String {
    format!("{column} = {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: &[Tick]) -> Vec<String> {
        ticks.iter().filter_map(|t| t.label.clone()).collect()
    }

    fn distinct(v: &[String]) -> bool {
        let mut s = v.to_vec();
        s.sort();
        s.dedup();
        s.len() == v.len()
    }

    #[test]
    fn log_ticks_label_powers_of_ten_once_with_minor_ticks_between() {
        let t = log_ticks(8.0, 1.2e5);
        assert_eq!(labels(&t), ["10", "100", "1000", "10000", "10⁵"]);
        assert!(t.iter().filter(|t| t.label.is_none()).count() >= 30);
        // Fewer than three powers inside: 2 and 5 times a power are labelled too.
        assert_eq!(labels(&log_ticks(150.0, 900.0)), ["200", "500"]);
        assert_eq!(
            labels(&log_ticks(12.0, 3000.0)),
            ["20", "50", "100", "200", "500", "1000", "2000"]
        );
        for (lo, hi) in [(0.003, 2.0), (1.0, 1e9), (95.0, 105.0), (40.0, 1000.0)] {
            let l = labels(&log_ticks(lo, hi));
            assert!(distinct(&l), "{lo}..{hi}: {l:?}");
        }
    }

    #[test]
    fn linear_ticks_are_distinct_and_evenly_stepped() {
        for (lo, hi) in [
            (0.0, 1.0),
            (-0.05, 1.05),
            (3.0, 16.0),
            (0.0, 4.2e6),
            (0.001, 0.0013),
        ] {
            let t = linear_ticks(lo, hi, 6);
            let l = labels(&t);
            assert!(t.len() >= 3 && distinct(&l), "{lo}..{hi}: {l:?}");
            let steps: Vec<f64> = t.windows(2).map(|w| w[1].value - w[0].value).collect();
            assert!(
                steps
                    .iter()
                    .all(|s| (s - steps[0]).abs() < 1e-9 * hi.abs().max(1.0))
            );
        }
        assert_eq!(
            labels(&linear_ticks(0.0, 1.0, 6)),
            ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
        );
        assert_eq!(labels(&linear_ticks(-0.05, 0.12, 6))[0], "-0.05");
    }
}
