//! The knowledge gate on the real review data, when it is beside the project
//! (`../shared/data/wine_reviews.csv`): the names the committed bundle raises are
//! those this code trusts on the bundle's training reviews, words of the trade are
//! not among them, and grapes planted far from home still are.

mod common;

use vinovoyant_trainer::fit::FitOptions;
use vinovoyant_trainer::knowledge::{knowledge_of, origins, trusted};

#[test]
fn the_shipped_names_are_those_the_training_reviews_do_not_contradict() {
    let Some(data) = common::as_trained() else {
        return;
    };
    let (bundle, manifest) = (&data.bundle, data.bundle.manifest());
    let record = manifest
        .training
        .knowledge
        .as_ref()
        .expect("the default bundle reads knowledge");
    let train = data.reviews(&data.split.train);
    let origins = origins().expect("the knowledge file parses");
    let parted = trusted(&origins, &train, FitOptions::default().knowledge_trust)
        .expect("the names normalise");
    let names = |part: &[&vinovoyant_trainer::knowledge::Origin]| -> Vec<String> {
        part.iter().map(|o| o.name.clone()).collect()
    };
    println!("contradicted: {}", names(&parted.contradicted).join(", "));
    assert_eq!(record.trusted_names, Some(parted.raising.len()));
    let shipped = knowledge_of(&parted.raising, &manifest.labels.countries).expect("valid");
    assert_eq!(shipped.names(), bundle.distilled().knowledge().names());
    let contradicted = names(&parted.contradicted);
    for word_of_the_trade in ["Cassis", "Bordeaux", "Rhône"] {
        assert!(
            contradicted.iter().any(|n| n == word_of_the_trade),
            "{word_of_the_trade} still raises France"
        );
    }
    let raising = names(&parted.raising);
    for grape in ["Malbec", "Pinotage", "Tempranillo", "Nebbiolo"] {
        assert!(raising.iter().any(|n| n == grape), "{grape} raises nothing");
    }
}
