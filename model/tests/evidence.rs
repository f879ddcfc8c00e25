//! The not-a-tasting-note rule with the committed default bundle's lexicon, on a
//! corpus of non-notes written for this test (keyboard mashes, random letters,
//! numbers, everyday sentences about other things) and on short real notes. The
//! same test runs on wasm32, where the browser makes the same decisions.

use vinovoyant_model::{DistilledModel, InputError};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const NON_NOTES: &str = include_str!("fixtures/not_tasting_notes.txt");
const DEFAULT_MODEL: &[u8] = include_bytes!("../../models/distilled.bin");

/// Least share of the non-notes refused.
const MIN_REFUSED: f64 = 0.95;

fn model() -> DistilledModel {
    DistilledModel::from_bytes(DEFAULT_MODEL).expect("the default distilled model reads")
}

#[test]
fn non_notes_are_refused() {
    let model = model();
    assert!(
        !model.lexicon().is_empty(),
        "the default model has no lexicon"
    );
    let texts: Vec<&str> = NON_NOTES.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(texts.len() >= 200, "only {} non-notes", texts.len());
    let answered: Vec<&str> = texts
        .iter()
        .copied()
        .filter(|text| model.check_note(text).is_ok())
        .collect();
    let refused = 1.0 - answered.len() as f64 / texts.len() as f64;
    println!(
        "non-notes refused: {:.3} ({} of {}); answered: {answered:?}",
        refused,
        texts.len() - answered.len(),
        texts.len()
    );
    assert!(
        refused >= MIN_REFUSED,
        "{refused:.3} refused; answered: {answered:?}"
    );
    let refusal = model.predict("asdf qwerty zzkx blorp");
    assert_eq!(
        refusal,
        Err(InputError::NotATastingNote {
            words: 4,
            wine_words: 0
        })
    );
}

#[test]
fn short_notes_and_single_wine_words_are_answered() {
    let model = model();
    for text in [
        "Tannic",
        "Malbec",
        "Riesling",
        "Nebbiolo",
        "Pinotage",
        "Chardonnay",
        "Oaky",
        "Jammy",
        "Rioja",
        "Barolo",
        "Bright cherry.",
        "A pleasant red wine.",
        "Nebbiolo with tar and roses",
        "Crisp Mosel Riesling, slate and lime.",
        "Zesty Marlborough Sauvignon Blanc bursting with passion fruit, gooseberry and cut grass.",
        "Inky Mendoza Malbec with plum, violet and mocha from high-altitude vineyards.",
        "Earthy ",
    ] {
        assert!(
            model.predict(text).is_ok(),
            "{text:?}: {:?}",
            model.check_note(text)
        );
    }
}
