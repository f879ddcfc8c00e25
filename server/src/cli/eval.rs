//! `vinovoyant eval`: a bundle's figures on labelled reviews, overall and broken
//! down by any column of the data (`--by taster_name` shows what each writer gets).

use anyhow::Context as _;
use clap::Args;
use vinovoyant_reviews::{ReadOptions, read_reviews_with};
use vinovoyant_store::DataLocation;
use vinovoyant_trainer::breakdown::eval_report;
use vinovoyant_trainer::evaluate::Summary;

use super::{ModelArgs, read_data, report_rejected};

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

/// Runs `vinovoyant eval`.
pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    let bundle = args.model.load()?;
    let bytes = read_data(&args.data)?;
    let options = ReadOptions {
        aggregates: false,
        by: args.by.as_deref(),
    };
    let (dataset, values) =
        read_reviews_with(&bytes, &options).with_context(|| format!("cannot use {}", args.data))?;
    let dataset = report_rejected(&args.data, dataset)?;
    let by = args.by.as_deref().map(|column| (column, values.as_slice()));
    let report = eval_report(&bundle, &dataset, by);
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    let summary = &report.summary;
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
    if let Some(v) = &summary.variety {
        println!(
            "  variety   top-1 {:.3}  top-3 {:.3}  (n = {}, reviews of the model's varieties)",
            v.accuracy, v.top3, v.n
        );
    }
    if let Some(by) = &report.by {
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

/// One group's figures in the `--by` table.
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
