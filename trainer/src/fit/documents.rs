//! The training set as the heads read it: review titles as extra documents, the
//! full model's vocabulary, and the sparse rows of both models.

use fnv::FnvHashMap;
use vinovoyant_model::distilled::bucket;
use vinovoyant_model::features::{Group, extract, featurize};
use vinovoyant_model::{FormatError, Vocabulary, tokenize};

use super::FitOptions;
use crate::data::Review;
use crate::linear::SparseRows;

/// Each review's title as a training document of its own, with the review's
/// country and province. A title names the producer, the cuvée and often the
/// appellation ("Tenuta Ventaglio 2014 Bianco (Etna)"); notes mention such names now
/// and then, and a name seen only in titles would otherwise stay unknown. Only
/// training reads titles: a prediction reads the note alone.
pub fn title_documents(reviews: &[&Review]) -> Vec<Review> {
    reviews
        .iter()
        .filter_map(|review| {
            Some(Review {
                description: review.title.clone()?,
                country: review.country.clone(),
                province: review.province.clone(),
                variety: review.variety.clone(),
                taster: None,
                title: None,
                ..Review::default()
            })
        })
        .collect()
}

/// Smoothed inverse document frequency, as scikit-learn computes it.
fn smooth_idf(documents: usize, df: u32) -> f32 {
    ((1.0 + documents as f32) / (1.0 + df as f32)).ln() + 1.0
}

/// Builds the full model's vocabulary: features in at least `min_df` reviews, the
/// `max_features` most frequent. Proper nouns come first, then word n-grams, then
/// character n-grams, each most frequent first. The province head reads the proper
/// nouns and the `province_words` most frequent word n-grams, so a rare place
/// name still reaches it. Character n-grams are nine in ten of a note's features
/// but tell the province head nothing the words do not, so leaving them out makes
/// the head's share of a prediction nine times smaller.
pub fn build_vocabulary(
    reviews: &[&Review],
    options: &FitOptions,
) -> Result<Vocabulary, FormatError> {
    /// Place of a group in the vocabulary.
    fn rank(group: Group) -> u8 {
        match group {
            Group::Proper => 0,
            Group::Word => 1,
            Group::Char => 2,
        }
    }
    let mut df: FnvHashMap<u64, (u32, u8)> = FnvHashMap::default();
    let mut seen = Vec::new();
    for review in reviews {
        seen.clear();
        seen.extend(
            extract(&tokenize(&review.description), &options.full_spec)
                .iter()
                .map(|h| (h.hash, rank(h.group))),
        );
        seen.sort_unstable();
        seen.dedup();
        for &(hash, group) in &seen {
            df.entry(hash).or_insert((0, group)).0 += 1;
        }
    }
    let mut kept: Vec<(u64, u32, u8)> = df
        .into_iter()
        .filter(|(_, (d, _))| *d >= options.min_df)
        .map(|(h, (d, group))| (h, d, group))
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(options.max_features);
    kept.sort_by_key(|&(_, _, group)| group);
    let count = |group: Group| kept.iter().filter(|(_, _, g)| *g == rank(group)).count();
    let province_features =
        (count(Group::Proper) + count(Group::Word).min(options.province_words)) as u32;
    let idf = kept
        .iter()
        .map(|&(_, d, _)| smooth_idf(reviews.len(), d))
        .collect();
    Vocabulary::new(
        options.full_spec,
        kept.into_iter().map(|(h, _, _)| h).collect(),
        idf,
        province_features,
    )
}

/// Reads reviews into the full model's vectors. The province head reads those
/// below [`Vocabulary::province_features`] ([`SparseRows::below`]).
pub fn full_rows(reviews: &[&Review], vocabulary: &Vocabulary) -> SparseRows {
    let mut rows = SparseRows::new();
    for review in reviews {
        match vocabulary.featurize(&review.description) {
            Ok(f) => rows.push(f.vector.indices.into_iter().zip(f.vector.values)),
            Err(_) => rows.push([]),
        }
    }
    rows
}

/// IDF of every distilled bucket from the training reviews.
pub fn bucket_idf(reviews: &[&Review], options: &FitOptions) -> Vec<f32> {
    let (words, chars) = (
        options.distilled_word_buckets,
        options.distilled_char_buckets,
    );
    let mut df = vec![0u32; (words + chars) as usize];
    let mut seen = Vec::new();
    for review in reviews {
        seen.clear();
        seen.extend(
            extract(&tokenize(&review.description), &options.distilled_spec)
                .iter()
                .map(|h| bucket(h, words, chars)),
        );
        seen.sort_unstable();
        seen.dedup();
        for &b in &seen {
            df[b as usize] += 1;
        }
    }
    df.into_iter()
        .map(|d| smooth_idf(reviews.len(), d))
        .collect()
}

/// Reads reviews into the distilled model's bucket vectors.
pub fn distilled_rows(reviews: &[&Review], idf: &[f32], options: &FitOptions) -> SparseRows {
    let (words, chars) = (
        options.distilled_word_buckets,
        options.distilled_char_buckets,
    );
    let mut rows = SparseRows::new();
    for review in reviews {
        let vector = featurize(&review.description, &options.distilled_spec, |hit| {
            let b = bucket(hit, words, chars);
            Some((b, idf[b as usize]))
        })
        .map(|f| f.vector)
        .unwrap_or_default();
        rows.push(vector.indices.into_iter().zip(vector.values));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::super::tests::review;
    use super::*;

    #[test]
    fn titles_become_documents_with_the_review_s_labels() {
        let titled = Review {
            province: Some("Sicily & Sardinia".to_string()),
            title: Some("Tenuta Ventaglio 2014 Bianco (Etna)".to_string()),
            ..review("Aromas of tropical fruit and broom.")
        };
        let untitled = review("Crisp and dry.");
        let documents = title_documents(&[&titled, &untitled]);
        assert_eq!(documents.len(), 1);
        assert_eq!(
            documents[0].description,
            "Tenuta Ventaglio 2014 Bianco (Etna)"
        );
        assert_eq!(documents[0].country, titled.country);
        assert_eq!(documents[0].province, titled.province);
        assert_eq!(documents[0].title, None);
    }

    #[test]
    fn proper_nouns_lead_the_vocabulary_and_reach_the_province_head() {
        let reviews = [
            review("Firm and dark, a classic Pauillac with cassis."),
            review("Firm and dark, a classic Pauillac with cedar."),
            review("Firm and dark with cassis and cedar."),
        ];
        let reviews: Vec<&Review> = reviews.iter().collect();
        let options = FitOptions {
            province_words: 1,
            ..FitOptions::default()
        };
        let vocabulary = build_vocabulary(&reviews, &options).unwrap();
        let known = vocabulary.featurize("Firm, a classic Pauillac").unwrap();
        let entry = known
            .hits
            .iter()
            .zip(&known.vector.entry_of_hit)
            .find(|(h, _)| h.group == Group::Proper)
            .and_then(|(_, e)| *e)
            .unwrap();
        let index = known.vector.indices[entry as usize];
        // the one proper noun comes first, and the head reads it plus one word n-gram
        assert_eq!(index, 0);
        assert_eq!(vocabulary.province_features(), 2);
    }

    #[test]
    fn the_province_head_reads_words_and_no_character_ngrams() {
        let reviews = [
            review("Firm and dark, a classic Pauillac with cassis."),
            review("Firm and dark, a classic Pauillac with cedar."),
        ];
        let reviews: Vec<&Review> = reviews.iter().collect();
        let vocabulary = build_vocabulary(&reviews, &FitOptions::default()).unwrap();
        let limit = vocabulary.province_features();
        let featurized = vocabulary.featurize(&reviews[0].description).unwrap();
        let mut groups_seen = Vec::new();
        for (hit, entry) in featurized.hits.iter().zip(&featurized.vector.entry_of_hit) {
            let Some(entry) = entry else { continue };
            let index = featurized.vector.indices[*entry as usize];
            assert_eq!(
                index < limit,
                hit.group != Group::Char,
                "{:?} feature at {index}, province limit {limit}",
                hit.group
            );
            groups_seen.push(hit.group);
        }
        for group in [Group::Proper, Group::Word, Group::Char] {
            assert!(
                groups_seen.contains(&group),
                "no {group:?} feature was read"
            );
        }
    }
}
