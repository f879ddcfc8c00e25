//! The real review data, when it is there (`../shared/data/wine_reviews.csv` from
//! the repository root; never part of the repository): a review's own description
//! finds that review first.

use std::path::PathBuf;

use vinovoyant_reviews::{ReadOptions, read_reviews_with};
use vinovoyant_similar::SimilarIndex;

fn data_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/wine_reviews.csv")
}

#[test]
fn a_real_review_s_own_description_finds_it_first() {
    let path = data_path();
    let Ok(bytes) = std::fs::read(&path) else {
        println!("skipped: no review data at {}", path.display());
        return;
    };
    let options = ReadOptions {
        aggregates: true,
        by: None,
    };
    let (dataset, _) = read_reviews_with(&bytes, &options).expect("the review data reads");
    let reviews = dataset.reviews;
    let index = SimilarIndex::build(&reviews);
    assert!(index.len() > reviews.len() * 9 / 10);
    for at in [0, reviews.len() / 3, reviews.len() / 2, reviews.len() - 1] {
        let review = &reviews[at];
        let found = index.query(&review.description, 5);
        assert_eq!(found.len(), 5);
        assert_eq!(found[0].title, review.title, "review {at}");
        assert_eq!(found[0].country, review.country, "review {at}");
        assert!(found[0].score > 0.99, "review {at}: {}", found[0].score);
        assert!(found[1].score < found[0].score, "review {at}");
    }
}
