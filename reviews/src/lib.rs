//! Wine review records and the one CSV reader that the trainer, the analytics and
//! the server all use, so that a file means the same to each: the same required
//! columns (named when missing), the same rows set aside and counted.
//!
//! [`read_reviews`] keeps the columns the models learn from (`description`,
//! `country`, `province`, `variety`, `taster_name`, `title`);
//! [`ReadOptions::aggregates`] adds those only the analytics page aggregates
//! (`points`, `price`), so `train` reads its data once for both. [`write_reviews`]
//! writes the first set back.

mod read;

pub use read::{
    column, read_reviews, read_reviews_from, read_reviews_with, required_columns, write_reviews,
};

/// Why a CSV could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file lacks columns every review needs.
    #[error("the CSV lacks required column(s): {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// The file cannot be parsed as CSV.
    #[error("the CSV cannot be read: {0}")]
    Csv(#[from] csv::Error),
    /// The file cannot be read.
    #[error("cannot read the data: {0}")]
    Io(#[from] std::io::Error),
}

/// One usable review: a row with a description and a country.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// The tasting note.
    pub description: String,
    /// Country of origin.
    pub country: String,
    /// Province or state, when given.
    pub province: Option<String>,
    /// The reviewer, when given; used to hold out whole writers.
    pub taster: Option<String>,
    /// The wine's name (producer, vintage, cuvée, grape, appellation), when given;
    /// training reads it as a second short text about the same wine.
    pub title: Option<String>,
    /// Score out of 100, when given and read ([`ReadOptions::aggregates`]).
    pub points: Option<f64>,
    /// Price in US dollars, when given, positive and read ([`ReadOptions::aggregates`]).
    pub price: Option<f64>,
    /// Grape variety or blend, when given: the variety head's class.
    pub variety: Option<String>,
}

/// Rows set aside, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rejected {
    /// Rows with a different number of fields than the header, or broken quoting.
    pub malformed: usize,
    /// Rows with no description.
    pub empty_description: usize,
    /// Rows with no country.
    pub empty_country: usize,
}

impl Rejected {
    /// All rows set aside.
    pub fn total(&self) -> usize {
        self.malformed + self.empty_description + self.empty_country
    }
}

/// A data set as read, with what identifies it.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Usable reviews, in file order.
    pub reviews: Vec<Review>,
    /// Rows set aside.
    pub rejected: Rejected,
    /// Data rows in the file.
    pub rows: usize,
    /// SHA-256 of the bytes read: the training data's fingerprint in a manifest.
    pub sha256: String,
    /// Whether the file has a province column.
    pub has_province: bool,
}

/// What a read keeps besides the columns the models learn from.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions<'a> {
    /// Also read `points` and `price`, for the analytics aggregates. A
    /// value that does not parse (or a price that is not positive) counts as missing.
    pub aggregates: bool,
    /// Also give each usable review's value of this column (`eval --by`); an error
    /// when the file has no such column.
    pub by: Option<&'a str>,
}
