//! What the tests on the real review data share: where the data is, and saying
//! SKIPPED when it is absent.

use std::path::PathBuf;

/// `../shared/data/wine_reviews.csv` beside the project.
pub fn data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/wine_reviews.csv")
}

/// The real review data's bytes, or `None` after printing SKIPPED when it is absent.
pub fn real_data() -> Option<Vec<u8>> {
    let path = data_path();
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(_) => {
            eprintln!(
                "SKIPPED: the real review data is absent ({}); this check runs where it is",
                path.display()
            );
            None
        }
    }
}

/// The committed bundle beside the real data, split as its training split it.
pub struct AsTrained {
    /// The default bundle (`models/`).
    pub bundle: vinovoyant_inference::Bundle,
    /// The real reviews.
    pub dataset: vinovoyant_trainer::data::Dataset,
    /// The rows the bundle trained on and held out.
    pub split: vinovoyant_trainer::split::Split,
}

impl AsTrained {
    /// The reviews at `indices` (of [`AsTrained::split`]).
    pub fn reviews(&self, indices: &[usize]) -> Vec<&vinovoyant_trainer::data::Review> {
        indices.iter().map(|&i| &self.dataset.reviews[i]).collect()
    }
}

/// The committed bundle, the real data and its split, or `None` after printing
/// SKIPPED when the data is absent.
pub fn as_trained() -> Option<AsTrained> {
    let bytes = real_data()?;
    let bundle = vinovoyant_inference::Bundle::load(&vinovoyant_inference::default_model_dir())
        .expect("the default bundle loads");
    let dataset = vinovoyant_trainer::data::read_reviews(&bytes).expect("the data reads");
    let training = &bundle.manifest().training;
    let split = vinovoyant_trainer::split::stratified(
        &dataset.reviews,
        training.validation_fraction,
        training.seed,
    );
    Some(AsTrained {
        bundle,
        dataset,
        split,
    })
}
