//! A model bundle: manifest, full model, distilled model, all checksum-verified.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use sha2::{Digest, Sha256};
use vinovoyant_analytics::DatasetSummary;
use vinovoyant_model::manifest::{
    ANALYTICS_FILE, DISTILLED_MODEL_FILE, FULL_MODEL_FILE, LABELS_FILE, LabelSets, MANIFEST_FILE,
    VOCABULARY_FILE, is_plain_name,
};
use vinovoyant_model::{DistilledModel, FormatError, Manifest, Prediction, Vocabulary};

use crate::full::{FullModel, PredictError};

/// Bundle formats this build can read.
pub const SUPPORTED_FORMAT: u32 = 1;

/// Why a bundle could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be read from disk.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("manifest.json is invalid: {0}")]
    Manifest(#[from] serde_json::Error),
    /// The bundle was written in a format this build does not read.
    #[error("bundle format {found} is not supported (this build reads format {SUPPORTED_FORMAT})")]
    UnsupportedFormat {
        /// The format found.
        found: u32,
    },
    /// The manifest names a file that is not a plain name in the bundle's folder
    /// (a path such as `../../etc/passwd`): such a file is never read.
    #[error("manifest.json names {0:?}, which is not a plain file name in the bundle folder")]
    UnsafeFileName(String),
    /// A file the manifest or the models need is absent.
    #[error("bundle file {0} is missing")]
    Missing(String),
    /// A file's content does not match its manifest checksum.
    #[error("checksum mismatch for {file}: manifest says {expected}, file has {actual}")]
    Checksum {
        /// The file.
        file: String,
        /// SHA-256 from the manifest.
        expected: String,
        /// SHA-256 of the bytes found.
        actual: String,
    },
    /// A model file is malformed.
    #[error("{file} is malformed: {source}")]
    Format {
        /// The file.
        file: &'static str,
        /// The cause.
        source: FormatError,
    },
    /// The ONNX graph could not be loaded.
    #[error("full.onnx cannot be loaded: {0}")]
    Onnx(String),
    /// The files disagree with each other.
    #[error("bundle is inconsistent: {0}")]
    Inconsistent(String),
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The bundle committed with the source, used when nothing else is configured:
/// `models/` at the workspace root.
pub fn default_model_dir() -> PathBuf {
    let here = PathBuf::from("models");
    if here.join(MANIFEST_FILE).is_file() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("models")
}

/// A verified, loaded model bundle.
#[derive(Debug)]
pub struct Bundle {
    manifest: Manifest,
    full: FullModel,
    distilled: DistilledModel,
    distilled_bytes: Vec<u8>,
    analytics: Option<Arc<DatasetSummary>>,
}

impl Bundle {
    /// Loads and verifies the bundle in `dir`.
    pub fn load(dir: &Path) -> Result<Self, BundleError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| BundleError::Io { path, source })
        };
        let manifest_bytes = read(MANIFEST_FILE)?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)?;
        let mut files = BTreeMap::new();
        files.insert(MANIFEST_FILE.to_string(), manifest_bytes);
        for name in manifest.files.keys() {
            if !is_plain_name(name) || name == MANIFEST_FILE {
                return Err(BundleError::UnsafeFileName(name.clone()));
            }
            files.insert(name.clone(), read(name)?);
        }
        Self::from_files(files)
    }

    /// Verifies and loads a bundle from its files by name, `manifest.json` among them.
    pub fn from_files(mut files: BTreeMap<String, Vec<u8>>) -> Result<Self, BundleError> {
        let manifest_bytes = files
            .remove(MANIFEST_FILE)
            .ok_or_else(|| BundleError::Missing(MANIFEST_FILE.to_string()))?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)?;
        if manifest.format != SUPPORTED_FORMAT {
            return Err(BundleError::UnsupportedFormat {
                found: manifest.format,
            });
        }
        for (name, entry) in &manifest.files {
            let bytes = files
                .get(name)
                .ok_or_else(|| BundleError::Missing(name.clone()))?;
            let actual = sha256_hex(bytes);
            if actual != entry.sha256 {
                return Err(BundleError::Checksum {
                    file: name.clone(),
                    expected: entry.sha256.clone(),
                    actual,
                });
            }
        }
        let mut take = |name: &'static str| {
            if !manifest.files.contains_key(name) {
                return Err(BundleError::Missing(name.to_string()));
            }
            files
                .remove(name)
                .ok_or_else(|| BundleError::Missing(name.to_string()))
        };
        let labels: LabelSets = serde_json::from_slice(&take(LABELS_FILE)?)?;
        if labels != manifest.labels {
            return Err(BundleError::Inconsistent(
                "labels.json differs from the manifest's labels".into(),
            ));
        }
        let vocabulary = Vocabulary::from_bytes(&take(VOCABULARY_FILE)?).map_err(|source| {
            BundleError::Format {
                file: VOCABULARY_FILE,
                source,
            }
        })?;
        let full = FullModel::new(&take(FULL_MODEL_FILE)?, vocabulary, labels)
            .map_err(|e| BundleError::Onnx(format!("{e:#}")))?;
        let distilled_bytes = take(DISTILLED_MODEL_FILE)?;
        let distilled =
            DistilledModel::from_bytes(&distilled_bytes).map_err(|source| BundleError::Format {
                file: DISTILLED_MODEL_FILE,
                source,
            })?;
        if distilled.labels() != manifest.labels.countries.as_slice() {
            return Err(BundleError::Inconsistent(
                "the distilled model's countries differ from the manifest's".into(),
            ));
        }
        // Optional: bundles written before the analytics page have none.
        let analytics = match files.remove(ANALYTICS_FILE) {
            Some(bytes) if manifest.files.contains_key(ANALYTICS_FILE) => {
                Some(Arc::new(serde_json::from_slice(&bytes).map_err(|e| {
                    BundleError::Inconsistent(format!("{ANALYTICS_FILE} is invalid: {e}"))
                })?))
            }
            _ => None,
        };
        Ok(Self {
            manifest,
            full,
            distilled,
            distilled_bytes,
            analytics,
        })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The bundle's version.
    pub fn version(&self) -> &str {
        &self.manifest.version
    }

    /// The full model.
    pub fn full(&self) -> &FullModel {
        &self.full
    }

    /// The distilled model.
    pub fn distilled(&self) -> &DistilledModel {
        &self.distilled
    }

    /// The full model's answer.
    pub fn predict(&self, text: &str) -> Result<Prediction, PredictError> {
        self.full.predict(text)
    }

    /// The distilled model's answer.
    pub fn predict_distilled(&self, text: &str) -> Result<Prediction, PredictError> {
        Ok(self.distilled.predict(text)?)
    }

    /// The distilled model file, as served to browsers.
    pub fn distilled_bytes(&self) -> &[u8] {
        &self.distilled_bytes
    }

    /// Aggregates of the training data for the analytics page, when the bundle has them.
    pub fn analytics(&self) -> Option<&Arc<DatasetSummary>> {
        self.analytics.as_ref()
    }

    /// SHA-256 of the distilled model file.
    pub fn distilled_sha256(&self) -> &str {
        self.manifest
            .files
            .get(DISTILLED_MODEL_FILE)
            .map(|entry| entry.sha256.as_str())
            .unwrap_or_default()
    }
}
