//! Aggregates of the wine reviews, computed once and drawn many times.
//!
//! The analytics page never touches review rows: the trainer (over its CSV) or the
//! server (over the configured data set) calls [`aggregate`] once, and the page draws
//! its charts from the resulting [`DatasetSummary`], which is small enough to ship
//! in a model bundle as `analytics.json`.
//!
//! * the types and [`aggregate_with`] need serde and the [`Review`] record of
//!   `vinovoyant-reviews` (whose CSV reader gives the rows), so any crate can read a
//!   summary;
//! * feature `vader` adds [`aggregate`], which scores sentiment with VADER;
//! * feature `render` adds [`render`]: the SVG charts, drawn on the server so the
//!   browser bundle carries no plotting code.

mod aggregate;
pub mod insights;
#[cfg(feature = "render")]
pub mod render;
mod stats;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use aggregate::aggregate_with;
#[cfg(feature = "vader")]
pub use aggregate::{aggregate, vader_compound};
pub use stats::{FiveNumbers, pearson};

/// Version of the [`DatasetSummary`] layout; bumped when a field changes meaning.
pub const FORMAT: u32 = 1;
/// Countries drawn in the by-country charts and offered by the filter: the most reviewed.
pub const TOP_COUNTRIES: usize = 12;
/// Varieties in the most-reviewed chart.
pub const TOP_VARIETIES: usize = 15;
/// Varieties whose price distributions are drawn.
pub const PRICED_VARIETIES: usize = 8;
/// Lowest score of the review scale; lower scores count in the lowest row of the grid.
pub const POINTS_LOW: u32 = 80;
/// Highest score of the review scale; higher scores count in the top row of the grid.
pub const POINTS_HIGH: u32 = 100;
/// `log10` of the lower edge of the first price column (about $3.16).
pub const LOG_PRICE_LOW: f64 = 0.5;
/// Width of a price column in `log10` dollars: eight columns per tenfold price.
pub const LOG_PRICE_STEP: f64 = 0.125;
/// Price columns of the grid, up to about $3,162; dearer wines count in the last one.
pub const PRICE_COLUMNS: usize = 24;
/// Compound sentiment at or above which a description counts as positive (VADER's convention).
pub const POSITIVE_AT: f64 = 0.05;
/// Names of the variables of the correlation matrix, in order.
pub const CORRELATED: [&str; 4] = ["points", "price", "description length", "sentiment"];

/// One review: the aggregates read its country, points, price, variety and
/// description.
pub use vinovoyant_reviews::Review;

/// Everything the analytics page draws, for the whole data set and for each of
/// the most reviewed countries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// Layout version ([`FORMAT`]).
    pub format: u32,
    /// Reviews aggregated.
    pub reviews: usize,
    /// Countries in the data set.
    pub country_count: usize,
    /// The [`TOP_COUNTRIES`] most reviewed countries, most reviewed first.
    pub countries: Vec<CountryStats>,
    /// The whole data set.
    pub overall: Slice,
    /// The reviews of each country of [`DatasetSummary::countries`].
    pub by_country: BTreeMap<String, Slice>,
}

impl DatasetSummary {
    /// The slice for `country`, or the whole data set when `country` is `None`;
    /// `None` for a country not among the most reviewed.
    pub fn slice(&self, country: Option<&str>) -> Option<&Slice> {
        match country {
            None => Some(&self.overall),
            Some(country) => self.by_country.get(country),
        }
    }

    /// The country of the filter that `requested` names, if it is one of
    /// [`DatasetSummary::countries`] (compared without regard to case).
    pub fn find_country(&self, requested: &str) -> Option<&str> {
        let requested = requested.trim();
        self.countries
            .iter()
            .map(|stats| stats.country.as_str())
            .find(|country| country.eq_ignore_ascii_case(requested))
    }
}

/// Figures of one country, for the charts that compare countries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryStats {
    /// Country name.
    pub country: String,
    /// Reviews of the country.
    pub reviews: usize,
    /// Scores, when any review has one.
    pub points: Option<FiveNumbers>,
    /// Prices, when any review has one.
    pub price: Option<FiveNumbers>,
    /// Sentiment of the descriptions.
    pub sentiment: Option<SentimentStats>,
}

/// How positive a set of descriptions reads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SentimentStats {
    /// Descriptions scored.
    pub n: usize,
    /// Mean compound score, in `[-1, 1]`.
    pub mean: f64,
    /// Share of descriptions scoring at least [`POSITIVE_AT`].
    pub positive: f64,
    /// Share scoring at most `-POSITIVE_AT`.
    pub negative: f64,
}

/// The figures of a set of reviews that do not compare countries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slice {
    /// Reviews in the set.
    pub reviews: usize,
    /// Scores against prices, binned.
    pub price_points: PricePoints,
    /// The [`TOP_VARIETIES`] most reviewed varieties, most reviewed first.
    pub varieties: Vec<VarietyStats>,
    /// Prices of the [`PRICED_VARIETIES`] most reviewed varieties with a price.
    pub variety_prices: Vec<VarietyPrices>,
    /// Pearson correlations between the [`CORRELATED`] variables.
    pub correlation: Correlation,
}

/// Reviews counted on a grid of score (rows) by `log10` price (columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricePoints {
    /// `counts[row][column]`: row 0 is [`POINTS_LOW`] points, one row per point up to
    /// [`POINTS_HIGH`]; column `c` holds prices with `log10` in
    /// `[LOG_PRICE_LOW + c·LOG_PRICE_STEP, LOG_PRICE_LOW + (c+1)·LOG_PRICE_STEP)`.
    pub counts: Vec<Vec<u32>>,
    /// Reviews with both a score and a price.
    pub pairs: usize,
    /// Pearson correlation of score and `log10` price over those reviews.
    pub log_price_r: Option<f64>,
    /// Mean score of the reviews priced under $20.
    pub mean_points_under_20: Option<f64>,
    /// Mean score of the reviews priced at $100 or more.
    pub mean_points_from_100: Option<f64>,
}

impl PricePoints {
    /// Lower and upper price of grid column `column`, in dollars.
    pub fn column_prices(column: usize) -> (f64, f64) {
        let low = LOG_PRICE_LOW + column as f64 * LOG_PRICE_STEP;
        (10f64.powf(low), 10f64.powf(low + LOG_PRICE_STEP))
    }
}

/// How often a variety is reviewed and how it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarietyStats {
    /// Variety name.
    pub variety: String,
    /// Reviews of the variety.
    pub reviews: usize,
    /// Mean score of those with a score.
    pub mean_points: Option<f64>,
}

/// Price distribution of one variety.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarietyPrices {
    /// Variety name.
    pub variety: String,
    /// Its prices.
    pub price: FiveNumbers,
}

/// A correlation matrix over [`CORRELATED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    /// Reviews with a score and a price, over which every coefficient is computed.
    pub n: usize,
    /// `matrix[i][j]`: Pearson's r of variables `i` and `j`; `None` where a variable
    /// does not vary.
    pub matrix: Vec<Vec<Option<f64>>>,
}
