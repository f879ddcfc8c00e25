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

/// Knowledge weights tried, in logit units: 0 to 6 in quarter steps.
const KNOWLEDGE_WEIGHTS: std::ops::RangeInclusive<u8> = 0..=24;

/// `answer` with `weight` added to the logits of the countries in `named`.
pub fn with_knowledge(answer: &Answer, named: &[usize], weight: f32) -> Answer {
    let mut logits = answer.logits.clone();
    for &country in named {
        if let Some(logit) = logits.get_mut(country) {
            *logit += weight;
        }
    }
    Answer::new(logits, answer.truth)
}

/// The knowledge weight (in logit units, before the temperature) that gives
/// `answers` the lowest log-loss at their best temperature; `named[i]` are the
/// countries answer `i`'s note names. Searched on a grid
/// ([`KNOWLEDGE_WEIGHTS`] quarters), so ties and noise cannot push it far.
pub fn fit_knowledge_weight(answers: &[&Answer], named: &[&[usize]]) -> f32 {
    let known: Vec<(&Answer, &[usize], u32)> = answers
        .iter()
        .zip(named)
        .filter_map(|(a, n)| a.truth.map(|truth| (*a, *n, truth)))
        .collect();
    if known.is_empty() {
        return 0.0;
    }
    let loss = |weight: f32| -> f64 {
        let (logits, labels): (Vec<Vec<f32>>, Vec<u32>) = known
            .iter()
            .map(|&(a, n, truth)| (with_knowledge(a, n, weight).logits, truth))
            .unzip();
        let temperature = fit_temperature(&logits, &labels);
        let scored = known
            .iter()
            .zip(logits)
            .map(|(&(_, _, truth), logits)| Answer::new(logits, Some(truth)).scored(temperature));
        crate::scoring::log_loss(scored)
    };
    KNOWLEDGE_WEIGHTS
        .map(|quarters| f32::from(quarters) / 4.0)
        .map(|weight| (weight, loss(weight)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0.0, |(weight, _)| weight)
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
        // two classes: the answers at 0.5 are at chance, and so is their knot
        assert!((map.map(0.95, 2) - 0.8).abs() < 1e-6, "{map:?}");
        assert!((map.map(0.5, 2) - 0.5).abs() < 1e-6, "{map:?}");
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
        let first = knots[0].confidence;
        assert!((map.map(first, 10) - 0.6).abs() < 1e-6 && (map.map(0.95, 10) - 0.6).abs() < 1e-6);
    }

    #[test]
    fn the_knowledge_weight_follows_how_often_named_countries_are_right() {
        // Notes naming class 0 are class 0 nine times in ten, but the logits
        // give it an even chance: a positive weight lowers the log-loss.
        let answers: Vec<Answer> = (0..200)
            .map(|i| Answer::new(vec![0.0, 0.0], Some(u32::from(i % 10 == 0))))
            .collect();
        let named_first: Vec<&[usize]> = vec![&[0]; 200];
        let refs: Vec<&Answer> = answers.iter().collect();
        let weight = fit_knowledge_weight(&refs, &named_first);
        assert!(weight > 0.0, "{weight}");
        // With the weight and its temperature, named class 0 gets its share right:
        // the log-loss of a 0.9 / 0.1 coin.
        let boosted: Vec<Answer> = refs
            .iter()
            .map(|a| with_knowledge(a, &[0], weight))
            .collect();
        let (logits, labels): (Vec<Vec<f32>>, Vec<u32>) = boosted
            .iter()
            .map(|a| (a.logits.clone(), a.truth.unwrap()))
            .unzip();
        let temperature = fit_temperature(&logits, &labels);
        let loss = crate::scoring::log_loss(boosted.iter().map(|a| a.scored(temperature)));
        let coin = -(0.9f64 * 0.9f64.ln() + 0.1 * 0.1f64.ln());
        assert!((loss - coin).abs() < 0.01, "{loss} vs {coin}");
        // Notes whose named country is right half the time earn no weight.
        let even: Vec<Answer> = (0..200)
            .map(|i| Answer::new(vec![0.0, 0.0], Some(i % 2)))
            .collect();
        let refs: Vec<&Answer> = even.iter().collect();
        assert_eq!(fit_knowledge_weight(&refs, &named_first), 0.0);
        assert_eq!(with_knowledge(&even[0], &[1, 7], 0.5).logits, [0.0, 0.5]);
    }

    #[test]
    fn too_few_answers_leave_the_identity() {
        let answers = vec![scored(0.9, false); FEWEST_ANSWERS - 1];
        assert!(fit_top_calibration(&answers).unwrap().is_identity());
    }
}
