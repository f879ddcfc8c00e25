//! From review rows to a [`DatasetSummary`].
//!
//! Deterministic: the same rows give the same summary, byte for byte once
//! serialised (ties are broken by name, sums run in row order), so a bundle's
//! `analytics.json` is a pure function of its CSV.

use std::collections::BTreeMap;

use crate::stats::{FiveNumbers, pearson};
use crate::{
    CORRELATED, Correlation, CountryStats, DatasetSummary, FORMAT, LOG_PRICE_LOW, LOG_PRICE_STEP,
    POINTS_HIGH, POINTS_LOW, POSITIVE_AT, PRICE_COLUMNS, PRICED_VARIETIES, PricePoints, Review,
    SentimentStats, Slice, TOP_COUNTRIES, TOP_VARIETIES, VarietyPrices, VarietyStats,
};

/// A review with the figures derived from it.
struct Row<'a> {
    review: &'a Review,
    price: Option<f64>,
    points: Option<f64>,
    sentiment: f64,
    words: f64,
}

/// Aggregates `reviews`, scoring each description's sentiment with VADER's compound score.
#[cfg(feature = "vader")]
pub fn aggregate(reviews: &[Review]) -> DatasetSummary {
    let analyzer = vader_sentiment::SentimentIntensityAnalyzer::new();
    aggregate_with(reviews, &|text: &str| compound(&analyzer, text))
}

/// VADER's compound score of `text`, in `[-1, 1]`.
#[cfg(feature = "vader")]
pub fn vader_compound(text: &str) -> f64 {
    compound(&vader_sentiment::SentimentIntensityAnalyzer::new(), text)
}

#[cfg(feature = "vader")]
fn compound(analyzer: &vader_sentiment::SentimentIntensityAnalyzer<'_>, text: &str) -> f64 {
    analyzer
        .polarity_scores(text)
        .get("compound")
        .copied()
        .filter(|score| score.is_finite())
        .unwrap_or(0.0)
}

/// Aggregates `reviews`, with `sentiment` giving each description a score in `[-1, 1]`.
///
/// Scoring is the slow part, so it runs on every core; everything else is one pass.
pub fn aggregate_with(
    reviews: &[Review],
    sentiment: &(dyn Fn(&str) -> f64 + Sync),
) -> DatasetSummary {
    let scores = score_all(reviews, sentiment);
    let rows: Vec<Row<'_>> = reviews
        .iter()
        .zip(scores)
        .map(|(review, sentiment)| Row {
            review,
            price: review.price.filter(|p| p.is_finite() && *p > 0.0),
            points: review.points.filter(|p| p.is_finite()),
            sentiment,
            words: review.description.split_whitespace().count() as f64,
        })
        .collect();

    let mut by_country: BTreeMap<&str, Vec<&Row<'_>>> = BTreeMap::new();
    for row in &rows {
        by_country
            .entry(row.review.country.as_str())
            .or_default()
            .push(row);
    }
    let mut ranked: Vec<(&str, Vec<&Row<'_>>)> = by_country.into_iter().collect();
    let country_count = ranked.len();
    ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    ranked.truncate(TOP_COUNTRIES);

    let all: Vec<&Row<'_>> = rows.iter().collect();
    DatasetSummary {
        format: FORMAT,
        reviews: rows.len(),
        country_count,
        countries: ranked
            .iter()
            .map(|(country, rows)| country_stats(country, rows))
            .collect(),
        overall: slice(&all),
        by_country: ranked
            .iter()
            .map(|(country, rows)| (country.to_string(), slice(rows)))
            .collect(),
    }
}

/// Sentiment of every description, in row order, scored on all cores.
fn score_all(reviews: &[Review], sentiment: &(dyn Fn(&str) -> f64 + Sync)) -> Vec<f64> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = reviews.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = reviews
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|review| sentiment(&review.description).clamp(-1.0, 1.0))
                        .collect::<Vec<f64>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(scores) => scores,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

fn country_stats(country: &str, rows: &[&Row<'_>]) -> CountryStats {
    let mut points: Vec<f64> = rows.iter().filter_map(|r| r.points).collect();
    let mut prices: Vec<f64> = rows.iter().filter_map(|r| r.price).collect();
    let scores: Vec<f64> = rows.iter().map(|r| r.sentiment).collect();
    CountryStats {
        country: country.to_string(),
        reviews: rows.len(),
        points: FiveNumbers::of(&mut points),
        price: FiveNumbers::of(&mut prices),
        sentiment: sentiment_stats(&scores),
    }
}

fn sentiment_stats(scores: &[f64]) -> Option<SentimentStats> {
    if scores.is_empty() {
        return None;
    }
    let n = scores.len() as f64;
    Some(SentimentStats {
        n: scores.len(),
        mean: scores.iter().sum::<f64>() / n,
        positive: scores.iter().filter(|&&s| s >= POSITIVE_AT).count() as f64 / n,
        negative: scores.iter().filter(|&&s| s <= -POSITIVE_AT).count() as f64 / n,
    })
}

fn slice(rows: &[&Row<'_>]) -> Slice {
    Slice {
        reviews: rows.len(),
        price_points: price_points(rows),
        varieties: varieties(rows),
        variety_prices: variety_prices(rows),
        correlation: correlation(rows),
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn price_points(rows: &[&Row<'_>]) -> PricePoints {
    let height = (POINTS_HIGH - POINTS_LOW + 1) as usize;
    let mut counts = vec![vec![0u32; PRICE_COLUMNS]; height];
    let pairs: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.points?, r.price?)))
        .collect();
    for &(points, price) in &pairs {
        let row = (points.round() - f64::from(POINTS_LOW)).clamp(0.0, (height - 1) as f64);
        let column = ((price.log10() - LOG_PRICE_LOW) / LOG_PRICE_STEP)
            .floor()
            .clamp(0.0, (PRICE_COLUMNS - 1) as f64);
        counts[row as usize][column as usize] += 1;
    }
    let (points, log_prices): (Vec<f64>, Vec<f64>) =
        pairs.iter().map(|&(pt, pr)| (pt, pr.log10())).unzip();
    let points_where = |keep: &dyn Fn(f64) -> bool| {
        let kept: Vec<f64> = pairs
            .iter()
            .filter(|(_, price)| keep(*price))
            .map(|(points, _)| *points)
            .collect();
        mean(&kept)
    };
    PricePoints {
        counts,
        pairs: pairs.len(),
        log_price_r: pearson(&points, &log_prices),
        mean_points_under_20: points_where(&|price| price < 20.0),
        mean_points_from_100: points_where(&|price| price >= 100.0),
    }
}

/// Rows grouped by variety, most reviewed first (ties by name).
fn by_variety<'r, 'a>(rows: &[&'r Row<'a>]) -> Vec<(&'a str, Vec<&'r Row<'a>>)> {
    let mut groups: BTreeMap<&str, Vec<&Row<'_>>> = BTreeMap::new();
    for row in rows {
        if let Some(variety) = row.review.variety.as_deref() {
            groups.entry(variety).or_default().push(row);
        }
    }
    let mut ranked: Vec<_> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    ranked
}

fn varieties(rows: &[&Row<'_>]) -> Vec<VarietyStats> {
    by_variety(rows)
        .into_iter()
        .take(TOP_VARIETIES)
        .map(|(variety, rows)| {
            let points: Vec<f64> = rows.iter().filter_map(|r| r.points).collect();
            VarietyStats {
                variety: variety.to_string(),
                reviews: rows.len(),
                mean_points: mean(&points),
            }
        })
        .collect()
}

fn variety_prices(rows: &[&Row<'_>]) -> Vec<VarietyPrices> {
    let priced: Vec<&Row<'_>> = rows.iter().copied().filter(|r| r.price.is_some()).collect();
    by_variety(&priced)
        .into_iter()
        .take(PRICED_VARIETIES)
        .filter_map(|(variety, rows)| {
            let mut prices: Vec<f64> = rows.iter().filter_map(|r| r.price).collect();
            Some(VarietyPrices {
                variety: variety.to_string(),
                price: FiveNumbers::of(&mut prices)?,
            })
        })
        .collect()
}

fn correlation(rows: &[&Row<'_>]) -> Correlation {
    let complete: Vec<[f64; 4]> = rows
        .iter()
        .filter_map(|r| Some([r.points?, r.price?, r.words, r.sentiment]))
        .collect();
    let columns: Vec<Vec<f64>> = (0..CORRELATED.len())
        .map(|i| complete.iter().map(|values| values[i]).collect())
        .collect();
    let matrix = (0..CORRELATED.len())
        .map(|i| {
            (0..CORRELATED.len())
                .map(|j| pearson(&columns[i], &columns[j]))
                .collect()
        })
        .collect();
    Correlation {
        n: complete.len(),
        matrix,
    }
}
