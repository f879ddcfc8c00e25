//! Wine evidence: how much of a text is made of words wine writing uses, and the
//! rule that refuses text with too little of it ("this is not a tasting note").
//!
//! Both models decide with the same rule over the same data: the lexicon ships in
//! the distilled model's file (see [`crate::distilled::file`]), which the
//! browser runs and the server loads beside the full model. Hashed buckets alone
//! cannot tell a known word from an unknown one (every bucket holds some n-gram of
//! the training data), so the lexicon lists the words themselves, as 32-bit
//! fingerprints of their word-unigram feature hashes, each with a weight of evidence.
//!
//! # Weight of a word
//!
//! The trainer gives every word of at least [`MIN_DOCUMENTS`] training reviews the
//! larger of
//! * how common it is in wine writing: `ln(documents) / ln(COMMON_DOCUMENTS)`, capped
//!   at 1 (a word of 1,000 reviews or more, such as "tannins" or "cherry", counts
//!   fully; one of 20 reviews about 0.4; a training set of under 25,000 reviews counts
//!   words fully from one review in 25), and
//! * 1 when it is telling: the countries of the reviews that use it differ from
//!   those of all reviews by [`TELLING_FROM`] nats or more (Kullback–Leibler, with a
//!   pseudo-count of 2 reviews spread as the countries are). Grapes and places are
//!   telling however rare they are ("Pinotage", "Rioja"), everyday words are not.
//!
//! Weights are stored in 1/255 steps; words outside the lexicon weigh 0.
//!
//! # The rule
//!
//! Only content words count: tokens of two characters or more that are not
//! [`FUNCTION_WORDS`](crate::words::FUNCTION_WORDS). A text is a tasting note when
//! it has content words, their weights add up to [`MIN_EVIDENCE`] or more (one
//! well-known wine word is enough: "Tannic", "Malbec"), and they average
//! [`MIN_EVIDENCE_SHARE`] or more (most of the words are wine words). The sums are
//! integers of 1/255 steps, so every platform decides alike. The thresholds were
//! chosen on a corpus of 226 non-notes written for the tests and on real reviews;
//! the measured rates are in `model/tests/evidence.rs` and `bench/accuracy/RESULTS.md`.

use crate::features::word_hash;
use crate::format::FormatError;
use crate::text::Token;
use crate::words::is_content_word;

/// Fewest training reviews a word must appear in to enter the lexicon.
pub const MIN_DOCUMENTS: u32 = 3;
/// Reviews from which a word counts fully as common in wine writing, at most: a
/// smaller training set asks one review in [`COMMON_SHARE_INVERSE`] (but more than
/// [`MIN_DOCUMENTS`]), so a model trained on a few hundred reviews still knows its words.
pub const COMMON_DOCUMENTS: f32 = 1_000.0;
/// See [`COMMON_DOCUMENTS`].
pub const COMMON_SHARE_INVERSE: f32 = 25.0;
/// Divergence (nats) of a word's countries from all reviews' from which it is telling.
pub const TELLING_FROM: f32 = 1.0;
/// Least total weight of a note's content words.
pub const MIN_EVIDENCE: f32 = 0.8;
/// Least average weight of a note's content words.
pub const MIN_EVIDENCE_SHARE: f32 = 0.6;

/// The weight of evidence of a word found in `documents` of `reviews` training
/// reviews whose countries diverge by `telling` nats from all reviews' (see the
/// module docs).
pub fn evidence_weight(documents: u32, reviews: usize, telling: f32) -> f32 {
    if documents < MIN_DOCUMENTS {
        return 0.0;
    }
    let common_from =
        (reviews as f32 / COMMON_SHARE_INVERSE).clamp(MIN_DOCUMENTS as f32 + 1.0, COMMON_DOCUMENTS);
    let common = ((documents as f32).ln() / common_from.ln()).min(1.0);
    if telling >= TELLING_FROM { 1.0 } else { common }
}

/// The fingerprint a word is listed under: its word-unigram feature hash folded to
/// 32 bits. `word` is a normalised token ([`Token::text`]).
pub fn fingerprint(word: &str) -> u32 {
    let hash = word_hash(word);
    (hash ^ (hash >> 32)) as u32
}

/// Words known from wine writing, each with its weight of evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexicon {
    /// Strictly ascending.
    fingerprints: Vec<u32>,
    /// Weight of each fingerprint's word, in 1/255 steps, never 0.
    weights: Vec<u8>,
}

/// How much wine evidence a text holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    /// Content words in the text.
    pub words: usize,
    /// Content words found in the lexicon.
    pub wine_words: usize,
    /// Sum of the content words' weights, in 1/255 steps.
    pub mass: u32,
}

impl Evidence {
    /// True when the text reads as a tasting note (see the module docs).
    pub fn is_enough(&self) -> bool {
        let steps = |weight: f32| (weight * 255.0).round() as u64;
        let mass = u64::from(self.mass);
        self.words > 0
            && mass >= steps(MIN_EVIDENCE)
            && mass >= steps(MIN_EVIDENCE_SHARE) * self.words as u64
    }
}

impl Lexicon {
    /// Builds a lexicon from words and their weights in `[0, 1]`; words of weight 0
    /// are left out, and of two words with one fingerprint the heavier is kept.
    pub fn new<'a>(words: impl IntoIterator<Item = (&'a str, f32)>) -> Self {
        let mut entries: Vec<(u32, u8)> = words
            .into_iter()
            .map(|(word, weight)| {
                let steps = (weight.clamp(0.0, 1.0) * 255.0).round() as u8;
                (fingerprint(word), steps)
            })
            .filter(|&(_, steps)| steps > 0)
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        entries.dedup_by_key(|entry| entry.0);
        let (fingerprints, weights) = entries.into_iter().unzip();
        Self {
            fingerprints,
            weights,
        }
    }

    /// Number of words listed.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// True when no word is listed (models written before the lexicon existed).
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Weight of a normalised word, in 1/255 steps; 0 when it is not listed.
    pub fn steps(&self, word: &str) -> u8 {
        self.fingerprints
            .binary_search(&fingerprint(word))
            .map_or(0, |at| self.weights[at])
    }

    /// The wine evidence of a text's tokens.
    pub fn evidence(&self, tokens: &[Token]) -> Evidence {
        let mut evidence = Evidence {
            words: 0,
            wine_words: 0,
            mass: 0,
        };
        for token in tokens {
            let word = token.text.as_str();
            if !is_content_word(word) {
                continue;
            }
            let steps = self.steps(word);
            evidence.words += 1;
            evidence.wine_words += usize::from(steps > 0);
            evidence.mass += u32::from(steps);
        }
        evidence
    }

    /// The fingerprints, strictly ascending.
    pub(crate) fn fingerprints(&self) -> &[u32] {
        &self.fingerprints
    }

    /// The weight of each fingerprint's word, in 1/255 steps.
    pub(crate) fn weights(&self) -> &[u8] {
        &self.weights
    }

    /// A lexicon from a model file's fingerprints and weights, checking order.
    pub(crate) fn from_parts(fingerprints: Vec<u32>, weights: &[u8]) -> Result<Self, FormatError> {
        if fingerprints.len() != weights.len() {
            return Err(FormatError::Invalid("lexicon sizes do not match"));
        }
        if !fingerprints.windows(2).all(|w| w[0] < w[1]) {
            return Err(FormatError::Invalid("lexicon is not in ascending order"));
        }
        if weights.contains(&0) {
            return Err(FormatError::Invalid("lexicon word of weight 0"));
        }
        Ok(Self {
            fingerprints,
            weights: weights.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn lexicon() -> Lexicon {
        Lexicon::new([
            ("cherry", 1.0),
            ("tannic", 1.0),
            ("malbec", 1.0),
            ("weather", 0.3),
            ("today", 0.2),
            ("zero", 0.0),
        ])
    }

    #[test]
    fn weights_grow_with_use_and_telling_words_count_fully() {
        let reviews = 27_000;
        assert_eq!(evidence_weight(2, reviews, 5.0), 0.0);
        let twenty = evidence_weight(20, reviews, 0.0);
        assert!(twenty > 0.4 && twenty < 0.45, "{twenty}");
        assert_eq!(evidence_weight(5_000, reviews, 0.0), 1.0);
        assert_eq!(evidence_weight(6, reviews, 1.5), 1.0);
        // a small training set counts its words fully sooner
        assert_eq!(evidence_weight(20, 500, 0.0), 1.0);
        assert!(evidence_weight(3, 90, 0.0) > 0.75);
    }

    #[test]
    fn the_rule_reads_content_words_only() {
        let lexicon = lexicon();
        assert_eq!(lexicon.len(), 5);
        assert_eq!(lexicon.steps("cherry"), 255);
        assert_eq!(lexicon.steps("zero"), 0);
        let evidence = |text: &str| lexicon.evidence(&tokenize(text));
        assert!(evidence("Tannic").is_enough());
        assert!(evidence("Malbec.").is_enough());
        assert!(evidence("Cherry with the tannic").is_enough());
        let mash = evidence("asdf qwerty zzkx blorp");
        assert_eq!((mash.words, mash.wine_words, mash.mass), (4, 0, 0));
        assert!(!mash.is_enough());
        assert!(!evidence("the and of it").is_enough());
        assert!(!evidence("weather today").is_enough());
        // one wine word among four others is too small a share
        assert!(!evidence("cherry tomatoes onions garlic basil").is_enough());
    }

    #[test]
    fn parts_round_trip_and_disorder_is_refused() {
        let lexicon = lexicon();
        let read = Lexicon::from_parts(lexicon.fingerprints().to_vec(), lexicon.weights()).unwrap();
        assert_eq!(read, lexicon);
        let mut reversed = lexicon.fingerprints().to_vec();
        reversed.reverse();
        assert!(Lexicon::from_parts(reversed, lexicon.weights()).is_err());
        assert!(Lexicon::from_parts(lexicon.fingerprints().to_vec(), &[255]).is_err());
        let mut zero = lexicon.weights().to_vec();
        zero[0] = 0;
        assert!(Lexicon::from_parts(lexicon.fingerprints().to_vec(), &zero).is_err());
    }
}
