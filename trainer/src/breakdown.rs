//! `vinovoyant eval`: a bundle's figures on labelled reviews, overall and broken
//! down by any column of the data (`--by taster_name` shows what each writer gets).

use std::collections::BTreeMap;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use vinovoyant_store::DataLocation;

use crate::cli::{ModelArgs, read_data, report_rejected};
use crate::data::{Review, read_reviews_by};
use crate::evaluate::{Summary, evaluate};

/// Options of `vinovoyant eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// CSV of labelled reviews: a local path or `s3://bucket/key`.
    #[arg(long)]
    pub data: DataLocation,
    /// The model to score.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Also scores the reviews of each value of this column separately (for
    /// example `taster_name`: one line per writer).
    #[arg(long)]
    pub by: Option<String>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The figures of the reviews sharing one value of the `--by` column.
#[derive(Debug, Serialize)]
pub struct Group {
    /// The column's value; `None` for reviews where it is empty.
    pub value: Option<String>,
    /// Their figures.
    #[serde(flatten)]
    pub summary: Summary,
}

/// What `vinovoyant eval --json` prints.
#[derive(Debug, Serialize)]
struct Report {
    #[serde(flatten)]
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<Breakdown>,
}

#[derive(Debug, Serialize)]
struct Breakdown {
    column: String,
    groups: Vec<Group>,
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

fn print_line(name: &str, s: &Summary) {
    println!(
        "  {name:<24} {:>6}  {:.3}  {:.3}  {:>8.3}  {:.3}  {:>9.3}  {:.3}",
        s.n,
        s.full.accuracy,
        s.full.top3,
        s.full.log_loss,
        s.ece,
        s.distilled.accuracy,
        s.agreement
    );
}

/// Runs `vinovoyant eval`.
pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    let bundle = args.model.load()?;
    let bytes = read_data(&args.data)?;
    let (dataset, values) = read_reviews_by(&bytes, args.by.as_deref())
        .with_context(|| format!("cannot use {}", args.data))?;
    let dataset = report_rejected(&args.data, dataset)?;
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
    let by = args.by.as_ref().map(|column| Breakdown {
        column: column.clone(),
        groups: group_by(&dataset.reviews, &values)
            .into_iter()
            .map(|(value, rows)| Group {
                value,
                summary: score(&rows),
            })
            .collect(),
    });
    if args.json {
        println!("{}", serde_json::to_string(&Report { summary, by })?);
        return Ok(());
    }
    println!("model {} on {} reviews", bundle.version(), summary.n);
    for (name, s) in [("full", summary.full), ("distilled", summary.distilled)] {
        println!(
            "  {name:<9} top-1 {:.3}  top-3 {:.3}  macro-F1 {:.3}  log-loss {:.3}",
            s.accuracy, s.top3, s.macro_f1, s.log_loss
        );
    }
    println!("  full ECE {:.3} (top answer, ten bins)", summary.ece);
    println!("  agreement {:.3}", summary.agreement);
    if let Some(p) = summary.province {
        println!(
            "  province  top-1 {:.3}  top-3 {:.3}  (n = {})",
            p.accuracy, p.top3, p.n
        );
    }
    if let Some(by) = by {
        println!("by {}:", by.column);
        println!(
            "  {:<24} {:>6}  top-1  top-3  log-loss  ECE    distilled  agree",
            "value", "n"
        );
        for group in &by.groups {
            print_line(group.value.as_deref().unwrap_or("(empty)"), &group.summary);
        }
    }
    Ok(())
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
