//! The reviews that read most like a tasting note.
//!
//! [`SimilarIndex`] keeps, for every content word of the reviews it is built from,
//! the reviews that use it with a TF-IDF weight (an inverted index), and each
//! review's title, origin, variety, points, price and first sentence to show. A
//! query reads the note with the model core's tokenizer, so that the browser, the
//! server and the trainer agree on what a word is, keeps its content words (function
//! words are no shared evidence), and walks only the lists of those words: its cost
//! grows with how many reviews share the note's words, not with all reviews. The
//! score is the cosine of the two TF-IDF vectors, in [0, 1].
//!
//! ```
//! use vinovoyant_reviews::Review;
//! use vinovoyant_similar::SimilarIndex;
//!
//! let reviews = [Review {
//!     description: "Smoky Pinotage from Stellenbosch. Mulberry and tar.".into(),
//!     country: "South Africa".into(),
//!     ..Review::default()
//! }];
//! let index = SimilarIndex::build(&reviews);
//! let found = index.query("a smoky Pinotage", 5);
//! assert_eq!(found[0].country, "South Africa");
//! assert_eq!(found[0].first_sentence, "Smoky Pinotage from Stellenbosch.");
//! assert!(index.query("with and of the", 5).is_empty());
//! ```

mod postings;
mod sentence;
mod shown;
mod terms;

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

use vinovoyant_reviews::Review;

use crate::postings::{DocumentTerms, Postings};
use crate::shown::Shown;
use crate::terms::{Vocabulary, count_terms, term_frequency_weight};

pub use crate::sentence::{MAX_SENTENCE_CHARS, first_sentence};

/// Most words of a note a query reads: the highest-weighted ones. A pasted page of
/// text then costs no more than a long note, and the words left out are its
/// commonest or least repeated, which move a cosine least.
pub const MAX_QUERY_TERMS: usize = 64;

/// One review found for a note, with what a list of similar wines shows of it.
/// Serialisable, so the page's answer carries it to the browser as it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimilarWine {
    /// The wine's name (producer, vintage, cuvée, grape, appellation), when given.
    pub title: Option<String>,
    /// Country of origin.
    pub country: String,
    /// Province or state, when given.
    pub province: Option<String>,
    /// Grape variety or blend, when given.
    pub variety: Option<String>,
    /// Score out of 100, when given.
    pub points: Option<f64>,
    /// Price in US dollars, when given.
    pub price: Option<f64>,
    /// The review's first sentence (see [`first_sentence`]).
    pub first_sentence: String,
    /// Cosine similarity of the note's and the review's TF-IDF vectors, in [0, 1]:
    /// 1 for the same content words in the same proportions, 0 for none shared.
    pub score: f32,
}

/// An inverted index of reviews by content word, for finding the reviews that read
/// most like a note. Build it once; queries only read it, from any thread.
#[derive(Debug, Default)]
pub struct SimilarIndex {
    vocabulary: Vocabulary,
    postings: Postings,
    shown: Shown,
}

/// A review's number in the index and its score: ordered so that the greater is
/// the better (higher score, then the earlier review).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hit {
    score: f32,
    review: u32,
}

impl Eq for Hit {}

impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.review.cmp(&self.review))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl SimilarIndex {
    /// Indexes `reviews` in the order given. A review repeated exactly (same
    /// description and title) is kept once; reviews of the same wine with different
    /// notes are all kept. A review with no content word is left out, since no note
    /// could find it.
    pub fn build<'a>(reviews: impl IntoIterator<Item = &'a Review>) -> Self {
        let mut vocabulary = Vocabulary::default();
        let mut documents = DocumentTerms::default();
        let mut shown = Shown::default();
        let mut seen: HashSet<(&str, Option<&str>)> = HashSet::new();
        for review in reviews {
            if !seen.insert((&review.description, review.title.as_deref())) {
                continue;
            }
            let counts = count_terms(&review.description);
            if counts.is_empty() || !shown.push(review) {
                continue;
            }
            let ids: Vec<(u32, u32)> = counts
                .iter()
                .map(|(term, count)| (vocabulary.id_or_insert(term), *count))
                .collect();
            documents.push(ids);
        }
        drop(seen);
        shown.finish();
        let total = shown.len();
        let frequencies = documents.document_frequencies(vocabulary.len());
        vocabulary.set_weights(total, &frequencies);
        let postings = Postings::new(&documents, &frequencies, |term, count| {
            term_frequency_weight(count) * vocabulary.idf(term)
        });
        Self {
            vocabulary,
            postings,
            shown,
        }
    }

    /// The `k` indexed reviews that read most like `note`, best first (ties: the
    /// review indexed first). Words no indexed review uses are left out of the
    /// note's vector, so a misspelling does not lower every score. Empty when the
    /// note has no content word the reviews use, or when `k` is 0.
    pub fn query(&self, note: &str, k: usize) -> Vec<SimilarWine> {
        let k = k.min(self.len());
        if k == 0 {
            return Vec::new();
        }
        let terms = self.query_terms(note);
        if terms.is_empty() {
            return Vec::new();
        }
        let mut scores = vec![0f32; self.len()];
        for (term, weight) in terms {
            let (reviews, weights) = self.postings.list(term);
            for (&review, &review_weight) in reviews.iter().zip(weights) {
                if let Some(score) = scores.get_mut(review as usize) {
                    *score += weight * review_weight;
                }
            }
        }
        best(&scores, k)
            .into_iter()
            .filter_map(|hit| self.similar_wine(hit))
            .collect()
    }

    /// The note's known content words with their weights in its unit TF-IDF vector,
    /// the [`MAX_QUERY_TERMS`] highest-weighted of them.
    fn query_terms(&self, note: &str) -> Vec<(u32, f32)> {
        let mut terms: Vec<(u32, f32)> = count_terms(note)
            .into_iter()
            .filter_map(|(term, count)| {
                let id = self.vocabulary.id(&term)?;
                Some((id, term_frequency_weight(count) * self.vocabulary.idf(id)))
            })
            .collect();
        let norm = terms
            .iter()
            .map(|(_, weight)| weight * weight)
            .sum::<f32>()
            .sqrt();
        if norm <= 0.0 || !norm.is_finite() {
            return Vec::new();
        }
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(MAX_QUERY_TERMS);
        for (_, weight) in &mut terms {
            *weight /= norm;
        }
        terms
    }

    /// What is shown of the review in `hit`.
    fn similar_wine(&self, hit: Hit) -> Option<SimilarWine> {
        let review = self.shown.get(hit.review as usize)?;
        Some(SimilarWine {
            title: review.title.map(str::to_string),
            country: review.country.to_string(),
            province: review.province.map(str::to_string),
            variety: review.variety.map(str::to_string),
            points: review.points,
            price: review.price,
            first_sentence: review.sentence.to_string(),
            score: hit.score.clamp(0.0, 1.0),
        })
    }

    /// Reviews indexed.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    /// True when no review is indexed (every query then finds nothing).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Distinct content words indexed.
    pub fn terms(&self) -> usize {
        self.vocabulary.len()
    }

    /// Entries in all the words' review lists: one per distinct content word of
    /// each review.
    pub fn postings(&self) -> usize {
        self.postings.len()
    }

    /// An estimate of the bytes the index holds on the heap, from the capacities of
    /// its arrays, strings and tables (the allocator's own overhead left out).
    pub fn heap_bytes(&self) -> usize {
        self.vocabulary.heap_bytes() + self.postings.heap_bytes() + self.shown.heap_bytes()
    }
}

/// The `k` best scores above zero, best first.
fn best(scores: &[f32], k: usize) -> Vec<Hit> {
    let mut kept: BinaryHeap<Reverse<Hit>> = BinaryHeap::with_capacity(k + 1);
    for (review, &score) in scores.iter().enumerate() {
        if score <= 0.0 {
            continue;
        }
        let hit = Hit {
            score,
            review: review as u32,
        };
        if kept.len() < k {
            kept.push(Reverse(hit));
        } else if kept.peek().is_some_and(|worst| hit > worst.0) {
            kept.pop();
            kept.push(Reverse(hit));
        }
    }
    kept.into_sorted_vec()
        .into_iter()
        .map(|Reverse(hit)| hit)
        .collect()
}
