//! Holding reviews out: a seeded split stratified by country, and writer groups.

use std::collections::BTreeMap;
use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::TrainError;
use crate::data::{Review, write_reviews};

/// Indices of the training and validation rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Rows to train on.
    pub train: Vec<usize>,
    /// Rows held out.
    pub validation: Vec<usize>,
}

/// Holds out `fraction` of each country's reviews (rounded; none for a country
/// with a single review), chosen by `seed`.
pub fn stratified(reviews: &[Review], fraction: f32, seed: u64) -> Split {
    let mut by_country: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, review) in reviews.iter().enumerate() {
        by_country
            .entry(review.country.as_str())
            .or_default()
            .push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut split = Split {
        train: Vec::new(),
        validation: Vec::new(),
    };
    for rows in by_country.values_mut() {
        rows.shuffle(&mut rng);
        let held = if rows.len() < 2 {
            0
        } else {
            (rows.len() as f32 * fraction).round() as usize
        };
        split.validation.extend_from_slice(&rows[..held]);
        split.train.extend_from_slice(&rows[held..]);
    }
    split.train.sort_unstable();
    split.validation.sort_unstable();
    split
}

/// Splits `rows` into those by the named writers and the rest.
pub fn by_writers(reviews: &[Review], rows: &[usize], writers: &[String]) -> Split {
    let (validation, train) = rows.iter().partition(|&&i| {
        reviews[i]
            .taster
            .as_ref()
            .is_some_and(|t| writers.iter().any(|w| w == t))
    });
    Split { train, validation }
}

/// Rows of the new-writer check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWriterSplit {
    /// Every review neither by the named writers nor held out by the random split.
    pub train: Vec<usize>,
    /// The random split's held-out reviews by other writers: they calibrate the
    /// check's model, as the held-out reviews calibrate the bundle's.
    pub calibration: Vec<usize>,
    /// Everything the named writers wrote, held out or not.
    pub validation: Vec<usize>,
}

/// Divides the reviews for the new-writer check, given the random split. An error
/// when the writers wrote none of the reviews.
pub fn new_writer_split(
    reviews: &[Review],
    split: &Split,
    writers: &[String],
) -> Result<NewWriterSplit, TrainError> {
    let all: Vec<usize> = (0..reviews.len()).collect();
    let by = by_writers(reviews, &all, writers);
    if by.validation.is_empty() {
        return Err(TrainError::NoReviewByNewWriters);
    }
    let held: std::collections::HashSet<usize> = split.validation.iter().copied().collect();
    let (calibration, train) = by.train.into_iter().partition(|i| held.contains(i));
    Ok(NewWriterSplit {
        train,
        calibration,
        validation: by.validation,
    })
}

/// The files `vinovoyant split` writes, with the rows of each: the reviews `train`,
/// given the same fraction, seed and writers, trains on and scores. `train.csv` and
/// `validation.csv` are the random split; with new writers, `new-writers-train.csv`
/// and `new-writers.csv` are the rows of the new-writer check.
pub fn split_files(
    reviews: &[Review],
    validation_fraction: f32,
    seed: u64,
    writers: &[String],
) -> Result<Vec<(&'static str, Vec<usize>)>, TrainError> {
    let random = stratified(reviews, validation_fraction, seed);
    let check = if writers.is_empty() {
        None
    } else {
        Some(new_writer_split(reviews, &random, writers)?)
    };
    let mut files = vec![
        ("train.csv", random.train),
        ("validation.csv", random.validation),
    ];
    if let Some(check) = check {
        files.push(("new-writers-train.csv", check.train));
        files.push(("new-writers.csv", check.validation));
    }
    Ok(files)
}

/// Writes each file's reviews as a CSV into `dir` (created when missing);
/// `written` hears of each file, with its number of reviews, once it is complete.
pub fn write_split_files(
    reviews: &[Review],
    files: &[(&str, Vec<usize>)],
    dir: &Path,
    written: &mut dyn FnMut(&Path, usize),
) -> Result<(), TrainError> {
    std::fs::create_dir_all(dir).map_err(TrainError::io("create", dir))?;
    for (name, rows) in files {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).map_err(TrainError::io("create", &path))?;
        write_reviews(
            std::io::BufWriter::new(file),
            rows.iter().map(|&i| &reviews[i]),
        )
        .map_err(|source| TrainError::WriteReviews {
            path: path.clone(),
            source,
        })?;
        written(&path, rows.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(country: &str, taster: Option<&str>) -> Review {
        Review {
            description: "x".into(),
            country: country.into(),
            province: None,
            taster: taster.map(str::to_string),
            title: None,
            ..Review::default()
        }
    }

    #[test]
    fn stratified_split_is_seeded_and_keeps_every_country() {
        let reviews: Vec<Review> = (0..100)
            .map(|i| review(if i % 4 == 0 { "Italy" } else { "US" }, None))
            .collect();
        let split = stratified(&reviews, 0.2, 1);
        assert_eq!(split.validation.len(), 20);
        assert_eq!(
            split
                .validation
                .iter()
                .filter(|&&i| reviews[i].country == "Italy")
                .count(),
            5
        );
        assert_eq!(split, stratified(&reviews, 0.2, 1));
        assert_ne!(split, stratified(&reviews, 0.2, 2));
    }

    #[test]
    fn writer_split_holds_out_whole_writers() {
        let reviews = vec![
            review("US", Some("A")),
            review("US", Some("B")),
            review("US", None),
        ];
        let split = by_writers(&reviews, &[0, 1, 2], &["B".to_string()]);
        assert_eq!(split.validation, vec![1]);
        assert_eq!(split.train, vec![0, 2]);
    }

    #[test]
    fn new_writer_check_trains_on_neither_the_writers_nor_the_held_out_rows() {
        let reviews = vec![
            review("US", Some("A")),
            review("US", Some("B")),
            review("US", None),
            review("US", Some("B")),
            review("US", Some("A")),
        ];
        let random = Split {
            train: vec![0, 1, 2],
            validation: vec![3, 4],
        };
        let check = new_writer_split(&reviews, &random, &["B".to_string()]).unwrap();
        // row 4 is held out by the random split, rows 1 and 3 are B's
        assert_eq!(check.train, vec![0, 2]);
        assert_eq!(check.validation, vec![1, 3]);
        assert_eq!(check.calibration, vec![4]);
    }
}
