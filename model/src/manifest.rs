//! The description of a model bundle, stored as `manifest.json` beside its files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calibration::TopCalibrations;

// The file names are the bundle contract's; they are here too because a manifest
// lists them.
pub use crate::bundle::{
    ANALYTICS_FILE, DISTILLED_MODEL_FILE, FULL_MODEL_FILE, LABELS_FILE, MANIFEST_FILE,
    VOCABULARY_FILE, is_plain_name,
};

/// Everything known about a model bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Bundle format ([`crate::bundle::FORMAT`]); raised when a file changes meaning.
    pub format: u32,
    /// Version of this bundle, unique per training run (`YYYYMMDD-HHMMSS-<data sha prefix>`).
    pub version: String,
    /// When training finished, RFC 3339.
    pub created: String,
    /// Which data the models were trained on.
    pub training_data: DataFingerprint,
    /// Options the trainer ran with.
    pub training: TrainingSummary,
    /// The classes each head can answer.
    pub labels: LabelSets,
    /// Quality on data held out from training.
    pub metrics: ValidationReport,
    /// Every other file of the bundle with its checksum.
    pub files: BTreeMap<String, FileEntry>,
}

/// Identifies a training data set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFingerprint {
    /// SHA-256 of the CSV file as read.
    pub sha256: String,
    /// Data rows in the file (header excluded).
    pub rows: usize,
    /// Rows used for training.
    pub training_rows: usize,
    /// Rows held out for validation.
    pub validation_rows: usize,
}

/// The options that shaped a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Seed of every random choice.
    pub seed: u64,
    /// Share of rows held out for validation.
    pub validation_fraction: f32,
    /// Features the full model reads.
    pub full_features: usize,
    /// Buckets of the distilled model.
    pub distilled_buckets: usize,
    /// Seconds the run took.
    pub seconds: f32,
    /// The temperatures shipped and what they were fitted on. Absent from bundles
    /// that did not record them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub temperatures: Option<Temperatures>,
    /// The top-label calibrations applied after the temperatures, fitted on the
    /// writer folds. Absent from bundles without them: their probabilities are the
    /// softmax's alone.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub top_calibration: Option<TopCalibrations>,
    /// Folds of the grouped cross-validation by writer (0: none).
    #[serde(default)]
    pub writer_folds: usize,
    /// The knowledge file the heads read (see the trainer's `knowledge` module).
    /// Absent from bundles trained without it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub knowledge: Option<KnowledgeRecord>,
}

/// Which knowledge a bundle was trained with, so a run can be repeated, and what
/// a name found in a note adds to its country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeRecord {
    /// Hex SHA-256 of the knowledge file.
    pub sha256: String,
    /// Names in it.
    pub names: usize,
    /// Training documents made of each name.
    pub copies: usize,
    /// Each model's knowledge weight (see [`crate::knowledge`]); zero in bundles
    /// from before the weights, whose names raise nothing.
    #[serde(default)]
    pub weights: KnowledgeWeights,
    /// Names whose finding raises their country: those the training reviews do
    /// not give to other countries. Absent in bundles from before the test, whose
    /// names all raise it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_names: Option<usize>,
}

/// What a name found in a note adds to its country's log-probability, per model:
/// fitted by the trainer on the writer folds' out-of-fold answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeWeights {
    /// The full model's country head.
    pub country: f32,
    /// The distilled model (its file carries the same weight).
    pub distilled: f32,
}

/// Class names of each head, in the order of the models' outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSets {
    /// Countries.
    pub countries: Vec<String>,
    /// Provinces or states.
    pub provinces: Vec<String>,
    /// Grape varieties (the data's `variety`) with enough training reviews; a
    /// rarer variety is no class, so its reviews neither train nor score the head.
    /// Empty for bundles without a variety head.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub varieties: Vec<String>,
    /// The country (an index into `countries`) of each province, so an answer
    /// names a province of its own country only. Empty in bundles written before
    /// it was recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub province_countries: Vec<u32>,
}

/// Checksum and size of one bundle file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Lower-case hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Top-1, macro-F1, top-3 and log-loss of one model on one data set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelScores {
    /// Share of rows whose top answer is right.
    pub accuracy: f64,
    /// Mean F1 over the classes present in the data.
    pub macro_f1: f64,
    /// Share of rows whose answer is among the top three.
    pub top3: f64,
    /// Mean negative log-probability of the right answer.
    pub log_loss: f64,
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Class name.
    pub label: String,
    /// Rows of this class in the data.
    pub support: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Mean confidence of the top answer in the bin.
    pub confidence: f64,
    /// Share of the bin's top answers that were right.
    pub accuracy: f64,
    /// Rows in the bin.
    pub count: usize,
}

/// Province scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProvinceScores {
    /// Rows with a province.
    pub n: usize,
    /// Top-1 accuracy.
    pub accuracy: f64,
    /// Top-3 accuracy.
    pub top3: f64,
}

/// How often one variety was taken for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusedPair {
    /// The review's variety.
    pub truth: String,
    /// The variety the model named first.
    pub predicted: String,
    /// Reviews of `truth` answered `predicted`.
    pub count: usize,
}

/// The variety head's figures on one evaluation set, over the reviews whose
/// variety is one of its classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarietyScores {
    /// Reviews scored.
    pub n: usize,
    /// Top-1 accuracy.
    pub accuracy: f64,
    /// Top-3 accuracy.
    pub top3: f64,
    /// Mean negative log-probability of the right variety.
    pub log_loss: f64,
    /// Expected calibration error of the top answer (ten equal-width bins).
    pub ece: f64,
    /// The most frequent mistakes, most frequent first.
    pub confused: Vec<ConfusedPair>,
}

/// Quality of the bundle's models on one evaluation set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Rows scored.
    pub n: usize,
    /// The full model.
    pub full: ModelScores,
    /// The distilled model.
    pub distilled: ModelScores,
    /// Share of rows where both models give the same top country.
    pub agreement: f64,
    /// The province head, when the data has provinces.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub province: Option<ProvinceScores>,
    /// The variety head, when the bundle has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variety: Option<VarietyScores>,
    /// Per-country scores of the full model.
    pub per_country: Vec<ClassScores>,
    /// Confusion matrix of the full model: `confusion[true][predicted]` over `per_country` order
    /// plus a last row and column for countries the model does not know.
    pub confusion: Vec<Vec<usize>>,
    /// Reliability of the full model's top answer, in ten bins of confidence.
    pub calibration: Vec<CalibrationBin>,
}

/// The validation figures stored with a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// On a random, country-stratified share of rows held out from training.
    pub random_split: Evaluation,
    /// On reviews by writers held out from training altogether: what a new writer gets.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub new_writers: Option<Evaluation>,
    /// Grouped cross-validation by writer: every writer with enough reviews held out
    /// once. The figures a new writer can expect, and what the temperatures were
    /// fitted on. Absent from bundles trained without writer folds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub writer_folds: Option<WriterFolds>,
}

/// Softmax temperatures of the bundle's heads: logits are divided by them before
/// the softmax, in the exported graph and in `distilled.bin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Temperatures {
    /// The full model's country head.
    pub country: f32,
    /// The full model's province head (fitted on the random split even when the
    /// others are fitted on writer folds, which train no province head).
    pub province: f32,
    /// The distilled model.
    pub distilled: f32,
    /// The full model's variety head (1 for bundles without one).
    #[serde(default = "no_temperature")]
    pub variety: f32,
    /// What they were fitted on: `"writer_folds"` (out-of-fold answers for
    /// held-out writers) or `"random_split"` (held-out reviews by known writers).
    pub fitted_on: String,
}

/// The temperature of a head that was not fitted.
fn no_temperature() -> f32 {
    1.0
}

/// One model's figures on writers it never read, from out-of-fold answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HeldOutScores {
    /// Share of all held-out reviews whose top answer is right.
    pub accuracy: f64,
    /// Mean of the folds' top-1.
    pub mean_fold_accuracy: f64,
    /// Mean of the writers' top-1, each writer counted once.
    pub mean_writer_accuracy: f64,
    /// Share of held-out reviews whose country is among the top three.
    pub top3: f64,
    /// Log-loss at the temperature fitted on known writers' held-out reviews (the
    /// random split): how the probabilities were calibrated before writer folds.
    pub log_loss_before: f64,
    /// Log-loss with each fold's answers scaled by a temperature fitted on the other
    /// folds, so that no answer is calibrated on itself.
    pub log_loss: f64,
    /// Expected calibration error of the top answer (ten equal-width bins) at the
    /// temperature fitted on known writers' held-out reviews.
    pub ece_before: f64,
    /// The same after calibration (temperature fitted on the other folds).
    pub ece: f64,
}

/// One writer's held-out figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriterScores {
    /// The writer (`taster_name`).
    pub writer: String,
    /// The fold that held the writer out (0-based).
    pub fold: usize,
    /// Reviews by the writer.
    pub n: usize,
    /// Top-1 of the full model.
    pub full_accuracy: f64,
    /// Top-1 of the distilled model.
    pub distilled_accuracy: f64,
}

/// One fold's held-out figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldScores {
    /// Writers held out by this fold.
    pub writers: Vec<String>,
    /// Their reviews.
    pub n: usize,
    /// Top-1 of the full model.
    pub full_accuracy: f64,
    /// Top-1 of the distilled model.
    pub distilled_accuracy: f64,
    /// Calibrated log-loss of the full model.
    pub full_log_loss: f64,
    /// Calibrated log-loss of the distilled model.
    pub distilled_log_loss: f64,
}

/// How often answers of one certainty level were right for held-out writers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertaintyBand {
    /// `"high"`, `"medium"` or `"low"`.
    pub level: String,
    /// Lowest calibrated top probability of the level.
    pub from: f32,
    /// Answers of this level.
    pub answers: usize,
    /// Share of them that were right.
    pub right: f64,
}

/// Grouped cross-validation by writer: what the models give writers they never read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WriterFolds {
    /// Number of folds; each trains a model without its writers' reviews.
    pub folds: usize,
    /// Writers with fewer reviews than this are never held out (always trained on).
    pub min_reviews: usize,
    /// Held-out reviews scored, over all folds.
    pub n: usize,
    /// Held-out reviews whose country the fold's model had no class for (all its
    /// reviews were by the held-out writers): misses, left out of the log-loss.
    pub unknown_country: usize,
    /// The full model.
    pub full: HeldOutScores,
    /// The distilled model.
    pub distilled: HeldOutScores,
    /// Share of held-out reviews where both models give the same top country.
    pub agreement: f64,
    /// The temperatures the "before" figures are scored at: fitted on the final
    /// models' random-split held-out reviews, by writers they did read.
    pub before: Temperatures,
    /// Each fold.
    pub per_fold: Vec<FoldScores>,
    /// Each held-out writer, worst full top-1 first.
    pub writers: Vec<WriterScores>,
    /// Certainty levels of the full model's calibrated answers, highest first.
    pub certainty: Vec<CertaintyBand>,
    /// Certainty levels of the distilled model's calibrated answers, highest first.
    pub distilled_certainty: Vec<CertaintyBand>,
    /// Reliability of the full model's calibrated top answer, in ten bins.
    pub calibration: Vec<CalibrationBin>,
    /// The variety head, when the bundle has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variety: Option<VarietyFolds>,
}

/// The variety head's figures on writers it never read, over the held-out
/// reviews whose variety is one of the fold's classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarietyFolds {
    /// Reviews scored.
    pub n: usize,
    /// Top-1, top-3, log-loss and calibration error, as for the country head.
    pub scores: HeldOutScores,
}

impl WriterFolds {
    /// The writer the full model does worst for.
    pub fn worst_writer(&self) -> Option<&WriterScores> {
        self.writers
            .iter()
            .min_by(|a, b| a.full_accuracy.total_cmp(&b.full_accuracy))
    }
}
