//! What the distilled model makes of the note as it stands: the quick guess,
//! or why there is none.

use vinovoyant_model::{
    InputError, LabelScore, TokenContribution, complete_words, validate_description,
};

use crate::api::InputProblem;
use crate::components::SHOWN_COUNTRIES;
use crate::distilled::DistilledState;

/// What the quick guess shows for the text as it stands.
#[derive(Debug, Clone, PartialEq)]
pub enum DistilledReading {
    /// The distilled model is on its way.
    Loading,
    /// The distilled model could not be loaded.
    Failed(String),
    /// Nothing typed yet.
    Waiting,
    /// The text cannot be read.
    Problem(InputProblem),
    /// A guess.
    Guess(DistilledGuess),
}

/// The distilled model's guess for one text: the quick guess.
#[derive(Debug, Clone, PartialEq)]
pub struct DistilledGuess {
    /// The text it read (up to the last finished word while typing).
    pub text: String,
    /// The first [`SHOWN_COUNTRIES`] countries, most probable first.
    pub countries: Vec<LabelScore>,
    /// The words that pushed it toward its countries.
    pub explanation: Vec<TokenContribution>,
}

impl DistilledReading {
    /// Reads `text` with the distilled model: all of it when typing has `settled` (a
    /// pause), else up to its last finished word, so a half-typed word never swings
    /// the guess. A note over the limit is refused whole.
    pub fn read(model: &DistilledState, text: &str, settled: bool) -> Self {
        let model = match model {
            DistilledState::Loading => return Self::Loading,
            DistilledState::Failed(reason) => return Self::Failed(reason.clone()),
            DistilledState::Ready(model) => model,
        };
        if let Err(problem @ InputError::TooLong { .. }) = validate_description(text) {
            return Self::Problem(InputProblem::from(&problem));
        }
        let text = if settled { text } else { complete_words(text) };
        match model.predict(text) {
            Ok(prediction) => Self::Guess(DistilledGuess {
                text: text.to_string(),
                countries: prediction
                    .countries
                    .into_iter()
                    .take(SHOWN_COUNTRIES)
                    .collect(),
                explanation: prediction.explanation,
            }),
            Err(InputError::Empty) => Self::Waiting,
            Err(problem) => Self::Problem(InputProblem::from(&problem)),
        }
    }

    /// The one-line status read out to screen readers: it changes only when the
    /// top country or the kind of problem changes, not at every keystroke.
    pub fn status(&self) -> String {
        match self {
            Self::Loading => "Loading the quick model…".to_string(),
            Self::Failed(reason) => format!(
                "The quick model couldn't be loaded ({reason}). Predict origin still asks the full model."
            ),
            Self::Waiting => "Start typing and a guess appears here.".to_string(),
            Self::Problem(InputProblem::TooLong { max, .. }) => {
                format!("This note is over {max} characters; shorten it for a guess.")
            }
            Self::Problem(InputProblem::NotATastingNote { .. }) => {
                "Not enough to go on yet: name what you smell and taste, the grape or the place."
                    .to_string()
            }
            Self::Problem(problem) => problem.message(),
            Self::Guess(guess) => match guess.countries.first() {
                Some(top) => format!("Quick guess: {}.", top.label),
                None => "The quick model knows no countries.".to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vinovoyant_model::{DistilledModel, MAX_DESCRIPTION_CHARS};

    use super::*;

    fn model() -> DistilledState {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/distilled.bin");
        let bytes = std::fs::read(path).expect("the committed bundle's distilled model");
        DistilledState::Ready(Arc::new(
            DistilledModel::from_bytes(&bytes).expect("a distilled model"),
        ))
    }

    #[test]
    fn a_half_typed_word_is_read_only_once_typing_settles() {
        let model = model();
        let note = "Ripe cassis and cedar from Napa Val";
        let DistilledReading::Guess(typing) = DistilledReading::read(&model, note, false) else {
            panic!("a guess while typing");
        };
        assert_eq!(typing.text, "Ripe cassis and cedar from Napa ");
        assert!(typing.countries.len() <= SHOWN_COUNTRIES);
        let DistilledReading::Guess(settled) = DistilledReading::read(&model, note, true) else {
            panic!("a guess once settled");
        };
        assert_eq!(settled.text, note);
    }

    #[test]
    fn no_guess_without_a_model_or_a_note() {
        let loading = DistilledReading::read(&DistilledState::Loading, "Cassis", true);
        assert_eq!(loading, DistilledReading::Loading);
        assert_eq!(
            DistilledReading::read(&model(), "  ", true),
            DistilledReading::Waiting
        );
        let long = "a".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert!(matches!(
            DistilledReading::read(&model(), &long, false),
            DistilledReading::Problem(InputProblem::TooLong { .. })
        ));
        assert!(
            DistilledReading::Failed("gone".to_string())
                .status()
                .contains("(gone)")
        );
    }
}
