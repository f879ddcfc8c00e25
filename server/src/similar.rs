//! `GET` and `POST /api/v1/similar`: the reviews of the server's data set that read
//! most like a note. The index is built once, in the background, when the server
//! starts with `--data` (see [`crate::dataset`]); until then, or without data, the
//! answer is 503 `similar_unavailable` saying why.

use app::api::{SIMILAR_WINES, SimilarWine, SimilarWines};
use app::server::similar_wines;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vinovoyant_model::validate_description;

use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody, ErrorCode};
use crate::{AppState, examples};

/// Most reviews one request may ask for.
pub const MAX_SIMILAR: usize = 20;
/// Seconds a client is told to wait while the index is being built.
const RETRY_WHILE_INDEXING: HeaderValue = HeaderValue::from_static("5");

/// A note to find similar wines for.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarRequest {
    /// A tasting note, 1 to 5,000 characters, held to the same checks as a
    /// prediction's (a text that is not a tasting note is refused).
    #[param(example = "Ripe blackberry and cassis with cedar and firm tannins, from Napa Valley.")]
    pub description: String,
    /// How many reviews to return, 1 to 20 (5 when absent).
    #[serde(default = "default_count")]
    #[param(example = 5, minimum = 1, maximum = 20)]
    #[schema(example = 5, minimum = 1, maximum = 20)]
    pub count: usize,
}

fn default_count() -> usize {
    SIMILAR_WINES
}

/// The closest reviews, closest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarResponse {
    /// Where the reviews come from (`local file (…)` or `S3 (s3://…)`).
    pub source: String,
    /// The reviews; empty when none shares a content word with the note.
    pub results: Vec<SimilarWine>,
}

/// The reviews that read most like a note (query parameters).
#[utoipa::path(
    get,
    path = "/api/v1/similar",
    tag = "similar",
    params(SimilarRequest),
    responses(
        (status = 200, description = "The closest reviews, closest first", body = SimilarResponse,
            example = examples::similar_response),
        (status = 422, description = "The description is missing, empty, too long, has no words or is not a tasting note, or the count is out of range", body = ErrorBody),
        (status = 503, description = "`similar_unavailable`: the server has no review data (`--data`), or is still indexing it (with `Retry-After`)", body = ErrorBody),
    )
)]
async fn similar_get(
    State(state): State<AppState>,
    ApiQuery(request): ApiQuery<SimilarRequest>,
) -> Response {
    answer(&state, &request)
}

/// The reviews that read most like a note (JSON body).
#[utoipa::path(
    post,
    path = "/api/v1/similar",
    tag = "similar",
    request_body(content = SimilarRequest, example = examples::similar_request),
    responses(
        (status = 200, description = "The closest reviews, closest first", body = SimilarResponse,
            example = examples::similar_response),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "The description is empty, too long, has no words or is not a tasting note, or the count is out of range", body = ErrorBody),
        (status = 503, description = "`similar_unavailable`: the server has no review data (`--data`), or is still indexing it (with `Retry-After`)", body = ErrorBody),
    )
)]
async fn similar_post(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SimilarRequest>,
) -> Response {
    answer(&state, &request)
}

/// Checks the request as a prediction's note is checked, then asks the index.
fn answer(state: &AppState, request: &SimilarRequest) -> Response {
    match found(state, request) {
        Ok(response) => ApiJson(response).into_response(),
        Err(error) => error.into_response(),
    }
}

fn found(state: &AppState, request: &SimilarRequest) -> Result<SimilarResponse, Unavailable> {
    let note = &request.description;
    validate_description(note).map_err(|e| Unavailable::Refused(ApiError::from(&e)))?;
    if !(1..=MAX_SIMILAR).contains(&request.count) {
        return Err(Unavailable::Refused(ApiError::unprocessable(
            ErrorCode::InvalidRequest,
            format!(
                "count is {}; ask for 1 to {MAX_SIMILAR} reviews",
                request.count
            ),
        )));
    }
    // the same rule as predictions: what the model would refuse finds nothing either
    let bundle = state.engine.model().current();
    bundle
        .distilled()
        .check_note(note)
        .map_err(|e| Unavailable::Refused(ApiError::from(&e)))?;
    match similar_wines(&state.feed, note, request.count) {
        SimilarWines::Found { source, wines } => Ok(SimilarResponse {
            source,
            results: wines,
        }),
        SimilarWines::NoData => Err(Unavailable::Refused(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SimilarUnavailable,
            "this server has no review data to compare with: start it with \
             `--data <path or s3://bucket/key>` (a CSV of reviews with a description column)",
        ))),
        SimilarWines::Indexing { source } => Err(Unavailable::Indexing(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SimilarUnavailable,
            format!("the reviews from {source} are still being indexed; retry in a few seconds"),
        ))),
        SimilarWines::Unavailable { source } => Err(Unavailable::Refused(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SimilarUnavailable,
            format!("the reviews from {source} could not be read; the server log says why"),
        ))),
    }
}

/// Why there is no list: an error to send as it is, or one that says when to retry.
enum Unavailable {
    Refused(ApiError),
    Indexing(ApiError),
}

impl IntoResponse for Unavailable {
    fn into_response(self) -> Response {
        match self {
            Self::Refused(error) => error.into_response(),
            Self::Indexing(error) => {
                let mut response = error.into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, RETRY_WHILE_INDEXING);
                response
            }
        }
    }
}

/// The routes, for the API's router.
pub fn routes() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    utoipa_axum::routes!(similar_get, similar_post)
}
