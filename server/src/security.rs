//! Security headers, the CSP nonce of the site's pages, and CORS.

use std::sync::Arc;

use anyhow::Context as _;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The policy of everything that is not a page: nothing may load, nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The nonce of one page answer, put in the request's extensions before the site
/// renders it. The site hands it to Leptos (`leptos::nonce::Nonce::from_value`) so the
/// inline hydration script carries the same nonce as the `Content-Security-Policy`
/// header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    /// 128 fresh random bits, base64url without padding.
    fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes).into()))
    }
}

/// The policy of the site's pages: the app's own scripts, styles, images and calls, the
/// WASM module compiled from `/pkg`, and the one inline script that carries `nonce`.
pub fn site_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Middleware of the site's routes: gives each request a fresh [`CspNonce`] and
/// answers with the page policy naming it. Without a random source the page is
/// still served, with a policy that allows no inline script.
pub async fn site_policy(mut request: Request, next: Next) -> Response {
    let nonce = match CspNonce::generate() {
        Ok(nonce) => Some(nonce),
        Err(e) => {
            tracing::error!(error = %e, "no randomness for a CSP nonce");
            None
        }
    };
    if let Some(nonce) = &nonce {
        request.extensions_mut().insert(nonce.clone());
    }
    let mut response = next.run(request).await;
    let policy = site_csp(nonce.as_ref().map_or("", |n| &n.0));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Headers set on every answer (the CSP only when the route set none of its own).
pub fn common_headers() -> [(HeaderName, HeaderValue, bool); 5] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
            false,
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
            true,
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
            true,
        ),
        (
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
            true,
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
            true,
        ),
    ]
}

/// CORS for the API: none (same-origin only) when `origins` is empty, any origin for
/// `*`, otherwise exactly the listed origins.
pub fn cors(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    let origins: Vec<&str> = origins
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.contains(&"*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|o| HeaderValue::from_str(o).with_context(|| format!("bad CORS origin {o:?}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(values)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(std::time::Duration::from_secs(3_600)),
    ))
}
