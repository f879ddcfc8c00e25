//! The committed default bundle on the real review data, when it is beside the
//! project (`../shared/data/wine_reviews.csv`): the not-a-tasting-note rule refuses
//! at most 1 % of the held-out reviews (with the lexicon the trainer builds), and answers called high certainty were
//! right at least 85 % of the time for writers the model never read (out-of-fold
//! answers of the grouped cross-validation by writer, calibrated).

mod common;

use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_model::certainty::HIGH_FROM;
use vinovoyant_trainer::lexicon::build;

/// Most share of real held-out notes the rule may refuse.
const MAX_REFUSED: f64 = 0.01;
/// Least share of answers called high that must be right for new writers.
const MIN_HIGH_RIGHT: f64 = 0.85;

#[test]
fn real_held_out_notes_are_rarely_refused() {
    let Some(data) = common::as_trained() else {
        return;
    };
    let (bundle, manifest) = (&data.bundle, data.bundle.manifest());
    // the lexicon shipped is the one this code builds from the training rows
    let train = data.reviews(&data.split.train);
    let origins = match &manifest.training.knowledge {
        Some(_) => vinovoyant_trainer::knowledge::origins().expect("the knowledge file parses"),
        None => Vec::new(),
    };
    assert!(
        build(&train, &manifest.labels.countries, &origins) == *bundle.distilled().lexicon(),
        "the default bundle's lexicon is not the one the trainer builds"
    );
    let validation = data.reviews(&data.split.validation);
    let refused: Vec<&str> = validation
        .iter()
        .map(|review| review.description.as_str())
        .filter(|text| bundle.distilled().check_note(text).is_err())
        .collect();
    let share = refused.len() as f64 / validation.len().max(1) as f64;
    println!(
        "held-out notes refused: {share:.4} ({} of {}): {refused:?}",
        refused.len(),
        validation.len()
    );
    assert!(share <= MAX_REFUSED, "{share:.4} of real notes refused");
}

#[test]
fn answers_called_high_are_right_for_new_writers() {
    let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
    let Some(folds) = &bundle.manifest().metrics.writer_folds else {
        panic!("the default bundle has no writer-fold figures");
    };
    for (model, bands) in [
        ("full", &folds.certainty),
        ("distilled", &folds.distilled_certainty),
    ] {
        let high = bands
            .iter()
            .find(|b| b.level == "high")
            .expect("a high band");
        // the bands were measured with the thresholds this build applies
        assert_eq!(high.from, HIGH_FROM);
        println!(
            "{model}, new writers: {} answers called high, {:.3} right ({} answers in all)",
            high.answers, high.right, folds.n
        );
        assert!(high.answers > 0);
        assert!(
            high.right >= MIN_HIGH_RIGHT,
            "{model}: high answers right {:.3}",
            high.right
        );
    }
}
