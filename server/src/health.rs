//! Readiness backed by a canary: test predictions with known answers, repeated on a timer.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;
use vinovoyant_inference::{Bundle, ModelHandle};

use crate::telemetry;

/// Tasting notes whose country any usable model gets right, with that country.
const CANARY: &[(&str, &str)] = &[
    (
        "Ripe blackberry, cassis and mocha fill this plush Napa Valley Cabernet Sauvignon, \
         with toasty new oak and a long, supple finish.",
        "US",
    ),
    (
        "Aromas of rose, tar and dried cherry lead the nose of this Barolo. The firm palate \
         shows Nebbiolo's grip alongside licorice and tobacco from the Langhe hills of Piedmont.",
        "Italy",
    ),
    (
        "A classic Pauillac from the Médoc, with cedar, graphite and black currant over firm \
         tannins; this Bordeaux château blend will age for decades.",
        "France",
    ),
    (
        "This Rioja Reserva shows classic Tempranillo character: dill and coconut from \
         American oak, red plum, leather and tobacco.",
        "Spain",
    ),
    (
        "Intensely aromatic Marlborough Sauvignon Blanc with passion fruit, gooseberry and \
         cut grass, zesty and bright.",
        "New Zealand",
    ),
    (
        "A dense Mendoza Malbec with violet, blackberry and plum, soft tannins and a touch of \
         chocolate from the high-altitude Uco Valley.",
        "Argentina",
    ),
];

/// Longest a canary run may take before it counts as failed.
const CANARY_TIMEOUT: Duration = Duration::from_secs(5);

/// What `/health` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// The model is loaded and the canary passed.
    Ok,
    /// Serving (HTTP 200), but not the model that was asked for: the fallback bundle,
    /// because the configured one could not be loaded; `reason` says why.
    Degraded,
    /// Not ready to serve; `reason` says why.
    Unavailable,
}

/// Why the server is not serving, or serves a fallback model: a short code that tells
/// an operator where to look and tells a stranger nothing about the setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthReason {
    /// The canary has not yet run on the model being served.
    CanaryPending,
    /// The canary's last run on the model being served failed.
    CanaryFailed,
    /// The configured model could not be loaded; the bundled default serves.
    FallbackModel,
}

/// The body of `/health`: what anyone may know. The details behind `reason` go to the
/// log and to `/health/details` ([`HealthDetails`]), which needs the metrics token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthBody {
    /// `ok` or `degraded` while serving (HTTP 200), `unavailable` otherwise (HTTP 503).
    pub status: HealthStatus,
    /// Version of the model bundle being served.
    pub model_version: String,
    /// Why the server is not serving, or serves a fallback model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<HealthReason>,
}

/// The body of `/health/details`: the public report and, for operators, the reason
/// in full (store addresses and errors included).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthDetails {
    /// What `/health` says.
    #[serde(flatten)]
    pub report: HealthBody,
    /// The reason in full, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl HealthBody {
    /// Whether the load balancer should send traffic.
    pub fn is_serving(&self) -> bool {
        matches!(self.status, HealthStatus::Ok | HealthStatus::Degraded)
    }
}

/// The body of `/health/live`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveBody {
    /// Always `alive`.
    #[schema(example = "alive")]
    pub status: &'static str,
}

impl LiveBody {
    /// The only answer.
    pub fn alive() -> Self {
        Self { status: "alive" }
    }
}

#[derive(Debug, Clone)]
enum Canary {
    NotRun,
    Passed { version: String },
    Failed { version: String, reason: String },
}

/// The last canary result of the model being served, and whether that model is a
/// fallback.
pub struct Health {
    model: ModelHandle,
    last: RwLock<Canary>,
    degraded: RwLock<Option<String>>,
}

impl Health {
    /// Health of `model`, unavailable until the first canary run.
    pub fn new(model: ModelHandle) -> Self {
        Self {
            model,
            last: RwLock::new(Canary::NotRun),
            degraded: RwLock::new(None),
        }
    }

    /// Marks the model being served as a fallback (`Some(reason)`) or as the one asked
    /// for (`None`).
    pub fn set_degraded(&self, reason: Option<String>) {
        *self
            .degraded
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = reason;
    }

    /// Version of the model being served.
    pub fn model_version(&self) -> String {
        self.model.current().version().to_string()
    }

    /// Why the model being served is a fallback, if it is.
    pub fn degraded(&self) -> Option<String> {
        self.degraded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// What `/health` answers now.
    pub fn report(&self) -> HealthBody {
        self.details().report
    }

    /// What `/health/details` answers now: the report with its reason in full.
    pub fn details(&self) -> HealthDetails {
        // Under the lock, so a swap (see `adopt`) is seen whole or not at all.
        let (current, last) = {
            let last = self
                .last
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (self.model.current().version().to_string(), last.clone())
        };
        let (status, reason, detail) = match last {
            Canary::Passed { version } if version == current => match self.degraded() {
                Some(detail) => (
                    HealthStatus::Degraded,
                    Some(HealthReason::FallbackModel),
                    Some(detail),
                ),
                None => (HealthStatus::Ok, None, None),
            },
            Canary::Passed { .. } | Canary::NotRun => (
                HealthStatus::Unavailable,
                Some(HealthReason::CanaryPending),
                Some("the canary has not run on this model yet".to_string()),
            ),
            Canary::Failed { version, reason } => (
                HealthStatus::Unavailable,
                Some(HealthReason::CanaryFailed),
                Some(format!("the canary failed on model {version}: {reason}")),
            ),
        };
        HealthDetails {
            report: HealthBody {
                status,
                model_version: current,
                reason,
            },
            detail,
        }
    }

    /// Serves `bundle` from now on if it passes the canary; otherwise keeps the model
    /// being served and says why. Requests in flight finish on the model they started
    /// with.
    pub async fn adopt(&self, bundle: Bundle) -> Result<(), String> {
        let bundle = Arc::new(bundle);
        let version = bundle.version().to_string();
        run_canary(Arc::clone(&bundle)).await?;
        let bundle = Arc::try_unwrap(bundle)
            .map_err(|_| "the canary kept a reference to the new model".to_string())?;
        let previous = {
            let mut last = self
                .last
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            self.model.replace(bundle);
            std::mem::replace(
                &mut *last,
                Canary::Passed {
                    version: version.clone(),
                },
            )
        };
        record(previous, version, true);
        Ok(())
    }

    /// Runs the canary on the bundle being served and records the result.
    pub async fn check(&self) {
        let bundle = self.model.current();
        let version = bundle.version().to_string();
        let outcome = run_canary(bundle).await;
        let passed = outcome.is_ok();
        let next = match outcome {
            Ok(()) => Canary::Passed {
                version: version.clone(),
            },
            Err(reason) => {
                tracing::error!(model_version = %version, %reason, "health canary failed");
                Canary::Failed {
                    version: version.clone(),
                    reason,
                }
            }
        };
        let previous = {
            let mut last = self
                .last
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if self.model.current().version() != version {
                // The model was swapped while the canary ran; `adopt` recorded the
                // new one's result, which this older one must not overwrite.
                return;
            }
            std::mem::replace(&mut *last, next)
        };
        record(previous, version, passed);
    }
}

/// Runs the canary on `bundle` off the async runtime, within [`CANARY_TIMEOUT`].
async fn run_canary(bundle: Arc<Bundle>) -> Result<(), String> {
    let run = tokio::task::spawn_blocking(move || canary(&bundle));
    match tokio::time::timeout(CANARY_TIMEOUT, run).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Err(format!("the canary task failed: {e}")),
        Err(_) => Err(format!("no answer within {} s", CANARY_TIMEOUT.as_secs())),
    }
}

/// Updates the model and canary metrics after a canary run on `version`.
fn record(previous: Canary, version: String, passed: bool) {
    if let Canary::Passed { version: old } | Canary::Failed { version: old, .. } = previous
        && old != version
    {
        metrics::gauge!(telemetry::MODEL_INFO, "version" => old).set(0.0);
    }
    metrics::gauge!(telemetry::MODEL_INFO, "version" => version).set(1.0);
    metrics::gauge!(telemetry::CANARY_OK).set(if passed { 1.0 } else { 0.0 });
    let result = if passed { "pass" } else { "fail" };
    metrics::counter!(telemetry::CANARY_RUNS, "result" => result).increment(1);
}

/// Checks every example of [`CANARY`]; the error lists the ones that went wrong.
fn canary(bundle: &Bundle) -> Result<(), String> {
    let mut wrong = Vec::new();
    for (text, expected) in CANARY {
        match bundle.predict(text) {
            Ok(prediction) => {
                let sane = prediction
                    .countries
                    .iter()
                    .all(|c| c.probability.is_finite() && (0.0..=1.0).contains(&c.probability));
                match prediction.top_country() {
                    _ if !sane => {
                        wrong.push(format!(
                            "expected {expected}, got probabilities outside [0, 1]"
                        ));
                    }
                    Some(top) if top.label == *expected => {}
                    Some(top) => wrong.push(format!(
                        "expected {expected}, got {} ({:.3})",
                        top.label, top.probability
                    )),
                    None => wrong.push(format!("expected {expected}, got no country")),
                }
            }
            Err(e) => wrong.push(format!("expected {expected}, got an error: {e}")),
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}
