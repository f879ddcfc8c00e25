//! The classes of a run: countries, provinces and grape varieties with enough
//! reviews, and each review's class in them.

use fnv::FnvHashMap;
use vinovoyant_model::manifest::LabelSets;

use super::FitOptions;
use crate::data::Review;

/// Label sets from the training reviews: countries, provinces and varieties with enough reviews,
/// in order of frequency (ties by name), with the country class of each province
/// class (`province_countries`). A province whose country is not a class is left out: the graph ranks
/// provinces as shares of their country's probability.
pub fn label_sets(reviews: &[&Review], options: &FitOptions) -> LabelSets {
    let frequent = |values: Vec<&str>, min: usize| {
        let mut counts: FnvHashMap<&str, usize> = FnvHashMap::default();
        for v in values {
            *counts.entry(v).or_default() += 1;
        }
        let mut labels: Vec<(&str, usize)> =
            counts.into_iter().filter(|(_, c)| *c >= min).collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        labels
            .into_iter()
            .map(|(l, _)| l.to_string())
            .collect::<Vec<_>>()
    };
    let countries = frequent(
        reviews.iter().map(|r| r.country.as_str()).collect(),
        options.min_country_reviews,
    );
    let country_of = majority_countries(reviews);
    let country_index = index_of(&countries);
    let (provinces, province_countries): (Vec<String>, Vec<u32>) = frequent(
        reviews
            .iter()
            .filter_map(|r| r.province.as_deref())
            .collect(),
        options.min_province_reviews,
    )
    .into_iter()
    .filter_map(|province| {
        let country = *country_index.get(country_of.get(province.as_str())?)?;
        Some((province, country))
    })
    .unzip();
    let varieties = frequent(
        reviews
            .iter()
            .filter_map(|r| r.variety.as_deref())
            .collect(),
        options.min_variety_reviews,
    );
    LabelSets {
        countries,
        provinces,
        varieties,
        province_countries,
    }
}

/// The country most of each province's reviews name (ties by name), so that a
/// province written once under the wrong country still belongs to one country.
fn majority_countries<'a>(reviews: &[&'a Review]) -> FnvHashMap<&'a str, &'a str> {
    let mut counts: FnvHashMap<(&str, &str), usize> = FnvHashMap::default();
    for review in reviews {
        if let Some(province) = review.province.as_deref() {
            *counts
                .entry((province, review.country.as_str()))
                .or_default() += 1;
        }
    }
    let mut best: FnvHashMap<&str, (&str, usize)> = FnvHashMap::default();
    for ((province, country), count) in counts {
        let entry = best.entry(province).or_insert((country, count));
        if count > entry.1 || (count == entry.1 && country < entry.0) {
            *entry = (country, count);
        }
    }
    best.into_iter().map(|(p, (c, _))| (p, c)).collect()
}

fn index_of(labels: &[String]) -> FnvHashMap<&str, u32> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect()
}

/// Country class of each review, `None` for countries too rare to learn.
pub fn country_targets(reviews: &[&Review], labels: &LabelSets) -> Vec<Option<u32>> {
    let index = index_of(&labels.countries);
    reviews
        .iter()
        .map(|r| index.get(r.country.as_str()).copied())
        .collect()
}

/// Variety class of each review, `None` when absent or too rare.
pub fn variety_targets(reviews: &[&Review], labels: &LabelSets) -> Vec<Option<u32>> {
    let index = index_of(&labels.varieties);
    reviews
        .iter()
        .map(|r| r.variety.as_deref().and_then(|v| index.get(v).copied()))
        .collect()
}

/// Province class of each review, `None` when absent or too rare.
pub fn province_targets(reviews: &[&Review], labels: &LabelSets) -> Vec<Option<u32>> {
    let index = index_of(&labels.provinces);
    reviews
        .iter()
        .map(|r| r.province.as_deref().and_then(|p| index.get(p).copied()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::review;
    use super::*;

    #[test]
    fn each_province_belongs_to_the_country_most_of_its_reviews_name() {
        let placed = |country: &str, province: &str| Review {
            country: country.to_string(),
            province: Some(province.to_string()),
            ..review("Ripe and round.")
        };
        let reviews = [
            placed("France", "Bordeaux"),
            placed("France", "Bordeaux"),
            placed("France", "Bordeaux"),
            placed("US", "Bordeaux"),
            placed("US", "Oregon"),
            placed("US", "Oregon"),
            placed("Chile", "Maule Valley"),
            placed("Chile", "Maule Valley"),
        ];
        let reviews: Vec<&Review> = reviews.iter().collect();
        let options = FitOptions {
            min_country_reviews: 3,
            min_province_reviews: 2,
            ..FitOptions::default()
        };
        let labels = label_sets(&reviews, &options);
        assert_eq!(labels.countries, ["France", "US"]);
        // Chile has too few reviews to be a class, so its province cannot be one
        assert_eq!(labels.provinces, ["Bordeaux", "Oregon"]);
        // one of Bordeaux's four reviews names the US
        assert_eq!(labels.province_countries, [0, 1]);
    }
}
