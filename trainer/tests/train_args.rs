//! `vinovoyant train` refuses distillation settings outside their range before it
//! reads any data or writes anything.

use std::path::Path;

use vinovoyant_trainer::cli::{DataSplitArgs, TrainArgs, train};

fn args(out: &Path, share: f32, temperature: f32) -> TrainArgs {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_small.csv");
    TrainArgs {
        split: DataSplitArgs {
            data: data.to_str().unwrap().parse().unwrap(),
            seed: 42,
            validation_fraction: 0.1,
            new_writers: Vec::new(),
        },
        out: out.to_path_buf(),
        max_features: 1_000,
        epochs: None,
        learning_rate: None,
        balance_power: None,
        dropout: None,
        l2: None,
        margin_weight: None,
        distillation_share: share,
        distillation_temperature: temperature,
        writer_folds: 0,
        writer_min_reviews: 100,
    }
}

#[test]
fn out_of_range_distillation_settings_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    for (share, temperature, named) in [
        (1.5, 4.0, "--distillation-share"),
        (-0.1, 4.0, "--distillation-share"),
        (f32::NAN, 4.0, "--distillation-share"),
        (0.6, 0.0, "--distillation-temperature"),
        (0.6, f32::INFINITY, "--distillation-temperature"),
    ] {
        let error = train(args(&out, share, temperature)).unwrap_err();
        assert!(
            error.to_string().contains(named),
            "share {share}, temperature {temperature}: {error}"
        );
    }
    assert!(!out.exists(), "a refused run wrote {}", out.display());
}
