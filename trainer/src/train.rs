//! A whole training run: split, fit, calibrate, export, evaluate, write the bundle.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use vinovoyant_analytics::DatasetSummary;
use vinovoyant_inference::{FullModel, sha256_hex};
use vinovoyant_model::manifest::{
    ANALYTICS_FILE, DISTILLED_MODEL_FILE, DataFingerprint, Evaluation, FULL_MODEL_FILE, FileEntry,
    LABELS_FILE, MANIFEST_FILE, TrainingSummary, VOCABULARY_FILE, ValidationReport,
};
use vinovoyant_model::{DistilledModel, Manifest};

use crate::data::{Dataset, Review};
use crate::evaluate::evaluate;
use crate::fit::{
    FitOptions, Fitted, country_targets, distilled_rows, fit, full_rows, province_targets,
};
use crate::linear::{LinearModel, SparseRows, fit_temperature};
use crate::onnx::{self, Head};
use crate::split::{Split, new_writer_split, stratified};

/// Bundle format written by this trainer.
pub const FORMAT: u32 = 1;

/// What a run is asked to do beyond fitting.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Model options.
    pub fit: FitOptions,
    /// Share of each country's reviews held out for validation.
    pub validation_fraction: f32,
    /// Writers whose reviews are kept out of a second, check-only model, to measure
    /// what a writer the model has never read gets. Empty skips the check.
    pub new_writers: Vec<String>,
    /// Aggregates of the training data for the analytics page, shipped in the bundle
    /// as `analytics.json` when given.
    pub analytics: Option<DatasetSummary>,
}

/// The models of a run with the files that hold them.
struct Built {
    full: FullModel,
    distilled: DistilledModel,
    files: BTreeMap<String, Vec<u8>>,
}

fn logits_of(
    model: &LinearModel,
    rows: &SparseRows,
    targets: &[Option<u32>],
) -> (Vec<Vec<f32>>, Vec<u32>) {
    (0..rows.len())
        .filter_map(|r| {
            targets[r].map(|t| {
                let (indices, values) = rows.row(r);
                (model.logits(indices, values), t)
            })
        })
        .unzip()
}

/// Fits the temperatures on held-out rows and writes every model file.
fn build(fitted: Fitted, calibration: &[&Review], options: &FitOptions) -> anyhow::Result<Built> {
    let (country_rows, province_rows) = full_rows(calibration, &fitted.vocabulary);
    let countries = country_targets(calibration, &fitted.labels);
    let provinces = province_targets(calibration, &fitted.labels);
    let temperature = |model: &LinearModel, rows: &SparseRows, targets: &[Option<u32>]| {
        let (logits, labels) = logits_of(model, rows, targets);
        if labels.is_empty() {
            1.0
        } else {
            fit_temperature(&logits, &labels)
        }
    };
    let country_t = temperature(&fitted.country, &country_rows, &countries);
    let province_t = temperature(&fitted.province, &province_rows, &provinces);
    let hashed = distilled_rows(calibration, &fitted.distilled.idf, options);
    let distilled_linear = LinearModel {
        features: fitted.distilled.idf.len(),
        classes: fitted.labels.countries.len(),
        weights: fitted.distilled.weights.clone(),
        bias: fitted.distilled.bias.clone(),
    };
    let mut distilled_weights = fitted.distilled;
    distilled_weights.temperature = temperature(&distilled_linear, &hashed, &countries);
    let distilled = DistilledModel::quantize(&distilled_weights)?;
    let onnx_bytes = onnx::export(
        &Head {
            name: "country",
            model: &fitted.country,
            temperature: country_t,
        },
        (fitted.province.classes > 0)
            .then_some(Head {
                name: "province",
                model: &fitted.province,
                temperature: province_t,
            })
            .as_ref()
            .map(|head| (head, fitted.province_countries.as_slice())),
    );
    let full = FullModel::new(
        &onnx_bytes,
        fitted.vocabulary.clone(),
        fitted.labels.clone(),
    )
    .map_err(|e| anyhow::anyhow!("the exported graph does not load: {e:#}"))?;
    let mut files = BTreeMap::new();
    files.insert(FULL_MODEL_FILE.to_string(), onnx_bytes);
    files.insert(VOCABULARY_FILE.to_string(), fitted.vocabulary.to_bytes());
    files.insert(DISTILLED_MODEL_FILE.to_string(), distilled.to_bytes());
    files.insert(
        LABELS_FILE.to_string(),
        serde_json::to_vec_pretty(&fitted.labels)?,
    );
    Ok(Built {
        full,
        distilled,
        files,
    })
}

fn select<'a>(reviews: &'a [Review], rows: &[usize]) -> Vec<&'a Review> {
    rows.iter().map(|&i| &reviews[i]).collect()
}

/// Version of a bundle: UTC time of training and the data's hash prefix.
fn version_for(now: time::OffsetDateTime, data_sha256: &str) -> anyhow::Result<String> {
    let format = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
    Ok(format!(
        "{}-{}",
        now.format(format)?,
        &data_sha256[..8.min(data_sha256.len())]
    ))
}

/// Trains on `dataset` and writes the bundle into `out`; returns its manifest.
pub fn train_bundle(
    dataset: &Dataset,
    run: &RunOptions,
    out: &Path,
    log: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<Manifest> {
    let started = Instant::now();
    let reviews = &dataset.reviews;
    let split = stratified(reviews, run.validation_fraction, run.fit.seed);
    log(&format!(
        "{} reviews: {} to train on, {} held out",
        reviews.len(),
        split.train.len(),
        split.validation.len()
    ));
    let train = select(reviews, &split.train);
    let validation = select(reviews, &split.validation);
    let now = time::OffsetDateTime::now_utc();
    let version = version_for(now, &dataset.sha256)?;
    let fitted = fit(&train, &run.fit, log)?;
    let labels = fitted.labels.clone();
    let vocabulary_size = fitted.vocabulary.len();
    let built = build(fitted, &validation, &run.fit)?;
    log("scoring the held-out reviews");
    let random_split = evaluate(
        &built.full,
        &built.distilled,
        &validation,
        dataset.has_province,
    );
    let new_writers = if run.new_writers.is_empty() {
        None
    } else {
        Some(new_writer_check(dataset, &split, run, log)?)
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut files = built.files;
    if let Some(summary) = &run.analytics {
        files.insert(ANALYTICS_FILE.to_string(), serde_json::to_vec(summary)?);
    }
    let mut entries = BTreeMap::new();
    for (name, bytes) in &files {
        std::fs::write(out.join(name), bytes).with_context(|| format!("cannot write {name}"))?;
        entries.insert(
            name.clone(),
            FileEntry {
                sha256: sha256_hex(bytes),
                bytes: bytes.len() as u64,
            },
        );
    }
    let manifest = Manifest {
        format: FORMAT,
        version,
        created: now.format(&time::format_description::well_known::Rfc3339)?,
        training_data: DataFingerprint {
            sha256: dataset.sha256.clone(),
            rows: dataset.rows,
            training_rows: split.train.len(),
            validation_rows: split.validation.len(),
        },
        training: TrainingSummary {
            seed: run.fit.seed,
            validation_fraction: run.validation_fraction,
            full_features: vocabulary_size,
            distilled_buckets: (run.fit.distilled_word_buckets + run.fit.distilled_char_buckets)
                as usize,
            seconds: started.elapsed().as_secs_f32(),
        },
        labels,
        metrics: ValidationReport {
            random_split,
            new_writers,
        },
        files: entries,
    };
    std::fs::write(
        out.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest)?,
    )
    .context("cannot write manifest.json")?;
    Ok(manifest)
}

/// Trains a check-only model without the named writers' reviews (and without the
/// validation rows) and scores it on everything those writers wrote.
fn new_writer_check(
    dataset: &Dataset,
    split: &Split,
    run: &RunOptions,
    log: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<Evaluation> {
    let reviews = &dataset.reviews;
    let writers = new_writer_split(reviews, split, &run.new_writers)?;
    log(&format!(
        "new-writer check: training without {} reviews by {}",
        writers.validation.len(),
        run.new_writers.join(", ")
    ));
    let fitted = fit(&select(reviews, &writers.train), &run.fit, &|_| {})?;
    let built = build(fitted, &select(reviews, &writers.calibration), &run.fit)?;
    let evaluation = evaluate(
        &built.full,
        &built.distilled,
        &select(reviews, &writers.validation),
        dataset.has_province,
    );
    log(&format!(
        "new-writer check: full top-1 {:.3}, distilled top-1 {:.3}",
        evaluation.full.accuracy, evaluation.distilled.accuracy
    ));
    Ok(evaluation)
}
