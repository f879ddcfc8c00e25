//! The one error shape of the API: `{"error":{"code","message"}}` with a fitting status.

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vinovoyant_inference::{InputError, PredictError};

/// An error answered to a client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
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
    /// Stable identifier: `malformed_json`, `payload_too_large`, `unsupported_media_type`,
    /// `invalid_request`, `bad_request`, `empty_description`, `description_too_long`,
    /// `no_words`, `not_a_tasting_note`, `batch_too_large`, `overloaded`,
    /// `request_timeout`, `timeout`, `not_found`, `method_not_allowed`,
    /// `unauthorized`, `forbidden`, `cross_site_request` or `internal`.
    #[schema(example = "empty_description")]
    pub code: String,
    /// Explanation in English.
    #[schema(example = "the description is empty")]
    pub message: String,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 422: the request is well-formed but cannot be served as asked.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 429: too many predictions are running.
    pub fn overloaded() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "overloaded",
            "too many predictions are running; retry shortly",
        )
    }

    /// 500: the server failed; the details go to the log, not to the client.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the error was logged",
        )
    }

    /// The error a plain status stands for, when a layer answered with no body of its own.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "the request could not be read"),
            StatusCode::UNAUTHORIZED => ("unauthorized", "a valid bearer token is required"),
            StatusCode::NOT_FOUND => ("not_found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "this resource does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "the request body is larger than 1 MiB")
            }
            StatusCode::FORBIDDEN => ("forbidden", "this request is not allowed here"),
            StatusCode::REQUEST_TIMEOUT => (
                "request_timeout",
                "the request body did not arrive in time; send it again",
            ),
            StatusCode::SERVICE_UNAVAILABLE => {
                ("timeout", "the request took too long and was abandoned")
            }
            s if s.is_server_error() => ("internal", "the server failed to answer"),
            _ => ("error", "the request failed"),
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
                code: self.code.to_string(),
                message: self.message.clone(),
            },
        }
    }
}

impl From<&InputError> for ApiError {
    fn from(e: &InputError) -> Self {
        let code = match e {
            InputError::Empty => "empty_description",
            InputError::TooLong { .. } => "description_too_long",
            InputError::NoWords => "no_words",
            InputError::NotATastingNote { .. } => "not_a_tasting_note",
        };
        Self::unprocessable(code, e.to_string())
    }
}

impl From<&PredictError> for ApiError {
    fn from(e: &PredictError) -> Self {
        match e {
            PredictError::Input(input) => input.into(),
            PredictError::Runtime(reason) => {
                tracing::error!(reason, "the model failed to run");
                Self::internal()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match &rejection {
            JsonRejection::JsonSyntaxError(_) => "malformed_json",
            JsonRejection::JsonDataError(_) => "invalid_request",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            _ => "bad_request",
        };
        let message = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with `Content-Type: application/json`".to_string()
            }
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                "the request body is larger than 1 MiB".to_string()
            }
            other => other.body_text(),
        };
        Self::new(status, code, message)
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
