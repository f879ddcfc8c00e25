//! The distilled model's file, `distilled.bin`: every browser downloads it, so
//! its layout is chosen for the size after brotli.
//!
//! # Layout (all fixed-width numbers little-endian)
//!
//! | bytes | field |
//! |---|---|
//! | 4 | magic `VVDM` |
//! | 2 | format version, [`VERSION`] (older versions: see below) |
//! | 1, 1, 1 | `word_ngram_max`, `char_ngram_min`, `char_ngram_max` |
//! | 1 | proper-noun group: `1` on, `0` off (its n-grams share the word buckets) |
//! | 4, 4 | word buckets `W`, character buckets `C` |
//! | 2 | number of classes `K` |
//! | 4 | temperature (f32): logits are divided by it before the softmax |
//! | 4, 4 | IDF quantisation: `idf = min + q * step` (f32, f32) |
//! | K × (2 + n) | labels: byte length (u16), then UTF-8 |
//! | W + C | quantised IDF `q` of each bucket (u8) |
//! | 4 K | per-class weight scale (f32) |
//! | 4 K | per-class bias (f32) |
//! | K × (W + C) | weights (i8), class-major: `weight = q * scale[class]` |
//! | 4 | number of lexicon words `L` |
//! | varies | their fingerprints ([`crate::lexicon::fingerprint`]), strictly ascending, each stored as its difference from the one before (the first from 0) in LEB128 |
//! | L | their weights of evidence (u8, 1 to 255, in 1/255 steps) |
//! | 1 | number of top-label calibration knots `N` (0: none) |
//! | 8 N | the knots: confidence, share right (f32, f32), by rising confidence |
//! | 4 | knowledge weight (f32, see [`crate::knowledge`]) |
//! | 2 | number of knowledge names `M` |
//! | M × (3 + n) | each name: its country's class (u16), byte length (u8), normalised UTF-8 |
//!
//! Class-major weights put each class's run of similar numbers together, and
//! differences of sorted fingerprints need about 20 bits where the fingerprints
//! take 32; brotli turns both into fewer bytes.
//!
//! Older versions still load: version 4 has no knowledge (no name raises its
//! country); version 3 has no calibration knots (its
//! probabilities are the softmax's alone); version 2 stores the weights bucket-major and the
//! fingerprints as plain u32; version 1 has no lexicon at all (its model answers
//! every text with words, as before the not-a-tasting-note rule).

use super::DistilledModel;
use crate::calibration::{Knot, TopCalibration};
use crate::features::FeatureSpec;
use crate::format::FormatError;
use crate::knowledge::Knowledge;
use crate::lexicon::Lexicon;

const MAGIC: &[u8; 4] = b"VVDM";
/// The format version this build writes.
pub const VERSION: u16 = 5;
/// Before the knowledge: still read.
const VERSION_WITHOUT_KNOWLEDGE: u16 = 4;
/// Before the top-label calibration: still read.
const VERSION_UNCALIBRATED: u16 = 3;
/// Weights bucket-major, fingerprints as plain u32: still read.
const VERSION_PLAIN: u16 = 2;
/// The format before the lexicon: still read.
const VERSION_WITHOUT_LEXICON: u16 = 1;

impl DistilledModel {
    /// Reads a model from its file format (any version this build knows).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(4)? != MAGIC {
            return Err(FormatError::BadMagic);
        }
        let version = reader.u16()?;
        if !matches!(
            version,
            VERSION
                | VERSION_WITHOUT_KNOWLEDGE
                | VERSION_UNCALIBRATED
                | VERSION_PLAIN
                | VERSION_WITHOUT_LEXICON
        ) {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let spec =
            FeatureSpec::from_header([reader.u8()?, reader.u8()?, reader.u8()?, reader.u8()?])?;
        let word_buckets = reader.u32()?;
        let char_buckets = reader.u32()?;
        let classes = reader.u16()? as usize;
        let temperature = reader.f32()?;
        let idf_min = reader.f32()?;
        let idf_step = reader.f32()?;
        if word_buckets == 0 || classes == 0 || spec.char_ngram_max < spec.char_ngram_min {
            return Err(FormatError::Invalid("empty model or bad n-gram range"));
        }
        if spec.char_ngram_min > 0 && char_buckets == 0 {
            return Err(FormatError::Invalid("character n-grams without buckets"));
        }
        if !(temperature.is_finite() && temperature > 0.0) {
            return Err(FormatError::Invalid("temperature must be positive"));
        }
        let labels = (0..classes)
            .map(|_| {
                let len = reader.u16()? as usize;
                String::from_utf8(reader.take(len)?.to_vec())
                    .map_err(|_| FormatError::Invalid("label is not UTF-8"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let buckets = word_buckets as usize + char_buckets as usize;
        let idf = reader.take(buckets)?.to_vec();
        let scales = (0..classes)
            .map(|_| reader.f32())
            .collect::<Result<_, _>>()?;
        let bias = (0..classes)
            .map(|_| reader.f32())
            .collect::<Result<_, _>>()?;
        let weight_count = buckets
            .checked_mul(classes)
            .ok_or(FormatError::Invalid("too many weights"))?;
        let stored = reader.take(weight_count)?;
        let weights = if version >= VERSION_UNCALIBRATED {
            transpose(stored, classes, buckets)
        } else {
            stored.iter().map(|&b| b as i8).collect()
        };
        let lexicon = match version {
            VERSION_WITHOUT_LEXICON => Lexicon::default(),
            version => read_lexicon(&mut reader, version == VERSION_PLAIN)?,
        };
        let calibration = if version >= VERSION_WITHOUT_KNOWLEDGE {
            read_calibration(&mut reader)?
        } else {
            TopCalibration::identity()
        };
        let knowledge = if version == VERSION {
            read_knowledge(&mut reader, classes)?
        } else {
            Knowledge::default()
        };
        let trailing = bytes.len() - reader.at;
        if trailing > 0 {
            return Err(FormatError::TrailingBytes(trailing));
        }
        Ok(Self {
            spec,
            word_buckets,
            char_buckets,
            labels,
            temperature,
            calibration,
            idf_min,
            idf_step,
            idf,
            scales,
            bias,
            weights,
            lexicon,
            knowledge,
        })
    }

    /// Writes the model in the current file format ([`VERSION`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.weights.len() + self.idf.len());
        out.extend_from_slice(&self.spec.header(MAGIC, VERSION));
        out.extend_from_slice(&self.word_buckets.to_le_bytes());
        out.extend_from_slice(&self.char_buckets.to_le_bytes());
        out.extend_from_slice(&(self.labels.len() as u16).to_le_bytes());
        for value in [self.temperature, self.idf_min, self.idf_step] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        for label in &self.labels {
            out.extend_from_slice(&(label.len() as u16).to_le_bytes());
            out.extend_from_slice(label.as_bytes());
        }
        out.extend_from_slice(&self.idf);
        for value in self.scales.iter().chain(&self.bias) {
            out.extend_from_slice(&value.to_le_bytes());
        }
        let classes = self.labels.len();
        for class in 0..classes {
            out.extend(
                self.weights
                    .iter()
                    .skip(class)
                    .step_by(classes)
                    .map(|&w| w as u8),
            );
        }
        write_lexicon(&self.lexicon, &mut out);
        write_calibration(&self.calibration, &mut out);
        write_knowledge(&self.knowledge, &mut out);
        out
    }
}

fn write_knowledge(knowledge: &Knowledge, out: &mut Vec<u8>) {
    out.extend_from_slice(&knowledge.weight().to_le_bytes());
    out.extend_from_slice(&(knowledge.len() as u16).to_le_bytes());
    for (name, country) in knowledge.names() {
        out.extend_from_slice(&country.to_le_bytes());
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
    }
}

/// Reads the knowledge; [`Knowledge::from_parts`] checks the weight and names.
fn read_knowledge(reader: &mut Reader, classes: usize) -> Result<Knowledge, FormatError> {
    let weight = reader.f32()?;
    let count = reader.u16()? as usize;
    let names = (0..count)
        .map(|_| {
            let country = reader.u16()?;
            if usize::from(country) >= classes {
                return Err(FormatError::Invalid(
                    "a knowledge name's country is not a class",
                ));
            }
            let len = reader.u8()? as usize;
            let name = String::from_utf8(reader.take(len)?.to_vec())
                .map_err(|_| FormatError::Invalid("a knowledge name is not UTF-8"))?;
            Ok((name, country))
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    Knowledge::from_parts(names, weight)
}

fn write_calibration(calibration: &TopCalibration, out: &mut Vec<u8>) {
    let knots = calibration.knots();
    out.push(knots.len() as u8);
    for knot in knots {
        out.extend_from_slice(&knot.confidence.to_le_bytes());
        out.extend_from_slice(&knot.right.to_le_bytes());
    }
}

/// Reads the knots; [`TopCalibration::new`] checks their count, range and order.
fn read_calibration(reader: &mut Reader) -> Result<TopCalibration, FormatError> {
    let count = reader.u8()? as usize;
    let knots = (0..count)
        .map(|_| {
            Ok(Knot {
                confidence: reader.f32()?,
                right: reader.f32()?,
            })
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    TopCalibration::new(knots)
}

/// Class-major stored weights to the bucket-major rows the model sums at run time.
fn transpose(stored: &[u8], classes: usize, buckets: usize) -> Vec<i8> {
    let mut weights = vec![0i8; stored.len()];
    for (class, run) in stored.chunks_exact(buckets).enumerate() {
        for (bucket, &byte) in run.iter().enumerate() {
            weights[bucket * classes + class] = byte as i8;
        }
    }
    weights
}

fn write_lexicon(lexicon: &Lexicon, out: &mut Vec<u8>) {
    out.extend_from_slice(&(lexicon.len() as u32).to_le_bytes());
    let mut previous = 0u32;
    for &fingerprint in lexicon.fingerprints() {
        write_leb128(fingerprint - previous, out);
        previous = fingerprint;
    }
    out.extend_from_slice(lexicon.weights());
}

/// Reads the lexicon: fingerprints as LEB128 differences, or (version 2) as plain
/// u32; [`Lexicon::from_parts`] checks their order and the weights.
fn read_lexicon(reader: &mut Reader, plain: bool) -> Result<Lexicon, FormatError> {
    let words = reader.u32()? as usize;
    // Every word takes two bytes at least: a count beyond the file is damage.
    if words.saturating_mul(2) > reader.remaining() {
        return Err(FormatError::Truncated);
    }
    let mut previous = 0u32;
    let fingerprints = (0..words)
        .map(|_| {
            if plain {
                return reader.u32();
            }
            previous = previous
                .checked_add(reader.leb128()?)
                .ok_or(FormatError::Invalid("lexicon fingerprint out of range"))?;
            Ok(previous)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Lexicon::from_parts(fingerprints, reader.take(words)?)
}

/// Unsigned LEB128: seven bits a byte, low bits first, high bit set on all but
/// the last byte.
fn write_leb128(mut value: u32, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self.at.checked_add(n).ok_or(FormatError::Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(FormatError::Truncated)?;
        self.at = end;
        Ok(slice)
    }
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_le_bytes([self.u8()?, self.u8()?]))
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, FormatError> {
        Ok(f32::from_bits(self.u32()?))
    }
    /// A u32 in LEB128 (see [`write_leb128`]): at most five bytes, no bits past 32.
    fn leb128(&mut self) -> Result<u32, FormatError> {
        let mut value = 0u32;
        for shift in (0..35).step_by(7) {
            let byte = self.u8()?;
            let bits = u32::from(byte & 0x7f);
            if shift == 28 && bits > 0x0f {
                return Err(FormatError::Invalid("lexicon fingerprint out of range"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(FormatError::Invalid("lexicon fingerprint out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny_model;
    use super::*;
    use crate::prediction::rank;

    /// The model in version 2's layout, as files written before version 3 hold it.
    fn version_2_bytes(model: &DistilledModel) -> Vec<u8> {
        let current = model.to_bytes();
        let weights_at = current.len() - model.weights.len() - trailer_len(model);
        let mut old = current[..weights_at].to_vec();
        old[4..6].copy_from_slice(&VERSION_PLAIN.to_le_bytes());
        old.extend(model.weights.iter().map(|&w| w as u8));
        old.extend_from_slice(&(model.lexicon.len() as u32).to_le_bytes());
        for fingerprint in model.lexicon.fingerprints() {
            old.extend_from_slice(&fingerprint.to_le_bytes());
        }
        old.extend_from_slice(model.lexicon.weights());
        old
    }

    fn lexicon_bytes(lexicon: &Lexicon) -> Vec<u8> {
        let mut out = Vec::new();
        write_lexicon(lexicon, &mut out);
        out
    }

    fn calibration_bytes(calibration: &TopCalibration) -> Vec<u8> {
        let mut out = Vec::new();
        write_calibration(calibration, &mut out);
        out
    }

    fn knowledge_bytes(knowledge: &Knowledge) -> Vec<u8> {
        let mut out = Vec::new();
        write_knowledge(knowledge, &mut out);
        out
    }

    /// Bytes after the weights: the lexicon, the calibration knots and the knowledge.
    fn trailer_len(model: &DistilledModel) -> usize {
        lexicon_bytes(&model.lexicon).len()
            + calibration_bytes(&model.calibration).len()
            + knowledge_bytes(&model.knowledge).len()
    }

    /// The tiny model as files before the knowledge load it.
    fn without_knowledge() -> DistilledModel {
        DistilledModel {
            knowledge: Knowledge::default(),
            ..tiny_model()
        }
    }

    /// The tiny model as files before the calibration knots load it.
    fn uncalibrated() -> DistilledModel {
        DistilledModel {
            calibration: TopCalibration::identity(),
            ..without_knowledge()
        }
    }

    #[test]
    fn round_trips_in_the_current_version() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), VERSION);
        assert_eq!(DistilledModel::from_bytes(&bytes).unwrap(), model);
    }

    #[test]
    fn stores_weights_class_major() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        let buckets = model.idf.len();
        let trailer = trailer_len(&model);
        let stored = &bytes[bytes.len() - trailer - 2 * buckets..bytes.len() - trailer];
        for bucket in 0..buckets {
            for class in 0..2 {
                assert_eq!(
                    stored[class * buckets + bucket] as i8,
                    model.weights[bucket * 2 + class]
                );
            }
        }
    }

    #[test]
    fn reads_version_4_files_without_knowledge() {
        let model = tiny_model();
        assert!(!model.knowledge.is_empty());
        let mut old = model.to_bytes();
        old.truncate(old.len() - knowledge_bytes(&model.knowledge).len());
        old[4..6].copy_from_slice(&VERSION_WITHOUT_KNOWLEDGE.to_le_bytes());
        let read = DistilledModel::from_bytes(&old).unwrap();
        assert_eq!(read, without_knowledge());
        // a named country gains on the others by the knowledge weight, in log-odds
        let text = "classic barolo with firm tannins";
        let raw = |model: DistilledModel| DistilledModel {
            calibration: TopCalibration::identity(),
            ..model
        };
        let (informed, plain) = (
            raw(model).probabilities(text).unwrap(),
            raw(read).probabilities(text).unwrap(),
        );
        let gain = (informed[1] / informed[0]) / (plain[1] / plain[0]);
        assert!((gain.ln() - 0.5).abs() < 1e-3, "{informed:?} vs {plain:?}");
    }

    #[test]
    fn rejects_knowledge_of_a_country_that_is_not_a_class() {
        let model = tiny_model();
        let mut bytes = model.to_bytes();
        let first = bytes.len() - knowledge_bytes(&model.knowledge).len() + 6;
        bytes[first..first + 2].copy_from_slice(&2u16.to_le_bytes());
        assert!(matches!(
            DistilledModel::from_bytes(&bytes),
            Err(FormatError::Invalid(_))
        ));
    }

    #[test]
    fn reads_version_3_files_without_calibration() {
        let model = without_knowledge();
        assert!(!model.calibration.is_identity());
        let mut old = model.to_bytes();
        old.truncate(
            old.len()
                - calibration_bytes(&model.calibration).len()
                - knowledge_bytes(&model.knowledge).len(),
        );
        old[4..6].copy_from_slice(&VERSION_UNCALIBRATED.to_le_bytes());
        let read = DistilledModel::from_bytes(&old).unwrap();
        assert_eq!(read, uncalibrated());
        // the knots change the probabilities, never the order
        let text = "classic bordeaux with firm tannins";
        let (calibrated, plain) = (
            model.probabilities(text).unwrap(),
            read.probabilities(text).unwrap(),
        );
        assert_ne!(calibrated, plain);
        assert_eq!(rank(&calibrated), rank(&plain));
    }

    #[test]
    fn rejects_knots_out_of_order() {
        let model = tiny_model();
        let mut bytes = model.to_bytes();
        let knots = bytes.len() - knowledge_bytes(&model.knowledge).len() - 16;
        // the first knot's confidence becomes 1, above the second's
        bytes[knots..knots + 4].copy_from_slice(&1.0f32.to_le_bytes());
        assert!(matches!(
            DistilledModel::from_bytes(&bytes),
            Err(FormatError::Invalid(_))
        ));
    }

    #[test]
    fn reads_version_2_files() {
        let model = uncalibrated();
        let old = version_2_bytes(&model);
        assert_ne!(old, model.to_bytes());
        assert_eq!(DistilledModel::from_bytes(&old).unwrap(), model);
    }

    #[test]
    fn version_1_files_load_without_a_lexicon_and_answer_everything() {
        let mut model = uncalibrated();
        model.lexicon = Lexicon::default();
        let mut bytes = version_2_bytes(&model);
        bytes.truncate(bytes.len() - 4);
        bytes[4..6].copy_from_slice(&VERSION_WITHOUT_LEXICON.to_le_bytes());
        let read = DistilledModel::from_bytes(&bytes).unwrap();
        assert_eq!(read, model);
        assert!(read.predict("asdf qwerty zzkx blorp").is_ok());
    }

    #[test]
    fn leb128_round_trips_the_whole_range_and_refuses_overflow() {
        for value in [0, 1, 127, 128, 16_383, 16_384, 1 << 28, u32::MAX] {
            let mut out = Vec::new();
            write_leb128(value, &mut out);
            let mut reader = Reader { bytes: &out, at: 0 };
            assert_eq!(reader.leb128(), Ok(value));
            assert_eq!(reader.remaining(), 0);
        }
        for bad in [&[0xff, 0xff, 0xff, 0xff, 0x1f][..], &[0x80; 6][..]] {
            let mut reader = Reader { bytes: bad, at: 0 };
            assert!(reader.leb128().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_damaged_files() {
        let bytes = tiny_model().to_bytes();
        assert_eq!(
            DistilledModel::from_bytes(&bytes[..10]),
            Err(FormatError::Truncated)
        );
        assert_eq!(
            DistilledModel::from_bytes(b"NOPE....."),
            Err(FormatError::BadMagic)
        );
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            DistilledModel::from_bytes(&long),
            Err(FormatError::TrailingBytes(1))
        );
        for cut in 0..bytes.len() {
            assert!(DistilledModel::from_bytes(&bytes[..cut]).is_err());
        }
        let mut future = bytes.clone();
        future[4..6].copy_from_slice(&(VERSION + 1).to_le_bytes());
        assert_eq!(
            DistilledModel::from_bytes(&future),
            Err(FormatError::UnsupportedVersion(VERSION + 1))
        );
    }

    #[test]
    fn rejects_a_lexicon_out_of_order() {
        let model = tiny_model();
        let mut bytes = model.to_bytes();
        let lexicon = lexicon_bytes(&model.lexicon);
        let at = bytes.len() - trailer_len(&model);
        // the second fingerprint's difference becomes 0: a repeated fingerprint
        let second = at + 4 + lexicon[4..].iter().position(|b| b & 0x80 == 0).unwrap() + 1;
        let mut damaged = bytes[..second].to_vec();
        damaged.push(0);
        let rest = bytes[second..].iter().position(|b| b & 0x80 == 0).unwrap();
        damaged.extend_from_slice(&bytes[second + rest + 1..]);
        assert_eq!(
            DistilledModel::from_bytes(&damaged),
            Err(FormatError::Invalid("lexicon is not in ascending order"))
        );
        bytes.truncate(at + 4);
        assert_eq!(
            DistilledModel::from_bytes(&bytes),
            Err(FormatError::Truncated)
        );
    }
}
