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
