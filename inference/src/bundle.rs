//! A model bundle: manifest, full model, distilled model, all checksum-verified
//! against the bundle contract ([`vinovoyant_model::bundle`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vinovoyant_model::bundle::{
    self, ContractError, DISTILLED_MODEL_FILE, LABELS_FILE, MANIFEST_FILE, OPTIONAL_FILES,
    VOCABULARY_FILE,
};
use vinovoyant_model::manifest::LabelSets;
use vinovoyant_model::{DistilledModel, FormatError, Knowledge, Manifest, Prediction, Vocabulary};

use crate::full::{FullModel, PredictError};
use crate::graph_file::{self, UnpackError};

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
    /// The files break the bundle contract: a format this build does not read,
    /// an unsafe file name, a missing file or a checksum mismatch.
    #[error(transparent)]
    Contract(#[from] ContractError),
    /// A model file is malformed.
    #[error("{file} is malformed: {source}")]
    Format {
        /// The file.
        file: &'static str,
        /// The cause.
        source: FormatError,
    },
    /// The compressed ONNX graph of a format-4 bundle could not be unpacked.
    #[error("full.onnx.gz cannot be unpacked: {0}")]
    Unpack(#[from] UnpackError),
    /// The ONNX graph could not be loaded.
    #[error("the full model's ONNX graph cannot be loaded: {0}")]
    Onnx(String),
    /// The files disagree with each other.
    #[error("bundle is inconsistent: {0}")]
    Inconsistent(String),
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

/// The full model's knowledge: the distilled model's names (the bundle ships them
/// once, in `distilled.bin`) at the manifest's country weight. The distilled
/// model's own weight must be the manifest's.
fn full_model_knowledge(
    manifest: &Manifest,
    distilled: &DistilledModel,
) -> Result<Knowledge, BundleError> {
    let weights = manifest
        .training
        .knowledge
        .as_ref()
        .map(|record| record.weights)
        .unwrap_or_default();
    if distilled.knowledge().weight() != weights.distilled {
        return Err(BundleError::Inconsistent(
            "the distilled model's knowledge weight differs from the manifest's".into(),
        ));
    }
    distilled
        .knowledge()
        .with_weight(weights.country)
        .map_err(|source| BundleError::Format {
            file: MANIFEST_FILE,
            source,
        })
}

/// A verified, loaded model bundle.
#[derive(Debug)]
pub struct Bundle {
    manifest: Manifest,
    full: FullModel,
    distilled: DistilledModel,
    distilled_bytes: Vec<u8>,
    /// The optional files the bundle has ([`bundle::OPTIONAL_FILES`]), unparsed.
    extra: BTreeMap<String, Vec<u8>>,
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
        // Refused before megabytes of model files are read for nothing.
        bundle::check_format(manifest.format)?;
        let mut files = BTreeMap::new();
        files.insert(MANIFEST_FILE.to_string(), manifest_bytes);
        for name in manifest.files.keys() {
            bundle::check_file_name(name)?;
            files.insert(name.clone(), read(name)?);
        }
        Self::from_files(files)
    }

    /// Verifies and loads a bundle from its files by name, `manifest.json` among them.
    pub fn from_files(mut files: BTreeMap<String, Vec<u8>>) -> Result<Self, BundleError> {
        let manifest_bytes = files
            .remove(MANIFEST_FILE)
            .ok_or_else(|| ContractError::Missing(MANIFEST_FILE.to_string()))?;
        let manifest: Manifest = serde_json::from_slice(&manifest_bytes)?;
        bundle::verify(&manifest, &files)?;
        // `verify` saw every required file listed and present.
        let mut take = |name: &'static str| {
            files
                .remove(name)
                .ok_or_else(|| ContractError::Missing(name.to_string()))
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
        let calibration = manifest
            .training
            .top_calibration
            .clone()
            .unwrap_or_default();
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
        if *distilled.calibration() != calibration.distilled {
            return Err(BundleError::Inconsistent(
                "the distilled model's calibration differs from the manifest's".into(),
            ));
        }
        let knowledge = full_model_knowledge(&manifest, &distilled)?;
        let graph = graph_file::graph_of(
            manifest.format,
            take(bundle::full_model_file(manifest.format))?,
        )?;
        let full = FullModel::new(&graph, vocabulary, labels, calibration.clone(), knowledge)
            .map_err(|e| BundleError::Onnx(format!("{e:#}")))?;
        // Optional files are handed on as bytes; whoever draws from them parses them.
        let extra = OPTIONAL_FILES
            .iter()
            .filter(|name| manifest.files.contains_key(**name))
            .filter_map(|name| Some((name.to_string(), files.remove(*name)?)))
            .collect();
        Ok(Self {
            manifest,
            full,
            distilled,
            distilled_bytes,
            extra,
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

    /// The bytes of an optional file ([`bundle::OPTIONAL_FILES`], such as
    /// `analytics.json`), checksum-verified, when the bundle has it. The runtime
    /// does not read them: whoever uses the file parses it.
    pub fn extra_file(&self, name: &str) -> Option<&[u8]> {
        self.extra.get(name).map(Vec::as_slice)
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

#[cfg(test)]
mod tests {
    use vinovoyant_model::bundle::{ANALYTICS_FILE, FORMAT};

    use super::*;

    /// The committed bundle's files, its manifest changed by `edit`.
    fn with_manifest(edit: impl FnOnce(&mut serde_json::Value)) -> BTreeMap<String, Vec<u8>> {
        let mut files = committed_files();
        let mut manifest = serde_json::from_slice(&files[MANIFEST_FILE]).unwrap();
        edit(&mut manifest);
        files.insert(
            MANIFEST_FILE.to_string(),
            serde_json::to_vec(&manifest).unwrap(),
        );
        files
    }

    /// The committed bundle's files by name.
    fn committed_files() -> BTreeMap<String, Vec<u8>> {
        let dir = default_model_dir();
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| {
                let entry = entry.unwrap();
                let name = entry.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(entry.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn the_committed_bundle_is_of_the_current_format_and_hands_on_its_analytics() {
        let bundle = Bundle::from_files(committed_files()).unwrap();
        assert_eq!(bundle.manifest().format, FORMAT);
        let analytics = bundle.extra_file(ANALYTICS_FILE).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(analytics).is_ok());
        assert_eq!(bundle.extra_file(LABELS_FILE), None);
    }

    #[test]
    fn the_committed_browser_model_fits_its_download_budget() {
        // Issue 19: the browser model is at most 300 KB gzipped (the page's own
        // budget, brotli on the wire, is checked by bench/first-load.mjs).
        const GZIP_BUDGET: usize = 300_000;
        use std::io::Write;
        let files = committed_files();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&files[DISTILLED_MODEL_FILE]).unwrap();
        let gzipped = gzip.finish().unwrap().len();
        assert!(gzipped <= GZIP_BUDGET, "{gzipped} bytes gzipped");
    }

    #[test]
    fn an_unsupported_format_is_refused_and_the_supported_ones_named() {
        let files = with_manifest(|manifest| manifest["format"] = 1.into());
        let error = Bundle::from_files(files).unwrap_err();
        assert!(
            matches!(
                error,
                BundleError::Contract(ContractError::UnsupportedFormat { found: 1 })
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("bundle format 1 is not supported (this build reads formats 2, 3, {FORMAT})")
        );
    }

    #[test]
    fn the_committed_bundle_answers_through_its_top_label_maps() {
        let mut files = committed_files();
        let bundle = Bundle::from_files(files.clone()).unwrap();
        let maps = bundle.manifest().training.top_calibration.clone().unwrap();
        assert!(!maps.country.is_identity() && !maps.distilled.is_identity());
        assert_eq!(bundle.distilled().calibration(), &maps.distilled);
        let packed = files.remove(bundle::PACKED_FULL_MODEL_FILE).unwrap();
        let graph_only = FullModel::new(
            &graph_file::unpack(&packed).unwrap(),
            bundle.full().vocabulary().clone(),
            bundle.manifest().labels.clone(),
            Default::default(),
            Default::default(),
        )
        .unwrap();
        let note =
            "Nebbiolo: dried cherry, tar and roses; firm tannins and a long, savoury finish.";
        let (calibrated, raw) = (
            bundle.full().scores(note).unwrap(),
            graph_only.scores(note).unwrap(),
        );
        let knowledge = bundle.full().knowledge();
        let named = knowledge.named(&vinovoyant_model::tokenize(note));
        assert!(knowledge.weight() > 0.0 && !named.is_empty());
        let mut expected = raw.countries.clone();
        knowledge.reweigh(&named, &mut expected);
        maps.country.apply(&mut expected);
        assert_eq!(calibrated.countries, expected);
        let mut varieties = raw.varieties.clone();
        maps.variety.apply(&mut varieties);
        assert_eq!(calibrated.varieties, varieties);
        // each province stays the same share of its country
        let countries_of = &bundle.manifest().labels.province_countries;
        for (p, &c) in countries_of.iter().enumerate() {
            let c = c as usize;
            if raw.countries[c] <= 0.0 {
                continue;
            }
            let share = raw.provinces[p] / raw.countries[c];
            let now = calibrated.provinces[p] / calibrated.countries[c];
            assert!(
                (now - share).abs() <= 1e-4 * share.max(1e-3),
                "{p}: {now} vs {share}"
            );
        }
    }

    /// `files` with the full model's file replaced by `name` holding `bytes`, and
    /// the manifest saying `format` and listing them with their checksum.
    fn with_full_model(
        mut files: BTreeMap<String, Vec<u8>>,
        format: u32,
        name: &str,
        bytes: Vec<u8>,
    ) -> BTreeMap<String, Vec<u8>> {
        let mut manifest: serde_json::Value =
            serde_json::from_slice(&files[MANIFEST_FILE]).unwrap();
        let listed = manifest["files"].as_object_mut().unwrap();
        listed.remove(bundle::PACKED_FULL_MODEL_FILE);
        listed.insert(
            name.to_string(),
            serde_json::to_value(vinovoyant_model::manifest::FileEntry::of(&bytes)).unwrap(),
        );
        manifest["format"] = format.into();
        files.remove(bundle::PACKED_FULL_MODEL_FILE);
        files.insert(name.to_string(), bytes);
        files.insert(
            MANIFEST_FILE.to_string(),
            serde_json::to_vec(&manifest).unwrap(),
        );
        files
    }

    #[test]
    fn a_format_3_bundle_with_its_graph_unpacked_answers_the_same() {
        let files = committed_files();
        let packed = Bundle::from_files(files.clone()).unwrap();
        let graph = graph_file::unpack(&files[bundle::PACKED_FULL_MODEL_FILE]).unwrap();
        let unpacked =
            Bundle::from_files(with_full_model(files, 3, bundle::FULL_MODEL_FILE, graph)).unwrap();
        assert_eq!(unpacked.manifest().format, 3);
        let note = "Crisp lime, slate and petrol; off-dry with racy acidity.";
        assert_eq!(
            packed.full().scores(note).unwrap().countries,
            unpacked.full().scores(note).unwrap().countries
        );
    }

    #[test]
    fn a_format_4_bundle_whose_graph_is_not_packed_is_refused() {
        let files = committed_files();
        let graph = graph_file::unpack(&files[bundle::PACKED_FULL_MODEL_FILE]).unwrap();
        // Listed with its own checksum, so only the unpacking can catch it.
        let files = with_full_model(files, 4, bundle::PACKED_FULL_MODEL_FILE, graph.clone());
        let error = Bundle::from_files(files.clone()).unwrap_err();
        assert!(matches!(error, BundleError::Unpack(_)), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("full.onnx.gz cannot be unpacked")
        );
        // ... and a format-4 manifest that lists the graph unpacked lacks its file.
        let files = with_full_model(files, 4, bundle::FULL_MODEL_FILE, graph);
        let error = Bundle::from_files(files).unwrap_err();
        assert!(
            matches!(error, BundleError::Contract(ContractError::Missing(ref f)) if f == "full.onnx.gz"),
            "{error:?}"
        );
    }

    #[test]
    fn a_distilled_model_whose_knowledge_weight_is_not_the_manifests_is_refused() {
        let files = with_manifest(|manifest| {
            manifest["training"]["knowledge"]["weights"]["distilled"] = 0.0.into()
        });
        let error = Bundle::from_files(files).unwrap_err();
        assert!(
            matches!(error, BundleError::Inconsistent(ref why) if why.contains("knowledge")),
            "{error:?}"
        );
    }

    #[test]
    fn a_distilled_model_whose_map_is_not_the_manifests_is_refused() {
        let files = with_manifest(|manifest| {
            manifest["training"]["top_calibration"]["distilled"] = serde_json::json!([])
        });
        let error = Bundle::from_files(files).unwrap_err();
        assert!(
            matches!(error, BundleError::Inconsistent(ref why) if why.contains("calibration")),
            "{error:?}"
        );
    }
}
