//! Hashed n-gram features and their TF-IDF vectors.
//!
//! Up to three groups of features are read from the tokens: words (unigrams and
//! bigrams), character n-grams inside space-padded words, and proper nouns (words
//! capitalised inside a sentence, alone and in pairs). Each feature is identified by
//! a 64-bit FNV-1a hash of its group and text, so no vocabulary of strings needs to
//! ship; a model maps hashes to its own indices (a vocabulary of hashes for the
//! full model, buckets for the distilled one). Each group is L2-normalised on its
//! own, so the many character n-grams cannot drown the few words, nor the many
//! descriptors the one place name.

use std::hash::Hasher;

use fnv::FnvHasher;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::format::FormatError;
use crate::text::{InputError, Token, tokenize, validate_description};

/// Which n-grams a model reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSpec {
    /// Longest word n-gram (1 for unigrams only, 2 to add bigrams).
    pub word_ngram_max: u8,
    /// Shortest character n-gram; 0 turns character n-grams off.
    pub char_ngram_min: u8,
    /// Longest character n-gram.
    pub char_ngram_max: u8,
    /// Adds the group of proper nouns (see [`Group::Proper`]).
    #[serde(default)]
    pub proper_nouns: bool,
}

impl FeatureSpec {
    /// The 10-byte header both model file formats start with: magic, format version
    /// (u16, little-endian), the three n-gram sizes and the proper-noun flag (0 or
    /// 1; files written before the flag existed have 0 there).
    pub(crate) fn header(&self, magic: &[u8; 4], version: u16) -> [u8; 10] {
        let v = version.to_le_bytes();
        [
            magic[0],
            magic[1],
            magic[2],
            magic[3],
            v[0],
            v[1],
            self.word_ngram_max,
            self.char_ngram_min,
            self.char_ngram_max,
            u8::from(self.proper_nouns),
        ]
    }

    /// Reads the spec from the four bytes after a header's version.
    pub(crate) fn from_header(bytes: [u8; 4]) -> Result<Self, FormatError> {
        let proper_nouns = match bytes[3] {
            0 => false,
            1 => true,
            _ => return Err(FormatError::Invalid("unknown feature flags")),
        };
        Ok(Self {
            word_ngram_max: bytes[0],
            char_ngram_min: bytes[1],
            char_ngram_max: bytes[2],
            proper_nouns,
        })
    }
}

/// The feature groups, normalised separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Word unigrams and bigrams.
    Word = 0,
    /// Character n-grams within words.
    Char = 1,
    /// Words written with a capital inside a sentence, and pairs of them ("Napa
    /// Valley"). Normalised on their own, a place or grape named in a long note
    /// weighs as much as in a short one instead of drowning among the descriptors.
    Proper = 2,
}

/// Number of [`Group`]s.
const GROUPS: usize = 3;

/// One occurrence of a feature in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureHit {
    /// Stable hash of the group and the n-gram's text.
    pub hash: u64,
    /// Group the feature belongs to.
    pub group: Group,
    /// Index of the first token it covers.
    pub first_token: u32,
    /// Index of the last token it covers (equal to `first_token` but for bigrams).
    pub last_token: u32,
}

fn hash_parts(group: Group, parts: &[&[u8]]) -> u64 {
    let mut hasher = FnvHasher::default();
    hasher.write_u8(group as u8);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.write_u8(b' ');
        }
        hasher.write(part);
    }
    hasher.finish()
}

/// The feature hash of a word unigram; `word` is a normalised token.
pub(crate) fn word_hash(word: &str) -> u64 {
    hash_parts(Group::Word, &[word.as_bytes()])
}

/// Lists every feature occurrence in the tokens. Tokens of a single character
/// ("s" from "it's") carry no meaning on their own and are skipped.
pub fn extract(tokens: &[Token], spec: &FeatureSpec) -> Vec<FeatureHit> {
    let words: Vec<(u32, &str)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.text.chars().nth(1).is_some())
        .map(|(i, t)| (i as u32, t.text.as_str()))
        .collect();
    let proper = |index: u32| tokens[index as usize].proper;
    let mut hits = Vec::with_capacity(words.len() * 20);
    let mut padded = String::new();
    let mut boundaries = Vec::new();
    let mut gram_hashes: Vec<u64> = Vec::new();
    let char_group_seed = hash_parts(Group::Char, &[]);
    for (position, &(index, word)) in words.iter().enumerate() {
        if spec.word_ngram_max >= 1 {
            hits.push(FeatureHit {
                hash: hash_parts(Group::Word, &[word.as_bytes()]),
                group: Group::Word,
                first_token: index,
                last_token: index,
            });
        }
        if spec.word_ngram_max >= 2
            && let Some(&(next_index, next)) = words.get(position + 1)
        {
            hits.push(FeatureHit {
                hash: hash_parts(Group::Word, &[word.as_bytes(), next.as_bytes()]),
                group: Group::Word,
                first_token: index,
                last_token: next_index,
            });
        }
        if spec.proper_nouns && proper(index) {
            hits.push(FeatureHit {
                hash: hash_parts(Group::Proper, &[word.as_bytes()]),
                group: Group::Proper,
                first_token: index,
                last_token: index,
            });
            if let Some(&(next_index, next)) = words.get(position + 1)
                && next_index == index + 1
                && proper(next_index)
            {
                hits.push(FeatureHit {
                    hash: hash_parts(Group::Proper, &[word.as_bytes(), next.as_bytes()]),
                    group: Group::Proper,
                    first_token: index,
                    last_token: next_index,
                });
            }
        }
        if spec.char_ngram_min == 0 {
            continue;
        }
        padded.clear();
        padded.push(' ');
        padded.push_str(word);
        padded.push(' ');
        boundaries.clear();
        boundaries.extend(padded.char_indices().map(|(i, _)| i));
        boundaries.push(padded.len());
        let chars = boundaries.len() - 1;
        let (shortest, longest) = (spec.char_ngram_min as usize, spec.char_ngram_max as usize);
        let sizes = longest + 1 - shortest.min(longest + 1);
        // FNV-1a reads bytes in order, so the hash of each n-gram extends the hash
        // of the (n-1)-gram with the same start: one pass per start position.
        gram_hashes.clear();
        gram_hashes.resize(chars * sizes, 0);
        for start in 0..chars {
            let mut hasher = FnvHasher::with_key(char_group_seed);
            for n in 1..=longest.min(chars - start) {
                hasher.write(&padded.as_bytes()[boundaries[start + n - 1]..boundaries[start + n]]);
                if n >= shortest {
                    gram_hashes[start * sizes + n - shortest] = hasher.finish();
                }
            }
        }
        for n in shortest..=longest {
            if n > chars {
                break;
            }
            for start in 0..=chars - n {
                hits.push(FeatureHit {
                    hash: gram_hashes[start * sizes + n - shortest],
                    group: Group::Char,
                    first_token: index,
                    last_token: index,
                });
            }
        }
    }
    hits
}

/// A TF-IDF vector over a model's feature indices, with the link back to the hits
/// that built it so that contributions can be traced to words.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    /// Feature index of each entry, in order of first appearance.
    pub indices: Vec<u32>,
    /// Sublinear TF times IDF, L2-normalised within each group.
    pub values: Vec<f32>,
    /// How many hits fell on each entry.
    pub counts: Vec<u32>,
    /// For each hit given to [`vectorize`], the entry it fell on, if the model knows it.
    pub entry_of_hit: Vec<Option<u32>>,
}

impl SparseVector {
    /// Number of non-zero entries.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// True when no feature of the text is known to the model.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }
}

/// Builds the TF-IDF vector of the hits (sublinear TF, `1 + ln tf`, computed with
/// `libm` so that every target gets the same bits). `lookup` maps a hit to the model's feature
/// index and that feature's inverse document frequency, or `None` if unknown.
pub fn vectorize(
    hits: &[FeatureHit],
    mut lookup: impl FnMut(&FeatureHit) -> Option<(u32, f32)>,
) -> SparseVector {
    let mut entry_by_index: FxHashMap<u32, u32> =
        FxHashMap::with_capacity_and_hasher(hits.len(), Default::default());
    let mut vector = SparseVector {
        entry_of_hit: Vec::with_capacity(hits.len()),
        ..SparseVector::default()
    };
    let mut idfs = Vec::new();
    let mut groups = Vec::new();
    // every look-up first, in a loop of their own: they do not depend on one another,
    // so the processor overlaps their memory reads (the vocabulary does not fit in
    // cache), which the bookkeeping below would otherwise serialise
    let found: Vec<Option<(u32, f32)>> = hits.iter().map(&mut lookup).collect();
    for (hit, found) in hits.iter().zip(found) {
        let entry = found.map(|(index, idf)| {
            let entry = *entry_by_index.entry(index).or_insert_with(|| {
                vector.indices.push(index);
                vector.counts.push(0);
                idfs.push(idf);
                groups.push(hit.group);
                (vector.indices.len() - 1) as u32
            });
            vector.counts[entry as usize] += 1;
            entry
        });
        vector.entry_of_hit.push(entry);
    }
    // most n-grams occur once, and ln 1 is exactly 0: skip the logarithm for them
    vector.values = vector
        .counts
        .iter()
        .zip(&idfs)
        .map(|(&count, &idf)| match count {
            1 => idf,
            _ => (1.0 + libm::logf(count as f32)) * idf,
        })
        .collect();
    let mut squares = [0.0f32; GROUPS];
    for (value, group) in vector.values.iter().zip(&groups) {
        squares[*group as usize] += value * value;
    }
    let scales = squares.map(|s| if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 });
    for (value, group) in vector.values.iter_mut().zip(&groups) {
        *value *= scales[*group as usize];
    }
    vector
}

/// A description read into features: its tokens, the hits and the vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Featurized {
    /// The tokens of the description.
    pub tokens: Vec<Token>,
    /// Every feature occurrence.
    pub hits: Vec<FeatureHit>,
    /// The TF-IDF vector over the model's features.
    pub vector: SparseVector,
}

/// Validates a description and reads it into a vector with the model's `lookup`.
/// A text with no n-gram at all (only punctuation, say) is [`InputError::NoWords`].
pub fn featurize(
    text: &str,
    spec: &FeatureSpec,
    lookup: impl FnMut(&FeatureHit) -> Option<(u32, f32)>,
) -> Result<Featurized, InputError> {
    validate_description(text)?;
    let tokens = tokenize(text);
    let hits = extract(&tokens, spec);
    if hits.is_empty() {
        return Err(InputError::NoWords);
    }
    let vector = vectorize(&hits, lookup);
    Ok(Featurized {
        tokens,
        hits,
        vector,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    const SPEC: FeatureSpec = FeatureSpec {
        word_ngram_max: 2,
        char_ngram_min: 2,
        char_ngram_max: 3,
        proper_nouns: false,
    };

    #[test]
    fn counts_words_bigrams_and_char_grams() {
        let tokens = tokenize("Big ripe fig");
        let hits = extract(&tokens, &SPEC);
        let words = hits.iter().filter(|h| h.group == Group::Word).count();
        // three unigrams and two bigrams
        assert_eq!(words, 5);
        // " big " has 4 bigrams and 3 trigrams, " ripe " 5 and 4, " fig " 4 and 3
        let chars = hits.iter().filter(|h| h.group == Group::Char).count();
        assert_eq!(chars, 7 + 9 + 7);
        let bigram = hits.iter().find(|h| h.first_token != h.last_token).unwrap();
        assert_eq!((bigram.first_token, bigram.last_token), (0, 1));
    }

    #[test]
    fn proper_nouns_form_their_own_group() {
        let spec = FeatureSpec {
            proper_nouns: true,
            ..SPEC
        };
        let tokens = tokenize("Cassis and cedar. A classic Napa Valley red, not Pauillac");
        let hits = extract(&tokens, &spec);
        let proper: Vec<(u32, u32)> = hits
            .iter()
            .filter(|h| h.group == Group::Proper)
            .map(|h| (h.first_token, h.last_token))
            .collect();
        // "napa" (5), "napa valley" (5-6), "valley" (6), "pauillac" (9); "Cassis"
        // and "A" open sentences
        assert_eq!(proper, [(5, 5), (5, 6), (6, 6), (9, 9)]);
        assert!(
            extract(&tokens, &SPEC)
                .iter()
                .all(|h| h.group != Group::Proper)
        );
        let vector = vectorize(&hits, |hit| Some(((hit.hash % 1000) as u32, 1.0)));
        let squares: f32 = vector.values.iter().map(|v| v * v).sum();
        // three groups, each of unit norm
        assert!((squares - 3.0).abs() < 1e-4, "{squares}");
    }

    #[test]
    fn the_header_flag_byte_is_checked() {
        let spec = FeatureSpec {
            proper_nouns: true,
            ..SPEC
        };
        let header = spec.header(b"TEST", 1);
        let read = FeatureSpec::from_header([header[6], header[7], header[8], header[9]]);
        assert_eq!(read, Ok(spec));
        assert!(FeatureSpec::from_header([2, 2, 3, 7]).is_err());
    }

    #[test]
    fn groups_are_unit_norm_and_unknown_hits_are_marked() {
        let tokens = tokenize("cherry cherry plum");
        let hits = extract(&tokens, &SPEC);
        let vector = vectorize(&hits, |hit| {
            (hit.hash % 3 != 0).then_some(((hit.hash % 1000) as u32, 1.5))
        });
        assert_eq!(vector.entry_of_hit.len(), hits.len());
        assert!(vector.entry_of_hit.iter().any(Option::is_none));
        let total: u32 = vector.counts.iter().sum();
        assert_eq!(total as usize, vector.entry_of_hit.iter().flatten().count());
        let squares: f32 = vector.values.iter().map(|v| v * v).sum();
        // two groups, each of unit norm
        assert!((squares - 2.0).abs() < 1e-4, "{squares}");
    }
}
