//! The server functions of the predict page and the types they exchange.
//!
//! The page gets its [`PageState`] from the server's HTML ([`current_page_state`]
//! on the server, serialised for hydration) and asks the full model through one
//! server function, [`predict_origin`] at `/_app/predict` (under `/_app/` so it
//! never collides with the JSON API under `/api/`). On the server both read the
//! state the site provides as context (the `server` module, feature `ssr`).

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use vinovoyant_model::{InputError, LabelScore, TokenContribution};

use crate::examples::EXAMPLES;

/// How many countries, provinces and grape varieties an answer of the full model carries.
pub const ANSWER_LABELS: usize = 3;

/// Why a note cannot be read: a copy of [`InputError`] that can travel to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputProblem {
    /// Nothing but whitespace.
    Empty,
    /// Longer than the models accept.
    TooLong {
        /// Characters in the note.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// No letter or digit to read.
    NoWords,
    /// Words, but too few that wine writing uses (see `vinovoyant_model::lexicon`).
    NotATastingNote {
        /// Content words in the note.
        words: usize,
        /// How many of them wine writing uses.
        wine_words: usize,
    },
}

impl InputProblem {
    /// The sentence shown to the person who typed the note.
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "Write or paste a tasting note first.".to_string(),
            Self::TooLong { chars, max } => format!(
                "This note has {chars} characters; the models read at most {max}. \
                 Shorten it to get an answer."
            ),
            Self::NoWords => "There are no words in this note to read.".to_string(),
            Self::NotATastingNote { words, wine_words } => {
                let found = match (words, wine_words) {
                    (0, _) => "it has no words of substance".to_string(),
                    (_, 0) => "none of its words are ones wine writing uses".to_string(),
                    (words, known) => {
                        format!("only {known} of its {words} words are ones wine writing uses")
                    }
                };
                format!(
                    "This doesn't read like a tasting note: {found}. Describe the wine: \
                     its colour, aromas, flavours, structure, grape or place."
                )
            }
        }
    }
}

impl From<&InputError> for InputProblem {
    fn from(error: &InputError) -> Self {
        match error {
            InputError::Empty => Self::Empty,
            InputError::TooLong { chars, max } => Self::TooLong {
                chars: *chars,
                max: *max,
            },
            InputError::NoWords => Self::NoWords,
            InputError::NotATastingNote { words, wine_words } => Self::NotATastingNote {
                words: *words,
                wine_words: *wine_words,
            },
        }
    }
}

/// Why the full model gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PredictFailure {
    /// The note was refused.
    Input(InputProblem),
    /// The server was running as many predictions as it allows; a retry shortly works.
    Busy,
    /// The request never reached the server, or its answer never came back.
    Unreachable,
    /// The server could not read the request (a malformed or foreign body).
    BadRequest(String),
    /// The server answered with an error.
    Server(String),
}

impl PredictFailure {
    /// The sentence shown on the page.
    pub fn message(&self) -> String {
        match self {
            Self::Input(problem) => problem.message(),
            Self::Busy => "The server is busy right now. Try again in a moment; \
                 the quick guess keeps working meanwhile."
                .to_string(),
            Self::Unreachable => "Couldn't reach the server. Check your connection and try again; \
                 the quick guess keeps working meanwhile."
                .to_string(),
            Self::BadRequest(_) => {
                "The server couldn't read this request. Reload the page and try again.".to_string()
            }
            Self::Server(_) => {
                "The server couldn't answer just now. Try again in a moment.".to_string()
            }
        }
    }
}

impl FromServerFnError for PredictFailure {
    type Encoder = JsonEncoding;

    /// Errors of the server function's machinery. On the server, a body that cannot
    /// be decoded into the function's arguments is the client's mistake (400); in
    /// the browser, a request that never got an answer means the server is
    /// unreachable.
    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        let failure = match error {
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            ServerFnErrorErr::Args(reason) | ServerFnErrorErr::MissingArg(reason) => {
                Self::BadRequest(reason)
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(reason) => Self::BadRequest(reason),
            other => Self::Server(other.to_string()),
        };
        #[cfg(feature = "ssr")]
        crate::server::set_response_status(&failure);
        failure
    }
}

/// The full model's answer about one note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerAnswer {
    /// The note it answered, to tell when the text has changed since.
    pub description: String,
    /// Version of the model bundle that answered.
    pub model_version: String,
    /// The most probable countries, most probable first.
    pub countries: Vec<LabelScore>,
    /// The most probable provinces, most probable first (may be empty).
    pub provinces: Vec<LabelScore>,
    /// The most probable grape varieties, most probable first; empty from a model
    /// without a variety head.
    #[serde(default)]
    pub varieties: Vec<LabelScore>,
    /// The reviews that read most like the note, or why there are none.
    #[serde(default)]
    pub similar: SimilarWines,
    /// The words that pushed the full model toward its top countries, strongest
    /// first (content words only); absent in answers from older servers.
    #[serde(default)]
    pub explanation: Vec<TokenContribution>,
}

/// How many similar wines an answer shows.
pub const SIMILAR_WINES: usize = 5;

/// The reviews of the configured data set that read most like a note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum SimilarWines {
    /// The server has no review data (`--data`), so nothing to compare with.
    #[default]
    NoData,
    /// The data set at `source` is still being read and indexed.
    Indexing {
        /// Where the data comes from.
        source: String,
    },
    /// The data set at `source` could not be used.
    Unavailable {
        /// Where the data should have come from.
        source: String,
    },
    /// The closest reviews, closest first (none when no review shares a content
    /// word with the note).
    Found {
        /// Where the data comes from.
        source: String,
        /// The reviews.
        wines: Vec<SimilarWine>,
    },
}

/// One review found for a note: what identifies the wine, and its first sentence.
pub use vinovoyant_similar::SimilarWine;

/// A note submitted with the plain HTML form, and what the full model made of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// The note as submitted.
    pub description: String,
    /// The full model's answer, or why there is none.
    pub outcome: Result<ServerAnswer, PredictFailure>,
}

/// What the predict page needs from the server before it renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    /// Version of the model bundle served; the browser fetches its distilled model.
    pub model_version: String,
    /// The note submitted without JavaScript, if this page answers one.
    pub submission: Option<Submission>,
}

/// The fields of the predict form, as the browser posts them without JavaScript.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PredictForm {
    /// The textarea.
    #[serde(default)]
    pub description: String,
    /// Set when one of the example buttons submitted the form: its index in [`EXAMPLES`].
    pub example: Option<usize>,
}

impl PredictForm {
    /// The note to predict: the chosen example's text, or else the textarea's.
    pub fn into_note(self) -> String {
        match self.example.and_then(|index| EXAMPLES.get(index)) {
            Some(example) => example.text.to_string(),
            None => self.description,
        }
    }
}

/// The state of the predict page, read from the server's context: the model
/// version, and the [`Submission`] that `POST /` provides when it renders the page
/// for a form sent without JavaScript. `None` without a model (or in the browser,
/// where the page gets this state from the server's HTML instead).
pub fn current_page_state() -> Option<PageState> {
    #[cfg(feature = "ssr")]
    {
        crate::server::page_state()
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// Asks the full model where the wine described by `description` comes from.
#[server(prefix = "/_app", endpoint = "predict")]
pub async fn predict_origin(
    /// The tasting note, as typed.
    description: String,
) -> Result<ServerAnswer, PredictFailure> {
    let scorer = use_context::<crate::server::NoteScorer>()
        .ok_or_else(|| PredictFailure::Server("no model is loaded".to_string()))?;
    let feed = use_context::<crate::server::DatasetFeed>().unwrap_or_default();
    let outcome = crate::server::answer_note(&scorer, &feed, description).await;
    if let Err(failure) = &outcome {
        crate::server::set_response_status(failure);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_example_button_replaces_the_textarea() {
        let form = PredictForm {
            description: "typed".to_string(),
            example: Some(1),
        };
        assert_eq!(form.into_note(), EXAMPLES[1].text);
        let form = PredictForm {
            description: "typed".to_string(),
            example: None,
        };
        assert_eq!(form.into_note(), "typed");
        let form = PredictForm {
            description: "typed".to_string(),
            example: Some(EXAMPLES.len()),
        };
        assert_eq!(form.into_note(), "typed");
    }

    #[test]
    fn input_problems_keep_their_details() {
        let problem = InputProblem::from(&InputError::TooLong {
            chars: 5_001,
            max: 5_000,
        });
        assert_eq!(
            problem,
            InputProblem::TooLong {
                chars: 5_001,
                max: 5_000
            }
        );
        assert!(problem.message().contains("5001 characters"));
        assert_eq!(
            PredictFailure::Input(InputProblem::Empty).message(),
            "Write or paste a tasting note first."
        );
    }

    #[test]
    fn network_failures_read_as_unreachable() {
        let failure =
            PredictFailure::from_server_fn_error(ServerFnErrorErr::Request("refused".into()));
        assert_eq!(failure, PredictFailure::Unreachable);
        let failure =
            PredictFailure::from_server_fn_error(ServerFnErrorErr::Deserialization("bad".into()));
        // In the browser an answer that cannot be decoded is the server's failure; on
        // the server a request body that cannot be decoded is the client's (400).
        #[cfg(not(feature = "ssr"))]
        assert!(matches!(failure, PredictFailure::Server(_)));
        #[cfg(feature = "ssr")]
        assert!(matches!(failure, PredictFailure::BadRequest(_)));
    }
}
