//! The server's side of the app (feature `ssr`): the state the site provides
//! as context and the pages read. The model being served, the data set's
//! aggregates and the way to the full model all live here, so the page modules
//! only draw.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::api::{
    ANSWER_LABELS, PageState, PredictFailure, SIMILAR_WINES, ServerAnswer, SimilarWines, Submission,
};

/// The predict page's state from the request's context: the model version and
/// the [`Submission`] of a form sent without JavaScript. `None` without a model.
pub fn page_state() -> Option<PageState> {
    let model = use_context::<vinovoyant_inference::ModelHandle>()?;
    let model_version = model.current().version().to_string();
    Some(PageState {
        model_version,
        submission: use_context::<Submission>(),
    })
}

impl PredictFailure {
    /// The HTTP status a page answer carries for this failure, where it is the
    /// client's to act on: 400 for a request that could not be read, 422 for a
    /// refused note, 429 while the server is busy (the JSON API's statuses for the
    /// same cases).
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Self::BadRequest(_) => Some(http::StatusCode::BAD_REQUEST),
            Self::Input(_) => Some(http::StatusCode::UNPROCESSABLE_ENTITY),
            Self::Busy => Some(http::StatusCode::TOO_MANY_REQUESTS),
            Self::Unreachable | Self::Server(_) => None,
        }
    }
}

/// Sets the status of the server function's answer to [`PredictFailure::status`];
/// without it a failure goes out as 500.
pub(crate) fn set_response_status(failure: &PredictFailure) {
    if let (Some(status), Some(response)) = (
        failure.status(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        response.set_status(status);
    }
}

/// The full model's prediction for one note, with the version of the bundle that made it.
#[derive(Debug, Clone)]
pub struct ScoredNote {
    /// Version of the model bundle that answered.
    pub model_version: String,
    /// What the full model made of the note.
    pub prediction: vinovoyant_model::Prediction,
}

/// The future a [`NoteScorer`] returns.
pub type ScoreFuture = Pin<Box<dyn Future<Output = Result<ScoredNote, PredictFailure>> + Send>>;

/// How the page's notes reach the full model. The server builds it on the engine
/// behind its JSON API, so a note sent from the page shares the API's concurrency
/// limit, prediction metrics and PredictionLatency records.
#[derive(Clone)]
pub struct NoteScorer(Arc<dyn Fn(String) -> ScoreFuture + Send + Sync>);

impl NoteScorer {
    /// A scorer that answers each note with `score`.
    pub fn new<F, Fut>(score: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ScoredNote, PredictFailure>> + Send + 'static,
    {
        Self(Arc::new(move |note| Box::pin(score(note))))
    }

    /// The full model's prediction for `description`.
    pub async fn score(&self, description: String) -> Result<ScoredNote, PredictFailure> {
        (self.0)(description).await
    }
}

/// The full model's answer about `description`, as the page shows it, with the
/// reviews of `feed`'s data set that read most like it.
pub async fn answer_note(
    scorer: &NoteScorer,
    feed: &DatasetFeed,
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
        varieties: prediction
            .varieties
            .into_iter()
            .take(ANSWER_LABELS)
            .collect(),
        explanation: prediction.explanation,
        similar: similar_wines(feed, &description, SIMILAR_WINES),
        description,
    })
}

/// The `k` reviews of `feed`'s data set that read most like `note`, or why there
/// are none. The note is not checked here: callers pass notes the model answered.
pub fn similar_wines(feed: &DatasetFeed, note: &str, k: usize) -> SimilarWines {
    match feed.state() {
        FeedState::Bundled => SimilarWines::NoData,
        FeedState::Loading { source } => SimilarWines::Indexing { source },
        FeedState::Failed { source, .. } => SimilarWines::Unavailable { source },
        FeedState::Ready {
            source, similar, ..
        } => SimilarWines::Found {
            source,
            wines: similar.query(note, k),
        },
    }
}

/// Where the configured data set stands (its aggregates for the analytics page,
/// its similar-wines index for answers), shared between the server's loader
/// (which updates it) and the pages and API (which read it).
#[derive(Clone, Default)]
pub struct DatasetFeed(Arc<std::sync::RwLock<FeedState>>);

/// The state of a [`DatasetFeed`].
#[derive(Clone, Default)]
pub enum FeedState {
    /// No data set is configured: the model bundle's aggregates serve.
    #[default]
    Bundled,
    /// The data set at `source` is being read, aggregated and indexed.
    Loading {
        /// Where the data comes from, as shown on the page.
        source: String,
    },
    /// The data set's aggregates, ready.
    Ready {
        /// Where the data came from, as shown on the page.
        source: String,
        /// The aggregates.
        summary: Arc<vinovoyant_analytics::DatasetSummary>,
        /// The reviews, indexed by their words for similar wines.
        similar: Arc<vinovoyant_similar::SimilarIndex>,
    },
    /// The data set could not be read, aggregated or indexed.
    Failed {
        /// Where the data should have come from.
        source: String,
        /// Why it could not be used.
        reason: String,
    },
}

impl DatasetFeed {
    /// The current state.
    pub fn state(&self) -> FeedState {
        match self.0.read() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the state.
    pub fn set(&self, state: FeedState) {
        match self.0.write() {
            Ok(mut current) => *current = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }
}

/// The aggregates the page draws, with where they came from.
pub(crate) struct Aggregates {
    /// The aggregates, if there are any.
    pub summary: Option<Arc<vinovoyant_analytics::DatasetSummary>>,
    /// Where they came from, as shown on the page.
    pub source: String,
    /// Why they are not the configured data set's, or why there are none.
    pub notice: Option<String>,
}

/// The bundle's aggregates (`analytics.json`, which the model runtime hands on as
/// bytes), parsed once per bundle version rather than on every request: the file
/// is some 50 KB. A file that does not parse counts as absent.
fn bundled_summary(
    bundle: &vinovoyant_inference::Bundle,
) -> Option<std::sync::Arc<vinovoyant_analytics::DatasetSummary>> {
    use std::sync::{Arc, Mutex, PoisonError};
    type Parsed = Option<(String, Option<Arc<vinovoyant_analytics::DatasetSummary>>)>;
    static PARSED: Mutex<Parsed> = Mutex::new(None);
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((version, summary)) = parsed.as_ref()
        && version == bundle.version()
    {
        return summary.clone();
    }
    let summary = bundle
        .extra_file(vinovoyant_model::bundle::ANALYTICS_FILE)
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .map(Arc::new);
    *parsed = Some((bundle.version().to_string(), summary.clone()));
    summary
}

/// The aggregates to draw: the configured data set's when ready, else the
/// model bundle's, with a notice saying why.
pub(crate) fn aggregates(
    model: Option<&vinovoyant_inference::ModelHandle>,
    feed: Option<&DatasetFeed>,
) -> Aggregates {
    let bundled = || {
        model.map(|model| {
            let bundle = model.current();
            (
                bundled_summary(&bundle),
                format!("bundled aggregates (model version {})", bundle.version()),
            )
        })
    };
    let (notice, fallback) = match feed.map_or(FeedState::Bundled, DatasetFeed::state) {
        FeedState::Ready {
            source, summary, ..
        } => {
            return Aggregates {
                summary: Some(summary),
                source,
                notice: None,
            };
        }
        FeedState::Bundled => (None, bundled()),
        FeedState::Loading { source } => (
            Some(format!(
                "The data set ({source}) is still being read and aggregated; until it is ready, the aggregates shipped with the model serve."
            )),
            bundled(),
        ),
        FeedState::Failed { source, reason } => (
            Some(format!(
                "The data set ({source}) could not be used: {reason}. The aggregates shipped with the model serve instead."
            )),
            bundled(),
        ),
    };
    let (summary, source) = fallback.unwrap_or((None, "no model loaded".to_string()));
    let notice = match (&summary, notice) {
        (None, _) => Some(
            "There are no aggregates to draw: the model bundle has none and no data set is configured (--data)."
                .to_string(),
        ),
        (Some(_), notice) => notice,
    };
    Aggregates {
        summary,
        source,
        notice,
    }
}
