//! Grouped cross-validation by writer: every writer with enough reviews is held out
//! once, by a model trained on everything else. Its out-of-fold answers say what a
//! writer the model never read gets, and they are what the shipped calibrations
//! (temperatures and top-label maps) are fitted on, so that "80 %" means right
//! about 8 times in 10 for a new writer.

use std::collections::BTreeMap;

use vinovoyant_model::calibration::TopCalibrations;
use vinovoyant_model::manifest::{
    CertaintyBand, FoldScores, HeldOutScores, KnowledgeWeights, Temperatures, VarietyFolds,
    WriterFolds, WriterScores,
};
use vinovoyant_model::{Certainty, DistilledModel, tokenize};

use crate::TrainError;
use crate::calibration::{Calibration, fit_knowledge_weight, with_knowledge};
use crate::data::Review;
use crate::fit::{FitOptions, country_targets, distilled_model, fit, full_rows, variety_targets};
use crate::scoring::{self, Answer};

/// What `fitted_on` says of temperatures fitted on out-of-fold answers.
pub const FITTED_ON_WRITER_FOLDS: &str = "writer_folds";

/// The writers with at least `min_reviews` reviews, with their counts.
fn writers_with(reviews: &[Review], min_reviews: usize) -> Vec<(&str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for review in reviews {
        if let Some(writer) = &review.taster {
            *counts.entry(writer.as_str()).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n >= min_reviews)
        .collect()
}

/// Whether `reviews` have the two or more writers of `min_reviews` reviews that
/// writer folds need (a CSV without `taster_name` has none).
pub fn can_fold_by_writer(reviews: &[Review], min_reviews: usize) -> bool {
    writers_with(reviews, min_reviews).len() >= 2
}

/// Writers to hold out, in `folds` groups balanced by review count: writers with at
/// least `min_reviews` reviews, largest first, each into the group with the fewest
/// reviews so far. Fewer groups when there are fewer such writers; an error when
/// there are fewer than two.
pub fn writer_groups(
    reviews: &[Review],
    folds: usize,
    min_reviews: usize,
) -> Result<Vec<Vec<String>>, TrainError> {
    let mut writers = writers_with(reviews, min_reviews);
    if writers.len() < 2 {
        return Err(TrainError::TooFewWriters {
            min_reviews,
            found: writers.len(),
        });
    }
    writers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let folds = folds.clamp(2, writers.len());
    let mut groups: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); folds];
    for (writer, n) in writers {
        if let Some(group) = groups.iter_mut().min_by_key(|g| g.0) {
            group.0 += n;
            group.1.push(writer.to_string());
        }
    }
    Ok(groups.into_iter().map(|(_, writers)| writers).collect())
}

/// Out-of-fold logits of the heads for one fold's held-out reviews.
struct FoldAnswers {
    full: Vec<Answer>,
    distilled: Vec<Answer>,
    /// The countries each review of `full` and `distilled` names (see
    /// [`vinovoyant_model::knowledge`]).
    named: Vec<Vec<usize>>,
    /// The writer of each review of `full` and `distilled`.
    writers: Vec<String>,
    /// The variety head's, for the reviews whose variety is one of its classes.
    variety: Vec<Answer>,
    /// The writer of each review of `variety`.
    variety_writers: Vec<String>,
}

fn fold_answers(
    reviews: &[Review],
    writers: &[String],
    options: &FitOptions,
) -> Result<FoldAnswers, TrainError> {
    let is_held = |r: &Review| r.taster.as_ref().is_some_and(|t| writers.contains(t));
    let train: Vec<&Review> = reviews.iter().filter(|r| !is_held(r)).collect();
    let held: Vec<&Review> = reviews.iter().filter(|r| is_held(r)).collect();
    // The folds measure and calibrate the country and variety answers; the
    // province head is left out of them (no province has enough reviews to be a
    // class), which spares its share of each fold's work.
    let country_only = FitOptions {
        min_province_reviews: usize::MAX,
        ..options.clone()
    };
    let fitted = fit(&train, &country_only, &|_| {})?;
    let distilled: DistilledModel = distilled_model(&fitted.distilled)?;
    let country_rows = full_rows(&held, &fitted.vocabulary);
    let countries = country_targets(&held, &fitted.labels);
    let varieties = variety_targets(&held, &fitted.labels);
    let mut answers = FoldAnswers {
        full: Vec::new(),
        distilled: Vec::new(),
        named: Vec::new(),
        writers: Vec::new(),
        variety: Vec::new(),
        variety_writers: Vec::new(),
    };
    for (r, review) in held.iter().enumerate() {
        let (indices, values) = country_rows.row(r);
        let fast = distilled
            .logits(&review.description)
            .unwrap_or_else(|_| vec![0.0; fitted.labels.countries.len()]);
        answers.full.push(Answer::new(
            fitted.country.logits(indices, values),
            countries[r],
        ));
        answers.distilled.push(Answer::new(fast, countries[r]));
        let tokens = tokenize(&review.description);
        let named = fitted.distilled.knowledge.named(&tokens);
        answers
            .named
            .push(named.into_iter().map(|n| n.country).collect());
        let writer = review.taster.clone().unwrap_or_default();
        if let Some(truth) = varieties[r] {
            let logits = fitted.variety.logits(indices, values);
            answers.variety.push(Answer::new(logits, Some(truth)));
            answers.variety_writers.push(writer.clone());
        }
        answers.writers.push(writer);
    }
    Ok(answers)
}

/// Each fold's calibration, fitted on the other folds' answers only.
fn cross_fitted(folds: &[Vec<Answer>]) -> Result<Vec<Calibration>, TrainError> {
    (0..folds.len())
        .map(|k| Calibration::fit(others(folds, k)).map_err(TrainError::from))
        .collect()
}

/// The figures of one model over all folds: `folds[k]` are fold k's answers,
/// calibrated by `calibrations[k]` ([`cross_fitted`]).
fn held_out_scores(
    folds: &[Vec<Answer>],
    writers: &[Vec<String>],
    before: f32,
    calibrations: &[Calibration],
) -> (HeldOutScores, Vec<scoring::Scored>) {
    let all: Vec<&Answer> = folds.iter().flatten().collect();
    let raw: Vec<scoring::Scored> = all.iter().map(|a| a.scored(before)).collect();
    let calibrated: Vec<scoring::Scored> = folds
        .iter()
        .zip(calibrations)
        .flat_map(|(fold, calibration)| fold.iter().map(|a| calibration.score(a)))
        .collect();
    let fold_accuracy: Vec<f64> = folds
        .iter()
        .map(|f| scoring::accuracy(f.iter().map(|a| a.scored(1.0))))
        .collect();
    let mut by_writer: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (s, w) in raw.iter().zip(writers.iter().flatten()) {
        let entry = by_writer.entry(w.as_str()).or_default();
        entry.0 += usize::from(s.correct);
        entry.1 += 1;
    }
    let writer_accuracy: Vec<f64> = by_writer
        .values()
        .map(|&(right, n)| right as f64 / n as f64)
        .collect();
    let scores = HeldOutScores {
        accuracy: scoring::accuracy(raw.iter().copied()),
        mean_fold_accuracy: scoring::mean(&fold_accuracy),
        mean_writer_accuracy: scoring::mean(&writer_accuracy),
        top3: scoring::mean_of(raw.iter().map(|s| f64::from(u8::from(s.top3)))),
        log_loss_before: scoring::log_loss(raw.iter().copied()),
        log_loss: scoring::log_loss(calibrated.iter().copied()),
        ece_before: scoring::ece(&scoring::bins(raw.iter().copied())),
        ece: scoring::ece(&scoring::bins(calibrated.iter().copied())),
    };
    (scores, calibrated)
}

/// Hit rates of the certainty levels over calibrated answers.
fn certainty_bands(scored: &[scoring::Scored]) -> Vec<CertaintyBand> {
    [
        (Certainty::High, vinovoyant_model::certainty::HIGH_FROM),
        (Certainty::Medium, vinovoyant_model::certainty::MEDIUM_FROM),
        (Certainty::Low, 0.0),
    ]
    .into_iter()
    .map(|(level, from)| {
        let of_level: Vec<_> = scored
            .iter()
            .filter(|s| Certainty::of(s.top_probability as f32) == level)
            .collect();
        CertaintyBand {
            level: level.as_str().to_string(),
            from,
            answers: of_level.len(),
            right: scoring::mean_of(of_level.iter().map(|s| f64::from(u8::from(s.correct)))),
        }
    })
    .collect()
}

/// The out-of-fold answers of the writer folds.
pub struct OutOfFold {
    /// The writers each fold held out.
    groups: Vec<Vec<String>>,
    /// Least reviews of a writer held out.
    min_reviews: usize,
    /// Per fold: the full country head's answers.
    full: Vec<Vec<Answer>>,
    /// Per fold: the distilled model's answers, in the same order.
    distilled: Vec<Vec<Answer>>,
    /// Per fold: the countries each review of `full` names.
    named: Vec<Vec<Vec<usize>>>,
    /// Per fold: the writer of each answer of `full`.
    writers: Vec<Vec<String>>,
    /// Per fold: the variety head's answers for reviews of its classes.
    variety: Vec<Vec<Answer>>,
    /// Per fold: the writer of each answer of `variety`.
    variety_writers: Vec<Vec<String>>,
}

/// Trains one model per writer group, each without its writers' reviews, and
/// collects its answers on those reviews.
pub fn writer_folds(
    reviews: &[Review],
    options: &FitOptions,
    folds: usize,
    min_reviews: usize,
    log: &(dyn Fn(&str) + Sync),
) -> Result<OutOfFold, TrainError> {
    let groups = writer_groups(reviews, folds, min_reviews)?;
    let mut out = OutOfFold {
        groups: Vec::new(),
        min_reviews,
        full: Vec::new(),
        distilled: Vec::new(),
        named: Vec::new(),
        writers: Vec::new(),
        variety: Vec::new(),
        variety_writers: Vec::new(),
    };
    for (k, group) in groups.iter().enumerate() {
        log(&format!(
            "writer fold {}/{}: training without {}",
            k + 1,
            groups.len(),
            group.join(", ")
        ));
        let answers = fold_answers(reviews, group, options)?;
        log(&format!(
            "writer fold {}/{}: full top-1 {:.3} on {} reviews",
            k + 1,
            groups.len(),
            scoring::accuracy(answers.full.iter().map(|a| a.scored(1.0))),
            answers.full.len()
        ));
        out.full.push(answers.full);
        out.distilled.push(answers.distilled);
        out.named.push(answers.named);
        out.writers.push(answers.writers);
        out.variety.push(answers.variety);
        out.variety_writers.push(answers.variety_writers);
    }
    out.groups = groups;
    Ok(out)
}

impl OutOfFold {
    /// Fits each country model's knowledge weight on the out-of-fold answers
    /// ([`fit_knowledge_weight`]) and adds it to the logits of the countries each
    /// note names, so that the calibrations and figures that follow are of the
    /// answers the models will give. Returns the weights in logit units (before
    /// the temperature).
    pub fn apply_knowledge(&mut self, log: &(dyn Fn(&str) + Sync)) -> KnowledgeWeights {
        let named: Vec<&[usize]> = self.named.iter().flatten().map(Vec::as_slice).collect();
        let mut fitted = [0.0f32; 2];
        for (weight, (name, folds)) in fitted
            .iter_mut()
            .zip([("full", &mut self.full), ("distilled", &mut self.distilled)])
        {
            let answers: Vec<&Answer> = folds.iter().flatten().collect();
            *weight = fit_knowledge_weight(&answers, &named);
            let before = scoring::accuracy(answers.iter().map(|a| a.scored(1.0)));
            for (fold, fold_named) in folds.iter_mut().zip(&self.named) {
                for (answer, n) in fold.iter_mut().zip(fold_named) {
                    *answer = with_knowledge(answer, n, *weight);
                }
            }
            let after = scoring::accuracy(folds.iter().flatten().map(|a| a.scored(1.0)));
            log(&format!(
                "knowledge weight of the {name} model: {weight:.2} (out-of-fold top-1 {before:.4} -> {after:.4}; {} of {} notes name a country)",
                named.iter().filter(|n| !n.is_empty()).count(),
                named.len()
            ));
        }
        KnowledgeWeights {
            country: fitted[0],
            distilled: fitted[1],
        }
    }

    /// The calibrations to ship, each fitted on all folds' answers: the country
    /// head's, the variety head's and the distilled model's temperatures and
    /// top-label maps. The province head, which the folds do not train, keeps its
    /// temperature from `known` (fitted on the random split), as does the variety
    /// head when the folds had no variety answers.
    pub fn calibrations(
        &self,
        known: &Temperatures,
    ) -> Result<(Temperatures, TopCalibrations), TrainError> {
        let country = Calibration::fit(self.full.iter().flatten())?;
        let distilled = Calibration::fit(self.distilled.iter().flatten())?;
        let variety = if self.variety.iter().any(|fold| !fold.is_empty()) {
            Calibration::fit(self.variety.iter().flatten())?
        } else {
            Calibration {
                temperature: known.variety,
                top: Default::default(),
            }
        };
        let temperatures = Temperatures {
            country: country.temperature,
            province: known.province,
            variety: variety.temperature,
            distilled: distilled.temperature,
            fitted_on: FITTED_ON_WRITER_FOLDS.to_string(),
        };
        let maps = TopCalibrations {
            country: country.top,
            variety: variety.top,
            distilled: distilled.top,
        };
        Ok((temperatures, maps))
    }

    /// The figures of the folds; `before` are the temperatures the "before"
    /// log-loss and calibration error are scored at.
    pub fn report(
        &self,
        before: &Temperatures,
        log: &(dyn Fn(&str) + Sync),
    ) -> Result<WriterFolds, TrainError> {
        let full_fits = cross_fitted(&self.full)?;
        let distilled_fits = cross_fitted(&self.distilled)?;
        let (full, full_calibrated) =
            held_out_scores(&self.full, &self.writers, before.country, &full_fits);
        let (distilled, distilled_calibrated) = held_out_scores(
            &self.distilled,
            &self.writers,
            before.distilled,
            &distilled_fits,
        );
        let variety = if self.variety.iter().any(|fold| !fold.is_empty()) {
            let (scores, calibrated) = held_out_scores(
                &self.variety,
                &self.variety_writers,
                before.variety,
                &cross_fitted(&self.variety)?,
            );
            Some(VarietyFolds {
                n: calibrated.len(),
                scores,
            })
        } else {
            None
        };
        let variety_scores = variety.as_ref().map(|v| ("variety", &v.scores));
        for (name, scores) in [("full", &full), ("distilled", &distilled)]
            .into_iter()
            .chain(variety_scores)
        {
            log(&format!(
                "writer folds, {name}: top-1 {:.3} (mean over writers {:.3}), log-loss {:.3} -> {:.3}, ECE {:.3} -> {:.3}",
                scores.accuracy,
                scores.mean_writer_accuracy,
                scores.log_loss_before,
                scores.log_loss,
                scores.ece_before,
                scores.ece
            ));
        }
        Ok(WriterFolds {
            folds: self.groups.len(),
            min_reviews: self.min_reviews,
            n: full_calibrated.len(),
            unknown_country: self
                .full
                .iter()
                .flatten()
                .filter(|a| a.truth.is_none())
                .count(),
            full,
            distilled,
            agreement: scoring::mean_of(
                self.full
                    .iter()
                    .flatten()
                    .zip(self.distilled.iter().flatten())
                    .map(|(a, b)| f64::from(u8::from(a.top() == b.top()))),
            ),
            before: before.clone(),
            per_fold: per_fold(
                &self.groups,
                (&self.full, &full_fits),
                (&self.distilled, &distilled_fits),
            ),
            writers: per_writer(&self.groups, &self.full, &self.distilled, &self.writers),
            certainty: certainty_bands(&full_calibrated),
            distilled_certainty: certainty_bands(&distilled_calibrated),
            calibration: scoring::bins(full_calibrated.iter().copied()),
            variety,
        })
    }
}

/// Each fold's figures; `full` and `fast` are the models' answers per fold with
/// their cross-fitted calibrations.
fn per_fold(
    groups: &[Vec<String>],
    full: (&[Vec<Answer>], &[Calibration]),
    fast: (&[Vec<Answer>], &[Calibration]),
) -> Vec<FoldScores> {
    let log_loss = |(folds, fits): (&[Vec<Answer>], &[Calibration]), k: usize| {
        scoring::log_loss(folds[k].iter().map(|a| fits[k].score(a)))
    };
    let accuracy =
        |folds: &[Vec<Answer>], k: usize| scoring::accuracy(folds[k].iter().map(|a| a.scored(1.0)));
    groups
        .iter()
        .enumerate()
        .map(|(k, writers)| FoldScores {
            writers: writers.clone(),
            n: full.0[k].len(),
            full_accuracy: accuracy(full.0, k),
            distilled_accuracy: accuracy(fast.0, k),
            full_log_loss: log_loss(full, k),
            distilled_log_loss: log_loss(fast, k),
        })
        .collect()
}

/// Every answer of the folds other than `k`.
fn others(folds: &[Vec<Answer>], k: usize) -> impl Iterator<Item = &Answer> {
    folds
        .iter()
        .enumerate()
        .filter(move |&(j, _)| j != k)
        .flat_map(|(_, f)| f)
}

fn per_writer(
    groups: &[Vec<String>],
    full: &[Vec<Answer>],
    fast: &[Vec<Answer>],
    writers: &[Vec<String>],
) -> Vec<WriterScores> {
    let mut scores: Vec<WriterScores> = Vec::new();
    for (k, group) in groups.iter().enumerate() {
        for writer in group {
            let rows: Vec<usize> = (0..writers[k].len())
                .filter(|&i| &writers[k][i] == writer)
                .collect();
            scores.push(WriterScores {
                writer: writer.clone(),
                fold: k,
                n: rows.len(),
                full_accuracy: scoring::accuracy(rows.iter().map(|&i| full[k][i].scored(1.0))),
                distilled_accuracy: scoring::accuracy(rows.iter().map(|&i| fast[k][i].scored(1.0))),
            });
        }
    }
    scores.sort_by(|a, b| {
        a.full_accuracy
            .total_cmp(&b.full_accuracy)
            .then(a.writer.cmp(&b.writer))
    });
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(taster: Option<&str>) -> Review {
        Review {
            description: "x".into(),
            country: "US".into(),
            province: None,
            taster: taster.map(str::to_string),
            title: None,
            ..Review::default()
        }
    }

    #[test]
    fn groups_hold_out_every_writer_with_enough_reviews_once_balanced_by_count() {
        let mut reviews = Vec::new();
        for (writer, n) in [("A", 50), ("B", 30), ("C", 20), ("D", 15), ("E", 2)] {
            reviews.extend((0..n).map(|_| review(Some(writer))));
        }
        reviews.extend((0..40).map(|_| review(None)));
        let groups = writer_groups(&reviews, 2, 10).unwrap();
        // A (50) | B (30) + C (20) ... D (15) goes to the lighter group: A 50 vs B+C 50 -> tie, first
        assert_eq!(groups.len(), 2);
        let mut all: Vec<&String> = groups.iter().flatten().collect();
        all.sort();
        assert_eq!(all, ["A", "B", "C", "D"]);
        assert_eq!(groups[0], ["A", "D"]);
        assert_eq!(groups[1], ["B", "C"]);
        // more folds than writers: one writer per fold
        assert_eq!(writer_groups(&reviews, 9, 10).unwrap().len(), 4);
        assert!(writer_groups(&reviews, 5, 40).is_err());
    }
}
