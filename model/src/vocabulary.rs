//! The full model's feature vocabulary: which hashed n-grams it reads, and their IDF.
//!
//! # File format (`vocabulary.bin`, all numbers little-endian)
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `VVFV` |
//! | 2 | format version, `1` |
//! | 1, 1, 1 | `word_ngram_max`, `char_ngram_min`, `char_ngram_max` |
//! | 1 | proper-noun group: `1` on, `0` off |
//! | 4 | number of features `F` |
//! | 4 | province features `P ≤ F`: the province head reads only features `0..P` |
//! | F × 12 | each feature: FNV-1a hash (u64), then IDF (f32); its index is its position |

use nohash_hasher::IntMap;

use crate::features::{FeatureSpec, Featurized, featurize};
use crate::format::FormatError;
use crate::text::InputError;

const MAGIC: &[u8; 4] = b"VVFV";
const VERSION: u16 = 1;

/// The n-grams the full model knows, with their IDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    spec: FeatureSpec,
    province_features: u32,
    /// Feature hashes are already well mixed (FNV-1a), so the map uses them as is
    /// instead of hashing them again: this lookup runs once per n-gram of a text.
    /// It holds each feature's IDF beside its index, so a lookup touches one place
    /// in memory, not two (the entry is 16 bytes either way). It is the only copy
    /// of the features: `to_bytes` puts them back in index order.
    index: IntMap<u64, (u32, f32)>,
}

impl Vocabulary {
    /// Builds a vocabulary; feature `i` is `hashes[i]` with IDF `idf[i]`.
    pub fn new(
        spec: FeatureSpec,
        hashes: Vec<u64>,
        idf: Vec<f32>,
        province_features: u32,
    ) -> Result<Self, FormatError> {
        if hashes.len() != idf.len() || province_features as usize > hashes.len() {
            return Err(FormatError::Invalid("vocabulary sizes do not match"));
        }
        if u32::try_from(hashes.len()).is_err() {
            return Err(FormatError::Invalid("too many features"));
        }
        let index: IntMap<u64, (u32, f32)> = hashes
            .iter()
            .zip(&idf)
            .enumerate()
            .map(|(i, (&h, &idf))| (h, (i as u32, idf)))
            .collect();
        if index.len() != hashes.len() {
            return Err(FormatError::Invalid("duplicate feature hash"));
        }
        Ok(Self {
            spec,
            province_features,
            index,
        })
    }

    /// Reads a vocabulary from its file format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        if bytes.len() < 18 {
            return Err(FormatError::Truncated);
        }
        if &bytes[..4] != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != VERSION {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let spec = FeatureSpec::from_header([bytes[6], bytes[7], bytes[8], bytes[9]])?;
        let count = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
        let province_features = u32::from_le_bytes([bytes[14], bytes[15], bytes[16], bytes[17]]);
        let body = &bytes[18..];
        let expected = count
            .checked_mul(12)
            .ok_or(FormatError::Invalid("too many features"))?;
        if body.len() < expected {
            return Err(FormatError::Truncated);
        }
        if body.len() > expected {
            return Err(FormatError::TrailingBytes(body.len() - expected));
        }
        let (hashes, idf) = body
            .chunks_exact(12)
            .map(|c| {
                let hash = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
                (hash, f32::from_le_bytes([c[8], c[9], c[10], c[11]]))
            })
            .unzip();
        Self::new(spec, hashes, idf, province_features)
    }

    /// Writes the vocabulary in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut features: Vec<(u32, u64, f32)> = self
            .index
            .iter()
            .map(|(&hash, &(i, idf))| (i, hash, idf))
            .collect();
        features.sort_unstable_by_key(|&(i, _, _)| i);
        let mut out = Vec::with_capacity(18 + features.len() * 12);
        out.extend_from_slice(&self.spec.header(MAGIC, VERSION));
        out.extend_from_slice(&(features.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.province_features.to_le_bytes());
        for (_, hash, idf) in features {
            out.extend_from_slice(&hash.to_le_bytes());
            out.extend_from_slice(&idf.to_le_bytes());
        }
        out
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// True for a vocabulary with no features.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The province head reads features `0..province_features()`.
    pub fn province_features(&self) -> u32 {
        self.province_features
    }

    /// The n-grams this vocabulary is made of.
    pub fn spec(&self) -> FeatureSpec {
        self.spec
    }

    /// Reads a description into a TF-IDF vector over this vocabulary.
    pub fn featurize(&self, text: &str) -> Result<Featurized, InputError> {
        featurize(text, &self.spec, |hit| self.index.get(&hit.hash).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::extract;
    use crate::text::tokenize;

    #[test]
    fn round_trips_and_reads_known_features_only() {
        let spec = FeatureSpec {
            word_ngram_max: 2,
            char_ngram_min: 2,
            char_ngram_max: 4,
            proper_nouns: true,
        };
        let hits = extract(&tokenize("ripe cherry"), &spec);
        let hashes: Vec<u64> = hits.iter().take(3).map(|h| h.hash).collect();
        let vocabulary = Vocabulary::new(spec, hashes, vec![1.0, 2.0, 3.0], 2).unwrap();
        let read = Vocabulary::from_bytes(&vocabulary.to_bytes()).unwrap();
        assert_eq!(read, vocabulary);
        let featurized = read.featurize("Ripe cherry and plum").unwrap();
        assert_eq!(featurized.vector.len(), 3);
        assert!(
            featurized
                .vector
                .entry_of_hit
                .iter()
                .filter(|e| e.is_none())
                .count()
                > 10
        );
        let bytes = vocabulary.to_bytes();
        assert_eq!(
            Vocabulary::from_bytes(&bytes[..bytes.len() - 1]),
            Err(FormatError::Truncated)
        );
    }
}
