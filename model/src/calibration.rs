//! Top-label calibration: a monotone map from a head's top probability to how
//! often answers that sure are right for a writer the model never read.
//!
//! A temperature rescales every logit alike; fitted by log-loss it leaves the
//! surest answers a few points too sure and the least sure a little too shy. The
//! map corrects what the temperature leaves: it is fitted by the trainer on the
//! writer folds' out-of-fold answers after their temperature, and applied after
//! the softmax by every model that answers (the server's heads and the browser's
//! distilled model), so "80 %" is right about 8 times in 10 for a new writer.

use serde::{Deserialize, Serialize};

use crate::format::FormatError;

/// Most knots a map may have: more would fit noise, and a file with more is damaged.
pub const MAX_KNOTS: usize = 32;

/// One point of the map: answers whose top probability is about `confidence`
/// are right `right` of the time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Knot {
    /// Top probability after the temperature.
    pub confidence: f32,
    /// Share of such answers that are right.
    pub right: f32,
}

/// A piecewise-linear monotone map of the top probability through its knots; no
/// knots is the identity. Below the first knot it runs straight down to chance
/// (see [`TopCalibration::map`]); above the last it is flat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TopCalibration {
    knots: Vec<Knot>,
}

impl TopCalibration {
    /// The map that changes nothing.
    pub fn identity() -> Self {
        Self::default()
    }

    /// A map through `knots`, which must lie in `[0, 1]` with confidence strictly
    /// rising and the share right never falling, at most [`MAX_KNOTS`] of them.
    pub fn new(knots: Vec<Knot>) -> Result<Self, FormatError> {
        let in_unit = |v: f32| (0.0..=1.0).contains(&v);
        if knots.len() > MAX_KNOTS {
            return Err(FormatError::Invalid("too many calibration knots"));
        }
        if !knots
            .iter()
            .all(|k| in_unit(k.confidence) && in_unit(k.right))
        {
            return Err(FormatError::Invalid(
                "calibration knots must lie between 0 and 1",
            ));
        }
        if !knots
            .windows(2)
            .all(|w| w[0].confidence < w[1].confidence && w[0].right <= w[1].right)
        {
            return Err(FormatError::Invalid(
                "calibration knots must rise in confidence and never fall in share right",
            ));
        }
        Ok(Self { knots })
    }

    /// The knots, by rising confidence.
    pub fn knots(&self) -> &[Knot] {
        &self.knots
    }

    /// Whether the map changes nothing.
    pub fn is_identity(&self) -> bool {
        self.knots.is_empty()
    }

    /// The calibrated value of the top probability of an answer among `classes`
    /// classes. The first knot is the mean of the least sure answers, so a flat
    /// map below it would give every vaguer answer the same share; instead the
    /// map runs straight from the first knot down to chance, `1 / classes`, which
    /// is how often a top answer no surer than chance is right.
    pub fn map(&self, probability: f32, classes: usize) -> f32 {
        let (Some(first), Some(last)) = (self.knots.first(), self.knots.last()) else {
            return probability;
        };
        if probability.is_nan() {
            return probability;
        }
        if probability <= first.confidence {
            let chance = 1.0 / classes.max(1) as f32;
            if first.confidence <= chance || first.right <= chance {
                return first.right;
            }
            let share = ((probability - chance) / (first.confidence - chance)).max(0.0);
            return chance + share * (first.right - chance);
        }
        if probability >= last.confidence {
            return last.right;
        }
        let upper = self
            .knots
            .partition_point(|k| k.confidence < probability)
            .min(self.knots.len() - 1);
        let (a, b) = (self.knots[upper - 1], self.knots[upper]);
        let share = (probability - a.confidence) / (b.confidence - a.confidence);
        a.right + share * (b.right - a.right)
    }

    /// Calibrates a distribution in place: the top probability is mapped and the
    /// others are scaled to share the rest in the same proportions. The order of
    /// the classes never changes: the top one keeps at least the second's share.
    pub fn apply(&self, probabilities: &mut [f32]) {
        if self.is_identity() || probabilities.len() < 2 {
            return;
        }
        let Some((top, &p1)) = probabilities
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            return;
        };
        if !p1.is_finite() {
            return;
        }
        // The others' sum (not 1 − p1: near certainty the subtraction loses the
        // digits the scale needs) and the largest of them.
        let (rest, p2) = probabilities
            .iter()
            .enumerate()
            .filter(|&(class, _)| class != top)
            .fold((0.0f32, 0.0f32), |(sum, max), (_, &p)| {
                (sum + p, max.max(p))
            });
        if rest <= 0.0 {
            // The others hold nothing to scale: they share the rest equally.
            let others = (probabilities.len() - 1) as f32;
            let mapped = self
                .map(p1.min(1.0), probabilities.len())
                .max(1.0 / (others + 1.0));
            for (class, p) in probabilities.iter_mut().enumerate() {
                *p = if class == top {
                    mapped
                } else {
                    (1.0 - mapped) / others
                };
            }
            return;
        }
        // With the top at g, the second becomes p2 / rest · (1 − g); it stays at or
        // under g while g ≥ p2 / (rest + p2).
        let mapped = self
            .map(p1, probabilities.len())
            .max(p2 / (rest + p2))
            .min(1.0);
        // Each other class keeps its share of the rest (divided first: near
        // certainty the rest is too small for its reciprocal).
        let share_of = |p: f32| p / rest * (1.0 - mapped);
        // At the bound the second equals the top in exact arithmetic: the top is
        // kept one step above it, so a tie never reorders the answer.
        let second = share_of(p2);
        let top_value = if mapped > second {
            mapped
        } else {
            second.next_up()
        };
        for (class, p) in probabilities.iter_mut().enumerate() {
            *p = if class == top {
                top_value
            } else {
                share_of(*p)
            };
        }
    }
}

/// The top-label calibrations of a bundle's heads, fitted on the writer folds.
/// Bundles trained without writer folds leave them as the identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopCalibrations {
    /// The full model's country head (its provinces follow their country).
    pub country: TopCalibration,
    /// The full model's variety head.
    #[serde(default)]
    pub variety: TopCalibration,
    /// The distilled model; `distilled.bin` carries the same map.
    pub distilled: TopCalibration,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> TopCalibration {
        TopCalibration::new(vec![
            Knot {
                confidence: 0.2,
                right: 0.25,
            },
            Knot {
                confidence: 0.6,
                right: 0.55,
            },
            Knot {
                confidence: 0.97,
                right: 0.93,
            },
        ])
        .unwrap()
    }

    #[test]
    fn the_map_interpolates_between_knots_runs_down_to_chance_and_is_flat_above() {
        let m = map();
        assert!((m.map(0.4, 10) - 0.40).abs() < 1e-6);
        assert_eq!(m.map(0.6, 10), 0.55);
        assert_eq!(m.map(0.999, 10), 0.93);
        // Below the first knot (0.2 → 0.25), straight down to chance (0.1 of 10).
        assert_eq!(m.map(0.2, 10), 0.25);
        assert!((m.map(0.15, 10) - 0.175).abs() < 1e-6);
        assert!((m.map(0.1, 10) - 0.1).abs() < 1e-6);
        assert!(m.map(0.12, 10) < m.map(0.18, 10));
        // With chance above the first knot there is nothing to run down to.
        assert_eq!(m.map(0.1, 4), 0.25);
        assert_eq!(TopCalibration::identity().map(0.37, 10), 0.37);
    }

    #[test]
    fn apply_maps_the_top_keeps_the_order_and_sums_to_one() {
        let m = map();
        let mut sure = vec![0.01, 0.98, 0.01];
        m.apply(&mut sure);
        assert!((sure[1] - 0.93).abs() < 1e-6);
        assert!((sure[0] - 0.035).abs() < 1e-6 && (sure[2] - 0.035).abs() < 1e-6);
        // a close second is not lifted above the top when the map lowers it
        let mut close = vec![0.449, 0.101, 0.45];
        m.apply(&mut close);
        assert!(close[2] > close[0] && close[0] > close[1]);
        // a tie keeps its first class on top
        let mut tie = vec![0.1, 0.45, 0.45];
        m.apply(&mut tie);
        assert!(tie[1] > tie[2], "{tie:?}");
        for probabilities in [&sure, &close] {
            let sum: f32 = probabilities.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{probabilities:?}");
        }
        let mut certain = vec![0.0, 1.0];
        m.apply(&mut certain);
        assert!((certain[0] - 0.07).abs() < 1e-6 && (certain[1] - 0.93).abs() < 1e-6);
        let mut unchanged = vec![0.3, 0.7];
        TopCalibration::identity().apply(&mut unchanged);
        assert_eq!(unchanged, [0.3, 0.7]);
    }

    #[test]
    fn knots_out_of_order_or_range_are_refused() {
        let knot = |confidence, right| Knot { confidence, right };
        assert!(TopCalibration::new(vec![knot(0.5, 0.5), knot(0.4, 0.6)]).is_err());
        assert!(TopCalibration::new(vec![knot(0.4, 0.6), knot(0.5, 0.5)]).is_err());
        assert!(TopCalibration::new(vec![knot(0.4, 1.2)]).is_err());
        assert!(TopCalibration::new(vec![knot(f32::NAN, 0.5)]).is_err());
        assert!(TopCalibration::new(vec![knot(0.5, 0.5); MAX_KNOTS + 1]).is_err());
        assert!(TopCalibration::new(vec![knot(0.4, 0.5), knot(0.5, 0.5)]).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn apply_never_reorders_and_keeps_a_distribution(
            weights in proptest::collection::vec(0.0f32..10.0, 2..30),
            sharpness in 0.1f32..20.0,
        ) {
            let logits: Vec<f32> = weights.iter().map(|w| w * sharpness).collect();
            let before = crate::prediction::softmax(&logits, 1.0);
            let mut after = before.clone();
            map().apply(&mut after);
            proptest::prop_assert_eq!(
                crate::prediction::rank(&after)[0],
                crate::prediction::rank(&before)[0]
            );
            let sum: f32 = after.iter().sum();
            proptest::prop_assert!((sum - 1.0).abs() < 1e-4, "{:?}", after);
            proptest::prop_assert!(after.iter().all(|p| (0.0..=1.0).contains(p)));
        }
    }
}
