//! The committed default bundle on short notes in a person's own plain words, no
//! place names, the grape or style saying where (`bench/plain/`, both sets written
//! here: `notes.csv` by the hand that wrote the knowledge file, `blind_notes.csv`
//! by one that saw neither that file nor any model). A note the models refuse as
//! "not a tasting note" counts as a miss, since the person gets no country. The
//! floors guard the level the shipped bundle reached (`bench/plain/README.md`);
//! the goals beyond them are in issue 19.

use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_trainer::data::read_reviews;

/// Shares of a set's notes each model gets right, and the notes refused.
fn score(bundle: &Bundle, file: &str) -> (f64, f64, Vec<String>) {
    let path = format!("{}/../bench/plain/{file}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("the plain-words notes are committed");
    let notes = read_reviews(&bytes).expect("the notes read").reviews;
    assert!(notes.len() >= 150, "{file}: {} notes", notes.len());
    let (mut full, mut distilled, mut refused) = (0usize, 0usize, Vec::new());
    for note in &notes {
        if bundle.distilled().check_note(&note.description).is_err() {
            refused.push(note.description.clone());
            continue;
        }
        let top = |p: vinovoyant_model::Prediction| p.top_country().map(|c| c.label.clone());
        let right = |answer: Option<String>| answer.as_deref() == Some(note.country.as_str());
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
        "{file}: {} notes, full {:.3}, distilled {:.3}, refused {refused:?}",
        notes.len(),
        share(full),
        share(distilled)
    );
    (share(full), share(distilled), refused)
}

#[test]
fn plain_notes_get_their_country() {
    let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
    // (file, full floor, distilled floor)
    for (file, full_floor, distilled_floor) in
        [("notes.csv", 0.79, 0.79), ("blind_notes.csv", 0.82, 0.81)]
    {
        let (full, distilled, refused) = score(&bundle, file);
        assert!(full >= full_floor, "{file}: full {full:.3}");
        assert!(
            distilled >= distilled_floor,
            "{file}: distilled {distilled:.3}"
        );
        assert!(refused.len() <= 2, "{file}: refused {refused:?}");
    }
}
