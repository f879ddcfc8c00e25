//! Property tests of the request-decoding and featurising paths: whatever bytes or
//! text arrive at the routes that read a body, the answer is below 500. Run in
//! process (no socket) so that thousands of cases take seconds.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use clap::Parser as _;
use proptest::prelude::*;
use tower::ServiceExt as _;
use vinovoyant_server::config::ServeConfig;

/// The routes that decode a request body.
const BODY_ROUTES: [&str; 4] = [
    "/",
    "/_app/predict",
    "/api/v1/predict",
    "/api/v1/predict/batch",
];

/// Content types each body is sent as.
const CONTENT_TYPES: [&str; 4] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/octet-stream",
];

/// One runtime and one application for every case.
fn fixture() -> &'static (tokio::runtime::Runtime, Router) {
    static FIXTURE: OnceLock<(tokio::runtime::Runtime, Router)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let router = runtime.block_on(async {
            let config = ServeConfig::try_parse_from(["serve", "--emf", "false"]).expect("config");
            let model = vinovoyant_server::load_model(&vinovoyant_inference::default_model_dir())
                .await
                .expect("the default model");
            vinovoyant_server::app(&config, model, None)
                .expect("app")
                .router
        });
        (runtime, router)
    })
}

/// The status `router` answers to `body` posted to `path` as `content_type`.
fn status_of(path: &str, content_type: &str, body: Vec<u8>) -> u16 {
    let (runtime, router) = fixture();
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("request");
    runtime
        .block_on(router.clone().oneshot(request))
        .expect("infallible")
        .status()
        .as_u16()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_answered_below_500(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        route in 0..BODY_ROUTES.len(),
        content_type in 0..CONTENT_TYPES.len(),
    ) {
        let status = status_of(BODY_ROUTES[route], CONTENT_TYPES[content_type], body);
        prop_assert!(status < 500, "{}: {}", BODY_ROUTES[route], status);
    }

    #[test]
    fn any_text_as_a_note_is_answered_below_500(note in "\\PC{0,300}", route in 0..BODY_ROUTES.len()) {
        let path = BODY_ROUTES[route];
        let (content_type, body) = match path {
            "/api/v1/predict" => ("application/json", serde_json::json!({ "description": note }).to_string()),
            "/api/v1/predict/batch" => ("application/json", serde_json::json!({ "descriptions": [note] }).to_string()),
            _ => (
                "application/x-www-form-urlencoded",
                form_urlencoded::Serializer::new(String::new()).append_pair("description", &note).finish(),
            ),
        };
        let status = status_of(path, content_type, body.into_bytes());
        prop_assert!(status == 200 || status == 422, "{}: {} for {:?}", path, status, note);
    }
}
