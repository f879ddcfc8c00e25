//! `vinovoyant train` and `vinovoyant split`: the same reviews, divided the same
//! way, either trained on or written out for other models to be measured on.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use vinovoyant_reviews::{Dataset, ReadOptions, read_reviews_with};
use vinovoyant_store::DataLocation;
use vinovoyant_trainer::fit::{Distillation, FitOptions};
use vinovoyant_trainer::overrides::HeadOverrides;
use vinovoyant_trainer::split::{split_files, write_split_files};
use vinovoyant_trainer::train::{RunOptions, train_bundle};

use super::{read_data, report_rejected, values};

/// The reviews and how `train` divides them. `split` takes the same options, so that
/// both choose the same reviews.
#[derive(Debug, Args)]
pub struct DataSplitArgs {
    /// CSV of reviews with at least `description,country` columns: a local path or
    /// `s3://bucket/key`.
    #[arg(long, env = "VINOVOYANT_DATA")]
    pub data: DataLocation,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Share of each country's reviews held out for validation, above 0 and below 1.
    #[arg(long, default_value_t = 0.1, value_parser = values::open_fraction)]
    pub validation_fraction: f32,
    /// Writers (taster_name) to hold out of a second, check-only model that measures
    /// accuracy for writers never read; comma-separated. Empty skips the check.
    #[arg(long, value_delimiter = ',', default_value = "")]
    pub new_writers: Vec<String>,
}

impl DataSplitArgs {
    /// The writers named, without empty names.
    fn writers(&self) -> Vec<String> {
        self.new_writers
            .iter()
            .filter(|w| !w.trim().is_empty())
            .cloned()
            .collect()
    }
}

/// Options of `vinovoyant train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub split: DataSplitArgs,
    /// Folder to write the bundle into.
    #[arg(long)]
    pub out: PathBuf,
    /// Most features the full model keeps (1 to 10,000,000).
    #[arg(long, default_value_t = FitOptions::default().max_features, value_parser = values::feature_count)]
    pub max_features: usize,
    /// Passes over the data for every head, 1 to 10,000 [default: each head's tuned value].
    #[arg(long, value_parser = values::epoch_count)]
    pub epochs: Option<usize>,
    /// Adam's initial step size for every head, above 0 and at most 10 [default: each
    /// head's tuned value].
    #[arg(long, value_parser = values::learning_rate)]
    pub learning_rate: Option<f32>,
    /// Class balancing for every head: 0 ignores class sizes, 1 weighs every class
    /// alike [default: each head's tuned value].
    #[arg(long, value_parser = values::closed_fraction)]
    pub balance_power: Option<f32>,
    /// Share of each review's features dropped at random in every training pass
    /// [default: each head's tuned value]; 0 or more, below 1.
    #[arg(long, value_parser = values::dropout)]
    pub dropout: Option<f32>,
    /// L2 penalty on the weights of the features a batch touches, for every head
    /// [default: each head's tuned value]; 0 to 1,000.
    #[arg(long, value_parser = values::non_negative)]
    pub l2: Option<f32>,
    /// Weight of the one-vs-rest SVM scores added to both country heads' logits;
    /// 0 trains logistic heads only [default: each head's tuned value]; 0 to 1,000.
    #[arg(long, value_parser = values::non_negative)]
    pub margin_weight: Option<f32>,
    /// Folds of the grouped cross-validation by writer (`taster_name`): each trains a
    /// model without its writers' reviews; their out-of-fold answers measure what a
    /// new writer gets and calibrate the shipped probabilities. 0 skips them and
    /// calibrates on the random split; 0 to 50.
    #[arg(long, default_value_t = 4, value_parser = values::fold_count)]
    pub writer_folds: usize,
    /// Writers with fewer reviews than this are never held out by the writer folds
    /// (they stay in every fold's training); 1 to 1,000,000.
    #[arg(long, default_value_t = 100, value_parser = values::review_count)]
    pub writer_min_reviews: usize,
    /// Share of the distilled model's targets taken from the full country head's
    /// probabilities, between 0 (the labels alone) and 1.
    #[arg(long, default_value_t = FitOptions::default().distillation.share, value_parser = values::closed_fraction)]
    pub distillation_share: f32,
    /// Temperature that softens the full country head's probabilities before the
    /// distilled model learns them; above 0, at most 1,000.
    #[arg(long, default_value_t = FitOptions::default().distillation.temperature, value_parser = values::positive)]
    pub distillation_temperature: f32,
    /// How many times each name of the trainer's knowledge file (grapes, styles,
    /// places and producers, each with its country) is a training document; 0 reads
    /// none; 0 to 100.
    #[arg(long, default_value_t = FitOptions::default().knowledge_copies, value_parser = values::knowledge_copies)]
    pub knowledge_copies: usize,
}

impl TrainArgs {
    /// The values given for every head.
    fn overrides(&self) -> HeadOverrides {
        HeadOverrides {
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            balance_power: self.balance_power,
            dropout: self.dropout,
            l2: self.l2,
            margin_weight: self.margin_weight,
        }
    }
}

/// Options of `vinovoyant split`.
#[derive(Debug, Args)]
pub struct SplitArgs {
    #[command(flatten)]
    pub split: DataSplitArgs,
    /// Folder to write the CSVs into.
    #[arg(long)]
    pub out: PathBuf,
}

/// Reads the reviews at `location` once: with the analytics columns when
/// `aggregates`, for `train` to aggregate the same rows it trains on.
fn load_data(location: &DataLocation, aggregates: bool) -> anyhow::Result<Dataset> {
    let bytes = read_data(location)?;
    let options = ReadOptions {
        aggregates,
        by: None,
    };
    let (dataset, _) =
        read_reviews_with(&bytes, &options).with_context(|| format!("cannot use {location}"))?;
    report_rejected(location, dataset)
}

/// Runs `vinovoyant train`. The distillation settings are checked again here, for
/// callers that build [`TrainArgs`] without the command line's parsers.
pub fn train(args: TrainArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.distillation_share),
        "--distillation-share must be between 0 and 1, not {}",
        args.distillation_share
    );
    anyhow::ensure!(
        args.distillation_temperature > 0.0 && args.distillation_temperature.is_finite(),
        "--distillation-temperature must be a number above 0, not {}",
        args.distillation_temperature
    );
    let dataset = load_data(&args.split.data, true)?;
    let started = std::time::Instant::now();
    let log = |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f32());
    log("aggregating the reviews for the analytics page");
    let analytics = vinovoyant_analytics::aggregate(&dataset.reviews);
    let mut fit = FitOptions {
        seed: args.split.seed,
        max_features: args.max_features,
        distillation: Distillation {
            share: args.distillation_share,
            temperature: args.distillation_temperature,
        },
        knowledge_copies: args.knowledge_copies,
        ..FitOptions::default()
    };
    args.overrides().apply(&mut fit);
    let run = RunOptions {
        fit,
        validation_fraction: args.split.validation_fraction,
        new_writers: args.split.writers(),
        writer_folds: args.writer_folds,
        writer_min_reviews: args.writer_min_reviews,
        analytics: Some(analytics),
    };
    let manifest = train_bundle(&dataset, &run, &args.out, &log)?;
    let m = &manifest.metrics.random_split;
    eprintln!(
        "bundle {} written to {} in {:.0}s; validation: full top-1 {:.3} (top-3 {:.3}, macro-F1 {:.3}), distilled top-1 {:.3}, agreement {:.3}",
        manifest.version,
        args.out.display(),
        manifest.training.seconds,
        m.full.accuracy,
        m.full.top3,
        m.full.macro_f1,
        m.distilled.accuracy,
        m.agreement
    );
    Ok(())
}

/// Runs `vinovoyant split`: writes the reviews that `train`, given the same
/// [`DataSplitArgs`], trains on and scores, so that other models (or `eval` on a
/// finished bundle) can be measured on exactly the same reviews.
pub fn split(args: SplitArgs) -> anyhow::Result<()> {
    let dataset = load_data(&args.split.data, false)?;
    let files = split_files(
        &dataset.reviews,
        args.split.validation_fraction,
        args.split.seed,
        &args.split.writers(),
    )?;
    write_split_files(
        &dataset.reviews,
        &files,
        &args.out,
        &mut |path: &Path, reviews| {
            eprintln!("{reviews} reviews written to {}", path.display());
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(out: &Path, share: f32, temperature: f32) -> TrainArgs {
        let data = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../trainer/tests/fixtures/reviews_small.csv");
        TrainArgs {
            split: DataSplitArgs {
                data: DataLocation::Local(data),
                seed: 42,
                validation_fraction: 0.1,
                new_writers: Vec::new(),
            },
            out: out.to_path_buf(),
            max_features: 1_000,
            epochs: None,
            learning_rate: None,
            balance_power: None,
            dropout: None,
            l2: None,
            margin_weight: None,
            distillation_share: share,
            distillation_temperature: temperature,
            knowledge_copies: 0,
            writer_folds: 0,
            writer_min_reviews: 100,
        }
    }

    /// `vinovoyant train` refuses distillation settings outside their range before
    /// it reads any data or writes anything.
    #[test]
    fn out_of_range_distillation_settings_are_clear_errors() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = dir.path().join("bundle");
        for (share, temperature, named) in [
            (1.5, 4.0, "--distillation-share"),
            (-0.1, 4.0, "--distillation-share"),
            (f32::NAN, 4.0, "--distillation-share"),
            (0.6, 0.0, "--distillation-temperature"),
            (0.6, f32::INFINITY, "--distillation-temperature"),
        ] {
            let error = train(args(&out, share, temperature)).expect_err("refused");
            assert!(
                error.to_string().contains(named),
                "share {share}, temperature {temperature}: {error}"
            );
        }
        assert!(!out.exists(), "a refused run wrote {}", out.display());
    }
}
