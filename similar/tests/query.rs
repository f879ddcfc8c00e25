//! Queries against a dozen invented reviews (none from the real data).

use vinovoyant_reviews::Review;
use vinovoyant_similar::{MAX_SENTENCE_CHARS, SimilarIndex};

/// (description, country, province, variety, title, points, price)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
);

/// Invented reviews, one or two per country, written for these tests.
const ROWS: &[Row] = &[
    (
        "Smoky Pinotage from Stellenbosch with banana, tar and mulberry. Rustic tannins and a coffee finish.",
        "South Africa",
        "Stellenbosch",
        "Pinotage",
        "Kloofberg 2019 Pinotage (Stellenbosch)",
        88.0,
        18.0,
    ),
    (
        "Chenin Blanc from Swartland with quince, honeyed lanolin and bright acidity. Long and waxy.",
        "South Africa",
        "Swartland",
        "Chenin Blanc",
        "Rooikrans 2021 Old Vine Chenin Blanc (Swartland)",
        91.0,
        25.0,
    ),
    (
        "Tar and roses in a firm Barolo; sour cherry, dried herbs and gripping tannins. Needs time.",
        "Italy",
        "Piedmont",
        "Nebbiolo",
        "Cascina Nuvola 2016 Barolo",
        93.0,
        60.0,
    ),
    (
        "Sangiovese from Chianti Classico: red cherry, violets and leather with lively acidity.",
        "Italy",
        "Tuscany",
        "Sangiovese",
        "Poggio Alto 2019 Chianti Classico",
        89.0,
        22.0,
    ),
    (
        "Cassis and graphite from Pauillac, cedar and firm tannins. A classic St. Julien neighbour.",
        "France",
        "Bordeaux",
        "Bordeaux-style Red Blend",
        "Château Vignot 2015 Pauillac",
        94.0,
        85.0,
    ),
    (
        "Chalky Sancerre with gooseberry, citrus and flinty minerality. Crisp and saline.",
        "France",
        "Loire Valley",
        "Sauvignon Blanc",
        "Domaine Caillou 2022 Sancerre",
        90.0,
        30.0,
    ),
    (
        "Rioja Reserva with dill, coconut from American oak, leather and dried cherry.",
        "Spain",
        "Northern Spain",
        "Tempranillo",
        "Bodegas Ermita 2017 Reserva (Rioja)",
        90.0,
        28.0,
    ),
    (
        "Napa Cabernet Sauvignon, ripe blackberry, mocha and toasty oak. Plush and powerful.",
        "US",
        "California",
        "Cabernet Sauvignon",
        "Redwood Bench 2018 Cabernet Sauvignon (Napa Valley)",
        92.0,
        75.0,
    ),
    (
        "Willamette Valley Pinot Noir with cranberry, forest floor and cola. Silky and bright.",
        "US",
        "Oregon",
        "Pinot Noir",
        "Fernhill 2020 Pinot Noir (Willamette Valley)",
        91.0,
        40.0,
    ),
    (
        "Mendoza Malbec with violets, plum and black cherry; soft tannins and a mocha finish.",
        "Argentina",
        "Mendoza Province",
        "Malbec",
        "Altos Piedra 2020 Malbec (Mendoza)",
        88.0,
        16.0,
    ),
    (
        "Barossa Shiraz, dense and jammy with blackberry, licorice and eucalyptus.",
        "Australia",
        "South Australia",
        "Shiraz",
        "Gumtree Flat 2018 Shiraz (Barossa Valley)",
        90.0,
        35.0,
    ),
    (
        "Marlborough Sauvignon Blanc with passion fruit, cut grass and zesty lime.",
        "New Zealand",
        "Marlborough",
        "Sauvignon Blanc",
        "Tussock Bay 2023 Sauvignon Blanc (Marlborough)",
        87.0,
        15.0,
    ),
];

fn reviews() -> Vec<Review> {
    ROWS.iter()
        .map(
            |&(description, country, province, variety, title, points, price)| Review {
                description: description.to_string(),
                country: country.to_string(),
                province: Some(province.to_string()),
                taster: None,
                title: Some(title.to_string()),
                points: Some(points),
                price: Some(price),
                variety: Some(variety.to_string()),
            },
        )
        .collect()
}

fn index() -> SimilarIndex {
    SimilarIndex::build(&reviews())
}

#[test]
fn pinotage_from_stellenbosch_finds_the_south_african_review() {
    let found = index().query("A smoky Pinotage from Stellenbosch, with mulberry", 5);
    let first = &found[0];
    assert_eq!(first.country, "South Africa");
    assert_eq!(first.province.as_deref(), Some("Stellenbosch"));
    assert_eq!(first.variety.as_deref(), Some("Pinotage"));
    assert_eq!(
        first.title.as_deref(),
        Some("Kloofberg 2019 Pinotage (Stellenbosch)")
    );
    assert_eq!(first.points, Some(88.0));
    assert_eq!(first.price, Some(18.0));
    assert_eq!(
        first.first_sentence,
        "Smoky Pinotage from Stellenbosch with banana, tar and mulberry."
    );
    assert!(first.score > 0.3, "{}", first.score);
}

#[test]
fn scores_are_sorted_and_within_zero_and_one() {
    let index = index();
    for note in [
        "cherry and tannins with oak",
        "Tar and roses in a firm Barolo; sour cherry, dried herbs and gripping tannins. Needs time.",
        "sauvignon blanc citrus",
        "mocha",
    ] {
        let found = index.query(note, 12);
        assert!(!found.is_empty(), "{note}");
        assert!(
            found.iter().all(|wine| (0.0..=1.0).contains(&wine.score)),
            "{note}"
        );
        assert!(
            found.windows(2).all(|pair| pair[0].score >= pair[1].score),
            "{note}"
        );
    }
}

#[test]
fn a_review_s_own_description_scores_one() {
    let found = index().query(ROWS[2].0, 3);
    assert_eq!(found[0].title.as_deref(), Some(ROWS[2].4));
    assert!(found[0].score > 0.999, "{}", found[0].score);
}

#[test]
fn ties_are_broken_by_index_order() {
    // the same description under two titles: the two tie exactly
    let mut reviews = reviews();
    let mut twin = reviews[0].clone();
    twin.title = Some("A twin".to_string());
    reviews.push(twin);
    let index = SimilarIndex::build(&reviews);
    let found = index.query("Pinotage", 2);
    assert_eq!(found[0].score, found[1].score);
    assert_eq!(found[0].title.as_deref(), Some(ROWS[0].4));
    assert_eq!(found[1].title.as_deref(), Some("A twin"));
    assert_eq!(index.query("Pinotage", 2), found);
}

#[test]
fn k_limits_the_answer() {
    let index = index();
    assert_eq!(index.query("cherry", 1).len(), 1);
    assert_eq!(index.query("cherry", 2).len(), 2);
    assert!(index.query("cherry", 0).is_empty());
    // only the reviews sharing a word come back, however large k
    let cherry = index.query("cherry", usize::MAX);
    assert_eq!(cherry.len(), 4, "{cherry:#?}");
}

#[test]
fn notes_without_known_content_words_find_nothing() {
    let index = index();
    for note in [
        "",
        "   ",
        "!!! ??? ...",
        "🍷🍇",
        "a b c",
        "zzyzx qwerty",
        "12 34",
    ] {
        assert!(index.query(note, 5).is_empty(), "{note:?}");
    }
}

#[test]
fn function_words_alone_match_nothing() {
    let index = index();
    // every one of these is in the reviews above, and every one is a function word
    assert!(index.query("with and from the a of in", 5).is_empty());
    // and they add nothing to a note that has a content word
    assert_eq!(
        index.query("with and from the leather", 5),
        index.query("leather", 5)
    );
}

#[test]
fn an_exactly_repeated_review_is_kept_once() {
    let mut reviews = reviews();
    reviews.push(reviews[0].clone());
    assert_eq!(SimilarIndex::build(&reviews).len(), ROWS.len());
}

#[test]
fn any_input_is_read_without_panicking() {
    let index = index();
    let huge = "cherry tannins Pinotage 🍷 ".repeat(20_000);
    assert_eq!(index.query(&huge, 5)[0].country, "South Africa");
    let many_words: String = (0..3_000).map(|i| format!("word{i} ")).collect();
    assert!(index.query(&many_words, 5).is_empty());
    assert!(index.query("\u{0}\u{FFFF}\u{10FFFF}", 5).is_empty());
    assert!(SimilarIndex::default().query("cherry", 5).is_empty());
    assert!(SimilarIndex::build(&[]).is_empty());
}

#[test]
fn heap_bytes_grow_with_reviews() {
    let reviews = reviews();
    let few = SimilarIndex::build(&reviews[..3]);
    let all = SimilarIndex::build(&reviews);
    assert!(few.heap_bytes() > 0);
    assert!(all.heap_bytes() > few.heap_bytes());
    assert!(all.terms() > few.terms());
    assert!(all.postings() > few.postings());
    assert_eq!((few.len(), all.len()), (3, ROWS.len()));
}

#[test]
fn long_first_sentences_are_capped() {
    let mut review = reviews().remove(0);
    review.description = format!("Pinotage {}", "smoky ".repeat(100));
    let found = SimilarIndex::build([&review]).query("Pinotage", 1);
    let sentence = &found[0].first_sentence;
    assert!(sentence.ends_with('…'), "{sentence}");
    assert!(sentence.chars().count() <= MAX_SENTENCE_CHARS + 1);
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<SimilarIndex>();
}
