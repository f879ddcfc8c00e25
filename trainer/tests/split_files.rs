//! `vinovoyant split` writes exactly the reviews `train` trains on and holds out, so
//! other models can be measured on the same ones.

use std::path::Path;

use vinovoyant_trainer::TrainError;
use vinovoyant_trainer::data::{Review, read_reviews};
use vinovoyant_trainer::split::{new_writer_split, split_files, stratified, write_split_files};

fn fixture_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reviews_small.csv")
}

fn written(dir: &Path, name: &str) -> Vec<Review> {
    let bytes = std::fs::read(dir.join(name)).unwrap();
    read_reviews(&bytes).unwrap().reviews
}

/// What `vinovoyant split --seed 7 --validation-fraction 0.2` does with `writers`.
fn split(writers: &[String], out: &Path) -> Result<(), TrainError> {
    let reviews = read_reviews(&std::fs::read(fixture_path()).unwrap())
        .unwrap()
        .reviews;
    let files = split_files(&reviews, 0.2, 7, writers)?;
    write_split_files(&reviews, &files, out, &mut |_, _| {})
}

fn rows(reviews: &[Review], indices: &[usize]) -> Vec<Review> {
    indices.iter().map(|&i| reviews[i].clone()).collect()
}

#[test]
fn split_files_hold_the_rows_train_uses() {
    let out = tempfile::tempdir().unwrap();
    let writers = vec!["Writer B".to_string()];
    split(&writers, out.path()).unwrap();

    let reviews = read_reviews(&std::fs::read(fixture_path()).unwrap())
        .unwrap()
        .reviews;
    let random = stratified(&reviews, 0.2, 7);
    let check = new_writer_split(&reviews, &random, &writers).unwrap();
    assert_eq!(
        written(out.path(), "train.csv"),
        rows(&reviews, &random.train)
    );
    assert_eq!(
        written(out.path(), "validation.csv"),
        rows(&reviews, &random.validation)
    );
    assert_eq!(
        written(out.path(), "new-writers-train.csv"),
        rows(&reviews, &check.train)
    );
    let by_writer = written(out.path(), "new-writers.csv");
    assert_eq!(by_writer.len(), 30);
    assert!(
        by_writer
            .iter()
            .all(|r| r.taster.as_deref() == Some("Writer B"))
    );
    assert_eq!(
        random.train.len() + random.validation.len(),
        reviews.len(),
        "the random split covers every review"
    );
}

#[test]
fn split_without_the_named_writers_is_a_clear_error() {
    let out = tempfile::tempdir().unwrap();
    let error = split(&["Nobody".to_string()], out.path()).unwrap_err();
    assert!(
        matches!(error, TrainError::NoReviewByNewWriters),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("no review is by the writers"),
        "{error:#}"
    );
}
