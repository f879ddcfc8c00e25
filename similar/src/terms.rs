//! Terms and their weights: the content words of a text, read with the model
//! core's tokenizer, weighted by TF-IDF.

use std::collections::HashMap;
use std::mem::size_of;

use vinovoyant_model::{is_content_word, tokenize};

/// The content words of `text` (normalised as the model core reads them; function
/// words and single characters left out) with how often each occurs, in order of
/// first occurrence.
pub(crate) fn count_terms(text: &str) -> Vec<(String, u32)> {
    let mut counts: Vec<(String, u32)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for token in tokenize(text) {
        if !is_content_word(&token.text) {
            continue;
        }
        match seen.get(&token.text) {
            Some(&at) => counts[at].1 += 1,
            None => {
                seen.insert(token.text.clone(), counts.len());
                counts.push((token.text, 1));
            }
        }
    }
    counts
}

/// The weight of a term seen `count` times in one text: sublinear, so that a word
/// repeated in a long note does not drown the others.
pub(crate) fn term_frequency_weight(count: u32) -> f32 {
    1.0 + (count.max(1) as f32).ln()
}

/// How much a term found in `documents` of `total` reviews tells (smoothed inverse
/// document frequency): rare words weigh most, a word in every review still a little.
pub(crate) fn inverse_document_frequency(total: usize, documents: usize) -> f32 {
    ((1.0 + total as f32) / (1.0 + documents as f32)).ln() + 1.0
}

/// The index's words, each with a number and its inverse document frequency.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    ids: HashMap<Box<str>, u32>,
    idf: Vec<f32>,
}

impl Vocabulary {
    /// The number of `term`, added when new (with no weight until
    /// [`Vocabulary::set_weights`]).
    pub fn id_or_insert(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(term.into(), id);
        id
    }

    /// The number of a known `term`.
    pub fn id(&self, term: &str) -> Option<u32> {
        self.ids.get(term).copied()
    }

    /// Words known.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Sets each word's inverse document frequency from how many of `total`
    /// reviews hold it (`documents`, by word number).
    pub fn set_weights(&mut self, total: usize, documents: &[u32]) {
        self.idf = documents
            .iter()
            .map(|&count| inverse_document_frequency(total, count as usize))
            .collect();
        self.ids.shrink_to_fit();
    }

    /// The inverse document frequency of word `id`.
    pub fn idf(&self, id: u32) -> f32 {
        self.idf.get(id as usize).copied().unwrap_or(0.0)
    }

    /// Bytes held on the heap: the table's slots (key, value and one control byte
    /// each), its keys' bytes and the weights.
    pub fn heap_bytes(&self) -> usize {
        let slots = self.ids.capacity() * (size_of::<(Box<str>, u32)>() + 1);
        let keys: usize = self.ids.keys().map(|key| key.len()).sum();
        slots + keys + self.idf.capacity() * size_of::<f32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_content_words_only() {
        let counts = count_terms("The cherry, and the CHERRY again; a Côte of oak.");
        assert_eq!(
            counts,
            [
                ("cherry".to_string(), 2),
                ("cote".to_string(), 1),
                ("oak".to_string(), 1)
            ]
        );
        assert!(count_terms("it is of the and with").is_empty());
        assert!(count_terms("").is_empty());
    }

    #[test]
    fn rare_words_weigh_more() {
        assert!(inverse_document_frequency(100, 1) > inverse_document_frequency(100, 50));
        assert!(inverse_document_frequency(100, 100) > 0.0);
        assert!(term_frequency_weight(3) > term_frequency_weight(1));
        assert_eq!(term_frequency_weight(0), 1.0);
    }
}
