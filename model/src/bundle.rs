//! The bundle contract: what a model bundle is, for the trainer that writes
//! bundles, the inference crate that reads them and the store that publishes them.
//!
//! A bundle is `manifest.json` plus the files its `files` map lists, each with its
//! SHA-256. Its [`FORMAT`] is raised whenever a file changes meaning, and a reader
//! refuses formats outside [`SUPPORTED_FORMATS`]. The full model's ONNX graph is
//! written and read by the names in [`graph`], never by position.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::manifest::{FileEntry, Manifest};

/// Name of the manifest file in a bundle.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Name of the full model (the ONNX graph as is) in bundles of formats 2 and 3.
pub const FULL_MODEL_FILE: &str = "full.onnx";
/// Name of the full model in bundles of format 4 on: the ONNX graph, gzip-compressed.
/// Its four-bit weights are mostly zero nibbles, which gzip halves, and the
/// committed bundle stays within its 10 MB.
pub const PACKED_FULL_MODEL_FILE: &str = "full.onnx.gz";
/// Name of the full model's feature vocabulary in a bundle.
pub const VOCABULARY_FILE: &str = "vocabulary.bin";
/// Name of the distilled model in a bundle.
pub const DISTILLED_MODEL_FILE: &str = "distilled.bin";
/// Name of the label sets in a bundle.
pub const LABELS_FILE: &str = "labels.json";
/// Name of the training data's aggregates in a bundle (optional: older bundles lack it),
/// which serve the analytics page when no data set is configured.
pub const ANALYTICS_FILE: &str = "analytics.json";

/// Bundle format the trainer writes.
///
/// 2: `province_probabilities` are `P(country) · P(province | country)`, so they sum
/// to the probability of the countries with provinces. Format 1 graphs may give the
/// province head's own softmax, which sums to one, so they are not read.
///
/// 3: the answers are the graph's probabilities mapped by the manifest's
/// `training.top_calibration` (see [`crate::calibration`]); a reader of format 2
/// alone would serve them uncalibrated, so it refuses them. Format 2 bundles have
/// no maps and still load.
///
/// 4: the full model is [`PACKED_FULL_MODEL_FILE`], the same graph gzip-compressed
/// (see [`full_model_file`]); its checksum is that of the compressed bytes.
pub const FORMAT: u32 = 4;

/// Bundle formats a reader of this build accepts.
pub const SUPPORTED_FORMATS: &[u32] = &[2, 3, FORMAT];

/// The file that holds the full model in a bundle of `format`:
/// [`PACKED_FULL_MODEL_FILE`] from format 4 on, [`FULL_MODEL_FILE`] before.
pub fn full_model_file(format: u32) -> &'static str {
    if format >= 4 {
        PACKED_FULL_MODEL_FILE
    } else {
        FULL_MODEL_FILE
    }
}

/// Files every bundle of `format` lists in its manifest, besides the manifest itself.
pub fn required_files(format: u32) -> [&'static str; 4] {
    [
        LABELS_FILE,
        VOCABULARY_FILE,
        full_model_file(format),
        DISTILLED_MODEL_FILE,
    ]
}

/// Files a bundle may list; a reader hands them on as bytes, unparsed, to whoever
/// uses them (the analytics page reads `analytics.json`).
pub const OPTIONAL_FILES: [&str; 1] = [ANALYTICS_FILE];

/// The full model's ONNX graph: the names of its inputs and outputs.
///
/// Inputs are the sparse TF-IDF vector as parallel index (`i64`) and value (`f32`)
/// tensors, once for the country head and the variety head (length
/// [`COUNTRY_ENTRIES`]) and, when the bundle has provinces, once more for the
/// province head, which reads only the vocabulary's words and names (length
/// [`PROVINCE_ENTRIES`]).
pub mod graph {
    /// Feature indices read by the country head.
    pub const COUNTRY_INDICES: &str = "country_indices";
    /// Feature values read by the country head.
    pub const COUNTRY_VALUES: &str = "country_values";
    /// Feature indices read by the province head.
    pub const PROVINCE_INDICES: &str = "province_indices";
    /// Feature values read by the province head.
    pub const PROVINCE_VALUES: &str = "province_values";
    /// One probability per country, in the manifest's country order.
    pub const COUNTRY_PROBABILITIES: &str = "country_probabilities";
    /// One probability per province: `P(country) · P(province | country)`.
    pub const PROVINCE_PROBABILITIES: &str = "province_probabilities";
    /// One probability per grape variety, when the bundle has varieties. The
    /// variety head reads the country head's inputs, so it adds no input.
    pub const VARIETY_PROBABILITIES: &str = "variety_probabilities";
    /// `entries × countries`: each input entry's contribution to each country's
    /// logit, from which explanations are built.
    pub const COUNTRY_CONTRIBUTIONS: &str = "country_contributions";
    /// Symbolic length of the country head's inputs.
    pub const COUNTRY_ENTRIES: &str = "N";
    /// Symbolic length of the province head's inputs.
    pub const PROVINCE_ENTRIES: &str = "M";

    /// The graph's inputs in order, with or without the province head's.
    pub fn inputs(with_province: bool) -> &'static [&'static str] {
        if with_province {
            &[
                COUNTRY_INDICES,
                COUNTRY_VALUES,
                PROVINCE_INDICES,
                PROVINCE_VALUES,
            ]
        } else {
            &[COUNTRY_INDICES, COUNTRY_VALUES]
        }
    }

    /// The graph's outputs in order, with or without the province head and the
    /// variety head (last, so that graphs without it keep their order).
    pub fn outputs(with_province: bool, with_variety: bool) -> &'static [&'static str] {
        match (with_province, with_variety) {
            (true, true) => &[
                COUNTRY_PROBABILITIES,
                PROVINCE_PROBABILITIES,
                COUNTRY_CONTRIBUTIONS,
                VARIETY_PROBABILITIES,
            ],
            (true, false) => &[
                COUNTRY_PROBABILITIES,
                PROVINCE_PROBABILITIES,
                COUNTRY_CONTRIBUTIONS,
            ],
            (false, true) => &[
                COUNTRY_PROBABILITIES,
                COUNTRY_CONTRIBUTIONS,
                VARIETY_PROBABILITIES,
            ],
            (false, false) => &[COUNTRY_PROBABILITIES, COUNTRY_CONTRIBUTIONS],
        }
    }
}

/// Why a set of files is not a bundle of this contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractError {
    /// The bundle was written in a format this build does not read.
    #[error(
        "bundle format {found} is not supported (this build reads {})",
        supported()
    )]
    UnsupportedFormat {
        /// The format found.
        found: u32,
    },
    /// The manifest names a file that is not a plain name in the bundle's folder
    /// (a path such as `../../etc/passwd`): such a file is never read.
    #[error("manifest.json names {0:?}, which is not a plain file name in the bundle folder")]
    UnsafeFileName(String),
    /// A file the manifest or the contract needs is absent.
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
}

/// The supported formats in words, for messages: "format 2", "formats 2, 3".
fn supported() -> String {
    let list: Vec<String> = SUPPORTED_FORMATS.iter().map(u32::to_string).collect();
    match list.len() {
        1 => format!("format {}", list[0]),
        _ => format!("formats {}", list.join(", ")),
    }
}

/// Lower-case hex SHA-256 of `bytes`: the checksum of every bundle file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Whether `name` is safe as a bundle file name, a version or a channel: one path
/// segment of letters, digits, `.`, `_` and `-`, not starting with `.` (so never `..`
/// and never a hidden file), at most 128 bytes. A manifest names files to read and
/// write beside it; a name outside this rule could reach outside the bundle's folder.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Refuses a format this build does not read.
pub fn check_format(format: u32) -> Result<(), ContractError> {
    if SUPPORTED_FORMATS.contains(&format) {
        Ok(())
    } else {
        Err(ContractError::UnsupportedFormat { found: format })
    }
}

/// Refuses a manifest file name that could reach outside the bundle's folder, or
/// that names the manifest itself.
pub fn check_file_name(name: &str) -> Result<(), ContractError> {
    if is_plain_name(name) && name != MANIFEST_FILE {
        Ok(())
    } else {
        Err(ContractError::UnsafeFileName(name.to_string()))
    }
}

impl FileEntry {
    /// The entry a manifest lists for `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self {
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }

    /// Refuses `bytes` (of the file `name`) unless they hash to this entry's SHA-256.
    pub fn check(&self, name: &str, bytes: &[u8]) -> Result<(), ContractError> {
        match self.mismatch(bytes) {
            None => Ok(()),
            Some(actual) => Err(ContractError::Checksum {
                file: name.to_string(),
                expected: self.sha256.clone(),
                actual,
            }),
        }
    }

    /// The SHA-256 of `bytes` when it is not this entry's; `None` when they match.
    /// For readers (such as the model store) that report a mismatch in their own
    /// terms.
    pub fn mismatch(&self, bytes: &[u8]) -> Option<String> {
        let actual = sha256_hex(bytes);
        (actual != self.sha256).then_some(actual)
    }
}

/// What a manifest must say before any file is read: a format this build reads,
/// plain file names, and every file of [`required_files`] among `listed`.
pub fn check_listing(format: u32, listed: &[&str]) -> Result<(), ContractError> {
    check_format(format)?;
    for name in listed {
        check_file_name(name)?;
    }
    match required_files(format)
        .iter()
        .find(|name| !listed.contains(name))
    {
        Some(missing) => Err(ContractError::Missing((*missing).to_string())),
        None => Ok(()),
    }
}

/// Checks `files` (by name, the manifest's own bytes not among them) against
/// `manifest`: a supported format, plain names, every required file listed, and
/// every listed file present with a matching SHA-256. Nothing of a bundle may be
/// used before this passes.
pub fn verify(manifest: &Manifest, files: &BTreeMap<String, Vec<u8>>) -> Result<(), ContractError> {
    let listed: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
    check_listing(manifest.format, &listed)?;
    for (name, entry) in &manifest.files {
        let bytes = files
            .get(name)
            .ok_or_else(|| ContractError::Missing(name.clone()))?;
        entry.check(name, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_in_their_folder() {
        for good in [
            "full.onnx",
            "manifest.json",
            "20261203-120000-abc",
            "a_b-c.d",
        ] {
            assert!(is_plain_name(good), "{good}");
        }
        for bad in [
            "",
            "..",
            "../../etc/passwd",
            "/etc/passwd",
            "sub/file.bin",
            "sub\\file.bin",
            ".hidden",
            "naïve.bin",
            "a b",
            &"x".repeat(129),
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn sha256_is_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_unsupported_format_is_refused_with_the_supported_ones() {
        assert_eq!(check_format(FORMAT), Ok(()));
        assert_eq!(check_format(2), Ok(()));
        let error = check_format(1).unwrap_err();
        assert_eq!(error, ContractError::UnsupportedFormat { found: 1 });
        assert_eq!(
            error.to_string(),
            format!("bundle format 1 is not supported (this build reads formats 2, 3, {FORMAT})")
        );
    }

    #[test]
    fn format_4_bundles_hold_the_graph_compressed() {
        assert_eq!(full_model_file(2), FULL_MODEL_FILE);
        assert_eq!(full_model_file(3), FULL_MODEL_FILE);
        assert_eq!(full_model_file(4), PACKED_FULL_MODEL_FILE);
        let format_3 = [
            "labels.json",
            "vocabulary.bin",
            "full.onnx",
            "distilled.bin",
        ];
        assert_eq!(check_listing(3, &format_3), Ok(()));
        assert_eq!(
            check_listing(4, &format_3),
            Err(ContractError::Missing(PACKED_FULL_MODEL_FILE.to_string()))
        );
        let format_4 = [
            "labels.json",
            "vocabulary.bin",
            "full.onnx.gz",
            "distilled.bin",
        ];
        assert_eq!(check_listing(4, &format_4), Ok(()));
        assert_eq!(
            check_listing(3, &format_4),
            Err(ContractError::Missing(FULL_MODEL_FILE.to_string()))
        );
    }

    #[test]
    fn a_file_entry_checks_its_bytes() {
        let entry = FileEntry::of(b"weights");
        assert_eq!(entry.bytes, 7);
        assert_eq!(entry.check("full.onnx", b"weights"), Ok(()));
        match entry.check("full.onnx", b"weightz") {
            Err(ContractError::Checksum { file, expected, .. }) => {
                assert_eq!(file, "full.onnx");
                assert_eq!(expected, entry.sha256);
            }
            other => panic!("expected a checksum error, got {other:?}"),
        }
    }

    #[test]
    fn the_manifest_is_not_a_listed_file() {
        assert!(check_file_name(FULL_MODEL_FILE).is_ok());
        assert_eq!(
            check_file_name(MANIFEST_FILE),
            Err(ContractError::UnsafeFileName(MANIFEST_FILE.to_string()))
        );
    }

    #[test]
    fn the_graph_names_its_province_tensors_only_with_provinces() {
        assert_eq!(
            graph::inputs(false),
            [graph::COUNTRY_INDICES, graph::COUNTRY_VALUES]
        );
        assert_eq!(graph::inputs(true).len(), 4);
        assert_eq!(graph::outputs(false, false).len(), 2);
        assert_eq!(
            graph::outputs(true, false)[1],
            graph::PROVINCE_PROBABILITIES
        );
        assert_eq!(
            graph::outputs(true, true).last(),
            Some(&graph::VARIETY_PROBABILITIES)
        );
        assert_eq!(graph::outputs(false, true)[1], graph::COUNTRY_CONTRIBUTIONS);
    }
}
