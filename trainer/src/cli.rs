//! The `train`, `split`, `eval` and `predict` subcommands of the `vinovoyant` binary.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_inference::{PredictError, Prediction};
use vinovoyant_model::Certainty;
use vinovoyant_store::cli::S3Args;
use vinovoyant_store::{DataLocation, ModelSource, read_bytes_blocking};

pub use crate::breakdown::{EvalArgs, eval};
use crate::data::{Dataset, read_reviews, write_reviews};
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
    /// Share of each country's reviews held out for validation, above 0 and below 1.
    #[arg(long, default_value_t = 0.1, value_parser = open_fraction)]
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
    #[arg(long, default_value_t = FitOptions::default().max_features, value_parser = feature_count)]
    pub max_features: usize,
    /// Passes over the data for every head, 1 to 10,000 [default: each head's tuned value].
    #[arg(long, value_parser = epoch_count)]
    pub epochs: Option<usize>,
    /// Adam's initial step size for every head, above 0 and at most 10 [default: each
    /// head's tuned value].
    #[arg(long, value_parser = learning_rate)]
    pub learning_rate: Option<f32>,
    /// Class balancing for every head: 0 ignores class sizes, 1 weighs every class
    /// alike [default: each head's tuned value].
    #[arg(long, value_parser = closed_fraction)]
    pub balance_power: Option<f32>,
    /// Share of each review's features dropped at random in every training pass
    /// [default: each head's tuned value]; 0 or more, below 1.
    #[arg(long, value_parser = dropout)]
    pub dropout: Option<f32>,
    /// L2 penalty on the weights of the features a batch touches, for every head
    /// [default: each head's tuned value]; 0 to 1,000.
    #[arg(long, value_parser = non_negative)]
    pub l2: Option<f32>,
    /// Weight of the one-vs-rest SVM scores added to both country heads' logits;
    /// 0 trains logistic heads only [default: each head's tuned value]; 0 to 1,000.
    #[arg(long, value_parser = non_negative)]
    pub margin_weight: Option<f32>,
    /// Folds of the grouped cross-validation by writer (`taster_name`): each trains a
    /// model without its writers' reviews; their out-of-fold answers measure what a
    /// new writer gets and calibrate the shipped probabilities. 0 skips them and
    /// calibrates on the random split; 0 to 50.
    #[arg(long, default_value_t = 4, value_parser = fold_count)]
    pub writer_folds: usize,
    /// Writers with fewer reviews than this are never held out by the writer folds
    /// (they stay in every fold's training); 1 to 1,000,000.
    #[arg(long, default_value_t = 100, value_parser = review_count)]
    pub writer_min_reviews: usize,
    /// Share of the distilled model's targets taken from the full country head's
    /// probabilities, between 0 (the labels alone) and 1.
    #[arg(long, default_value_t = FitOptions::default().distillation.share, value_parser = closed_fraction)]
    pub distillation_share: f32,
    /// Temperature that softens the full country head's probabilities before the
    /// distilled model learns them; above 0, at most 1,000.
    #[arg(long, default_value_t = FitOptions::default().distillation.temperature, value_parser = positive)]
    pub distillation_temperature: f32,
}

/// The model a command loads, named as `vinovoyant serve` names it.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Model: a bundle folder, or a model store channel or version
    /// (`s3://bucket/prefix?channel=prod`, `?version=<v>`), fetched and verified.
    #[arg(long, env = "VINOVOYANT_MODEL", default_value_t = ModelSource::Local(default_model_dir()))]
    pub model: ModelSource,
    /// Folder where bundles fetched from a model store are kept.
    #[arg(long, env = "VINOVOYANT_MODEL_CACHE", default_value_os_t = std::env::temp_dir().join("vinovoyant-models"))]
    pub model_cache: PathBuf,
    /// How to reach the model store.
    #[command(flatten)]
    pub s3: S3Args,
}

impl ModelArgs {
    /// Loads and verifies the bundle, fetching it first when it is in a store.
    pub(crate) fn load(&self) -> anyhow::Result<Bundle> {
        let dir = self
            .model
            .bundle_dir_blocking(&self.model_cache, &self.s3.options())
            .with_context(|| format!("cannot fetch the model {}", self.model))?;
        Bundle::load(&dir)
            .with_context(|| format!("cannot load the model bundle in {}", dir.display()))
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

/// Options of `vinovoyant predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The tasting note; `-` reads notes from standard input instead, one per line
    /// (plain text, or JSON lines with a `description`).
    #[arg(required_unless_present = "file")]
    pub text: Option<String>,
    /// Reads notes from this file, one per line (plain text, or JSON lines with a
    /// `description`).
    #[arg(long, conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Writes one JSON object per note on stdout.
    #[arg(long)]
    pub json: bool,
    /// The model to ask.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The bytes of a data file, from this machine or from S3.
pub(crate) fn read_data(location: &DataLocation) -> anyhow::Result<Vec<u8>> {
    read_bytes_blocking(location).with_context(|| format!("cannot read {location}"))
}

fn load_data(location: &DataLocation) -> anyhow::Result<Dataset> {
    parse_data(location, &read_data(location)?)
}

fn parse_data(location: &DataLocation, bytes: &[u8]) -> anyhow::Result<Dataset> {
    let dataset = read_reviews(bytes).with_context(|| format!("cannot use {location}"))?;
    report_rejected(location, dataset)
}

/// Says how many rows were set aside; an error when none is usable.
pub(crate) fn report_rejected(
    location: &DataLocation,
    dataset: Dataset,
) -> anyhow::Result<Dataset> {
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

/// A finite number, for the value parsers below.
fn finite(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

/// A number in `range`, described by `rule` when it is not.
fn number_in(
    text: &str,
    range: impl std::ops::RangeBounds<f32>,
    rule: &str,
) -> Result<f32, String> {
    let value = finite(text)?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is out of range: {rule}"))
    }
}

/// Value parser: above 0 and below 1.
fn open_fraction(text: &str) -> Result<f32, String> {
    let value = number_in(text, 0.0..1.0, "it must be above 0 and below 1")?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and below 1"
        ))
    }
}

/// Value parser: 0 to 1.
fn closed_fraction(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..=1.0, "it must be between 0 and 1")
}

/// Value parser: 0 or more, below 1.
fn dropout(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..1.0, "it must be 0 or more and below 1")
}

/// Value parser: 0 to 1,000.
fn non_negative(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..=1_000.0, "it must be 0 to 1000")
}

/// Value parser: above 0, at most 1,000.
fn positive(text: &str) -> Result<f32, String> {
    let value = non_negative(text)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and at most 1000"
        ))
    }
}

/// Value parser: above 0, at most 10.
fn learning_rate(text: &str) -> Result<f32, String> {
    let value = positive(text)?;
    if value <= 10.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and at most 10"
        ))
    }
}

/// A whole number in `low..=high`.
fn count_in(text: &str, low: usize, high: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(value) if (low..=high).contains(&value) => Ok(value),
        Ok(value) => Err(format!(
            "{value} is out of range: it must be {low} to {high}"
        )),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// Value parser: 1 to 10,000,000 features.
fn feature_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 10_000_000)
}

/// Value parser: 0 to 50 writer folds.
fn fold_count(text: &str) -> Result<usize, String> {
    count_in(text, 0, 50)
}

/// Value parser: 1 to 1,000,000 reviews.
fn review_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 1_000_000)
}

/// Value parser: 1 to 10,000 epochs.
fn epoch_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 10_000)
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

/// Runs `vinovoyant predict`: one note from the command line, or one per line of a
/// file or of standard input. Fails (exit 1) when any note was refused, after
/// answering all the others.
pub fn predict(args: PredictArgs) -> anyhow::Result<()> {
    let bundle = args.model.load()?;
    let notes: Vec<String> = match (&args.text, &args.file) {
        (Some(text), None) if text != "-" => vec![text.clone()],
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            notes_of(&text)?
        }
        _ => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read standard input")?;
            notes_of(&text)?
        }
    };
    let mut refused = 0;
    let mut out = std::io::stdout().lock();
    for note in &notes {
        // The server's refusals too: text that is not a tasting note gets no country.
        let outcome = bundle
            .distilled()
            .check_note(note)
            .map_err(PredictError::Input)
            .and_then(|()| bundle.predict(note));
        if outcome.is_err() {
            refused += 1;
        }
        if args.json {
            writeln!(out, "{}", prediction_json(bundle.version(), note, &outcome))?;
        } else {
            write_prediction(&mut out, bundle.version(), note, &outcome)?;
        }
    }
    anyhow::ensure!(
        refused == 0,
        "{refused} of {} notes were refused",
        notes.len()
    );
    Ok(())
}

/// The notes in `text`, one per non-empty line: a JSON object's `description`, or
/// the line itself.
fn notes_of(text: &str) -> anyhow::Result<Vec<String>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            if !line.trim_start().starts_with('{') {
                return Ok(line.to_string());
            }
            let value: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("line {} is not valid JSON", index + 1))?;
            value["description"]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("line {} has no \"description\" string", index + 1))
        })
        .collect()
}

/// One note's answer as a line of JSON: the top countries and provinces with the
/// words behind them, or the reason it was refused.
fn prediction_json(
    version: &str,
    note: &str,
    outcome: &Result<Prediction, PredictError>,
) -> serde_json::Value {
    match outcome {
        Ok(prediction) => serde_json::json!({
            "description": note,
            "model_version": version,
            "certainty": prediction
                .top_country()
                .map(|top| Certainty::of_note(top.probability, note).as_str()),
            "countries": prediction.countries.iter().take(3).collect::<Vec<_>>(),
            "provinces": prediction.provinces.iter().take(3).collect::<Vec<_>>(),
            "explanation": prediction.explanation,
        }),
        Err(error) => serde_json::json!({
            "description": note,
            "model_version": version,
            "error": error.to_string(),
        }),
    }
}

/// One note's answer for a person to read.
fn write_prediction(
    out: &mut impl Write,
    version: &str,
    note: &str,
    outcome: &Result<Prediction, PredictError>,
) -> anyhow::Result<()> {
    let prediction = match outcome {
        Ok(prediction) => prediction,
        Err(error) => {
            writeln!(out, "refused: {error}")?;
            return Ok(());
        }
    };
    writeln!(out, "model {version}")?;
    if let Some(top) = prediction.top_country() {
        let certainty = Certainty::of_note(top.probability, note);
        writeln!(out, "certainty: {}", certainty.as_str())?;
    }
    for score in prediction.countries.iter().take(3) {
        writeln!(
            out,
            "  {:<16} {:>5.1}%",
            score.label,
            score.probability * 100.0
        )?;
    }
    if let Some(province) = prediction.top_province() {
        writeln!(
            out,
            "province: {} ({:.1}%)",
            province.label,
            province.probability * 100.0
        )?;
    }
    if let Some(top) = prediction.top_country() {
        let words: Vec<String> = prediction
            .explanation
            .iter()
            .filter(|c| c.label == top.label && c.weight > 0.0)
            .take(8)
            .map(|c| format!("{} (+{:.2})", c.token, c.weight))
            .collect();
        writeln!(out, "words pointing to {}: {}", top.label, words.join(", "))?;
    }
    Ok(())
}
