//! The JSON API under `/api/v1`, its OpenAPI document and the health routes.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vinovoyant_inference::{Manifest, Prediction};
use vinovoyant_model::{Certainty, MAX_DESCRIPTION_CHARS, content_words, validate_description};

use crate::error::{ApiError, ApiJson, ErrorBody, ErrorCode};
use crate::health::{HealthBody, HealthDetails, LiveBody};
use crate::{AppState, MAX_BODY_BYTES, examples};

/// Most descriptions in one batch request.
pub const MAX_BATCH: usize = 256;
/// Countries listed in `predictions`.
const TOP_COUNTRIES: usize = 5;
/// Grape varieties listed in `variety`.
const TOP_VARIETIES: usize = 3;

/// One wine to place.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PredictRequest {
    /// A tasting note (its limits are in [`description_schema`]).
    #[schema(schema_with = description_schema)]
    pub description: String,
}

/// Several wines to place in one request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchRequest {
    /// Tasting notes (their limits are in [`descriptions_schema`]).
    #[schema(schema_with = descriptions_schema)]
    pub descriptions: Vec<String>,
}

/// The schema of one tasting note, with the limits the API applies: written
/// from the constants, so the document never drifts from the checks.
fn description_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(format!(
            "A tasting note, 1 to {MAX_DESCRIPTION_CHARS} characters."
        )))
        .min_length(Some(1))
        .max_length(Some(MAX_DESCRIPTION_CHARS))
        .examples([serde_json::json!(
            "Ripe blackberry and cassis with toasty oak, from Napa Valley."
        )])
        .build()
}

/// The schema of a batch's tasting notes, with the batch limit.
fn descriptions_schema() -> utoipa::openapi::Array {
    let note = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_DESCRIPTION_CHARS));
    utoipa::openapi::ArrayBuilder::new()
        .items(note)
        .description(Some(format!(
            "At most {MAX_BATCH} tasting notes, each of 1 to {MAX_DESCRIPTION_CHARS} characters."
        )))
        .max_items(Some(MAX_BATCH))
        .build()
}

/// The 413 answer's description, from the body limit.
fn too_large_response() -> String {
    format!("The body is larger than {} MiB", MAX_BODY_BYTES >> 20)
}

/// The batch's 422 answer's description, from the batch limit.
fn batch_refused_response() -> String {
    format!("More than {MAX_BATCH} descriptions")
}

/// Where one wine most likely comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredictResponse {
    /// Version of the model bundle that answered.
    pub model_version: String,
    /// The most probable country.
    pub country: String,
    /// How far to trust `country`, from its probability: `high` from 0.70 (right
    /// 87 % of the time for writers the model never read, on writer-held-out
    /// folds), `medium` from 0.40,
    /// `low` below, and `low` for a note of fewer than three content words
    /// (see `vinovoyant_model::certainty`).
    pub certainty: CertaintyLevel,
    /// The five most probable countries, most probable first.
    pub predictions: Vec<LabelProbability>,
    /// The most probable province or state, when the model has a province head.
    pub province: Option<LabelProbability>,
    /// The three most probable grape varieties (or blends), most probable first:
    /// calibrated on writers the model never read like the countries. Empty when
    /// the model has no variety head. A variety is a class when the training data
    /// had at least 5 reviews of it; rarer ones are never named.
    pub variety: Vec<LabelProbability>,
    /// Words that drove the answer, strongest first, for the top countries.
    pub explanation: Vec<Contribution>,
}

/// Certainty of an answer in words, from its top probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CertaintyLevel {
    /// Top probability 0.70 or more.
    High,
    /// Top probability from 0.40 to 0.70.
    Medium,
    /// Top probability under 0.40.
    Low,
}

impl From<Certainty> for CertaintyLevel {
    fn from(certainty: Certainty) -> Self {
        match certainty {
            Certainty::High => Self::High,
            Certainty::Medium => Self::Medium,
            Certainty::Low => Self::Low,
        }
    }
}

/// A label and its probability.
#[derive(Debug, Serialize, ToSchema)]
pub struct LabelProbability {
    /// Country, province or grape variety name.
    pub label: String,
    /// Probability in [0, 1].
    pub probability: f32,
}

/// How much one word of the description pushed toward one country.
#[derive(Debug, Serialize, ToSchema)]
pub struct Contribution {
    /// The word as written.
    pub token: String,
    /// The country it pushed toward (or away from, when negative).
    pub label: String,
    /// What the word adds to that country's score before the softmax, in log-odds
    /// units (natural log): the weights of every feature the word takes part in,
    /// shared evenly among the words a feature spans. Positive pushes toward the
    /// country, negative away; compare weights within one answer, they are not
    /// probabilities (2 means the word alone multiplies the odds by about 7).
    pub weight: f32,
    /// Where the word starts in the description, in bytes of its UTF-8 (for Rust,
    /// Go, Python `bytes`).
    pub start: usize,
    /// Where the word ends (exclusive), in bytes of its UTF-8.
    pub end: usize,
    /// Where the word starts, in UTF-16 code units (JavaScript's `slice`, Java, C#).
    pub start_utf16: usize,
    /// Where the word ends (exclusive), in UTF-16 code units.
    pub end_utf16: usize,
}

/// The UTF-16 offset of byte offset `byte` in `text` (its length past the end;
/// a byte inside a character counts from that character's start).
fn utf16_offset(text: &str, byte: usize) -> usize {
    let mut boundary = byte.min(text.len());
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    text[..boundary].encode_utf16().count()
}

/// One answer per description, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// A prediction or an error for each description.
    pub results: Vec<BatchItem>,
}

/// The answer for one description of a batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchItem {
    /// The description was scored.
    Prediction(PredictResponse),
    /// The description was refused (empty, too long, no words, not a tasting note).
    Error(ErrorBody),
}

/// The manifest of the bundle being served: version, creation time, training data
/// and options, the label sets of both heads, validation metrics and file checksums.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ModelManifest(Manifest);

impl utoipa::PartialSchema for ModelManifest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .description(Some(
                "The bundle manifest: `format`, `version`, `created`, `training_data`, \
                 `training`, `labels` (`countries`, `provinces`, `varieties`), `metrics` (validation \
                 report) and `files` (name to `sha256` and `bytes`).",
            ))
            .into()
    }
}

impl ToSchema for ModelManifest {}

impl PredictResponse {
    /// The answer from `prediction` for `description`, of `words` content words.
    fn new(
        version: &str,
        description: &str,
        words: usize,
        prediction: Prediction,
    ) -> Result<Self, ApiError> {
        let Some(top) = prediction.countries.first() else {
            tracing::error!("the model answered with no country");
            return Err(ApiError::internal());
        };
        Ok(Self {
            model_version: version.to_string(),
            country: top.label.clone(),
            certainty: Certainty::of_words(top.probability, words).into(),
            province: prediction
                .provinces
                .into_iter()
                .next()
                .map(|p| LabelProbability {
                    label: p.label,
                    probability: p.probability,
                }),
            predictions: prediction
                .countries
                .into_iter()
                .take(TOP_COUNTRIES)
                .map(|c| LabelProbability {
                    label: c.label,
                    probability: c.probability,
                })
                .collect(),
            variety: prediction
                .varieties
                .into_iter()
                .take(TOP_VARIETIES)
                .map(|v| LabelProbability {
                    label: v.label,
                    probability: v.probability,
                })
                .collect(),
            explanation: prediction
                .explanation
                .into_iter()
                .map(|t| Contribution {
                    start_utf16: utf16_offset(description, t.start),
                    end_utf16: utf16_offset(description, t.end),
                    token: t.token,
                    label: t.label,
                    weight: t.weight,
                    start: t.start,
                    end: t.end,
                })
                .collect(),
        })
    }
}

/// Where a wine comes from, from its tasting note.
#[utoipa::path(
    post,
    path = "/api/v1/predict",
    tag = "predict",
    request_body(content = PredictRequest, example = examples::predict_request),
    responses(
        (status = 200, description = "The most likely countries, province and grape varieties", body = PredictResponse,
            example = examples::predict_response),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 413, description = too_large_response(), body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = "The description is empty, too long, has no words, or is not a tasting note (`not_a_tasting_note`: too few words wine writing uses)", body = ErrorBody),
        (status = 429, description = "Too many predictions are running; retry after a second", body = ErrorBody),
    )
)]
async fn predict(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<PredictRequest>,
) -> Result<ApiJson<PredictResponse>, ApiError> {
    validate_description(&request.description).map_err(|e| ApiError::from(&e))?;
    let words = content_words(&request.description);
    let (bundle, prediction) = state
        .engine
        .predict_one(request.description.clone())
        .await?;
    PredictResponse::new(bundle.version(), &request.description, words, prediction).map(ApiJson)
}

/// Where each of several wines comes from; each description gets its own answer or error.
#[utoipa::path(
    post,
    path = "/api/v1/predict/batch",
    tag = "predict",
    request_body(content = BatchRequest, example = examples::batch_request),
    responses(
        (status = 200, description = "One result or error per description, in order", body = BatchResponse,
            example = examples::batch_response),
        (status = 400, description = "The body is not valid JSON", body = ErrorBody),
        (status = 413, description = too_large_response(), body = ErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ErrorBody),
        (status = 422, description = batch_refused_response(), body = ErrorBody),
        (status = 429, description = "Too many predictions are running; retry after a second", body = ErrorBody),
    )
)]
async fn predict_batch(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<ApiJson<BatchResponse>, ApiError> {
    let count = request.descriptions.len();
    if count > MAX_BATCH {
        return Err(ApiError::unprocessable(
            ErrorCode::BatchTooLarge,
            format!("the batch has {count} descriptions; at most {MAX_BATCH} are accepted"),
        ));
    }
    let words: Vec<usize> = request
        .descriptions
        .iter()
        .map(|description| content_words(description))
        .collect();
    let scored = state.engine.predict(request.descriptions.clone()).await?;
    let version = scored.bundle.version();
    let results = scored
        .results
        .into_iter()
        .zip(request.descriptions.iter().zip(words))
        .map(|(result, (description, words))| {
            let answered = result
                .map_err(ApiError::from)
                .and_then(|p| PredictResponse::new(version, description, words, p));
            match answered {
                Ok(response) => BatchItem::Prediction(response),
                Err(error) => BatchItem::Error(error.body()),
            }
        })
        .collect();
    Ok(ApiJson(BatchResponse { results }))
}

/// The manifest of the model being served.
#[utoipa::path(
    get,
    path = "/api/v1/model",
    tag = "model",
    responses((status = 200, description = "The bundle manifest", body = ModelManifest,
        example = examples::model_response))
)]
async fn model(State(state): State<AppState>) -> Response {
    let bundle = state.engine.model().current();
    Json(ModelManifest(bundle.manifest().clone())).into_response()
}

/// Ready to serve: the model is loaded and the canary's last run passed.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses(
        (status = 200, description = "Serving", body = HealthBody, example = examples::health_response),
        (status = 503, description = "Not serving, with the reason", body = HealthBody),
    )
)]
async fn health(State(state): State<AppState>) -> Response {
    let body = state.health.report();
    let status = if body.is_serving() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// The health report with its reason in full (store addresses, errors), for
/// operators: needs the metrics token, and is refused when none is configured.
#[utoipa::path(
    get,
    path = "/health/details",
    tag = "health",
    responses(
        (status = 200, description = "The report and its reason in full", body = HealthDetails,
            example = examples::health_details_response),
        (status = 401, description = "No valid bearer token", body = ErrorBody),
    )
)]
async fn health_details(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.operator_token_given(&headers, false) {
        return ApiError::for_status(StatusCode::UNAUTHORIZED).into_response();
    }
    Json(state.health.details()).into_response()
}

/// The process is up (says nothing about the model).
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "health",
    responses((status = 200, description = "Alive", body = LiveBody, example = examples::live_response))
)]
async fn live() -> Json<LiveBody> {
    Json(LiveBody::alive())
}

/// Unknown paths under `/api/v1`.
async fn not_found() -> ApiError {
    ApiError::for_status(StatusCode::NOT_FOUND)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "VinoVoyant API",
        description = "Reads a wine's tasting note and says where the wine comes from: country, then province, and the likely grape; finds the reviews that read most like it.\n\nErrors are JSON `{\"error\":{\"code\",\"message\"}}`.",
        license(name = "MIT", identifier = "MIT")
    ),
    tags(
        (name = "predict", description = "Place wines from their tasting notes"),
        (name = "similar", description = "Reviews that read like a note, from the server's review data"),
        (name = "model", description = "The model being served"),
        (name = "health", description = "Load balancer checks"),
    )
)]
struct ApiDoc;

/// The API routes (without shared layers) and the OpenAPI document describing them.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(predict))
        .routes(routes!(predict_batch))
        .routes(crate::similar::routes())
        .routes(routes!(model))
        .routes(routes!(health))
        .routes(routes!(health_details))
        .routes(routes!(live))
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let router = router.route("/api/v1/{*rest}", axum::routing::any(not_found));
    (router, doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_s_limits_and_codes_come_from_the_code() {
        let (_, doc) = router();
        let doc = serde_json::to_value(&doc).expect("the document serialises");
        let schemas = &doc["components"]["schemas"];
        let note = &schemas["PredictRequest"]["properties"]["description"];
        assert_eq!(note["maxLength"], MAX_DESCRIPTION_CHARS);
        assert_eq!(note["minLength"], 1);
        let notes = &schemas["BatchRequest"]["properties"]["descriptions"];
        assert_eq!(notes["maxItems"], MAX_BATCH);
        assert_eq!(notes["items"]["maxLength"], MAX_DESCRIPTION_CHARS);
        let codes: Vec<&str> = schemas["ErrorCode"]["enum"]
            .as_array()
            .expect("the codes are an enum")
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let expected: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(codes, expected);
        let too_large = &doc["paths"]["/api/v1/predict"]["post"]["responses"]["413"];
        assert_eq!(too_large["description"], too_large_response());
    }

    #[test]
    fn utf16_offsets_count_code_units_not_bytes() {
        let text = "Rosé 🍷 cherry";
        let start = text.find("cherry").expect("present");
        assert_eq!(start, 11);
        assert_eq!(utf16_offset(text, start), 8);
        assert_eq!(utf16_offset(text, text.len()), 14);
        assert_eq!(utf16_offset(text, text.len() + 5), 14);
        // a byte inside 'é' counts from the character's start
        assert_eq!(utf16_offset(text, 4), 3);
        let js_slice: String = text
            .encode_utf16()
            .skip(8)
            .take(6)
            .map(|u| u as u8 as char)
            .collect();
        assert_eq!(js_slice, "cherry");
    }
}
