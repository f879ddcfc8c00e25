//! One log line and one set of metrics per request.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

use crate::guard;
use crate::telemetry::{self, Emf};

/// Route label of requests that matched no route (static files, unknown paths).
const UNMATCHED: &str = "unmatched";

/// Middleware: logs the request id, method, route, status and latency of each answer,
/// counts it and its latency in Prometheus by route and status, and counts errors for
/// CloudWatch. The route is the matched pattern (`/api/v1/predict`), never the raw path,
/// and the method is a standard one or `other` ([`guard::method_label`]), so the
/// number of series stays bounded whatever clients ask for.
pub async fn observe(State(emf): State<Arc<Emf>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = guard::method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let span = tracing::info_span!("request", %request_id, %method, %route);
    let response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    tracing::info!(
        parent: &span,
        %request_id,
        %method,
        %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1_000.0,
        "answered"
    );
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!(telemetry::HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(telemetry::HTTP_DURATION, &labels).record(elapsed.as_secs_f64());
    emf.status(status);
    response
}
