//! The aggregates on a six-review fixture whose every figure can be checked by hand.

use vinovoyant_analytics::{
    DatasetSummary, FiveNumbers, PricePoints, Review, aggregate_with, insights,
};

/// A scorer simple enough to reason about: "lovely" is +0.5, "flat" is −0.5.
fn score(text: &str) -> f64 {
    let text = text.to_lowercase();
    if text.contains("lovely") {
        0.5
    } else if text.contains("flat") {
        -0.5
    } else {
        0.0
    }
}

fn review(country: &str, points: f64, price: Option<f64>, variety: &str, text: &str) -> Review {
    Review {
        country: country.to_string(),
        points: Some(points),
        price,
        variety: Some(variety.to_string()),
        description: text.to_string(),
        ..Review::default()
    }
}

fn fixture() -> Vec<Review> {
    vec![
        review("France", 90.0, Some(20.0), "Pinot Noir", "Lovely red fruit"),
        review("Italy", 85.0, Some(10.0), "Sangiovese", "Simple cherry"),
        review(
            "France",
            92.0,
            Some(50.0),
            "Pinot Noir",
            "Lovely and deep wine",
        ),
        review("Spain", 84.0, Some(8.0), "Tempranillo", "Flat and dull"),
        review("France", 88.0, None, "Chardonnay", "Flat"),
        review(
            "Italy",
            87.0,
            Some(30.0),
            "Pinot Noir",
            "Lovely bright cherry fruit finish",
        ),
    ]
}

fn summary() -> DatasetSummary {
    aggregate_with(&fixture(), &score)
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

#[test]
fn countries_are_ranked_by_reviews_with_their_five_numbers() {
    let summary = summary();
    assert_eq!(summary.reviews, 6);
    assert_eq!(summary.country_count, 3);
    let names: Vec<&str> = summary
        .countries
        .iter()
        .map(|c| c.country.as_str())
        .collect();
    assert_eq!(names, ["France", "Italy", "Spain"]);

    let france = &summary.countries[0];
    assert_eq!(france.reviews, 3);
    assert_eq!(
        france.points,
        Some(FiveNumbers {
            n: 3,
            min: 88.0,
            q1: 89.0,
            median: 90.0,
            q3: 91.0,
            max: 92.0,
            mean: 90.0
        })
    );
    // Two priced bottles, $20 and $50; the third has no price.
    assert_eq!(
        france.price,
        Some(FiveNumbers {
            n: 2,
            min: 20.0,
            q1: 27.5,
            median: 35.0,
            q3: 42.5,
            max: 50.0,
            mean: 35.0
        })
    );
    let sentiment = france.sentiment.expect("scored");
    assert_eq!(sentiment.n, 3);
    close(sentiment.mean, 0.5 / 3.0);
    close(sentiment.positive, 2.0 / 3.0);
    close(sentiment.negative, 1.0 / 3.0);

    let italy = &summary.countries[1];
    close(italy.points.expect("points").median, 86.0);
    close(italy.price.expect("prices").mean, 20.0);
    close(italy.sentiment.expect("scored").mean, 0.25);
    assert_eq!(summary.countries[2].points.expect("points").median, 84.0);
}

#[test]
fn the_grid_counts_each_priced_review_in_its_score_row_and_log_price_column() {
    let summary = summary();
    let grid = &summary.overall.price_points;
    assert_eq!(grid.pairs, 5);
    assert_eq!(grid.counts.len(), 21);
    assert!(grid.counts.iter().all(|row| row.len() == 24));
    // log10 price: $8 → 0.90 (column 3), $10 → 1.0 (4), $20 → 1.30 (6), $30 → 1.48 (7), $50 → 1.70 (9).
    let mut cells: Vec<(usize, usize, u32)> = Vec::new();
    for (row, counts) in grid.counts.iter().enumerate() {
        for (column, &n) in counts.iter().enumerate() {
            if n > 0 {
                cells.push((row + 80, column, n));
            }
        }
    }
    assert_eq!(
        cells,
        [(84, 3, 1), (85, 4, 1), (87, 7, 1), (90, 6, 1), (92, 9, 1)]
    );
    let (low, high) = PricePoints::column_prices(4);
    close(low, 10.0);
    close(high, 10f64.powf(1.125));
    // Under $20: the $8 and $10 bottles, 84 and 85 points.
    close(grid.mean_points_under_20.expect("cheap wines"), 84.5);
    assert_eq!(grid.mean_points_from_100, None);
}

#[test]
fn varieties_are_ranked_by_reviews_then_name() {
    let summary = summary();
    let varieties: Vec<(&str, usize)> = summary
        .overall
        .varieties
        .iter()
        .map(|v| (v.variety.as_str(), v.reviews))
        .collect();
    assert_eq!(
        varieties,
        [
            ("Pinot Noir", 3),
            ("Chardonnay", 1),
            ("Sangiovese", 1),
            ("Tempranillo", 1)
        ]
    );
    close(
        summary.overall.varieties[0].mean_points.expect("scored"),
        (90.0 + 92.0 + 87.0) / 3.0,
    );
    // Chardonnay has no priced review, so it has no price distribution.
    let priced: Vec<(&str, f64)> = summary
        .overall
        .variety_prices
        .iter()
        .map(|v| (v.variety.as_str(), v.price.median))
        .collect();
    assert_eq!(
        priced,
        [
            ("Pinot Noir", 30.0),
            ("Sangiovese", 10.0),
            ("Tempranillo", 8.0)
        ]
    );

    let france = summary.slice(Some("France")).expect("a top country");
    assert_eq!(france.reviews, 3);
    assert_eq!(france.varieties[0].variety, "Pinot Noir");
    assert_eq!(france.varieties[0].reviews, 2);
    close(france.varieties[0].mean_points.expect("scored"), 91.0);
    assert!(summary.slice(Some("Peru")).is_none());
    assert_eq!(summary.find_country(" italy "), Some("Italy"));
}

#[test]
fn correlations_use_the_reviews_with_a_score_and_a_price() {
    let summary = summary();
    let correlation = &summary.overall.correlation;
    assert_eq!(correlation.n, 5);
    // points 90 92 85 87 84 (mean 87.6), price 20 50 10 30 8 (mean 23.6):
    // Σdxdy = 195.2, Σdx² = 45.2, Σdy² = 1179.2.
    let expected = 195.2 / (45.2f64 * 1179.2).sqrt();
    close(correlation.matrix[0][1].expect("defined"), expected);
    close(correlation.matrix[1][0].expect("defined"), expected);
    close(correlation.matrix[2][2].expect("defined"), 1.0);
    // Spain has one review: nothing varies, nothing is defined.
    let spain = summary.slice(Some("Spain")).expect("a top country");
    assert!(
        spain
            .correlation
            .matrix
            .iter()
            .flatten()
            .all(Option::is_none)
    );
}

#[test]
fn insights_name_the_figures_behind_them() {
    let summary = summary();
    assert_eq!(
        insights::points_by_country(&summary, None),
        "France has the highest median score (90 points) of the 3 most reviewed countries; \
         Spain the lowest (84 points)."
    );
    assert_eq!(
        insights::points_by_country(&summary, Some("Italy")),
        "Italy: median score 86 points, 2nd highest of 3 countries (France is highest: 90 points)."
    );
    assert_eq!(
        insights::price_by_country(&summary, None),
        "France has the highest average price ($35) of the 3 most reviewed countries; \
         Spain the lowest ($8)."
    );
    assert_eq!(
        insights::varieties(&summary.overall),
        "Pinot Noir is the most reviewed variety (3 reviews, 50% of all); of these 4, \
         Pinot Noir scores best on average (89.7 points)."
    );
    assert_eq!(
        insights::variety_prices(&summary.overall),
        "Of the 3 most reviewed varieties with a price, Pinot Noir is the dearest (median $30) \
         and Tempranillo the cheapest (median $8)."
    );
    assert!(
        insights::price_points(&summary.overall).starts_with(&format!(
            "Scores rise with price: r = {:.2} between points and log price over 5 reviews",
            summary.overall.price_points.log_price_r.expect("defined")
        ))
    );
    assert!(insights::correlation(&summary.overall).starts_with("The strongest link is between"));
}

#[test]
fn the_summary_is_a_pure_function_of_the_rows_and_survives_json() {
    let first = summary();
    let again = summary();
    assert_eq!(first, again);
    let json = serde_json::to_string(&first).expect("serialisable");
    assert_eq!(json, serde_json::to_string(&again).expect("serialisable"));
    // Floats may come back one ulp off, so compare what has no floats.
    let back: DatasetSummary = serde_json::from_str(&json).expect("readable");
    assert_eq!(back.reviews, first.reviews);
    assert_eq!(
        back.overall.price_points.counts,
        first.overall.price_points.counts
    );
    assert_eq!(
        back.by_country.keys().collect::<Vec<_>>(),
        ["France", "Italy", "Spain"]
    );
}
