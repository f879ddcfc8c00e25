//! A bundle's figures on labelled reviews, overall and broken down by any column
//! of the data (`eval --by taster_name` shows what each writer gets).

use std::collections::BTreeMap;

use serde::Serialize;
use vinovoyant_inference::Bundle;

use crate::data::{Dataset, Review};
use crate::evaluate::{Summary, evaluate};

/// The figures of the reviews sharing one value of the `--by` column.
#[derive(Debug, Serialize)]
pub struct Group {
    /// The column's value; `None` for reviews where it is empty.
    pub value: Option<String>,
    /// Their figures.
    #[serde(flatten)]
    pub summary: Summary,
}

/// A bundle's figures on a data set: what `vinovoyant eval --json` prints.
#[derive(Debug, Serialize)]
pub struct EvalReport {
    /// The figures over every review.
    #[serde(flatten)]
    pub summary: Summary,
    /// The figures of each value of one column, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Breakdown>,
}

/// The figures of each value of one column.
#[derive(Debug, Serialize)]
pub struct Breakdown {
    /// The column's name.
    pub column: String,
    /// One group per value, largest first.
    pub groups: Vec<Group>,
}

/// Reviews grouped by their value of a column, largest group first.
pub fn group_by<'a>(
    reviews: &'a [Review],
    values: &[Option<String>],
) -> Vec<(Option<String>, Vec<&'a Review>)> {
    let mut groups: BTreeMap<Option<&str>, Vec<&Review>> = BTreeMap::new();
    for (review, value) in reviews.iter().zip(values) {
        groups.entry(value.as_deref()).or_default().push(review);
    }
    let mut groups: Vec<(Option<String>, Vec<&Review>)> = groups
        .into_iter()
        .map(|(value, rows)| (value.map(str::to_string), rows))
        .collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    groups
}

/// Scores `bundle` on every review of `dataset` and, given a column's name and each
/// review's value of it (as `read_reviews_with` gives them), on each value's reviews.
pub fn eval_report(
    bundle: &Bundle,
    dataset: &Dataset,
    by: Option<(&str, &[Option<String>])>,
) -> EvalReport {
    let score = |reviews: &[&Review]| {
        Summary::from(&evaluate(
            bundle.full(),
            bundle.distilled(),
            reviews,
            dataset.has_province,
        ))
    };
    let all: Vec<&Review> = dataset.reviews.iter().collect();
    let summary = score(&all);
    let by = by.map(|(column, values)| Breakdown {
        column: column.to_string(),
        groups: group_by(&dataset.reviews, values)
            .into_iter()
            .map(|(value, rows)| Group {
                value,
                summary: score(&rows),
            })
            .collect(),
    });
    EvalReport { summary, by }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(country: &str) -> Review {
        Review {
            description: "x".into(),
            country: country.into(),
            province: None,
            taster: None,
            title: None,
            ..Review::default()
        }
    }

    #[test]
    fn groups_follow_the_column_largest_first() {
        let reviews = vec![
            review("US"),
            review("Italy"),
            review("US"),
            review("France"),
        ];
        let values = vec![
            Some("B".to_string()),
            Some("A".to_string()),
            Some("B".to_string()),
            None,
        ];
        let groups = group_by(&reviews, &values);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].0.as_deref(), Some("B"));
        assert_eq!(groups[0].1.len(), 2);
        assert!(groups[0].1.iter().all(|r| r.country == "US"));
        assert_eq!(groups[1].0, None);
        assert_eq!(groups[2].0.as_deref(), Some("A"));
    }
}
