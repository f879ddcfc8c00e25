//! Training on a tiny fixture of our own: the obvious signal is learned, the bundle
//! round-trips through disk, and a tampered file is refused by its checksum.

use std::path::Path;

use vinovoyant_analytics::DatasetSummary;
use vinovoyant_inference::{Bundle, BundleError, ContractError};
use vinovoyant_model::manifest::{ANALYTICS_FILE, DISTILLED_MODEL_FILE};
use vinovoyant_trainer::data::{ReadOptions, read_reviews, read_reviews_with};
use vinovoyant_trainer::fit::FitOptions;
use vinovoyant_trainer::train::{RunOptions, train_bundle};

fn fixture() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_small.csv"))
        .unwrap()
}

fn small_run() -> RunOptions {
    let mut fit = FitOptions {
        min_df: 1,
        min_country_reviews: 5,
        min_province_reviews: 3,
        min_variety_reviews: 5,
        // The knowledge file's thousands of documents would drown a fixture of 90
        // reviews; `the_knowledge_file_teaches_names_the_reviews_lack` turns it on.
        knowledge_copies: 0,
        ..FitOptions::default()
    };
    for options in [
        &mut fit.country,
        &mut fit.province,
        &mut fit.variety,
        &mut fit.distilled,
    ] {
        options.epochs = 30;
        options.batch_size = 8;
        options.learning_rate = 0.05;
    }
    fit.distilled_word_buckets = 512;
    fit.distilled_char_buckets = 1024;
    RunOptions {
        fit,
        validation_fraction: 0.2,
        new_writers: Vec::new(),
        writer_folds: 0,
        writer_min_reviews: 100,
        analytics: None,
    }
}

#[test]
fn learns_the_fixture_and_round_trips() {
    let dataset = read_reviews(&fixture()).unwrap();
    assert_eq!(dataset.reviews.len(), 90);
    let out = tempfile::tempdir().unwrap();
    let manifest = train_bundle(&dataset, &small_run(), out.path(), &|_| {}).unwrap();
    assert_eq!(manifest.labels.countries.len(), 3);
    // every grape the fixture names has at least 7 reviews
    assert_eq!(manifest.labels.varieties.len(), 10);
    assert_eq!(manifest.training_data.rows, 90);
    let variety = manifest
        .metrics
        .random_split
        .variety
        .as_ref()
        .expect("variety figures");
    assert!(variety.n > 0 && variety.accuracy >= 0.8, "{variety:?}");
    assert!(variety.top3 >= variety.accuracy);
    assert!(
        manifest.metrics.random_split.full.accuracy >= 0.9,
        "{:?}",
        manifest.metrics.random_split.full
    );

    let bundle = Bundle::load(out.path()).unwrap();
    assert_eq!(bundle.manifest(), &manifest);
    for (text, country, province, grape) in [
        (
            "A dense Nebbiolo from Barolo with firm tannins.",
            "Italy",
            "Piedmont",
            "Nebbiolo",
        ),
        (
            "Napa Cabernet Sauvignon, ripe and supple.",
            "US",
            "California",
            "Cabernet Sauvignon",
        ),
        (
            "A bright Sancerre Sauvignon Blanc with citrus.",
            "France",
            "Loire Valley",
            "Sauvignon Blanc",
        ),
    ] {
        let full = bundle.predict(text).unwrap();
        assert_eq!(full.countries[0].label, country, "{text}");
        assert_eq!(full.provinces[0].label, province, "{text}");
        assert_eq!(full.varieties[0].label, grape, "{text}");
        let total: f32 = full.varieties.iter().map(|v| v.probability).sum();
        assert!(
            (total - 1.0).abs() < 1e-3,
            "variety probabilities sum to {total}"
        );
        assert_eq!(
            bundle.predict_distilled(text).unwrap().countries[0].label,
            country,
            "{text}"
        );
        let strongest = full
            .explanation
            .iter()
            .find(|c| c.label == country)
            .unwrap();
        assert!(strongest.weight > 0.0);
    }

    let same = tempfile::tempdir().unwrap();
    let again = train_bundle(&dataset, &small_run(), same.path(), &|_| {}).unwrap();
    for (name, entry) in &manifest.files {
        assert_eq!(
            entry.sha256, again.files[name].sha256,
            "{name} differs between identical runs"
        );
    }
}

#[test]
fn province_probabilities_are_shares_of_their_country_s() {
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    train_bundle(&dataset, &small_run(), out.path(), &|_| {}).unwrap();
    let bundle = Bundle::load(out.path()).unwrap();
    let labels = bundle.full().labels();
    assert!(labels.provinces.len() >= 3, "{labels:?}");
    let country_of_province = |province: &str| {
        let review = dataset
            .reviews
            .iter()
            .find(|r| r.province.as_deref() == Some(province))
            .unwrap();
        labels
            .countries
            .iter()
            .position(|c| *c == review.country)
            .unwrap()
    };
    for text in [
        "A dense Nebbiolo from Barolo with firm tannins.",
        "Cherry and plum, fresh acidity.",
        "A bright Sancerre Sauvignon Blanc with citrus.",
    ] {
        let scores = bundle.full().scores(text).unwrap();
        let mut province_mass = vec![None::<f32>; labels.countries.len()];
        for (province, probability) in labels.provinces.iter().zip(&scores.provinces) {
            *province_mass[country_of_province(province)].get_or_insert(0.0) += probability;
        }
        // every country of the fixture has provinces with enough reviews
        assert!(province_mass.iter().all(Option::is_some), "{labels:?}");
        for (country, (mass, probability)) in province_mass
            .iter()
            .flatten()
            .zip(&scores.countries)
            .enumerate()
        {
            assert!(
                (mass - probability).abs() < 1e-5,
                "{text}: {} has {probability}, its provinces {mass}",
                labels.countries[country]
            );
        }
        // the answer names provinces of its own country only, as the labels record them
        let answer = bundle.predict(text).unwrap();
        let top = labels
            .countries
            .iter()
            .position(|c| *c == answer.countries[0].label)
            .unwrap();
        assert!(!answer.provinces.is_empty(), "{text}");
        for province in &answer.provinces {
            assert_eq!(country_of_province(&province.label), top, "{text}");
            let at = labels
                .provinces
                .iter()
                .position(|p| *p == province.label)
                .unwrap();
            assert_eq!(labels.province_countries[at] as usize, top);
        }
    }
}

#[test]
fn a_tampered_file_is_refused() {
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    train_bundle(&dataset, &small_run(), out.path(), &|_| {}).unwrap();
    let path = out.path().join(DISTILLED_MODEL_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    match Bundle::load(out.path()) {
        Err(BundleError::Contract(ContractError::Checksum { file, .. })) => {
            assert_eq!(file, DISTILLED_MODEL_FILE)
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
}

#[test]
fn aggregates_ship_in_the_bundle_and_are_optional() {
    let bytes = fixture();
    let aggregates = ReadOptions {
        aggregates: true,
        by: None,
    };
    let (dataset, _) = read_reviews_with(&bytes, &aggregates).unwrap();
    let summary = vinovoyant_analytics::aggregate_with(&dataset.reviews, &|_| 0.0);
    let with = tempfile::tempdir().unwrap();
    let run = RunOptions {
        analytics: Some(summary.clone()),
        ..small_run()
    };
    let manifest = train_bundle(&dataset, &run, with.path(), &|_| {}).unwrap();
    assert!(manifest.files.contains_key(ANALYTICS_FILE));
    let bundle = Bundle::load(with.path()).unwrap();
    // The bundle hands the file on as bytes; the page parses them.
    let analytics = bundle
        .extra_file(ANALYTICS_FILE)
        .map(|bytes| serde_json::from_slice::<DatasetSummary>(bytes).unwrap());
    assert_eq!(analytics.as_ref().map(|a| a.reviews), Some(90));
    assert_eq!(
        analytics.as_ref().map(|a| a.countries.len()),
        Some(summary.countries.len())
    );

    // A bundle without the file (as written before the analytics page) still loads.
    let without = tempfile::tempdir().unwrap();
    let manifest = train_bundle(&dataset, &small_run(), without.path(), &|_| {}).unwrap();
    assert!(!manifest.files.contains_key(ANALYTICS_FILE));
    assert!(
        Bundle::load(without.path())
            .unwrap()
            .extra_file(ANALYTICS_FILE)
            .is_none()
    );
}

#[test]
fn names_seen_only_in_titles_are_learned() {
    let mut dataset = read_reviews(&fixture()).unwrap();
    let producers = [
        ("Italy", "Tenuta Zorvina"),
        ("France", "Domaine Quillabet"),
        ("US", "Harrowgate Ridge"),
    ];
    for review in &mut dataset.reviews {
        let (_, producer) = producers
            .iter()
            .find(|(country, _)| *country == review.country)
            .unwrap();
        review.title = Some(format!("{producer} 2016 Red Blend"));
    }
    let mut without_titles = small_run();
    without_titles.fit.titles = false;
    let bundle = |run: &RunOptions| {
        let out = tempfile::tempdir().unwrap();
        train_bundle(&dataset, run, out.path(), &|_| {}).unwrap();
        Bundle::load(out.path()).unwrap()
    };
    let (with, without) = (bundle(&small_run()), bundle(&without_titles));
    let probability = |bundle: &Bundle, note: &str, country: &str| {
        let prediction = bundle.predict(note).unwrap();
        let found = prediction.countries.iter().find(|c| c.label == country);
        found.unwrap().probability
    };
    for (country, producer) in producers {
        let note = format!("Another fine bottling from {producer}.");
        assert_eq!(with.predict(&note).unwrap().countries[0].label, country);
        // The notes themselves never name a producer: only the titles taught them.
        assert!(
            probability(&with, &note, country) > probability(&without, &note, country),
            "{producer}"
        );
    }
}

#[test]
fn the_knowledge_file_teaches_names_the_reviews_lack() {
    let dataset = read_reviews(&fixture()).unwrap();
    let mut with_knowledge = small_run();
    with_knowledge.fit.knowledge_copies = 1;
    let bundle = |run: &RunOptions| {
        let out = tempfile::tempdir().unwrap();
        let manifest = train_bundle(&dataset, run, out.path(), &|_| {}).unwrap();
        (Bundle::load(out.path()).unwrap(), manifest)
    };
    let ((with, manifest), (without, plain)) = (bundle(&with_knowledge), bundle(&small_run()));
    let knowledge = manifest
        .training
        .knowledge
        .expect("the manifest records the knowledge");
    assert_eq!(knowledge.sha256, vinovoyant_trainer::knowledge::checksum());
    assert_eq!(knowledge.copies, 1);
    assert!(plain.training.knowledge.is_none());
    // None of these names is in the fixture's reviews; the file says where each belongs.
    for (name, country) in [
        ("Sagrantino", "Italy"),
        ("Gamay", "France"),
        ("Meritage", "US"),
    ] {
        let note = format!("{name}, dark fruit and spice.");
        let probability = |bundle: &Bundle| {
            let prediction = bundle.predict(&note).unwrap();
            let found = prediction.countries.iter().find(|c| c.label == country);
            found.unwrap().probability
        };
        assert_eq!(
            with.predict(&note).unwrap().countries[0].label,
            country,
            "{name}"
        );
        assert!(probability(&with) > probability(&without), "{name}");
        // The browser model learns the names too, and counts them as wine words.
        // Alone: with thousands of names beside the fixture's 90 reviews, its few
        // hashed buckets let the fixture's other words outweigh a name in a note.
        let fast = with.predict_distilled(name).unwrap();
        assert_eq!(fast.countries[0].label, country, "{name}, distilled");
    }
    assert!(with.distilled().check_note("Sagrantino").is_ok());
    assert!(without.distilled().check_note("Sagrantino").is_err());
}

#[test]
fn writer_folds_hold_out_every_writer_and_calibrate_the_shipped_models() {
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = RunOptions {
        writer_folds: 3,
        writer_min_reviews: 10,
        ..small_run()
    };
    let manifest = train_bundle(&dataset, &run, out.path(), &|_| {}).unwrap();
    let folds = manifest
        .metrics
        .writer_folds
        .as_ref()
        .expect("writer-fold figures");
    // the fixture's three writers, 30 reviews each, one per fold
    assert_eq!(folds.folds, 3);
    assert_eq!(manifest.training.writer_folds, 3);
    assert_eq!(folds.n, 90);
    let mut writers: Vec<&str> = folds.writers.iter().map(|w| w.writer.as_str()).collect();
    writers.sort_unstable();
    assert_eq!(writers, ["Writer A", "Writer B", "Writer C"]);
    assert!(folds.writers.iter().all(|w| w.n == 30));
    assert_eq!(folds.per_fold.iter().map(|f| f.n).sum::<usize>(), 90);
    let worst = folds.worst_writer().unwrap();
    assert!(
        folds
            .writers
            .iter()
            .all(|w| w.full_accuracy >= worst.full_accuracy)
    );
    for band in [&folds.certainty, &folds.distilled_certainty] {
        assert_eq!(band.iter().map(|b| b.answers).sum::<usize>(), 90);
    }
    // the variety head is held out by writer too, over the reviews of its classes
    let variety = folds.variety.as_ref().expect("variety figures by writer");
    assert!(variety.n > 0 && variety.n <= 90, "{variety:?}");
    assert!((0.0..=1.0).contains(&variety.scores.accuracy));
    assert!(variety.scores.log_loss.is_finite());
    for scores in [&folds.full, &folds.distilled] {
        assert!((0.0..=1.0).contains(&scores.accuracy), "{scores:?}");
        assert!(
            scores.log_loss.is_finite() && scores.ece >= 0.0,
            "{scores:?}"
        );
    }
    // the shipped models carry the temperatures fitted on the folds
    let temperatures = manifest.training.temperatures.as_ref().unwrap();
    assert_eq!(temperatures.fitted_on, "writer_folds");
    assert!(temperatures.variety > 0.0 && temperatures.variety != 1.0);
    let bundle = Bundle::load(out.path()).unwrap();
    assert_eq!(bundle.distilled().temperature(), temperatures.distilled);
    let text = "A dense Nebbiolo from Barolo with firm tannins.";
    let logits = bundle.distilled().logits(text).unwrap();
    let expected = vinovoyant_model::prediction::softmax(&logits, temperatures.distilled);
    assert_eq!(bundle.distilled().probabilities(text).unwrap(), expected);
}

#[test]
fn the_writer_folds_fit_the_knowledge_weights_both_models_ship() {
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut run = RunOptions {
        writer_folds: 3,
        writer_min_reviews: 10,
        ..small_run()
    };
    run.fit.knowledge_copies = 1;
    let manifest = train_bundle(&dataset, &run, out.path(), &|_| {}).unwrap();
    let weights = manifest.training.knowledge.as_ref().unwrap().weights;
    for weight in [weights.country, weights.distilled] {
        assert!(
            weight.is_finite() && (0.0..=vinovoyant_model::knowledge::MAX_WEIGHT).contains(&weight),
            "{weights:?}"
        );
    }
    let bundle = Bundle::load(out.path()).unwrap();
    let (fast, full) = (bundle.distilled().knowledge(), bundle.full().knowledge());
    assert_eq!(fast.weight(), weights.distilled);
    assert_eq!(full.weight(), weights.country);
    assert_eq!(fast.names(), full.names());
    // every name of a country the models know, and none of another
    let countries = &manifest.labels.countries;
    assert!(fast.len() > 100, "{}", fast.len());
    assert!(
        fast.names()
            .iter()
            .all(|(_, c)| usize::from(*c) < countries.len())
    );
    let named = fast.named(&vinovoyant_model::tokenize("A Barolo, then a Malbec"));
    let named: Vec<&str> = named
        .iter()
        .map(|n| countries[n.country].as_str())
        .collect();
    assert!(named.contains(&"Italy"), "{named:?}");
}

#[test]
fn without_writer_folds_the_temperatures_come_from_the_random_split() {
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let manifest = train_bundle(&dataset, &small_run(), out.path(), &|_| {}).unwrap();
    assert!(manifest.metrics.writer_folds.is_none());
    assert_eq!(manifest.training.writer_folds, 0);
    let temperatures = manifest.training.temperatures.as_ref().unwrap();
    assert_eq!(temperatures.fitted_on, "random_split");
}

#[test]
fn data_without_enough_writers_trains_with_the_random_split_s_temperatures() {
    // the fixture's writers have 30 reviews each, under the 100 the folds ask for,
    // as a CSV without taster_name has none: training goes on without folds
    let dataset = read_reviews(&fixture()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = RunOptions {
        writer_folds: 4,
        writer_min_reviews: 100,
        ..small_run()
    };
    let said = std::sync::Mutex::new(Vec::<String>::new());
    let log = |line: &str| said.lock().unwrap().push(line.to_string());
    let manifest = train_bundle(&dataset, &run, out.path(), &log).unwrap();
    assert!(manifest.metrics.writer_folds.is_none());
    assert_eq!(manifest.training.writer_folds, 0);
    let temperatures = manifest.training.temperatures.as_ref().unwrap();
    assert_eq!(temperatures.fitted_on, "random_split");
    assert!(
        said.lock()
            .unwrap()
            .iter()
            .any(|line| line.starts_with("no writer folds")),
        "the log says why there are no folds"
    );
}
