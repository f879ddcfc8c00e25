//! Request guards: what every request must be before any route sees it, and the
//! same-origin rule for the site's form posts.
//!
//! Each guard answers a client's mistake with a 4xx in the API's error shape, so
//! nothing a client sends can reach the 5xx-rate alarm that rolls a release back.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use crate::error::{ApiError, ErrorCode};

/// The methods some route answers. Any other method (`PUT`, `CONNECT`, an invented
/// one) is answered 405 before routing.
pub const ALLOWED_METHODS: [Method; 4] = [Method::GET, Method::HEAD, Method::POST, Method::OPTIONS];

/// The standard methods, each counted under its own name in the metrics; every other
/// method is counted as `other`, so clients cannot add series.
const STANDARD_METHODS: [Method; 9] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::CONNECT,
    Method::OPTIONS,
    Method::TRACE,
    Method::PATCH,
];

/// The metrics label of `method`: its name when it is standard, else `other`.
pub fn method_label(method: &Method) -> &'static str {
    STANDARD_METHODS
        .iter()
        .find(|standard| *standard == method)
        .map_or("other", Method::as_str)
}

/// Middleware: answers 405 (with `Allow`) to a method no route serves.
pub async fn allowed_methods(request: Request, next: Next) -> Response {
    if ALLOWED_METHODS.contains(request.method()) {
        return next.run(request).await;
    }
    let mut response = ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED).into_response();
    response.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
    );
    response
}

/// What [`read_body`] allows a request body.
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    /// Largest body, in bytes.
    pub max_bytes: usize,
    /// Longest time to receive it.
    pub within: Duration,
}

/// Middleware: receives the whole request body before the routes see it, so a body
/// that is too large is answered 413 and one that arrives too slowly 408. Both are
/// the client's doing; the request timeout, which answers 503, then counts only the
/// server's own time.
pub async fn read_body(State(rules): State<BodyRules>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > rules.max_bytes as u64) {
        return ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE).into_response();
    }
    let collect = Limited::new(body, rules.max_bytes).collect();
    let bytes: Bytes = match tokio::time::timeout(rules.within, collect).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE).into_response();
        }
        Ok(Err(_)) => return ApiError::for_status(StatusCode::BAD_REQUEST).into_response(),
        Err(_) => return ApiError::for_status(StatusCode::REQUEST_TIMEOUT).into_response(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Middleware of the site's form posts: a `POST` is served only when the browser
/// says it comes from this site, so another site cannot post the form for its
/// visitors. Browsers send `Sec-Fetch-Site` (and `Origin`) with every form post and
/// `fetch`; a request with neither comes from a program, not from a page elsewhere,
/// and is served. Anything else is answered 403.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !from_this_site(request.headers()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossSiteRequest,
            "this form only accepts posts from its own pages",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether the headers of a request show it was sent by a page of this site (or by
/// no page at all).
fn from_this_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).map(HeaderValue::as_bytes);
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, host)| host.as_bytes());
    matches!((origin_host, host), (Some(origin), Some(host)) if origin.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn only_pages_of_this_site_may_post() {
        assert!(from_this_site(&headers(&[])));
        assert!(from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!from_this_site(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(from_this_site(&headers(&[
            ("host", "wine.example:3000"),
            ("origin", "http://wine.example:3000"),
        ])));
        assert!(!from_this_site(&headers(&[
            ("host", "wine.example"),
            ("origin", "https://evil.example"),
        ])));
        assert!(!from_this_site(&headers(&[
            ("host", "wine.example"),
            ("origin", "null"),
        ])));
    }

    #[test]
    fn method_labels_are_bounded() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"BREW").expect("a token");
        assert_eq!(method_label(&invented), "other");
    }
}
