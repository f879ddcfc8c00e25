//! The web site: the Leptos pages rendered on the server, the files of the browser
//! bundle, and the distilled model the browser runs.
//!
//! | route | answer |
//! |---|---|
//! | `GET` each [`Page`] path (`/`, `/analytics`, `/model`) | the page, rendered by Leptos and hydrated in the browser |
//! | `POST /` | the predict page with the full model's answer for the posted form (no JavaScript) |
//! | `GET /analytics/charts?country=…` | the analytics charts for a country, as an HTML fragment (the filter's redraw) |
//! | `POST /_app/*` | the app's server functions |
//! | `GET /model/{version}/distilled.bin` | the distilled model of the bundle served, immutable |
//! | anything else | a file under the site root (`pkg/…`, `favicon.svg`), else the 404 page |
//!
//! `scripts/build-site.sh` builds the site root: `pkg/vinovoyant.js`,
//! `pkg/vinovoyant_bg.wasm`, `pkg/vinovoyant.css` and the files of `public/`.

use std::path::Path;

use app::api::{NoteScorer, PredictFailure, PredictForm, Submission, answer_note};
use app::insight::DatasetFeed;
use app::{Page, shell};
use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Path as UrlPath, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::LeptosRoutes;
use serde::Deserialize;
use vinovoyant_inference::ModelHandle;

use crate::security::CspNonce;

/// Base name of the browser bundle's files, as `scripts/build-site.sh` writes them.
pub const OUTPUT_NAME: &str = "vinovoyant";

/// Folder of the browser bundle under the site root.
pub const PKG_DIR: &str = "pkg";

/// `Cache-Control` of the distilled model: its URL names its version, so it never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Leptos options for a site built into `site_root`, with its bundle in `pkg_dir`
/// (relative to the site root; normally [`PKG_DIR`]).
pub fn options(site_root: &Path, pkg_dir: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir(pkg_dir)
        .env(Env::PROD)
        .build()
}

/// What the site's handlers share.
#[derive(Clone)]
struct Site {
    options: LeptosOptions,
    model: ModelHandle,
    scorer: NoteScorer,
    feed: DatasetFeed,
}

impl FromRef<Site> for LeptosOptions {
    fn from_ref(site: &Site) -> Self {
        site.options.clone()
    }
}

/// Every route of the site, serving the app with `model` (whose notes `scorer`
/// answers), and the analytics page with the aggregates of `feed` (or the bundle's).
///
/// Pages take the CSP nonce that the server's site policy puts in the request's
/// extensions ([`CspNonce`]), so wrap these routes in `security::site_policy`.
pub fn routes(
    options: LeptosOptions,
    model: ModelHandle,
    scorer: NoteScorer,
    feed: DatasetFeed,
) -> Router {
    let context = {
        let model = model.clone();
        let scorer = scorer.clone();
        let feed = feed.clone();
        move || {
            provide_context(model.clone());
            provide_context(scorer.clone());
            provide_context(feed.clone());
            provide_request_nonce();
        }
    };
    let page_shell = {
        let options = options.clone();
        move || shell(options.clone())
    };
    let render_page =
        leptos_axum::render_app_to_stream_with_context(context.clone(), page_shell.clone());
    let site = Site {
        options: options.clone(),
        model,
        scorer,
        feed,
    };
    // With no route listing, Leptos registers only the server functions (and sets
    // up its executor); each page is routed below, from `Page::ALL`.
    let mut router =
        Router::new().leptos_routes_with_context(&site, Vec::new(), context.clone(), page_shell);
    for page in Page::ALL {
        router = router.route(page.path(), get(render_page.clone()));
    }
    router
        .route("/", post(submit_without_js))
        .route("/model/{version}/distilled.bin", get(distilled_model))
        .route("/analytics/charts", get(analytics_charts))
        .fallback(leptos_axum::file_and_error_handler_with_context::<Site, _>(
            context, shell,
        ))
        .with_state(site)
}

/// Hands the request's CSP nonce to Leptos, so its inline scripts carry it.
fn provide_request_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// `POST /`: the predict form sent by a browser without JavaScript. Answers with
/// the page rendered around the full model's answer, or the reason there is none
/// (422 when the note itself was refused).
async fn submit_without_js(
    State(site): State<Site>,
    parts: Parts,
    Form(form): Form<PredictForm>,
) -> Response {
    let description = form.into_note();
    let outcome = answer_note(&site.scorer, description.clone()).await;
    let status = outcome.as_ref().err().and_then(PredictFailure::status);
    let submission = Submission {
        description,
        outcome,
    };
    let Site { options, model, .. } = site;
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(model.clone());
            provide_context(submission.clone());
            provide_request_nonce();
        },
        move || shell(options.clone()),
    );
    let mut response = render(Request::from_parts(parts, Body::empty())).await;
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}

/// The query of `GET /analytics/charts`.
#[derive(Debug, Deserialize)]
struct ChartsQuery {
    /// One of the countries the filter offers; empty or absent for all of them.
    country: Option<String>,
}

/// `GET /analytics/charts?country=…`: the analytics charts for `country`, as the
/// HTML fragment the filter swaps into the page (any other country: all of them).
async fn analytics_charts(State(site): State<Site>, Query(query): Query<ChartsQuery>) -> Response {
    let country = query
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let markup = app::insight::charts_markup(&site.model, &site.feed, country);
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        markup,
    )
        .into_response()
}

/// `GET /model/{version}/distilled.bin`: the distilled model of the bundle served,
/// with its SHA-256 as ETag. Any other version is gone: 404.
async fn distilled_model(
    State(site): State<Site>,
    UrlPath(version): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let bundle = site.model.current();
    if version != bundle.version() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let etag = format!("\"{}\"", bundle.distilled_sha256());
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let cache = [
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::ETAG, etag_value),
    ];
    let revalidated = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| etag_matches(value, &etag));
    if revalidated {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        )],
        Bytes::copy_from_slice(bundle.distilled_bytes()),
    )
        .into_response()
}

/// Whether an `If-None-Match` value (`*` or a list of tags, weak or strong) names `etag`.
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        let etag = "\"abc\"";
        assert!(etag_matches("\"abc\"", etag));
        assert!(etag_matches("\"x\", W/\"abc\"", etag));
        assert!(etag_matches("*", etag));
        assert!(!etag_matches("\"abd\"", etag));
        assert!(!etag_matches("abc", etag));
    }

    #[test]
    fn options_name_the_bundle_files() {
        let options = options(Path::new("target/site"), PKG_DIR);
        assert_eq!(&*options.output_name, "vinovoyant");
        assert_eq!(&*options.site_root, "target/site");
        assert_eq!(&*options.site_pkg_dir, "pkg");
    }
}
