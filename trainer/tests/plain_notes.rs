//! The committed default bundle on short notes in a person's own plain words
//! (`bench/plain/notes.csv`, written here: no place names, the grape or style says
//! where). A note the models refuse as "not a tasting note" counts as a miss,
//! since the person gets no country. The floors guard the level the shipped bundle
//! reached (`bench/plain/RESULTS.md`); the goals beyond them are in issue 19.

use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_trainer::data::read_reviews;

/// Least share the full model must get right.
const FULL_FLOOR: f64 = 0.72;
/// Least share the browser's distilled model must get right.
const DISTILLED_FLOOR: f64 = 0.66;

#[test]
fn plain_notes_get_their_country() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bench/plain/notes.csv"
    ))
    .expect("the plain-words notes are committed");
    let notes = read_reviews(&bytes).expect("the notes read").reviews;
    assert!(notes.len() >= 150, "{} notes", notes.len());
    let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
    let (mut full, mut distilled, mut refused) = (0usize, 0usize, Vec::new());
    for note in &notes {
        if bundle.distilled().check_note(&note.description).is_err() {
            refused.push(note.description.as_str());
            continue;
        }
        let right = |answer: Option<String>| answer.as_deref() == Some(note.country.as_str());
        let top = |p: vinovoyant_model::Prediction| p.top_country().map(|c| c.label.clone());
        full += usize::from(right(bundle.predict(&note.description).ok().and_then(top)));
        distilled += usize::from(right(
            bundle
                .predict_distilled(&note.description)
                .ok()
                .and_then(top),
        ));
    }
    let share = |right: usize| right as f64 / notes.len() as f64;
    println!(
        "{} plain notes: full {:.3}, distilled {:.3}, refused {refused:?}",
        notes.len(),
        share(full),
        share(distilled)
    );
    assert!(share(full) >= FULL_FLOOR, "full {:.3}", share(full));
    assert!(
        share(distilled) >= DISTILLED_FLOOR,
        "distilled {:.3}",
        share(distilled)
    );
}
