//! The server functions of the predict page and the types they exchange.
//!
//! The page gets its [`PageState`] from the server's HTML ([`current_page_state`]
//! on the server, serialised for hydration) and asks the full model through one
//! server function, [`predict_origin`] at `/_app/predict` (under `/_app/` so it
//! never collides with the JSON API under `/api/`). The page state reads the
//! [`ModelHandle`](vinovoyant_inference::ModelHandle) the site provides as context;
//! predictions go through the [`NoteScorer`] it provides beside it.

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use vinovoyant_model::{InputError, LabelScore, TokenContribution};

use crate::examples::EXAMPLES;

/// How many countries and provinces an answer of the full model carries.
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

    /// The HTTP status a page answer carries for this failure, where it is the
    /// client's to act on: 400 for a request that could not be read, 422 for a
    /// refused note, 429 while the server is busy (the JSON API's statuses for the
    /// same cases).
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Self::BadRequest(_) => Some(http::StatusCode::BAD_REQUEST),
            Self::Input(_) => Some(http::StatusCode::UNPROCESSABLE_ENTITY),
            Self::Busy => Some(http::StatusCode::TOO_MANY_REQUESTS),
            Self::Unreachable | Self::Server(_) => None,
        }
    }

    /// Sets the status of the server function's answer to [`Self::status`]; without
    /// it a failure goes out as 500.
    #[cfg(feature = "ssr")]
    fn set_response_status(&self) {
        if let (Some(status), Some(response)) =
            (self.status(), use_context::<leptos_axum::ResponseOptions>())
        {
            response.set_status(status);
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
        failure.set_response_status();
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
    /// The words that pushed the full model toward its top countries, strongest
    /// first (content words only); absent in answers from older servers.
    #[serde(default)]
    pub explanation: Vec<TokenContribution>,
}

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
        let model = use_context::<vinovoyant_inference::ModelHandle>()?;
        let model_version = model.current().version().to_string();
        Some(PageState {
            model_version,
            submission: use_context::<Submission>(),
        })
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// Asks the full model where the wine described by `description` comes from.
#[server(prefix = "/_app", endpoint = "predict")]
pub async fn predict_origin(description: String) -> Result<ServerAnswer, PredictFailure> {
    let scorer = use_context::<NoteScorer>()
        .ok_or_else(|| PredictFailure::Server("no model is loaded".to_string()))?;
    let outcome = answer_note(&scorer, description).await;
    if let Err(failure) = &outcome {
        failure.set_response_status();
    }
    outcome
}

/// The full model's prediction for one note, with the version of the bundle that made it.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct ScoredNote {
    /// Version of the model bundle that answered.
    pub model_version: String,
    /// What the full model made of the note.
    pub prediction: vinovoyant_model::Prediction,
}

/// The future a [`NoteScorer`] returns.
#[cfg(feature = "ssr")]
pub type ScoreFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<ScoredNote, PredictFailure>> + Send>>;

/// How the page's notes reach the full model. The server builds it on the engine
/// behind its JSON API, so a note sent from the page shares the API's concurrency
/// limit, prediction metrics and PredictionLatency records.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct NoteScorer(std::sync::Arc<dyn Fn(String) -> ScoreFuture + Send + Sync>);

#[cfg(feature = "ssr")]
impl NoteScorer {
    /// A scorer that answers each note with `score`.
    pub fn new<F, Fut>(score: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<ScoredNote, PredictFailure>> + Send + 'static,
    {
        Self(std::sync::Arc::new(move |note| Box::pin(score(note))))
    }

    /// The full model's prediction for `description`.
    pub async fn score(&self, description: String) -> Result<ScoredNote, PredictFailure> {
        (self.0)(description).await
    }
}

#[cfg(feature = "ssr")]
impl From<vinovoyant_inference::PredictError> for PredictFailure {
    fn from(error: vinovoyant_inference::PredictError) -> Self {
        use vinovoyant_inference::PredictError;
        match error {
            PredictError::Input(problem) => Self::Input(InputProblem::from(&problem)),
            PredictError::Runtime(message) => Self::Server(message),
        }
    }
}

/// The full model's answer about `description`, as the page shows it.
#[cfg(feature = "ssr")]
pub async fn answer_note(
    scorer: &NoteScorer,
    description: String,
) -> Result<ServerAnswer, PredictFailure> {
    let scored = scorer.score(description.clone()).await?;
    let prediction = scored.prediction;
    Ok(ServerAnswer {
        model_version: scored.model_version,
        countries: prediction
            .countries
            .into_iter()
            .take(ANSWER_LABELS)
            .collect(),
        provinces: prediction
            .provinces
            .into_iter()
            .take(ANSWER_LABELS)
            .collect(),
        explanation: prediction.explanation,
        description,
    })
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
