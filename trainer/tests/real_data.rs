//! Checks the committed default bundle against the real review data, when it is
//! beside the project (`../shared/data/wine_reviews.csv`; CI has it). The held-out
//! split is rebuilt from the manifest's seed, and scoring it must reproduce the
//! manifest's figures: the bundle, the data and the code agree.

mod common;

use vinovoyant_trainer::data::read_reviews;
use vinovoyant_trainer::evaluate::evaluate;

#[test]
fn default_bundle_reproduces_its_validation_figures() {
    let Some(data) = common::as_trained() else {
        return;
    };
    let (bundle, manifest, dataset) = (&data.bundle, data.bundle.manifest(), &data.dataset);
    assert_eq!(
        dataset.sha256,
        manifest.training_data.sha256,
        "the default bundle was trained on other data than {}",
        common::data_path().display()
    );
    assert_eq!(dataset.rows, manifest.training_data.rows);
    assert_eq!(
        data.split.validation.len(),
        manifest.training_data.validation_rows
    );
    let validation = data.reviews(&data.split.validation);
    let evaluation = evaluate(
        bundle.full(),
        bundle.distilled(),
        &validation,
        dataset.has_province,
    );
    let recorded = &manifest.metrics.random_split;
    assert_eq!(evaluation.n, recorded.n);
    assert!((evaluation.full.accuracy - recorded.full.accuracy).abs() < 1e-9);
    assert!((evaluation.distilled.accuracy - recorded.distilled.accuracy).abs() < 1e-9);
    assert!((evaluation.agreement - recorded.agreement).abs() < 1e-9);
    assert!(
        evaluation.full.accuracy > 0.85,
        "full model top-1 fell to {}",
        evaluation.full.accuracy
    );
    let variety = evaluation.variety.as_ref().expect("a variety head");
    let recorded_variety = recorded.variety.as_ref().expect("recorded variety figures");
    assert_eq!(variety.n, recorded_variety.n);
    assert!((variety.accuracy - recorded_variety.accuracy).abs() < 1e-9);
    assert!((variety.top3 - recorded_variety.top3).abs() < 1e-9);
    assert!(
        variety.accuracy >= 0.65,
        "variety top-1 on known writers fell to {}",
        variety.accuracy
    );
}

#[test]
fn missing_columns_are_named() {
    let err = read_reviews(b"title,points\nA wine,90\n").unwrap_err();
    assert!(err.to_string().contains("description, country"), "{err}");
}
