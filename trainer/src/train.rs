//! A whole training run: split, fit, calibrate, export, evaluate, write the bundle.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use vinovoyant_analytics::DatasetSummary;
use vinovoyant_inference::{FullModel, graph_file};
use vinovoyant_model::bundle;
use vinovoyant_model::calibration::TopCalibrations;
use vinovoyant_model::manifest::{
    ANALYTICS_FILE, DISTILLED_MODEL_FILE, DataFingerprint, Evaluation, FileEntry, KnowledgeRecord,
    KnowledgeWeights, LABELS_FILE, MANIFEST_FILE, Temperatures, TrainingSummary, VOCABULARY_FILE,
    ValidationReport,
};
use vinovoyant_model::{DistilledModel, Manifest};

use crate::TrainError;
use crate::crossval::{OutOfFold, can_fold_by_writer, writer_folds};
use crate::data::{Dataset, Review};
use crate::evaluate::evaluate;
use crate::fit::{
    FitOptions, Fitted, country_targets, distilled_rows, fit, full_rows, province_targets,
    variety_targets,
};
use crate::linear::{LinearModel, SparseRows, fit_temperature};
use crate::onnx::{self, Head, OtherHeads};
use crate::split::{Split, new_writer_split, stratified};

/// What `fitted_on` says of temperatures fitted on the random split's held-out reviews.
pub const FITTED_ON_RANDOM_SPLIT: &str = "random_split";

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
    /// Folds of the grouped cross-validation by writer, whose out-of-fold answers
    /// give the new-writer figures and the shipped temperatures; 0 skips it and
    /// fits the temperatures on the random split's held-out reviews instead.
    pub writer_folds: usize,
    /// Writers with fewer reviews are never held out by the writer folds.
    pub writer_min_reviews: usize,
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

/// Temperatures fitted on held-out `rows` by writers the model did read: the
/// fallback when no writer folds are run, and the new-writer check's.
fn temperatures_on(fitted: &Fitted, rows: &[&Review], options: &FitOptions) -> Temperatures {
    let country_rows = full_rows(rows, &fitted.vocabulary);
    let province_rows = country_rows.below(fitted.vocabulary.province_features());
    let countries = country_targets(rows, &fitted.labels);
    let provinces = province_targets(rows, &fitted.labels);
    let varieties = variety_targets(rows, &fitted.labels);
    let temperature = |model: &LinearModel, rows: &SparseRows, targets: &[Option<u32>]| {
        let (logits, labels) = logits_of(model, rows, targets);
        if labels.is_empty() {
            1.0
        } else {
            fit_temperature(&logits, &labels)
        }
    };
    let hashed = distilled_rows(rows, &fitted.distilled.idf, options);
    let distilled_linear = LinearModel {
        features: fitted.distilled.idf.len(),
        classes: fitted.labels.countries.len(),
        weights: fitted.distilled.weights.clone(),
        bias: fitted.distilled.bias.clone(),
    };
    Temperatures {
        country: temperature(&fitted.country, &country_rows, &countries),
        province: temperature(&fitted.province, &province_rows, &provinces),
        variety: temperature(&fitted.variety, &country_rows, &varieties),
        distilled: temperature(&distilled_linear, &hashed, &countries),
        fitted_on: FITTED_ON_RANDOM_SPLIT.to_string(),
    }
}

/// Writes every model file with the given temperatures baked in (into the
/// exported graph and into `distilled.bin`) and the top-label maps and knowledge
/// weights beside them (into `distilled.bin`; the manifest carries the full
/// model's). `knowledge` is in the shipped units, after the temperature.
fn build(
    fitted: Fitted,
    temperatures: &Temperatures,
    maps: &TopCalibrations,
    knowledge: KnowledgeWeights,
) -> Result<Built, TrainError> {
    let mut distilled_weights = fitted.distilled;
    distilled_weights.temperature = temperatures.distilled;
    distilled_weights.calibration = maps.distilled.clone();
    let names = distilled_weights.knowledge.clone();
    distilled_weights.knowledge = names.with_weight(knowledge.distilled)?;
    let distilled = DistilledModel::quantize(&distilled_weights)?;
    let others = OtherHeads {
        province: (fitted.province.classes > 0).then(|| {
            let head = Head {
                model: &fitted.province,
                temperature: temperatures.province,
            };
            (head, fitted.labels.province_countries.as_slice())
        }),
        variety: (fitted.variety.classes > 0).then_some(Head {
            model: &fitted.variety,
            temperature: temperatures.variety,
        }),
    };
    let onnx_bytes = onnx::export(
        &Head {
            model: &fitted.country,
            temperature: temperatures.country,
        },
        &others,
    );
    let full = FullModel::new(
        &onnx_bytes,
        fitted.vocabulary.clone(),
        fitted.labels.clone(),
        maps.clone(),
        names.with_weight(knowledge.country)?,
    )
    .map_err(|e| TrainError::GraphDoesNotLoad(format!("{e:#}")))?;
    let mut files = BTreeMap::new();
    files.insert(
        bundle::full_model_file(bundle::FORMAT).to_string(),
        graph_file::pack(&onnx_bytes),
    );
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
fn version_for(now: time::OffsetDateTime, data_sha256: &str) -> Result<String, TrainError> {
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
) -> Result<Manifest, TrainError> {
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
    let mut folds = writer_folds_when_possible(reviews, run, log)?;
    let fitted = fit(&train, &run.fit, log)?;
    let labels = fitted.labels.clone();
    let vocabulary_size = fitted.vocabulary.len();
    let trusted_names = fitted.trusted_names;
    let known_writers = temperatures_on(&fitted, &validation, &run.fit);
    log(&format!(
        "temperatures fitted on known writers (random split): country {:.3}, province {:.3}, distilled {:.3}",
        known_writers.country, known_writers.province, known_writers.distilled
    ));
    // Without writer folds the maps are the identity and names raise nothing: the
    // random split's answers are by writers the model read, not what a user gets.
    let mut knowledge_weights = KnowledgeWeights::default();
    let (writer_folds, temperatures, maps) = match folds {
        Some(ref mut oof) => {
            let in_logits = oof.apply_knowledge(log);
            let (temperatures, maps) = oof.calibrations(&known_writers)?;
            knowledge_weights = KnowledgeWeights {
                country: in_logits.country / temperatures.country,
                distilled: in_logits.distilled / temperatures.distilled,
            };
            (
                Some(oof.report(&known_writers, log)?),
                temperatures,
                Some(maps),
            )
        }
        None => (None, known_writers, None),
    };
    log(&format!(
        "temperatures ({}): country {:.3}, province {:.3}, variety {:.3}, distilled {:.3}",
        temperatures.fitted_on,
        temperatures.country,
        temperatures.province,
        temperatures.variety,
        temperatures.distilled
    ));
    let built = build(
        fitted,
        &temperatures,
        &maps.clone().unwrap_or_default(),
        knowledge_weights,
    )?;
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
    let folds_run = writer_folds.as_ref().map_or(0, |w| w.folds);
    let now = time::OffsetDateTime::now_utc();
    let version = version_for(now, &dataset.sha256)?;
    let mut files = built.files;
    if let Some(summary) = &run.analytics {
        files.insert(ANALYTICS_FILE.to_string(), serde_json::to_vec(summary)?);
    }
    let entries = write_files(out, &files)?;
    let manifest = Manifest {
        format: bundle::FORMAT,
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
            temperatures: Some(temperatures),
            top_calibration: maps,
            writer_folds: folds_run,
            knowledge: crate::knowledge::record(run.fit.knowledge_copies)?.map(|record| {
                KnowledgeRecord {
                    weights: knowledge_weights,
                    trusted_names: Some(trusted_names),
                    ..record
                }
            }),
        },
        labels,
        metrics: ValidationReport {
            random_split,
            new_writers,
            writer_folds,
        },
        files: entries,
    };
    let path = out.join(MANIFEST_FILE);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)
        .map_err(TrainError::io("write", &path))?;
    Ok(manifest)
}

/// The writer folds `run` asks for, or `None` (with a log line saying why) when
/// the data has too few writers with enough reviews to hold any out.
fn writer_folds_when_possible(
    reviews: &[Review],
    run: &RunOptions,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Option<OutOfFold>, TrainError> {
    if run.writer_folds == 0 {
        return Ok(None);
    }
    if !can_fold_by_writer(reviews, run.writer_min_reviews) {
        log(&format!(
            "no writer folds: they need two or more writers (taster_name) with {} or more \
             reviews; the temperatures are fitted on the random split",
            run.writer_min_reviews
        ));
        return Ok(None);
    }
    let folds = writer_folds(
        reviews,
        &run.fit,
        run.writer_folds,
        run.writer_min_reviews,
        log,
    )?;
    Ok(Some(folds))
}

/// Writes the bundle's files into `out` (made when missing) and returns the
/// manifest's entry for each.
fn write_files(
    out: &Path,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, FileEntry>, TrainError> {
    std::fs::create_dir_all(out).map_err(TrainError::io("create", out))?;
    let mut entries = BTreeMap::new();
    for (name, bytes) in files {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(TrainError::io("write", &path))?;
        entries.insert(name.clone(), FileEntry::of(bytes));
    }
    Ok(entries)
}

/// Trains a check-only model without the named writers' reviews (and without the
/// validation rows) and scores it on everything those writers wrote.
fn new_writer_check(
    dataset: &Dataset,
    split: &Split,
    run: &RunOptions,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Evaluation, TrainError> {
    let reviews = &dataset.reviews;
    let writers = new_writer_split(reviews, split, &run.new_writers)?;
    log(&format!(
        "new-writer check: training without {} reviews by {}",
        writers.validation.len(),
        run.new_writers.join(", ")
    ));
    let fitted = fit(&select(reviews, &writers.train), &run.fit, &|_| {})?;
    let temperatures = temperatures_on(&fitted, &select(reviews, &writers.calibration), &run.fit);
    let built = build(
        fitted,
        &temperatures,
        &TopCalibrations::default(),
        KnowledgeWeights::default(),
    )?;
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
