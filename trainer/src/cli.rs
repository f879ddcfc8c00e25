//! The `train`, `split`, `eval` and `predict` subcommands of the `vinovoyant` binary.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_model::Certainty;
use vinovoyant_store::{DataLocation, read_bytes_blocking};

use crate::data::{Dataset, read_reviews, write_reviews};
use crate::evaluate::{Summary, evaluate};
use crate::fit::{Distillation, FitOptions};
use crate::split::{new_writer_split, stratified};
use crate::train::{RunOptions, train_bundle};

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
    /// Share of each country's reviews held out for validation.
    #[arg(long, default_value_t = 0.1)]
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
    /// Most features the full model keeps.
    #[arg(long, default_value_t = FitOptions::default().max_features)]
    pub max_features: usize,
    /// Passes over the data for every head [default: each head's tuned value].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Adam's initial step size for every head [default: each head's tuned value].
    #[arg(long)]
    pub learning_rate: Option<f32>,
    /// Class balancing for every head: 0 ignores class sizes, 1 weighs every class
    /// alike [default: each head's tuned value].
    #[arg(long)]
    pub balance_power: Option<f32>,
    /// Share of each review's features dropped at random in every training pass
    /// [default: each head's tuned value].
    #[arg(long)]
    pub dropout: Option<f32>,
    /// L2 penalty on the weights of the features a batch touches, for every head
    /// [default: each head's tuned value].
    #[arg(long)]
    pub l2: Option<f32>,
    /// Weight of the one-vs-rest SVM scores added to both country heads' logits;
    /// 0 trains logistic heads only [default: each head's tuned value].
    #[arg(long)]
    pub margin_weight: Option<f32>,
    /// Share of the distilled model's targets taken from the full country head's
    /// probabilities, between 0 (the labels alone) and 1.
    #[arg(long, default_value_t = FitOptions::default().distillation.share)]
    pub distillation_share: f32,
    /// Temperature that softens the full country head's probabilities before the
    /// distilled model learns them; above 0.
    #[arg(long, default_value_t = FitOptions::default().distillation.temperature)]
    pub distillation_temperature: f32,
}

/// Options of `vinovoyant eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// CSV of labelled reviews: a local path or `s3://bucket/key`.
    #[arg(long)]
    pub data: DataLocation,
    /// Bundle folder; the committed default bundle when absent.
    #[arg(long, env = "VINOVOYANT_MODEL")]
    pub model: Option<PathBuf>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
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

/// Options of `vinovoyant predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The tasting note.
    pub text: String,
    /// Bundle folder; the committed default bundle when absent.
    #[arg(long, env = "VINOVOYANT_MODEL")]
    pub model: Option<PathBuf>,
}

/// The bytes of a data file, from this machine or from S3.
fn read_data(location: &DataLocation) -> anyhow::Result<Vec<u8>> {
    read_bytes_blocking(location).with_context(|| format!("cannot read {location}"))
}

fn load_data(location: &DataLocation) -> anyhow::Result<Dataset> {
    parse_data(location, &read_data(location)?)
}

fn parse_data(location: &DataLocation, bytes: &[u8]) -> anyhow::Result<Dataset> {
    let dataset = read_reviews(bytes).with_context(|| format!("cannot use {location}"))?;
    let rejected = dataset.rejected;
    if rejected.total() > 0 {
        eprintln!(
            "{} of {} rows set aside: {} malformed, {} without description, {} without country",
            rejected.total(),
            dataset.rows,
            rejected.malformed,
            rejected.empty_description,
            rejected.empty_country
        );
    }
    anyhow::ensure!(
        !dataset.reviews.is_empty(),
        "{location} has no usable review"
    );
    Ok(dataset)
}

fn load_bundle(model: Option<PathBuf>) -> anyhow::Result<Bundle> {
    let dir = model.unwrap_or_else(default_model_dir);
    Bundle::load(&dir).with_context(|| format!("cannot load the model bundle in {}", dir.display()))
}

/// Runs `vinovoyant train`.
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
    let path = &args.split.data;
    let bytes = read_data(path)?;
    let dataset = parse_data(path, &bytes)?;
    let started = std::time::Instant::now();
    let log = |line: &str| eprintln!("[{:>6.1}s] {line}", started.elapsed().as_secs_f32());
    log("aggregating the reviews for the analytics page");
    let rows = vinovoyant_analytics::read_reviews(&bytes)
        .with_context(|| format!("cannot aggregate {path}"))?;
    let analytics = vinovoyant_analytics::aggregate(&rows.reviews);
    let mut fit = FitOptions {
        seed: args.split.seed,
        max_features: args.max_features,
        distillation: Distillation {
            share: args.distillation_share,
            temperature: args.distillation_temperature,
        },
        ..FitOptions::default()
    };
    for options in [&mut fit.country, &mut fit.province, &mut fit.distilled] {
        options.epochs = args.epochs.unwrap_or(options.epochs);
        options.learning_rate = args.learning_rate.unwrap_or(options.learning_rate);
        options.balance_power = args.balance_power.unwrap_or(options.balance_power);
        options.dropout = args.dropout.unwrap_or(options.dropout);
        options.l2 = args.l2.unwrap_or(options.l2);
    }
    if let Some(weight) = args.margin_weight {
        fit.margin_weight = weight;
        fit.distilled_margin_weight = weight;
    }
    let run = RunOptions {
        fit,
        validation_fraction: args.split.validation_fraction,
        new_writers: args.split.writers(),
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
/// finished bundle) can be measured on exactly the same reviews. `train.csv` and
/// `validation.csv` are the random split; with new writers, `new-writers-train.csv`
/// and `new-writers.csv` are the rows of the new-writer check.
pub fn split(args: SplitArgs) -> anyhow::Result<()> {
    let dataset = load_data(&args.split.data)?;
    let reviews = &dataset.reviews;
    let random = stratified(reviews, args.split.validation_fraction, args.split.seed);
    let writers = args.split.writers();
    let check = if writers.is_empty() {
        None
    } else {
        Some(new_writer_split(reviews, &random, &writers)?)
    };
    let mut files = vec![
        ("train.csv", random.train),
        ("validation.csv", random.validation),
    ];
    if let Some(check) = check {
        files.push(("new-writers-train.csv", check.train));
        files.push(("new-writers.csv", check.validation));
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, rows) in files {
        let path = args.out.join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        write_reviews(
            std::io::BufWriter::new(file),
            rows.iter().map(|&i| &reviews[i]),
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("{} reviews written to {}", rows.len(), path.display());
    }
    Ok(())
}

/// Runs `vinovoyant eval`.
pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    let bundle = load_bundle(args.model)?;
    let dataset = load_data(&args.data)?;
    let reviews: Vec<_> = dataset.reviews.iter().collect();
    let evaluation = evaluate(
        bundle.full(),
        bundle.distilled(),
        &reviews,
        dataset.has_province,
    );
    let summary = Summary::from(&evaluation);
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!("model {} on {} reviews", bundle.version(), summary.n);
        for (name, s) in [("full", summary.full), ("distilled", summary.distilled)] {
            println!(
                "  {name:<9} top-1 {:.3}  top-3 {:.3}  macro-F1 {:.3}  log-loss {:.3}",
                s.accuracy, s.top3, s.macro_f1, s.log_loss
            );
        }
        println!("  agreement {:.3}", summary.agreement);
        if let Some(p) = summary.province {
            println!(
                "  province  top-1 {:.3}  top-3 {:.3}  (n = {})",
                p.accuracy, p.top3, p.n
            );
        }
    }
    Ok(())
}

/// Runs `vinovoyant predict`.
pub fn predict(args: PredictArgs) -> anyhow::Result<()> {
    let bundle = load_bundle(args.model)?;
    // the same refusals as the server's: text that is not a tasting note gets no country
    bundle.distilled().check_note(&args.text)?;
    let prediction = bundle.predict(&args.text)?;
    println!("model {}", bundle.version());
    if let Some(top) = prediction.top_country() {
        println!("certainty: {}", Certainty::of(top.probability).as_str());
    }
    for score in prediction.countries.iter().take(3) {
        println!("  {:<16} {:>5.1}%", score.label, score.probability * 100.0);
    }
    if let Some(province) = prediction.top_province() {
        println!(
            "province: {} ({:.1}%)",
            province.label,
            province.probability * 100.0
        );
    }
    if let Some(top) = prediction.top_country() {
        let words: Vec<String> = prediction
            .explanation
            .iter()
            .filter(|c| c.label == top.label && c.weight > 0.0)
            .take(8)
            .map(|c| format!("{} (+{:.2})", c.token, c.weight))
            .collect();
        println!("words pointing to {}: {}", top.label, words.join(", "));
    }
    Ok(())
}
