//! Scoring answers given as logits at a chosen calibration: top-1, top-3,
//! log-loss, reliability bins and expected calibration error.

use vinovoyant_model::TopCalibration;
use vinovoyant_model::manifest::CalibrationBin;
use vinovoyant_model::prediction::{rank, softmax};

/// Probability given to the right class at least, for the log-loss.
const FLOOR: f64 = 1e-15;

/// One answer: the logits of every class and the right class, when the model has it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Logits, before temperature and softmax.
    pub logits: Vec<f32>,
    /// Index of the right class; `None` when the model has no class for it.
    pub truth: Option<u32>,
}

/// What one answer gives at one temperature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The top answer is right.
    pub correct: bool,
    /// The right class is among the top three.
    pub top3: bool,
    /// Probability of the top answer.
    pub top_probability: f64,
    /// Probability of the right class, when the model has it.
    pub truth_probability: Option<f64>,
}

impl Answer {
    /// An answer from its logits and right class.
    pub fn new(logits: Vec<f32>, truth: Option<u32>) -> Self {
        Self { logits, truth }
    }

    /// Index of the top class.
    pub fn top(&self) -> usize {
        rank(&self.logits).first().copied().unwrap_or(0)
    }

    /// The answer's figures with its logits divided by `temperature`.
    pub fn scored(&self, temperature: f32) -> Scored {
        self.calibrated(temperature, &TopCalibration::identity())
    }

    /// The answer's figures with its logits divided by `temperature` and the
    /// probabilities then mapped by `top`.
    pub fn calibrated(&self, temperature: f32, top: &TopCalibration) -> Scored {
        let mut probabilities = softmax(&self.logits, temperature);
        top.apply(&mut probabilities);
        let order = rank(&probabilities);
        let position = self
            .truth
            .and_then(|t| order.iter().position(|&i| i == t as usize));
        Scored {
            correct: position == Some(0),
            top3: position.is_some_and(|p| p < 3),
            top_probability: order.first().map_or(0.0, |&i| f64::from(probabilities[i])),
            truth_probability: self
                .truth
                .and_then(|t| probabilities.get(t as usize))
                .map(|&p| f64::from(p)),
        }
    }
}

/// Mean of `values`; 0 when there are none.
pub fn mean(values: &[f64]) -> f64 {
    mean_of(values.iter().copied())
}

/// Mean of the values of an iterator; 0 when there are none.
pub fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Share of answers whose top class is right.
pub fn accuracy(scored: impl Iterator<Item = Scored>) -> f64 {
    mean_of(scored.map(|s| f64::from(u8::from(s.correct))))
}

/// Mean negative log-probability of the right class, over answers whose model has it.
pub fn log_loss(scored: impl Iterator<Item = Scored>) -> f64 {
    mean_of(scored.filter_map(|s| s.truth_probability.map(|p| -p.max(FLOOR).ln())))
}

/// Ten equal-width bins of the top probability with the share right in each.
pub fn bins(scored: impl Iterator<Item = Scored>) -> Vec<CalibrationBin> {
    let mut sums = [(0.0f64, 0usize, 0usize); 10];
    for s in scored {
        let bin = &mut sums[((s.top_probability * 10.0) as usize).min(9)];
        bin.0 += s.top_probability;
        bin.1 += usize::from(s.correct);
        bin.2 += 1;
    }
    calibration_bins(sums)
}

/// The bins of sums `(top probabilities, answers right, answers)`, one per tenth of
/// the top probability, as their mean confidence and share right.
pub fn calibration_bins(
    sums: impl IntoIterator<Item = (f64, usize, usize)>,
) -> Vec<CalibrationBin> {
    sums.into_iter()
        .map(|(sum, right, count)| CalibrationBin {
            confidence: if count > 0 { sum / count as f64 } else { 0.0 },
            accuracy: if count > 0 {
                right as f64 / count as f64
            } else {
                0.0
            },
            count,
        })
        .collect()
}

/// Expected calibration error of reliability bins: the count-weighted mean gap
/// between confidence and accuracy.
pub fn ece(bins: &[CalibrationBin]) -> f64 {
    let total: usize = bins.iter().map(|b| b.count).sum();
    if total == 0 {
        return 0.0;
    }
    bins.iter()
        .map(|b| b.count as f64 * (b.confidence - b.accuracy).abs())
        .sum::<f64>()
        / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_changes_confidence_but_not_the_answer() {
        let answer = Answer::new(vec![2.0, 0.0, -1.0], Some(1));
        let sharp = answer.scored(0.5);
        let soft = answer.scored(4.0);
        assert!(!sharp.correct && !soft.correct);
        assert!(sharp.top3 && soft.top3);
        assert!(sharp.top_probability > 0.95 && soft.top_probability < 0.5);
        assert!(log_loss([sharp].into_iter()) > log_loss([soft].into_iter()));
        let unknown = Answer::new(vec![1.0, 0.0], None).scored(1.0);
        assert!(!unknown.correct && unknown.truth_probability.is_none());
        assert_eq!(log_loss([unknown].into_iter()), 0.0);
    }

    #[test]
    fn ece_is_the_weighted_gap_between_confidence_and_accuracy() {
        let right = Scored {
            correct: true,
            top3: true,
            top_probability: 0.9,
            truth_probability: Some(0.9),
        };
        let wrong = Scored {
            correct: false,
            ..right
        };
        // one bin at 0.9 confidence, half right: gap 0.4
        let b = bins([right, wrong].into_iter());
        assert_eq!(b[9].count, 2);
        assert!((ece(&b) - 0.4).abs() < 1e-9);
        // a calibrated bin: 9 of 10 right at 0.9
        let mut calibrated = vec![right; 9];
        calibrated.push(wrong);
        assert!(ece(&bins(calibrated.into_iter())) < 1e-9);
    }
}
