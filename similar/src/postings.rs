//! The inverted index: for each word, the reviews that hold it (sorted by review
//! number) and the word's weight in each, laid out in three flat arrays.

use std::mem::size_of;

/// Each review's words with their counts, as read: the input of [`Postings::new`].
#[derive(Debug, Default)]
pub(crate) struct DocumentTerms {
    /// (word number, count) of every review, one after the other.
    terms: Vec<(u32, u32)>,
    /// Where each review's words start in `terms`; one more entry than reviews.
    starts: Vec<usize>,
}

impl DocumentTerms {
    /// Adds the next review's words.
    pub fn push(&mut self, terms: impl IntoIterator<Item = (u32, u32)>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.terms.extend(terms);
        self.starts.push(self.terms.len());
    }

    /// The words of each review, in order.
    pub fn documents(&self) -> impl Iterator<Item = &[(u32, u32)]> {
        self.starts
            .windows(2)
            .map(|bounds| self.terms.get(bounds[0]..bounds[1]).unwrap_or_default())
    }

    /// How many reviews hold each of `words` words.
    pub fn document_frequencies(&self, words: usize) -> Vec<u32> {
        let mut frequencies = vec![0u32; words];
        for &(term, _) in &self.terms {
            if let Some(frequency) = frequencies.get_mut(term as usize) {
                *frequency += 1;
            }
        }
        frequencies
    }
}

/// Compressed rows: word `t`'s reviews are `documents[starts[t]..starts[t + 1]]`,
/// in increasing order, with their weights at the same places in `weights`.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    starts: Vec<u32>,
    documents: Vec<u32>,
    weights: Vec<f32>,
}

impl Postings {
    /// Lays out `reviews` (each review's words and counts) by word, each entry
    /// weighted by `weight(word, count)` and each review's weights scaled to unit
    /// length, so that a dot product with a unit query is a cosine.
    pub fn new(
        reviews: &DocumentTerms,
        frequencies: &[u32],
        weight: impl Fn(u32, u32) -> f32,
    ) -> Self {
        let mut starts = Vec::with_capacity(frequencies.len() + 1);
        let mut total = 0u32;
        starts.push(0);
        for &frequency in frequencies {
            total = total.saturating_add(frequency);
            starts.push(total);
        }
        let mut next: Vec<u32> = starts.clone();
        let mut documents = vec![0u32; total as usize];
        let mut weights = vec![0f32; total as usize];
        for (review, terms) in reviews.documents().enumerate() {
            let norm = terms
                .iter()
                .map(|&(term, count)| weight(term, count).powi(2))
                .sum::<f32>()
                .sqrt();
            for &(term, count) in terms {
                let Some(slot) = next.get_mut(term as usize) else {
                    continue;
                };
                let at = *slot as usize;
                *slot += 1;
                if let (Some(document), Some(value)) = (documents.get_mut(at), weights.get_mut(at))
                {
                    *document = review as u32;
                    *value = weight(term, count) / norm;
                }
            }
        }
        Self {
            starts,
            documents,
            weights,
        }
    }

    /// The reviews holding word `term` and its weight in each.
    pub fn list(&self, term: u32) -> (&[u32], &[f32]) {
        let at = term as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(at), self.starts.get(at + 1)) else {
            return (&[], &[]);
        };
        let range = start as usize..end as usize;
        (
            self.documents.get(range.clone()).unwrap_or_default(),
            self.weights.get(range).unwrap_or_default(),
        )
    }

    /// Entries in all lists.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Bytes held on the heap: the capacities of the three arrays.
    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * size_of::<u32>()
            + self.documents.capacity() * size_of::<u32>()
            + self.weights.capacity() * size_of::<f32>()
    }
}
