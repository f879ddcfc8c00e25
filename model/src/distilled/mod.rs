//! The distilled model: hashed features and small integer weights, little enough
//! to ship to the browser and fast enough to run at every keystroke.
//!
//! Its file, `distilled.bin`, is described in [`file`].
//!
//! A word n-gram with hash `h` falls in bucket `fold(h) % W`; a character n-gram in
//! `W + fold(h) % C`, where `fold(h) = h ^ (h >> 32)`.

pub mod file;

use crate::calibration::TopCalibration;
use crate::features::{FeatureHit, FeatureSpec, Featurized, Group, featurize};
use crate::format::FormatError;
use crate::knowledge::Knowledge;
use crate::lexicon::Lexicon;
use crate::prediction::{
    EXPLAINED_CLASSES, Prediction, Trace, explain, rank, ranked_labels, softmax,
};
use crate::text::{InputError, Token, tokenize, validate_description};

/// Weights are stored as integers from `-WEIGHT_STEPS` to `WEIGHT_STEPS` times a
/// scale per class: 19 values, which the compressed download pays for per bit;
/// more buckets buy more than finer steps do.
pub const WEIGHT_STEPS: f32 = 9.0;

/// Float weights of a trained hashed model, before quantisation.
#[derive(Debug, Clone)]
pub struct DistilledWeights {
    /// N-grams read.
    pub spec: FeatureSpec,
    /// Buckets for word n-grams.
    pub word_buckets: u32,
    /// Buckets for character n-grams.
    pub char_buckets: u32,
    /// Class names.
    pub labels: Vec<String>,
    /// Softmax temperature.
    pub temperature: f32,
    /// Top-label calibration applied after the softmax.
    pub calibration: TopCalibration,
    /// IDF of every bucket.
    pub idf: Vec<f32>,
    /// Weights, bucket-major (`idf.len() * labels.len()`).
    pub weights: Vec<f32>,
    /// Bias of each class.
    pub bias: Vec<f32>,
    /// Words known from wine writing, for the not-a-tasting-note rule.
    pub lexicon: Lexicon,
    /// Names that say where, and the weight a named country gets.
    pub knowledge: Knowledge,
}

/// The distilled country model, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct DistilledModel {
    spec: FeatureSpec,
    word_buckets: u32,
    char_buckets: u32,
    labels: Vec<String>,
    temperature: f32,
    calibration: TopCalibration,
    idf_min: f32,
    idf_step: f32,
    idf: Vec<u8>,
    scales: Vec<f32>,
    bias: Vec<f32>,
    weights: Vec<i8>,
    lexicon: Lexicon,
    knowledge: Knowledge,
}

/// Maps a hit to its bucket in a model with `word_buckets` and `char_buckets`.
pub fn bucket(hit: &FeatureHit, word_buckets: u32, char_buckets: u32) -> u32 {
    let folded = hit.hash ^ (hit.hash >> 32);
    match hit.group {
        Group::Word | Group::Proper => reduce(folded, word_buckets),
        Group::Char => word_buckets + reduce(folded, char_buckets),
    }
}

/// `value % buckets`, with a mask instead of a division when `buckets` is a power
/// of two (the same result, several times faster).
fn reduce(value: u64, buckets: u32) -> u32 {
    if buckets.is_power_of_two() {
        (value & u64::from(buckets - 1)) as u32
    } else {
        (value % u64::from(buckets)) as u32
    }
}

impl DistilledModel {
    /// Quantises trained float weights: IDF to 8 bits, weights to
    /// [`WEIGHT_STEPS`] steps either side of zero with one scale per class.
    pub fn quantize(trained: &DistilledWeights) -> Result<Self, FormatError> {
        let classes = trained.labels.len();
        let buckets = (trained.word_buckets + trained.char_buckets) as usize;
        if classes == 0
            || trained.idf.len() != buckets
            || trained.weights.len() != buckets * classes
        {
            return Err(FormatError::Invalid(
                "weights do not match buckets and labels",
            ));
        }
        let idf_min = trained.idf.iter().copied().fold(f32::INFINITY, f32::min);
        let idf_max = trained
            .idf
            .iter()
            .copied()
            .fold(f32::NEG_INFINITY, f32::max);
        let idf_step = ((idf_max - idf_min) / 255.0).max(f32::MIN_POSITIVE);
        let idf = trained
            .idf
            .iter()
            .map(|&v| ((v - idf_min) / idf_step).round().clamp(0.0, 255.0) as u8)
            .collect();
        let scales: Vec<f32> = (0..classes)
            .map(|c| {
                let max = (0..buckets)
                    .map(|b| trained.weights[b * classes + c].abs())
                    .fold(0.0f32, f32::max);
                if max > 0.0 { max / WEIGHT_STEPS } else { 1.0 }
            })
            .collect();
        let weights = trained
            .weights
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                (w / scales[i % classes])
                    .round()
                    .clamp(-WEIGHT_STEPS, WEIGHT_STEPS) as i8
            })
            .collect();
        Ok(Self {
            spec: trained.spec,
            word_buckets: trained.word_buckets,
            char_buckets: trained.char_buckets,
            labels: trained.labels.clone(),
            temperature: trained.temperature,
            calibration: trained.calibration.clone(),
            idf_min,
            idf_step,
            idf,
            scales,
            bias: trained.bias.clone(),
            weights,
            lexicon: trained.lexicon.clone(),
            knowledge: trained.knowledge.clone(),
        })
    }

    /// Country labels, in class order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The n-grams this model reads.
    pub fn spec(&self) -> FeatureSpec {
        self.spec
    }

    /// The words known from wine writing that this model refuses non-notes with.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Checks that a description can be answered: the limits of every model
    /// ([`validate_description`]), words to read, and enough wine evidence
    /// ([`crate::lexicon`]). The server asks this of the full model's notes too, so
    /// both models refuse the same texts. A model without a lexicon (format
    /// version 1) skips the evidence rule.
    pub fn check_note(&self, text: &str) -> Result<(), InputError> {
        validate_description(text)?;
        let tokens = tokenize(text);
        if !tokens.iter().any(|t| t.text.chars().nth(1).is_some()) {
            return Err(InputError::NoWords);
        }
        if self.lexicon.is_empty() {
            return Ok(());
        }
        let evidence = self.lexicon.evidence(&tokens);
        if evidence.is_enough() {
            Ok(())
        } else {
            Err(InputError::NotATastingNote {
                words: evidence.words,
                wine_words: evidence.wine_words,
            })
        }
    }

    /// The softmax temperature the logits are divided by: fitted by the trainer so
    /// that the probabilities are calibrated (see the manifest's `temperatures`).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The top-label calibration applied after the softmax (see
    /// [`crate::calibration`]).
    pub fn calibration(&self) -> &TopCalibration {
        &self.calibration
    }

    /// The names that say where and the weight a named country gets (see
    /// [`crate::knowledge`]); empty for files before version 5.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Calibrated probabilities of every class from the model's logits for a note
    /// of `tokens`: the softmax, the countries the note names raised by the
    /// knowledge weight, then the top-label map.
    fn calibrated(&self, logits: &[f32], tokens: &[Token]) -> Vec<f32> {
        let mut probabilities = softmax(logits, self.temperature);
        self.knowledge
            .reweigh(&self.knowledge.named(tokens), &mut probabilities);
        self.calibration.apply(&mut probabilities);
        probabilities
    }

    /// Logits of every class for a description (before temperature and softmax).
    /// These read any text with words; [`DistilledModel::predict`] also refuses
    /// text that is not a tasting note.
    pub fn logits(&self, text: &str) -> Result<Vec<f32>, InputError> {
        Ok(self.score(text)?.0)
    }

    /// Probabilities of every class, in label order.
    pub fn probabilities(&self, text: &str) -> Result<Vec<f32>, InputError> {
        let (logits, scored) = self.score(text)?;
        Ok(self.calibrated(&logits, &scored.tokens))
    }

    /// The model's answer with its explanation, for a text that passes
    /// [`DistilledModel::check_note`].
    pub fn predict(&self, text: &str) -> Result<Prediction, InputError> {
        self.check_note(text)?;
        let (logits, scored) = self.score(text)?;
        let probabilities = self.calibrated(&logits, &scored.tokens);
        let top: Vec<usize> = rank(&probabilities)
            .into_iter()
            .take(EXPLAINED_CLASSES)
            .collect();
        let classes = self.labels.len();
        let trace = Trace {
            text,
            tokens: &scored.tokens,
            hits: &scored.hits,
            vector: &scored.vector,
        };
        let explanation = explain(&trace, &self.labels, &top, |entry, class| {
            let index = scored.vector.indices[entry] as usize;
            scored.vector.values[entry]
                * f32::from(self.weights[index * classes + class])
                * self.scales[class]
        });
        Ok(Prediction {
            countries: ranked_labels(&self.labels, &probabilities),
            provinces: Vec::new(),
            varieties: Vec::new(),
            explanation,
        })
    }

    /// Reads a description into this model's bucket vector.
    pub fn featurize(&self, text: &str) -> Result<Featurized, InputError> {
        featurize(text, &self.spec, |hit| {
            let index = bucket(hit, self.word_buckets, self.char_buckets);
            let idf = self.idf_min + f32::from(self.idf[index as usize]) * self.idf_step;
            Some((index, idf))
        })
    }

    fn score(&self, text: &str) -> Result<(Vec<f32>, Featurized), InputError> {
        let featurized = self.featurize(text)?;
        let classes = self.labels.len();
        let mut sums = vec![0.0f32; classes];
        let vector = &featurized.vector;
        for (&index, &value) in vector.indices.iter().zip(&vector.values) {
            let row = &self.weights[index as usize * classes..(index as usize + 1) * classes];
            for (sum, &weight) in sums.iter_mut().zip(row) {
                *sum += value * f32::from(weight);
            }
        }
        let logits = sums
            .iter()
            .zip(&self.scales)
            .zip(&self.bias)
            .map(|((sum, scale), bias)| sum * scale + bias)
            .collect();
        Ok((logits, featurized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::Knot;
    use crate::features::extract;
    use crate::text::tokenize;

    pub(crate) fn tiny_model() -> DistilledModel {
        let spec = FeatureSpec {
            word_ngram_max: 2,
            char_ngram_min: 3,
            char_ngram_max: 4,
            proper_nouns: false,
        };
        let (word_buckets, char_buckets) = (64, 128);
        let labels = vec!["France".to_string(), "Italy".to_string()];
        let buckets = (word_buckets + char_buckets) as usize;
        let mut weights = vec![0.0f32; buckets * 2];
        for (word, class) in [("bordeaux", 0), ("barolo", 1)] {
            let tokens = tokenize(word);
            for hit in extract(&tokens, &spec) {
                weights[bucket(&hit, word_buckets, char_buckets) as usize * 2 + class] += 1.0;
            }
        }
        DistilledModel::quantize(&DistilledWeights {
            spec,
            word_buckets,
            char_buckets,
            labels,
            temperature: 0.5,
            calibration: TopCalibration::new(vec![
                Knot {
                    confidence: 0.55,
                    right: 0.52,
                },
                Knot {
                    confidence: 0.95,
                    right: 0.9,
                },
            ])
            .unwrap(),
            idf: (0..buckets).map(|i| 1.0 + (i % 7) as f32 * 0.3).collect(),
            weights,
            bias: vec![0.1, -0.1],
            lexicon: Lexicon::new(
                [
                    "bordeaux", "barolo", "classic", "firm", "tannins", "left", "bank",
                ]
                .map(|word| (word, 1.0)),
            ),
            knowledge: Knowledge::new([("Barolo", 1), ("Bordeaux", 0)], 0.5).unwrap(),
        })
        .unwrap()
    }

    #[test]
    fn round_trips_and_predicts() {
        let model = tiny_model();
        let bytes = model.to_bytes();
        let read = DistilledModel::from_bytes(&bytes).unwrap();
        assert_eq!(read, model);
        let answer = read.predict("A classic Barolo, firm tannins.").unwrap();
        assert_eq!(answer.countries[0].label, "Italy");
        let barolo = answer
            .explanation
            .iter()
            .find(|c| c.label == "Italy")
            .unwrap();
        assert_eq!(barolo.token, "Barolo");
        assert_eq!(
            read.predict("Left-bank Bordeaux").unwrap().countries[0].label,
            "France"
        );
    }

    #[test]
    fn input_errors() {
        let model = tiny_model();
        assert_eq!(model.predict("   "), Err(InputError::Empty));
        assert_eq!(model.predict("!!! ?? --"), Err(InputError::NoWords));
        assert_eq!(model.predict("a b c"), Err(InputError::NoWords));
        assert_eq!(
            model.predict("asdf qwerty zzkx blorp"),
            Err(InputError::NotATastingNote {
                words: 4,
                wine_words: 0
            })
        );
        assert_eq!(
            model.predict("the and of it"),
            Err(InputError::NotATastingNote {
                words: 0,
                wine_words: 0
            })
        );
        assert!(model.predict("Barolo").is_ok());
        // the scores themselves read any text with words
        assert!(model.probabilities("asdf qwerty").is_ok());
    }
}
