//! The lexicon of wine words shipped in the distilled model, built from the
//! training reviews (the weights are defined in `vinovoyant_model::lexicon`).

use fnv::FnvHashMap;
use vinovoyant_model::Lexicon;
use vinovoyant_model::lexicon::{MIN_DOCUMENTS, evidence_weight};
use vinovoyant_model::tokenize;
use vinovoyant_model::words::is_content_word;

use crate::data::Review;
use crate::knowledge::{Kind, Origin};

/// Pseudo-count of reviews, spread as the countries are, added to each word's
/// countries before their divergence is measured, so that a word of three reviews
/// is not telling by chance alone.
const PSEUDO_REVIEWS: f64 = 2.0;

/// Builds the lexicon from the descriptions of `reviews`, over the `countries`
/// the model knows (reviews of other countries count toward how common a word is).
/// A knowledge-file name written as one word (a grape, a style or a place:
/// "Pinotage", "Müller-Thurgau", "Stellenbosch") counts fully however rare in the
/// reviews: a note naming one is about wine. The words of names of several words
/// ("Moon Mountain District") and producers' names ("Cloudy Bay") are often
/// everyday ones, so they weigh what the reviews give them, like any other word.
pub fn build(reviews: &[&Review], countries: &[String], origins: &[Origin]) -> Lexicon {
    let index: FnvHashMap<&str, usize> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let other = countries.len();
    let mut prior = vec![0.0f64; other + 1];
    let mut words: FnvHashMap<String, Vec<u32>> = FnvHashMap::default();
    for review in reviews {
        let class = index.get(review.country.as_str()).copied().unwrap_or(other);
        prior[class] += 1.0;
        let mut seen: Vec<String> = tokenize(&review.description)
            .into_iter()
            .map(|t| t.text)
            .filter(|w| w.chars().nth(1).is_some())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for word in seen {
            words.entry(word).or_insert_with(|| vec![0; other + 1])[class] += 1;
        }
    }
    let total: f64 = prior.iter().sum::<f64>().max(1.0);
    for p in &mut prior {
        *p /= total;
    }
    let named: Vec<String> = origins
        .iter()
        .filter(|origin| origin.kind != Kind::Producer && !origin.name.contains(' '))
        .flat_map(|origin| tokenize(&origin.name))
        .map(|token| token.text)
        .filter(|word| is_content_word(word))
        .collect();
    let weighted: Vec<(&str, f32)> = words
        .iter()
        .filter_map(|(word, counts)| {
            let documents: u32 = counts.iter().sum();
            (documents >= MIN_DOCUMENTS).then(|| {
                (
                    word.as_str(),
                    evidence_weight(documents, reviews.len(), divergence(counts, &prior)),
                )
            })
        })
        .chain(named.iter().map(|word| (word.as_str(), 1.0)))
        .collect();
    Lexicon::new(weighted)
}

/// Kullback–Leibler divergence (nats) of a word's smoothed countries from `prior`.
fn divergence(counts: &[u32], prior: &[f64]) -> f32 {
    let n: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    counts
        .iter()
        .zip(prior)
        .filter(|(_, p)| **p > 0.0)
        .map(|(&c, &p)| {
            let q = (f64::from(c) + PSEUDO_REVIEWS * p) / (n + PSEUDO_REVIEWS);
            q * (q / p).ln()
        })
        .sum::<f64>() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(description: &str, country: &str) -> Review {
        Review {
            description: description.to_string(),
            country: country.to_string(),
            province: None,
            taster: None,
            title: None,
            ..Review::default()
        }
    }

    #[test]
    fn common_and_telling_words_enter_rare_ones_do_not() {
        let mut reviews = Vec::new();
        for _ in 0..30 {
            reviews.push(review("Cherry and oak, firm tannins.", "US"));
            reviews.push(review("Cherry and oak, firm tannins.", "France"));
        }
        for _ in 0..4 {
            reviews.push(review("Smoky Pinotage.", "South Africa"));
        }
        reviews.push(review("Blorp once.", "US"));
        let refs: Vec<&Review> = reviews.iter().collect();
        let countries = ["US", "France", "South Africa"].map(String::from);
        let lexicon = build(&refs, &countries, &[]);
        assert!(lexicon.steps("cherry") > 100);
        assert_eq!(lexicon.steps("pinotage"), 255);
        assert_eq!(lexicon.steps("blorp"), 0);
        // a word of the smallest country alone is telling; one spread like all reviews is not
        assert!(divergence(&[0, 0, 4], &[0.5, 0.4, 0.1]) > 1.0);
        assert!(divergence(&[5, 4, 1], &[0.5, 0.4, 0.1]) < 0.05);
    }

    #[test]
    fn names_written_as_one_word_count_as_wine_words_longer_names_and_producers_do_not() {
        let reviews = [review("Cherry and oak.", "US")];
        let refs: Vec<&Review> = reviews.iter().collect();
        let origin = |name: &str, kind| Origin {
            name: name.to_string(),
            country: "France".to_string(),
            kind,
        };
        let origins = [
            origin("Savagnin", Kind::Grape),
            origin("Müller-Thurgau", Kind::Grape),
            origin("Moon Mountain District", Kind::Place),
            origin("Quintarelli", Kind::Producer),
        ];
        let lexicon = build(&refs, &["US".to_string()], &origins);
        assert_eq!(lexicon.steps("savagnin"), 255);
        assert_eq!(lexicon.steps("thurgau"), 255);
        assert_eq!(lexicon.steps("moon"), 0);
        assert_eq!(lexicon.steps("quintarelli"), 0);
    }
}
