//! The few statistics the aggregates need: quartiles and Pearson's r.

use serde::{Deserialize, Serialize};

/// Tukey's five numbers of a sample, with its size and mean: what a box plot draws.
///
/// Quartiles interpolate linearly between order statistics (the rule of
/// spreadsheets and NumPy's default), so `q1` of `[1, 2, 3, 4]` is 1.75.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FiveNumbers {
    /// Sample size.
    pub n: usize,
    /// Smallest value.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl FiveNumbers {
    /// The five numbers of `values` (reordered in place); `None` when empty or
    /// when a value is not finite.
    pub fn of(values: &mut [f64]) -> Option<Self> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let quantile = |q: f64| {
            let at = q * (values.len() - 1) as f64;
            let below = at.floor() as usize;
            let above = at.ceil() as usize;
            values[below] + (values[above] - values[below]) * (at - below as f64)
        };
        Some(Self {
            n: values.len(),
            min: values[0],
            q1: quantile(0.25),
            median: quantile(0.5),
            q3: quantile(0.75),
            max: values[values.len() - 1],
            mean: values.iter().sum::<f64>() / values.len() as f64,
        })
    }
}

/// Pearson's correlation of paired samples; `None` with fewer than two pairs,
/// different lengths, or a sample that does not vary.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let mean_x = xs.iter().sum::<f64>() / n;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mean_x, y - mean_y);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= f64::EPSILON || syy <= f64::EPSILON {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_between_order_statistics() {
        let five = FiveNumbers::of(&mut [4.0, 1.0, 3.0, 2.0]).expect("a sample");
        assert_eq!(
            (five.n, five.min, five.q1, five.median, five.q3, five.max),
            (4, 1.0, 1.75, 2.5, 3.25, 4.0)
        );
        assert_eq!(five.mean, 2.5);
        let single = FiveNumbers::of(&mut [7.0]).expect("one value");
        assert_eq!((single.q1, single.median, single.q3), (7.0, 7.0, 7.0));
        assert_eq!(FiveNumbers::of(&mut []), None);
        assert_eq!(FiveNumbers::of(&mut [1.0, f64::NAN]), None);
    }

    #[test]
    fn pearson_is_one_for_a_line_and_none_without_spread() {
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).expect("defined");
        assert!((r - 1.0).abs() < 1e-12);
        let r = pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).expect("defined");
        assert!((r + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(pearson(&[1.0], &[1.0]), None);
    }
}
