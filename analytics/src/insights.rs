//! One sentence per chart, computed from the aggregates: the figure a reader
//! should take away, never a canned remark. With a country selected, the
//! by-country charts say where that country stands.

use crate::{CORRELATED, CountryStats, DatasetSummary, FiveNumbers, Slice};

/// `12345` as `"12,345"`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A price in whole dollars, e.g. `"$1,250"`.
pub fn dollars(price: f64) -> String {
    format!("${}", count(price.max(0.0).round() as usize))
}

/// A score with at most one decimal, e.g. `"88"` or `"88.5"`.
pub fn points(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// `3` as `"3rd"`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Countries ranked by `key`, highest first (ties by name), with their value.
fn ranked(
    countries: &[CountryStats],
    key: impl Fn(&CountryStats) -> Option<f64>,
) -> Vec<(&str, f64)> {
    let mut ranked: Vec<(&str, f64)> = countries
        .iter()
        .filter_map(|stats| Some((stats.country.as_str(), key(stats)?)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    ranked
}

/// The sentence of a by-country ranking: the top and bottom country, or the
/// selected country's place.
fn ranking_sentence(
    ranking: &[(&str, f64)],
    selected: Option<&str>,
    what: &str,
    show: &dyn Fn(f64) -> String,
    extremes: (&str, &str),
) -> String {
    let (Some(first), Some(last)) = (ranking.first(), ranking.last()) else {
        return format!("No country has {what} to compare.");
    };
    if let Some(country) = selected
        && let Some(place) = ranking.iter().position(|(name, _)| *name == country)
    {
        return format!(
            "{country}: {what} {}, {} {} of {} countries ({} is {}: {}).",
            show(ranking[place].1),
            ordinal(place + 1),
            extremes.0,
            ranking.len(),
            first.0,
            extremes.0,
            show(first.1),
        );
    }
    format!(
        "{} has the {} {what} ({}) of the {} most reviewed countries; {} the {} ({}).",
        first.0,
        extremes.0,
        show(first.1),
        ranking.len(),
        last.0,
        extremes.1,
        show(last.1),
    )
}

/// Box plots of scores by country: the best and worst median, or the selected country's rank.
pub fn points_by_country(summary: &DatasetSummary, selected: Option<&str>) -> String {
    let ranking = ranked(&summary.countries, |s| s.points.map(|p| p.median));
    ranking_sentence(
        &ranking,
        selected,
        "median score",
        &|v| format!("{} points", points(v)),
        ("highest", "lowest"),
    )
}

/// Average price by country: the dearest and cheapest, or the selected country's rank.
pub fn price_by_country(summary: &DatasetSummary, selected: Option<&str>) -> String {
    let ranking = ranked(&summary.countries, |s| s.price.map(|p| p.mean));
    ranking_sentence(
        &ranking,
        selected,
        "average price",
        &dollars,
        ("highest", "lowest"),
    )
}

/// Sentiment by country: the most and least positive, or the selected country's rank.
pub fn sentiment_by_country(summary: &DatasetSummary, selected: Option<&str>) -> String {
    let ranking = ranked(&summary.countries, |s| s.sentiment.map(|s| s.mean));
    ranking_sentence(
        &ranking,
        selected,
        "mean sentiment",
        &|v| format!("{v:+.2}"),
        ("highest", "lowest"),
    )
}

/// Price against score: how strongly they move together, and what cheap and dear wines score.
pub fn price_points(slice: &Slice) -> String {
    let grid = &slice.price_points;
    let Some(r) = grid.log_price_r else {
        return "Too few reviews with both a score and a price to relate them.".to_string();
    };
    let trend = if r >= 0.1 {
        "Scores rise with price"
    } else if r <= -0.1 {
        "Scores fall as price rises"
    } else {
        "Scores barely move with price"
    };
    let mut sentence = format!(
        "{trend}: r = {r:.2} between points and log price over {} reviews",
        count(grid.pairs)
    );
    if let (Some(cheap), Some(dear)) = (grid.mean_points_under_20, grid.mean_points_from_100) {
        sentence.push_str(&format!(
            "; wines of $100 or more average {} points, those under $20 {}",
            points(dear),
            points(cheap)
        ));
    }
    sentence.push('.');
    sentence
}

/// The most reviewed varieties: the leader's share, and the best scorer among them.
pub fn varieties(slice: &Slice) -> String {
    let Some(top) = slice.varieties.first() else {
        return "No review names its variety.".to_string();
    };
    let share = 100.0 * top.reviews as f64 / slice.reviews.max(1) as f64;
    let mut sentence = format!(
        "{} is the most reviewed variety ({} reviews, {share:.0}% of all)",
        top.variety,
        count(top.reviews)
    );
    let best = slice
        .varieties
        .iter()
        .filter_map(|v| Some((v, v.mean_points?)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.variety.cmp(&a.0.variety)));
    if let Some((best, mean)) = best {
        sentence.push_str(&format!(
            "; of these {}, {} scores best on average ({} points)",
            slice.varieties.len(),
            best.variety,
            points(mean)
        ));
    }
    sentence.push('.');
    sentence
}

/// Correlations: the strongest and the weakest link between two variables.
pub fn correlation(slice: &Slice) -> String {
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for (i, row) in slice.correlation.matrix.iter().enumerate() {
        for (j, r) in row.iter().enumerate().skip(i + 1) {
            if let Some(r) = r {
                pairs.push((i, j, *r));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.2.abs()
            .total_cmp(&a.2.abs())
            .then((a.0, a.1).cmp(&(b.0, b.1)))
    });
    let name = |i: usize| CORRELATED.get(i).copied().unwrap_or("?");
    match (pairs.first(), pairs.last()) {
        (Some(strong), Some(weak)) if pairs.len() > 1 => format!(
            "The strongest link is between {} and {} (r = {:.2}); {} and {} barely relate (r = {:.2}).",
            name(strong.0),
            name(strong.1),
            strong.2,
            name(weak.0),
            name(weak.1),
            weak.2
        ),
        (Some(only), _) => format!(
            "Only {} and {} can be compared: r = {:.2}.",
            name(only.0),
            name(only.1),
            only.2
        ),
        _ => "Too few reviews with a score and a price to correlate anything.".to_string(),
    }
}

/// Price distributions of the top varieties: the dearest and cheapest median.
pub fn variety_prices(slice: &Slice) -> String {
    let median = |prices: &FiveNumbers| prices.median;
    let dearest = slice
        .variety_prices
        .iter()
        .max_by(|a, b| median(&a.price).total_cmp(&median(&b.price)));
    let cheapest = slice
        .variety_prices
        .iter()
        .min_by(|a, b| median(&a.price).total_cmp(&median(&b.price)));
    match (dearest, cheapest) {
        (Some(dear), Some(cheap)) if slice.variety_prices.len() > 1 => format!(
            "Of the {} most reviewed varieties with a price, {} is the dearest (median {}) and {} the cheapest (median {}).",
            slice.variety_prices.len(),
            dear.variety,
            dollars(dear.price.median),
            cheap.variety,
            dollars(cheap.price.median)
        ),
        (Some(only), _) => format!(
            "{} is the only variety with a price here: median {}.",
            only.variety,
            dollars(only.price.median)
        ),
        _ => "No review of a named variety has a price.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(30_520), "30,520");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(dollars(1249.6), "$1,250");
        assert_eq!(points(88.0), "88");
        assert_eq!(points(88.46), "88.5");
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 112].map(ordinal),
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "112th"
            ]
        );
    }
}
