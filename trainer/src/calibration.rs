//! A head's calibration, fitted on held-out answers: the softmax temperature,
//! then the top-label map that corrects what one temperature cannot (see
//! [`vinovoyant_model::calibration`]).

use vinovoyant_model::FormatError;
use vinovoyant_model::calibration::{Knot, TopCalibration};

use crate::linear::fit_temperature;
use crate::scoring::{Answer, Scored};

/// The top-label map has one knot per this many equal-count bins of the top
/// probability (fewer where neighbouring bins are pooled to keep it monotone).
pub const TOP_BINS: usize = 10;

/// With fewer answers than this the map is the identity: a bin of under 20
/// answers says little about its share right.
pub const FEWEST_ANSWERS: usize = 20 * TOP_BINS;

/// A head's temperature and the top-label map applied after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Logits are divided by it before the softmax.
    pub temperature: f32,
    /// Applied to the softmax's probabilities.
    pub top: TopCalibration,
}

impl Calibration {
    /// The temperature and then the map, both fitted on `answers` with a known
    /// class: the temperature by log-loss (1 when there are none), the map on the
    /// answers at that temperature.
    pub fn fit<'a>(answers: impl Iterator<Item = &'a Answer>) -> Result<Self, FormatError> {
        let known: Vec<(&Answer, u32)> = answers
            .filter_map(|a| a.truth.map(|truth| (a, truth)))
            .collect();
        let temperature = if known.is_empty() {
            1.0
        } else {
            let (logits, labels): (Vec<Vec<f32>>, Vec<u32>) = known
                .iter()
                .map(|&(a, truth)| (a.logits.clone(), truth))
                .unzip();
            fit_temperature(&logits, &labels)
        };
        let scored: Vec<Scored> = known.iter().map(|(a, _)| a.scored(temperature)).collect();
        Ok(Self {
            temperature,
            top: fit_top_calibration(&scored)?,
        })
    }

    /// An answer's figures under this calibration.
    pub fn score(&self, answer: &Answer) -> Scored {
        answer.calibrated(self.temperature, &self.top)
    }
}

/// The top-label map of `scored` answers: their top probabilities in
/// [`TOP_BINS`] equal-count bins, each a knot at its mean top probability and its
/// share right, neighbours pooled (weighted by their answers) wherever the share
/// right would fall as the probability rises. The identity under
/// [`FEWEST_ANSWERS`].
pub fn fit_top_calibration(scored: &[Scored]) -> Result<TopCalibration, FormatError> {
    if scored.len() < FEWEST_ANSWERS {
        return Ok(TopCalibration::identity());
    }
    let mut sorted: Vec<(f64, bool)> = scored
        .iter()
        .map(|s| (s.top_probability, s.correct))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    // (sum of top probabilities, answers right, answers) per pooled bin
    let mut pooled: Vec<(f64, f64, f64)> = Vec::with_capacity(TOP_BINS);
    for bin in 0..TOP_BINS {
        let range = bin * sorted.len() / TOP_BINS..(bin + 1) * sorted.len() / TOP_BINS;
        let part = &sorted[range];
        let sum: f64 = part.iter().map(|p| p.0).sum();
        let right = part.iter().filter(|p| p.1).count() as f64;
        pooled.push((sum, right, part.len() as f64));
        while let [.., before, last] = pooled[..] {
            let falls = before.1 / before.2 >= last.1 / last.2;
            let same_place = (before.0 / before.2) as f32 >= (last.0 / last.2) as f32;
            if !(falls || same_place) {
                break;
            }
            pooled.pop();
            pooled.pop();
            pooled.push((before.0 + last.0, before.1 + last.1, before.2 + last.2));
        }
    }
    let knots = pooled
        .iter()
        .map(|&(sum, right, n)| Knot {
            confidence: (sum / n) as f32,
            right: (right / n) as f32,
        })
        .collect();
    TopCalibration::new(knots)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(top_probability: f64, correct: bool) -> Scored {
        Scored {
            correct,
            top3: correct,
            top_probability,
            truth_probability: None,
        }
    }

    #[test]
    fn the_map_brings_overconfident_answers_down_to_their_share_right() {
        // answers at 0.95 right 80 % of the time, answers at 0.5 right half the time
        let mut answers = Vec::new();
        for i in 0..500 {
            answers.push(scored(0.95, i % 5 != 0));
            answers.push(scored(0.5, i % 2 == 0));
        }
        let map = fit_top_calibration(&answers).unwrap();
        assert!((map.map(0.95) - 0.8).abs() < 1e-6, "{map:?}");
        assert!((map.map(0.5) - 0.5).abs() < 1e-6, "{map:?}");
        // equal probabilities were pooled into one knot each
        assert_eq!(map.knots().len(), 2);
    }

    #[test]
    fn a_falling_share_right_is_pooled_into_a_monotone_map() {
        let mut answers = Vec::new();
        for i in 0..300 {
            // the surer answers are right less often: pooled into one level
            answers.push(scored(0.6 + f64::from(i % 3) * 0.01, i % 10 < 7));
            answers.push(scored(0.9 + f64::from(i % 3) * 0.01, i % 10 < 5));
        }
        let map = fit_top_calibration(&answers).unwrap();
        let knots = map.knots();
        assert!(knots.windows(2).all(|w| w[0].right <= w[1].right));
        assert!((map.map(0.6) - 0.6).abs() < 1e-6 && (map.map(0.95) - 0.6).abs() < 1e-6);
    }

    #[test]
    fn too_few_answers_leave_the_identity() {
        let answers = vec![scored(0.9, false); FEWEST_ANSWERS - 1];
        assert!(fit_top_calibration(&answers).unwrap().is_identity());
    }
}
