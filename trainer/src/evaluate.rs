//! Quality figures of a bundle's models on labelled reviews.

use fnv::FnvHashMap;
use serde::Serialize;
use vinovoyant_inference::FullModel;
use vinovoyant_model::DistilledModel;
use vinovoyant_model::manifest::{
    ClassScores, ConfusedPair, Evaluation, ModelScores, ProvinceScores, VarietyScores,
};
use vinovoyant_model::prediction::rank;

use crate::data::Review;
use crate::scoring::{self, Answer};

/// Mistakes the variety figures list.
const CONFUSED_PAIRS: usize = 10;

/// Probability given to a label the model cannot answer, for the log-loss.
const FLOOR: f64 = 1e-15;

struct Tally {
    correct: usize,
    top3: usize,
    log_loss: f64,
    /// (true label, predicted label) per row; labels as strings so that countries
    /// the model does not know still count as their own class, never predicted.
    pairs: Vec<(String, String)>,
}

impl Tally {
    fn new() -> Self {
        Self {
            correct: 0,
            top3: 0,
            log_loss: 0.0,
            pairs: Vec::new(),
        }
    }

    fn add(&mut self, truth: &str, labels: &[String], probabilities: Option<&[f32]>) {
        let Some(probabilities) = probabilities else {
            self.log_loss -= FLOOR.ln();
            self.pairs.push((truth.to_string(), String::new()));
            return;
        };
        let order = rank(probabilities);
        let position = order.iter().position(|&i| labels[i] == truth);
        self.correct += usize::from(position == Some(0));
        self.top3 += usize::from(position.is_some_and(|p| p < 3));
        let p = position.map_or(FLOOR, |p| f64::from(probabilities[order[p]]).max(FLOOR));
        self.log_loss -= p.ln();
        self.pairs
            .push((truth.to_string(), labels[order[0]].clone()));
    }

    fn scores(&self) -> ModelScores {
        let n = self.pairs.len().max(1) as f64;
        let classes = per_class(&self.pairs);
        let macro_f1 = if classes.is_empty() {
            0.0
        } else {
            classes.iter().map(|c| c.f1).sum::<f64>() / classes.len() as f64
        };
        ModelScores {
            accuracy: self.correct as f64 / n,
            macro_f1,
            top3: self.top3 as f64 / n,
            log_loss: self.log_loss / n,
        }
    }
}

/// Precision, recall and F1 of every class seen as truth or prediction.
fn per_class(pairs: &[(String, String)]) -> Vec<ClassScores> {
    let mut counts: FnvHashMap<&str, (usize, usize, usize)> = FnvHashMap::default();
    for (truth, predicted) in pairs {
        counts.entry(truth).or_default().1 += 1;
        if !predicted.is_empty() {
            counts.entry(predicted).or_default().2 += 1;
        }
        if truth == predicted {
            counts.entry(truth).or_default().0 += 1;
        }
    }
    let mut classes: Vec<ClassScores> = counts
        .into_iter()
        .map(|(label, (hits, support, predicted))| {
            let precision = if predicted > 0 {
                hits as f64 / predicted as f64
            } else {
                0.0
            };
            let recall = if support > 0 {
                hits as f64 / support as f64
            } else {
                0.0
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            ClassScores {
                label: label.to_string(),
                support,
                precision,
                recall,
                f1,
            }
        })
        .collect();
    classes.sort_by(|a, b| b.support.cmp(&a.support).then(a.label.cmp(&b.label)));
    classes
}

/// Scores both models on `reviews`. Rows the models refuse (no words) count as misses.
pub fn evaluate(
    full: &FullModel,
    distilled: &DistilledModel,
    reviews: &[&Review],
    with_province: bool,
) -> Evaluation {
    let countries = &full.labels().countries;
    let provinces = &full.labels().provinces;
    let mut full_tally = Tally::new();
    let mut distilled_tally = Tally::new();
    let mut province_tally = Tally::new();
    let varieties = &full.labels().varieties;
    let variety_index: FnvHashMap<&str, u32> = varieties
        .iter()
        .enumerate()
        .map(|(i, v)| (v.as_str(), i as u32))
        .collect();
    let mut variety_answers = Vec::new();
    let mut agreements = 0usize;
    let mut bins = vec![(0.0f64, 0usize, 0usize); 10];
    for review in reviews {
        let scores = full.scores(&review.description).ok();
        let fast = distilled.probabilities(&review.description).ok();
        full_tally.add(
            &review.country,
            countries,
            scores.as_ref().map(|s| s.countries.as_slice()),
        );
        distilled_tally.add(&review.country, countries, fast.as_deref());
        if let (Some(s), Some(f)) = (&scores, &fast) {
            agreements += usize::from(rank(&s.countries)[0] == rank(f)[0]);
        }
        if let Some(s) = &scores {
            let top = rank(&s.countries)[0];
            let confidence = f64::from(s.countries[top]);
            let bin = &mut bins[((confidence * 10.0) as usize).min(9)];
            bin.0 += confidence;
            bin.1 += usize::from(countries[top] == review.country);
            bin.2 += 1;
        }
        let variety = review.variety.as_deref();
        if let (Some(s), Some(&truth)) = (&scores, variety.and_then(|v| variety_index.get(v))) {
            variety_answers.push(answer_of(&s.varieties, truth));
        }
        if let (true, Some(province)) = (with_province && !provinces.is_empty(), &review.province) {
            province_tally.add(
                province,
                provinces,
                scores.as_ref().map(|s| s.provinces.as_slice()),
            );
        }
    }
    let known: FnvHashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let other = countries.len();
    let mut confusion = vec![vec![0usize; other + 1]; other + 1];
    for (truth, predicted) in &full_tally.pairs {
        let t = known.get(truth.as_str()).copied().unwrap_or(other);
        let p = known.get(predicted.as_str()).copied().unwrap_or(other);
        confusion[t][p] += 1;
    }
    let mut per_country = per_class(&full_tally.pairs);
    per_country.retain(|c| known.contains_key(c.label.as_str()));
    per_country.sort_by_key(|c| known[c.label.as_str()]);
    let province = (with_province && !provinces.is_empty()).then(|| {
        let s = province_tally.scores();
        ProvinceScores {
            n: province_tally.pairs.len(),
            accuracy: s.accuracy,
            top3: s.top3,
        }
    });
    Evaluation {
        n: reviews.len(),
        full: full_tally.scores(),
        distilled: distilled_tally.scores(),
        agreement: agreements as f64 / reviews.len().max(1) as f64,
        province,
        variety: (!variety_answers.is_empty())
            .then(|| variety_figures(varieties, &variety_answers)),
        per_country,
        confusion,
        calibration: crate::scoring::calibration_bins(bins),
    }
}

/// An answer whose softmax at temperature 1 gives back `probabilities`.
fn answer_of(probabilities: &[f32], truth: u32) -> Answer {
    let logits = probabilities.iter().map(|p| p.max(1e-30).ln()).collect();
    Answer::new(logits, Some(truth))
}

/// The variety head's figures over answers for reviews of its classes, with the
/// most frequent mistakes.
pub fn variety_figures(labels: &[String], answers: &[Answer]) -> VarietyScores {
    let scored: Vec<scoring::Scored> = answers.iter().map(|a| a.scored(1.0)).collect();
    let mut mistakes: FnvHashMap<(u32, usize), usize> = FnvHashMap::default();
    for answer in answers {
        let top = answer.top();
        if let Some(truth) = answer.truth.filter(|&t| t as usize != top) {
            *mistakes.entry((truth, top)).or_default() += 1;
        }
    }
    let mut confused: Vec<ConfusedPair> = mistakes
        .into_iter()
        .filter_map(|((truth, predicted), count)| {
            Some(ConfusedPair {
                truth: labels.get(truth as usize)?.clone(),
                predicted: labels.get(predicted)?.clone(),
                count,
            })
        })
        .collect();
    confused.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.truth.cmp(&b.truth))
            .then_with(|| a.predicted.cmp(&b.predicted))
    });
    confused.truncate(CONFUSED_PAIRS);
    VarietyScores {
        n: scored.len(),
        accuracy: scoring::accuracy(scored.iter().copied()),
        top3: scoring::mean_of(scored.iter().map(|s| f64::from(u8::from(s.top3)))),
        log_loss: scoring::log_loss(scored.iter().copied()),
        ece: scoring::ece(&scoring::bins(scored.iter().copied())),
        confused,
    }
}

/// The figures `vinovoyant eval --json` prints.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Rows scored.
    pub n: usize,
    /// The full model.
    pub full: ModelScores,
    /// The distilled model.
    pub distilled: ModelScores,
    /// Expected calibration error of the full model's top answer (ten equal-width bins).
    pub ece: f64,
    /// Share of rows where both agree on the top country.
    pub agreement: f64,
    /// The province head, when the data has provinces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<ProvinceScores>,
    /// The variety head, when the model has one and the data names varieties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variety: Option<VarietySummary>,
}

/// The variety figures `vinovoyant eval --json` prints.
#[derive(Debug, Serialize)]
pub struct VarietySummary {
    /// Top-1 over the rows whose variety is one of the model's classes.
    pub accuracy: f64,
    /// Top-3 over the same rows.
    pub top3: f64,
    /// Those rows.
    pub n: usize,
}

impl From<&Evaluation> for Summary {
    fn from(e: &Evaluation) -> Self {
        Self {
            n: e.n,
            full: e.full,
            distilled: e.distilled,
            ece: crate::scoring::ece(&e.calibration),
            agreement: e.agreement,
            province: e.province,
            variety: e.variety.as_ref().map(|v| VarietySummary {
                accuracy: v.accuracy,
                top3: v.top3,
                n: v.n,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_countries_count_as_misses_and_as_their_own_class() {
        let labels = vec!["France".to_string(), "Italy".to_string()];
        let mut tally = Tally::new();
        tally.add("France", &labels, Some(&[0.9, 0.1]));
        tally.add("Italy", &labels, Some(&[0.4, 0.6]));
        tally.add("Peru", &labels, Some(&[0.5, 0.5]));
        tally.add("Italy", &labels, None);
        let s = tally.scores();
        assert_eq!(s.accuracy, 0.5);
        assert_eq!(s.top3, 0.5);
        // France: p=1/2 r=1 -> 2/3; Italy: p=1 r=1/2 -> 2/3; Peru: 0
        assert!((s.macro_f1 - 4.0 / 9.0).abs() < 1e-9, "{}", s.macro_f1);
        assert!(s.log_loss > 10.0);
    }
}
