//! The web site: the Leptos pages rendered on the server, the files of the browser
//! bundle, and the distilled model the browser runs.
//!
//! | route | answer |
//! |---|---|
//! | `GET` each [`Page`] path (`/`, `/batch`, `/analytics`, `/model`) | the page, rendered by Leptos (only `/` is hydrated in the browser) |
//! | `GET /?note=…` | the predict page with the full model's answer for a shared note |
//! | `POST /` | the predict page with the full model's answer for the posted form (no JavaScript) |
//! | `GET /analytics/charts?country=…` | the analytics charts for a country, as an HTML fragment (the filter's redraw) |
//! | `POST /_app/*` | the app's server functions |
//! | `GET /model/{version}/distilled.bin` | the distilled model of the bundle served, immutable; to browsers that take brotli, a copy made once per bundle at its highest quality |
//! | anything else | a file under the site root (`pkg/…`, `favicon.svg`), else the 404 page |
//!
//! `scripts/build-site.sh` builds the site root: in `pkg/<content hash>/` (named in
//! [`ASSET_DIR_FILE`]) `vinovoyant.js`, `vinovoyant_bg.wasm`, `vinovoyant.css`,
//! `noscript.css`, `analytics.js` and `batch.js`, each also precompressed (`.br`, `.gz`), and
//! at the root the files of `public/`. The assets are served with a year's
//! immutable `Cache-Control`.

use std::path::Path;
use std::sync::Arc;

use app::api::{InputProblem, PredictFailure, PredictForm, Submission};
use app::server::{DatasetFeed, NoteScorer, answer_note};
use app::{Page, routes, shell};
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

use crate::engine::EngineError;
use crate::security::CspNonce;
use crate::shrunk::{BrotliCopy, accepts_brotli};

/// Base name of the browser bundle's files, as `scripts/build-site.sh` writes them.
pub const OUTPUT_NAME: &str = "vinovoyant";

/// Folder of the browser bundle under the site root, for a site built without
/// content-named assets.
pub const PKG_DIR: &str = "pkg";

/// The file at the site root where `scripts/build-site.sh` names the asset folder,
/// `pkg/<content hash>`: a new build gets a new address, so browsers may keep every
/// asset for a year.
pub const ASSET_DIR_FILE: &str = "asset-dir.txt";

/// The folder of the browser assets under `site_root`, relative to it: the one
/// [`ASSET_DIR_FILE`] names, or [`PKG_DIR`] when there is none (or it is not a
/// content-named folder).
pub fn asset_dir(site_root: &Path) -> String {
    std::fs::read_to_string(site_root.join(ASSET_DIR_FILE))
        .ok()
        .map(|dir| dir.trim().to_string())
        .filter(|dir| is_content_named(dir))
        .unwrap_or_else(|| PKG_DIR.to_string())
}

/// Whether `dir` is `pkg/` and a hexadecimal content hash.
fn is_content_named(dir: &str) -> bool {
    dir.strip_prefix("pkg/").is_some_and(|hash| {
        (8..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `Cache-Control` of what never changes at its address: the distilled model (its
/// URL names its version) and the content-named assets.
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

/// The page's form of the engine's errors: busy, refused (with the reason the
/// page words for people) or failed.
impl From<EngineError> for PredictFailure {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::Busy => Self::Busy,
            EngineError::Invalid(problem) => Self::Input(InputProblem::from(&problem)),
            EngineError::Failed(reason) => Self::Server(reason),
        }
    }
}

/// What the site's handlers share.
#[derive(Clone)]
struct Site {
    options: LeptosOptions,
    model: ModelHandle,
    scorer: NoteScorer,
    feed: DatasetFeed,
    distilled_brotli: BrotliCopy,
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
        distilled_brotli: BrotliCopy::default(),
    };
    compress_distilled_model_early(&site);
    // With no route listing, Leptos registers only the server functions (and sets
    // up its executor); each page is routed below, from `Page::ALL`.
    let mut router =
        Router::new().leptos_routes_with_context(&site, Vec::new(), context.clone(), page_shell);
    for &page in Page::ALL {
        let handler = if page == Page::Predict {
            get(predict_page(render_page.clone()))
        } else {
            get(render_page.clone())
        };
        router = router.route(page.path(), handler);
    }
    let router = router
        .route(routes::PREDICT, post(submit_without_js))
        .route(routes::DISTILLED_MODEL, get(distilled_model))
        .route(routes::ANALYTICS_CHARTS, get(analytics_charts))
        .fallback(leptos_axum::file_and_error_handler_with_context::<Site, _>(
            context, shell,
        ))
        .with_state(site);
    if is_content_named(&options.site_pkg_dir) {
        let prefix: Arc<str> = format!("/{}/", options.site_pkg_dir).into();
        router.layer(axum::middleware::from_fn_with_state(
            prefix,
            immutable_assets,
        ))
    } else {
        router
    }
}

/// Marks the answers under the content-named asset folder `prefix` as never
/// changing: their address changes with their content.
async fn immutable_assets(
    State(prefix): State<Arc<str>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let asset = request.uri().path().starts_with(&*prefix);
    let mut response = next.run(request).await;
    if asset && matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    response
}

/// Hands the request's CSP nonce to Leptos, so its inline scripts carry it.
fn provide_request_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// `GET /`: the predict page; with `?note=…` (a shared link, see [`app::share`])
/// rendered around the full model's answer for that note, like `POST /`.
fn predict_page<R, F>(
    render_page: R,
) -> impl Fn(State<Site>, Request) -> std::pin::Pin<Box<dyn Future<Output = Response> + Send>>
+ Clone
+ Send
+ Sync
+ 'static
where
    R: Fn(Request) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    move |State(site): State<Site>, request: Request| {
        let render_page = render_page.clone();
        Box::pin(async move {
            let note = request.uri().query().and_then(app::share::shared_note);
            match note {
                Some(note) => {
                    let (parts, _) = request.into_parts();
                    answer_page(site, parts, note).await
                }
                None => render_page(request).await,
            }
        })
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
    answer_page(site, parts, form.into_note()).await
}

/// The predict page rendered around the full model's answer for `description`, with
/// the status of the failure when there is none (422 for a refused note, 429 busy).
async fn answer_page(site: Site, parts: Parts, description: String) -> Response {
    let outcome = answer_note(&site.scorer, &site.feed, description.clone()).await;
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
    let markup = app::pages::analytics::charts_markup(&site.model, &site.feed, country);
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
    // The two encodings are two representations, so each has its own tag.
    let plain_tag = format!("\"{}\"", bundle.distilled_sha256());
    let brotli_tag = format!("\"{}.br\"", bundle.distilled_sha256());
    let revalidated = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| {
            [&plain_tag, &brotli_tag]
                .into_iter()
                .find(|tag| etag_matches(value, tag))
        });
    let bytes = Bytes::copy_from_slice(bundle.distilled_bytes());
    let brotli = match revalidated {
        None if accepts_brotli(&headers) => {
            site.distilled_brotli
                .of(bundle.version(), bytes.clone())
                .await
        }
        _ => None,
    };
    let tag = match (revalidated, &brotli) {
        (Some(tag), _) => tag,
        (None, Some(_)) => &brotli_tag,
        (None, None) => &plain_tag,
    };
    let Ok(tag) = HeaderValue::from_str(tag) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = if revalidated.is_some() {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = brotli.clone().unwrap_or(bytes).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        if brotli.is_some() {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        response
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    response_headers.insert(header::ETAG, tag);
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Starts the brotli copy of the served bundle's distilled model now, so the
/// first visitor need not wait for it (later bundles get theirs on first request).
fn compress_distilled_model_early(site: &Site) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let copy = site.distilled_brotli.clone();
    let bundle = site.model.current();
    runtime.spawn(async move {
        let bytes = Bytes::copy_from_slice(bundle.distilled_bytes());
        copy.of(bundle.version(), bytes).await;
    });
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
    fn the_asset_folder_is_the_content_named_one_the_build_wrote() {
        let root = std::env::temp_dir().join(format!("vv-assets-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("temp dir");
        assert_eq!(asset_dir(&root), PKG_DIR, "no file: the plain folder");
        std::fs::write(root.join(ASSET_DIR_FILE), "pkg/0123abcd4567ef89\n").expect("write");
        assert_eq!(asset_dir(&root), "pkg/0123abcd4567ef89");
        for wrong in [
            "pkg/../../etc",
            "pkg/xyz",
            "other/0123abcd",
            "pkg/",
            "pkg/0123",
        ] {
            std::fs::write(root.join(ASSET_DIR_FILE), wrong).expect("write");
            assert_eq!(asset_dir(&root), PKG_DIR, "{wrong}");
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn options_name_the_bundle_files() {
        let options = options(Path::new("target/site"), PKG_DIR);
        assert_eq!(&*options.output_name, "vinovoyant");
        assert_eq!(&*options.site_root, "target/site");
        assert_eq!(&*options.site_pkg_dir, "pkg");
    }
}
