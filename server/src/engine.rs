//! Runs the model off the async runtime, under the concurrency limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::api::PredictFailure;
use app::server::{NoteScorer, ScoredNote};
use tokio::sync::Semaphore;
use vinovoyant_inference::{Bundle, InputError, ModelHandle, PredictError, Prediction};

use crate::telemetry::{self, Emf};

/// Most text scored on the async worker itself (about five typical notes); more
/// goes to the blocking pool.
const INLINE_BYTES: usize = 1_500;

/// Scores descriptions with the bundle being served.
///
/// Each request takes one permit of a semaphore; when none is left the request is
/// refused at once with 429 rather than queued, so a burst can never pile up
/// unbounded work. Short work (a typical note takes about 0.1 ms) runs on the async
/// worker that received it: handing it to another thread and back cost more than
/// the prediction. Longer work (batches, very long notes) goes to Tokio's blocking
/// pool so it never holds up the other connections on that worker.
#[derive(Clone)]
pub struct Engine {
    model: ModelHandle,
    permits: Arc<Semaphore>,
    emf: Arc<Emf>,
}

/// Why the engine gave no prediction. The JSON API (`ApiError`) and the page
/// (`PredictFailure`) each turn it into their own form, once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// Every permit is taken: as many predictions run as allowed. A retry shortly works.
    #[error("too many predictions are running")]
    Busy,
    /// The description was refused; the caller's to fix.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// The model or its task failed; the reason is for the log.
    #[error("the prediction failed: {0}")]
    Failed(String),
}

impl From<PredictError> for EngineError {
    fn from(error: PredictError) -> Self {
        match error {
            PredictError::Input(input) => Self::Invalid(input),
            PredictError::Runtime(reason) => Self::Failed(reason),
        }
    }
}

/// What one request got: the bundle that answered and one result per description.
pub struct Scored {
    /// The bundle used, so the answer names the version that produced it.
    pub bundle: Arc<Bundle>,
    /// Results in the order of the descriptions.
    pub results: Vec<Result<Prediction, EngineError>>,
}

impl Engine {
    /// An engine allowing `max_concurrency` prediction requests at once.
    pub fn new(model: ModelHandle, max_concurrency: usize, emf: Arc<Emf>) -> Self {
        Self {
            model,
            permits: Arc::new(Semaphore::new(max_concurrency)),
            emf,
        }
    }

    /// The model handle, shared with the site and the health check.
    pub fn model(&self) -> &ModelHandle {
        &self.model
    }

    /// The site's way to the model: each note from the page is one request to this
    /// engine, under the same limit and in the same metrics as the JSON API's.
    pub fn note_scorer(&self) -> NoteScorer {
        let engine = self.clone();
        NoteScorer::new(move |description| {
            let engine = engine.clone();
            async move {
                let (bundle, prediction) = engine
                    .predict_one(description)
                    .await
                    .map_err(PredictFailure::from)?;
                Ok(ScoredNote {
                    model_version: bundle.version().to_string(),
                    prediction,
                })
            }
        })
    }

    /// Scores one description: the bundle that answered and its prediction.
    pub async fn predict_one(
        &self,
        description: String,
    ) -> Result<(Arc<Bundle>, Prediction), EngineError> {
        let scored = self.predict(vec![description]).await?;
        let Some(result) = scored.results.into_iter().next() else {
            return Err(EngineError::Failed(
                "the engine gave no result for a one-note request".to_string(),
            ));
        };
        Ok((scored.bundle, result?))
    }

    /// Scores `descriptions` with the full model as one unit of work: [`EngineError::Busy`]
    /// when no permit is left, else one result per description.
    pub async fn predict(&self, descriptions: Vec<String>) -> Result<Scored, EngineError> {
        let total_bytes: usize = descriptions.iter().map(String::len).sum();
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            metrics::counter!(telemetry::REJECTED).increment(1);
            return Err(EngineError::Busy);
        };
        let bundle = self.model.current();
        let work = Arc::clone(&bundle);
        let score = move || {
            let _permit = permit;
            descriptions
                .iter()
                .map(|text| {
                    let start = Instant::now();
                    // the distilled model's lexicon decides what is a tasting note,
                    // so the page's quick guess and the full model refuse alike
                    let result = work
                        .distilled()
                        .check_note(text)
                        .map_err(EngineError::from)
                        .and_then(|()| work.predict(text).map_err(EngineError::from));
                    (result, start.elapsed())
                })
                .collect::<Vec<_>>()
        };
        let timed = if total_bytes <= INLINE_BYTES {
            score()
        } else {
            tokio::task::spawn_blocking(score)
                .await
                .map_err(|e| EngineError::Failed(format!("a prediction task failed: {e}")))?
        };
        let version = bundle.version().to_string();
        let results = timed
            .into_iter()
            .map(|(result, elapsed)| {
                self.record(&version, &result, elapsed);
                result
            })
            .collect();
        Ok(Scored { bundle, results })
    }

    fn record(&self, version: &str, result: &Result<Prediction, EngineError>, elapsed: Duration) {
        let outcome = match result {
            Ok(_) => "ok",
            Err(EngineError::Invalid(_)) => "invalid",
            Err(EngineError::Busy | EngineError::Failed(_)) => "failed",
        };
        metrics::counter!(telemetry::PREDICTIONS, "model" => "full", "version" => version.to_string(), "outcome" => outcome)
            .increment(1);
        if result.is_ok() {
            metrics::histogram!(telemetry::PREDICTION_DURATION, "model" => "full", "version" => version.to_string())
                .record(elapsed.as_secs_f64());
            self.emf.prediction(elapsed);
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use vinovoyant_inference::{Bundle, default_model_dir};

    use super::*;

    #[tokio::test]
    async fn inline_and_pooled_work_give_the_bundle_s_own_answers() {
        let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
        let short = "Ripe Napa Cabernet with cassis and cedar.".to_string();
        let long = "Dark cherry, leather and tobacco with firm tannins. ".repeat(40);
        assert!(short.len() <= INLINE_BYTES && long.len() > INLINE_BYTES);
        let expected = [bundle.predict(&short), bundle.predict(&long)];
        let engine = Engine::new(ModelHandle::new(bundle), 2, Arc::new(Emf::new(None)));
        for (text, expected) in [short, long].into_iter().zip(expected) {
            let scored = engine.predict(vec![text]).await.expect("scored");
            let [answer] = <[_; 1]>::try_from(scored.results).expect("one result");
            assert_eq!(
                answer.expect("a prediction"),
                expected.expect("a prediction")
            );
        }
    }

    #[tokio::test]
    async fn a_page_note_over_the_limit_is_busy_and_then_answered() {
        let bundle = Bundle::load(&default_model_dir()).expect("the default bundle loads");
        let engine = Engine::new(ModelHandle::new(bundle), 1, Arc::new(Emf::new(None)));
        let scorer = engine.note_scorer();
        let note = "Ripe Napa Cabernet with cassis and cedar.".to_string();
        let held = Arc::clone(&engine.permits)
            .try_acquire_owned()
            .expect("the only permit");
        let failure = scorer
            .score(note.clone())
            .await
            .expect_err("no permit is left");
        assert_eq!(failure, PredictFailure::Busy);
        assert_eq!(failure.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        drop(held);
        let scored = scorer
            .score(note)
            .await
            .expect("answered once the permit is back");
        assert_eq!(
            scored.prediction.top_country().map(|c| c.label.as_str()),
            Some("US")
        );
    }
}
