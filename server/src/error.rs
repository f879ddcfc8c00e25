//! The one error shape of the API: `{"error":{"code","message"}}` with a fitting status.

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vinovoyant_inference::InputError;

use crate::MAX_BODY_BYTES;
use crate::engine::EngineError;

/// An error answered to a client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

/// The stable, machine-readable code of an error answer: what a program
/// matches on (the message is for people and may change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON.
    MalformedJson,
    /// The body is larger than [`MAX_BODY_BYTES`].
    PayloadTooLarge,
    /// The body is not sent as `application/json`.
    UnsupportedMediaType,
    /// The JSON does not have the request's shape.
    InvalidRequest,
    /// The request could not be read.
    BadRequest,
    /// The description is blank.
    EmptyDescription,
    /// The description is longer than the models read.
    DescriptionTooLong,
    /// The description has no letter or digit.
    NoWords,
    /// Too few of the description's words are ones wine writing uses.
    NotATastingNote,
    /// The batch has more descriptions than accepted.
    BatchTooLarge,
    /// Similar wines need the review data, which this server does not have (yet).
    SimilarUnavailable,
    /// Too many predictions are running; retry shortly.
    Overloaded,
    /// The body did not arrive in time.
    RequestTimeout,
    /// The request took too long and was abandoned.
    Timeout,
    /// No such resource.
    NotFound,
    /// The resource does not accept the method.
    MethodNotAllowed,
    /// A valid bearer token is required.
    Unauthorized,
    /// The request is not allowed here.
    Forbidden,
    /// A form post that did not come from this site's pages.
    CrossSiteRequest,
    /// The server failed.
    Internal,
    /// Any other failure status.
    Error,
}

impl ErrorCode {
    /// Every code, in the order documented.
    pub const ALL: [Self; 21] = [
        Self::MalformedJson,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidRequest,
        Self::BadRequest,
        Self::EmptyDescription,
        Self::DescriptionTooLong,
        Self::NoWords,
        Self::NotATastingNote,
        Self::BatchTooLarge,
        Self::SimilarUnavailable,
        Self::Overloaded,
        Self::RequestTimeout,
        Self::Timeout,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Unauthorized,
        Self::Forbidden,
        Self::CrossSiteRequest,
        Self::Internal,
        Self::Error,
    ];

    /// The code as it is sent (its serialised name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidRequest => "invalid_request",
            Self::BadRequest => "bad_request",
            Self::EmptyDescription => "empty_description",
            Self::DescriptionTooLong => "description_too_long",
            Self::NoWords => "no_words",
            Self::NotATastingNote => "not_a_tasting_note",
            Self::BatchTooLarge => "batch_too_large",
            Self::SimilarUnavailable => "similar_unavailable",
            Self::Overloaded => "overloaded",
            Self::RequestTimeout => "request_timeout",
            Self::Timeout => "timeout",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::CrossSiteRequest => "cross_site_request",
            Self::Internal => "internal",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a client is told when the body is over [`MAX_BODY_BYTES`].
pub fn body_too_large() -> String {
    format!(
        "the request body is larger than {} MiB",
        MAX_BODY_BYTES >> 20
    )
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// A machine-readable code and a sentence for people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable identifier of the error.
    pub code: ErrorCode,
    /// Explanation in English.
    #[schema(example = "the description is empty")]
    pub message: String,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 422: the request is well-formed but cannot be served as asked.
    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 429: too many predictions are running.
    pub fn overloaded() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Overloaded,
            "too many predictions are running; retry shortly",
        )
    }

    /// 500: the server failed; the details go to the log, not to the client.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the server failed to answer; the error was logged",
        )
    }

    /// The error a plain status stands for, when a layer answered with no body of its own.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => (ErrorCode::BadRequest, "the request could not be read"),
            StatusCode::UNAUTHORIZED => {
                (ErrorCode::Unauthorized, "a valid bearer token is required")
            }
            StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                ErrorCode::MethodNotAllowed,
                "this resource does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => {
                return Self::new(status, ErrorCode::PayloadTooLarge, body_too_large());
            }
            StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "this request is not allowed here"),
            StatusCode::REQUEST_TIMEOUT => (
                ErrorCode::RequestTimeout,
                "the request body did not arrive in time; send it again",
            ),
            StatusCode::SERVICE_UNAVAILABLE => (
                ErrorCode::Timeout,
                "the request took too long and was abandoned",
            ),
            s if s.is_server_error() => (ErrorCode::Internal, "the server failed to answer"),
            _ => (ErrorCode::Error, "the request failed"),
        };
        Self::new(status, code, message)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body sent to the client.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
            },
        }
    }
}

impl From<&InputError> for ApiError {
    fn from(e: &InputError) -> Self {
        let code = match e {
            InputError::Empty => ErrorCode::EmptyDescription,
            InputError::TooLong { .. } => ErrorCode::DescriptionTooLong,
            InputError::NoWords => ErrorCode::NoWords,
            InputError::NotATastingNote { .. } => ErrorCode::NotATastingNote,
        };
        Self::unprocessable(code, e.to_string())
    }
}

/// The API's form of the engine's errors: 429 busy, 422 refused, 500 failed (the
/// reason goes to the log, not to the client).
impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Busy => Self::overloaded(),
            EngineError::Invalid(input) => Self::from(&input),
            EngineError::Failed(reason) => {
                tracing::error!(reason, "the prediction failed");
                Self::internal()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match &rejection {
            JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidRequest,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::BadRequest,
        };
        let message = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with `Content-Type: application/json`".to_string()
            }
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
            other => other.body_text(),
        };
        Self::new(status, code, message)
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::unprocessable(ErrorCode::InvalidRequest, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// Seconds a client is told to wait after a 429 before it tries again.
const RETRY_AFTER_SECS: HeaderValue = HeaderValue::from_static("1");

/// `axum::Json` whose rejections are answered in the API's error shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` whose rejections are answered in the API's error shape.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Gives a JSON error body to error answers that layers produced without one: any
/// status of 400 or more with no content type (timeout, unknown method), and the body
/// limit's plain-text 413. Answers with a body of their own (pages, server functions)
/// keep it. Every 429, from whichever route, says when to retry (`Retry-After`).
pub async fn normalize_errors(mut response: Response) -> Response {
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(RETRY_AFTER_SECS);
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let plain = match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(value) => {
            status == StatusCode::PAYLOAD_TOO_LARGE && value.as_bytes().starts_with(b"text/plain")
        }
    };
    if !plain {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut replaced = ApiError::for_status(status).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replaced.headers_mut().append(name.clone(), value.clone());
        }
    }
    replaced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_sent_by_its_documented_name() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("a code serialises"),
                serde_json::Value::from(code.as_str())
            );
        }
        assert_eq!(ErrorCode::NotATastingNote.as_str(), "not_a_tasting_note");
    }

    #[test]
    fn the_body_limit_is_said_from_its_constant() {
        assert_eq!(body_too_large(), "the request body is larger than 1 MiB");
        let error = ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error.body().error.code, ErrorCode::PayloadTooLarge);
    }
}
