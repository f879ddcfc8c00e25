//! Every route and every error code of the server, over a real socket.

mod common;

use common::{NAPA, RawRequest, TestServer, error_code};
use serde_json::{Value, json};

#[tokio::test]
async fn predict_answers_country_predictions_province_and_explanation() {
    let server = TestServer::start(&[]).await;
    let response = server
        .post_json("/api/v1/predict", &json!({ "description": NAPA }))
        .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let body: Value = response.json().await.expect("JSON");

    assert_eq!(body["country"], "US");
    let predictions = body["predictions"].as_array().expect("predictions");
    assert!(!predictions.is_empty() && predictions.len() <= 5);
    assert_eq!(predictions[0]["label"], body["country"]);
    let probabilities: Vec<f64> = predictions
        .iter()
        .map(|p| p["probability"].as_f64().expect("probability"))
        .collect();
    assert!(probabilities.windows(2).all(|w| w[0] >= w[1]));
    assert!(probabilities.iter().sum::<f64>() <= 1.0 + 1e-4);
    assert!(body["province"].is_null() || body["province"]["label"].is_string());
    let varieties = body["variety"].as_array().expect("variety");
    assert_eq!(varieties.len(), 3, "{body}");
    let grape: Vec<f64> = varieties
        .iter()
        .map(|v| v["probability"].as_f64().expect("probability"))
        .collect();
    assert!(grape.windows(2).all(|w| w[0] >= w[1]));
    assert!(grape.iter().sum::<f64>() <= 1.0 + 1e-4);
    // the note names its grape, and the variety head reads it
    assert_eq!(varieties[0]["label"], "Cabernet Sauvignon", "{body}");
    assert!(!body["model_version"].as_str().expect("version").is_empty());
    let explanation = body["explanation"].as_array().expect("explanation");
    assert!(!explanation.is_empty());
    for item in explanation {
        let start = item["start"].as_u64().expect("start") as usize;
        let end = item["end"].as_u64().expect("end") as usize;
        assert_eq!(
            Some(item["token"].as_str().expect("token")),
            NAPA.get(start..end)
        );
        assert!(item["label"].is_string() && item["weight"].is_number());
    }

    assert!(headers.contains_key("x-request-id"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    let csp = headers["content-security-policy"].to_str().expect("CSP");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"));
    server.stop().await;
}

#[tokio::test]
async fn batch_answers_each_description_with_a_result_or_its_own_error() {
    let server = TestServer::start(&[]).await;
    let too_long = "grape ".repeat(1_000);
    let response = server
        .post_json(
            "/api/v1/predict/batch",
            &json!({ "descriptions": [NAPA, "   ", too_long, "?!", "Crisp Mosel Riesling, slate and lime."] }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["country"], "US");
    assert_eq!(results[1]["error"]["code"], "empty_description");
    assert_eq!(results[2]["error"]["code"], "description_too_long");
    assert_eq!(results[3]["error"]["code"], "no_words");
    assert!(results[4]["country"].is_string());

    let empty = server
        .post_json("/api/v1/predict/batch", &json!({ "descriptions": [] }))
        .await;
    assert_eq!(empty.status(), 200);
    assert_eq!(
        empty.json::<Value>().await.expect("JSON")["results"],
        json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn text_that_is_not_a_tasting_note_is_refused_and_answers_say_their_certainty() {
    let server = TestServer::start(&[]).await;
    let response = server
        .post_json(
            "/api/v1/predict",
            &json!({ "description": "asdf qwerty zzkx blorp" }),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "not_a_tasting_note");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("tasting note"), "{message}");

    let response = server
        .post_json(
            "/api/v1/predict/batch",
            &json!({ "descriptions": [NAPA, "Milk, eggs and the weather tomorrow.", "Tannic", "Malbec"] }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results[0]["country"], "US");
    assert_eq!(results[0]["certainty"], "high");
    assert_eq!(results[1]["error"]["code"], "not_a_tasting_note");
    // one-word wine notes are answered, with low certainty
    for one_word in &results[2..] {
        assert!(one_word["country"].is_string(), "{one_word}");
        assert_eq!(one_word["certainty"], "low", "{one_word}");
    }
    for item in results[0]["explanation"].as_array().expect("explanation") {
        let token = item["token"].as_str().expect("token").to_lowercase();
        assert!(
            ![
                "with", "and", "of", "then", "the", "a", "is", "this", "it", "from"
            ]
            .contains(&token.as_str()),
            "function word {token} shown as evidence"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn invalid_input_is_422_with_a_precise_code() {
    let server = TestServer::start(&[]).await;
    let cases = [
        (json!({ "description": "" }), "empty_description"),
        (json!({ "description": " \n\t " }), "empty_description"),
        (
            json!({ "description": "a".repeat(5_001) }),
            "description_too_long",
        ),
        (json!({ "description": "... !!! ???" }), "no_words"),
        (json!({ "text": NAPA }), "invalid_request"),
        (json!({ "description": 42 }), "invalid_request"),
        (json!("a bare string"), "invalid_request"),
    ];
    for (body, code) in cases {
        let response = server.post_json("/api/v1/predict", &body).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(error_code(response).await, code, "{body}");
    }
    let batch = vec![NAPA; 257];
    let response = server
        .post_json("/api/v1/predict/batch", &json!({ "descriptions": batch }))
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_code(response).await, "batch_too_large");
    server.stop().await;
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_content_type_is_415() {
    let server = TestServer::start(&[]).await;
    for body in [
        "{\"description\": ",
        "not json",
        "{\"description\": \"\\ud800 x\"",
        "\u{0}",
    ] {
        let response = server
            .client
            .post(server.url("/api/v1/predict"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400, "{body:?}");
        assert_eq!(error_code(response).await, "malformed_json");
    }
    let invalid_utf8 = server
        .client
        .post(server.url("/api/v1/predict"))
        .header("content-type", "application/json")
        .body(vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'])
        .send()
        .await
        .expect("request");
    assert_eq!(invalid_utf8.status(), 400);

    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut request = server
            .client
            .post(server.url("/api/v1/predict/batch"))
            .body(r#"{"descriptions":["x"]}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 415, "{content_type:?}");
        assert_eq!(error_code(response).await, "unsupported_media_type");
    }
    server.stop().await;
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413_whether_announced_or_streamed() {
    let server = TestServer::start(&[]).await;
    let description = "x".repeat(1 << 20);
    let response = server
        .post_json("/api/v1/predict", &json!({ "description": description }))
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");

    // Chunked, so the size is only known once the limit is crossed.
    let head = "POST /api/v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close";
    let mut raw = RawRequest::begin(server.addr, head, b"").await;
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..17 {
        raw.send(format!("{:x}\r\n", chunk.len()).as_bytes()).await;
        raw.send(&chunk).await;
        raw.send(b"\r\n").await;
    }
    raw.send(b"0\r\n\r\n").await;
    let (status, body) = raw.finish().await;
    assert_eq!(status, 413);
    assert!(body.contains("payload_too_large"), "{body}");
    server.stop().await;
}

#[tokio::test]
async fn over_the_concurrency_limit_is_429_with_retry_after() {
    let server = TestServer::start(&["--max-concurrency", "1"]).await;
    let (refused, busy) = common::refused_while_busy(&server, || async {
        server
            .post_json("/api/v1/predict", &json!({ "description": NAPA }))
            .await
    })
    .await;
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(error_code(refused).await, "overloaded");
    assert_eq!(busy, 200);
    server.stop().await;
}

#[tokio::test]
async fn unknown_api_paths_are_json_404_and_wrong_methods_json_405() {
    let server = TestServer::start(&[]).await;
    let response = server.get("/api/v1/nothing-here").await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");

    let response = server.get("/api/v1/predict").await;
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
    assert_eq!(error_code(response).await, "method_not_allowed");
    server.stop().await;
}

#[tokio::test]
async fn model_route_serves_the_manifest_of_the_model_in_use() {
    let server = TestServer::start(&[]).await;
    let manifest: Value = server.get_json("/api/v1/model").await;
    let health: Value = server.get_json("/health").await;
    assert_eq!(manifest["version"], health["model_version"]);
    let countries = manifest["labels"]["countries"]
        .as_array()
        .expect("countries");
    assert!(countries.iter().any(|c| c == "US"));
    assert!(manifest["metrics"]["random_split"]["full"]["accuracy"].is_number());
    server.stop().await;
}

#[tokio::test]
async fn health_is_ok_once_the_canary_passes_and_live_always() {
    let server = TestServer::start(&[]).await;
    let response = server.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
    assert!(body["model_version"].is_string());
    assert!(body.get("reason").is_none());

    let live = server.get("/health/live").await;
    assert_eq!(live.status(), 200);
    assert_eq!(live.json::<Value>().await.expect("JSON")["status"], "alive");
    server.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_every_api_route() {
    let server = TestServer::start(&[]).await;
    let doc: Value = server.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().expect("version").starts_with('3'));
    for path in [
        "/api/v1/predict",
        "/api/v1/predict/batch",
        "/api/v1/model",
        "/health",
        "/health/live",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let predict = &doc["paths"]["/api/v1/predict"]["post"]["responses"];
    for status in ["200", "400", "413", "415", "422", "429"] {
        assert!(predict[status].is_object(), "{status} is documented");
    }
    for schema in [
        "PredictRequest",
        "PredictResponse",
        "BatchResponse",
        "ErrorBody",
        "HealthBody",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn docs_page_is_self_contained_html() {
    let server = TestServer::start(&[]).await;
    let response = server.get("/api/docs").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("CSP")
        .to_string();
    assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
    let html = response.text().await.expect("text");
    assert!(html.contains("/api/v1/predict/batch") && html.contains("PredictResponse"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_predictions_canary_and_model_version() {
    let server = TestServer::start(&[]).await;
    let response = server
        .post_json("/api/v1/predict", &json!({ "description": NAPA }))
        .await;
    assert_eq!(response.status(), 200);
    let _ = server
        .post_json("/api/v1/predict", &json!({ "description": "" }))
        .await;
    let version = server
        .get("/health")
        .await
        .json::<Value>()
        .await
        .expect("JSON")["model_version"]
        .as_str()
        .expect("version")
        .to_string();
    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain")
    );
    let text = response.text().await.expect("text");
    for expected in [
        "vinovoyant_http_requests_total{method=\"POST\",route=\"/api/v1/predict\",status=\"200\"}",
        "vinovoyant_http_requests_total{method=\"POST\",route=\"/api/v1/predict\",status=\"422\"}",
        "vinovoyant_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/predict\",status=\"200\",le=\"0.01\"}",
        "vinovoyant_prediction_duration_seconds_bucket{model=\"full\",",
        "vinovoyant_canary_ok 1",
        &format!("vinovoyant_model_info{{version=\"{version}\"}} 1"),
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    server.stop().await;
}

#[tokio::test]
async fn metrics_token_guards_metrics_when_set() {
    let server = TestServer::start(&["--metrics-token", "s3cret"]).await;
    let refused = server.get("/metrics").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "unauthorized");
    let allowed = server
        .client
        .get(server.url("/metrics"))
        .bearer_auth("s3cret")
        .send()
        .await
        .expect("request");
    assert_eq!(allowed.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn cors_is_same_origin_by_default_and_lists_configured_origins() {
    let preflight = |server: &TestServer| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/api/v1/predict"))
            .header("origin", "https://shop.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let closed = TestServer::start(&[]).await;
    let response = preflight(&closed).await.expect("request");
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
    closed.stop().await;

    let open = TestServer::start(&[
        "--cors-origins",
        "https://shop.example,https://other.example",
    ])
    .await;
    let response = preflight(&open).await.expect("request");
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let other = open
        .client
        .post(open.url("/api/v1/predict"))
        .header("origin", "https://evil.example")
        .json(&json!({ "description": NAPA }))
        .send()
        .await
        .expect("request");
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    open.stop().await;
}

#[tokio::test]
async fn answers_are_compressed_when_the_client_accepts_it() {
    let server = TestServer::start(&[]).await;
    for encoding in ["gzip", "br"] {
        let response = server
            .client
            .get(server.url("/api/openapi.json"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_single_prediction_is_not_worth_compressing() {
    let server = TestServer::start(&[]).await;
    let response = server
        .client
        .post(server.url("/api/v1/predict"))
        .header("accept-encoding", "gzip, br")
        .json(&serde_json::json!({"description": "Crisp Marlborough Sauvignon Blanc, passion fruit and cut grass."}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key("content-encoding"));
    let body: serde_json::Value = response.json().await.expect("plain JSON");
    assert!(body["country"].is_string());
    server.stop().await;
}

#[tokio::test]
async fn hostile_input_never_yields_a_500() {
    let server = TestServer::start(&[]).await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies = [
        deep,
        format!("{{\"description\": \"{}\"}}", "\\u0000".repeat(1_000)),
        "{\"description\": \"\u{202e}\u{fe0f}\u{1f377}e\u{301}\u{200b}\"}".to_string(),
        format!("{{\"description\": \"{}\"}}", "\u{1f377}".repeat(5_000)),
        format!("{{\"descriptions\": [{}]}}", vec!["\"\""; 256].join(",")),
        "{\"description\": \"x\", \"description\": \"y\"}".to_string(),
        "{\"description\": null}".to_string(),
    ];
    for body in &bodies {
        for path in ["/api/v1/predict", "/api/v1/predict/batch"] {
            let response = server
                .client
                .post(server.url(path))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("request");
            assert!(
                response.status().as_u16() < 500,
                "{path} {}",
                &body[..body.len().min(80)]
            );
        }
    }
    let health = server.get("/health").await;
    assert_eq!(health.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn pages_carry_a_fresh_nonce_that_their_policy_names() {
    let server = TestServer::start(&[]).await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = server.get("/").await;
        assert_eq!(response.status(), 200);
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .expect("CSP")
            .to_string();
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy")
            .to_string();
        assert!(nonce.len() >= 22);
        let html = response.text().await.expect("text");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries it"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
    server.stop().await;
}

#[tokio::test]
async fn static_files_of_the_site_are_compressed() {
    let root = std::env::temp_dir().join(format!("vinovoyant-site-{}", std::process::id()));
    std::fs::create_dir_all(root.join("pkg")).expect("site root");
    let script = "export function hydrate() { console.log('hydrated'); }\n".repeat(200);
    std::fs::write(root.join("pkg/vinovoyant.js"), &script).expect("script");
    let root_arg = root.to_string_lossy().to_string();
    let server = TestServer::start(&["--site-root", &root_arg]).await;
    let response = server
        .client
        .get(server.url("/pkg/vinovoyant.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.expect("body");
    assert!(compressed.len() < script.len() / 4);
    server.stop().await;
    std::fs::remove_dir_all(&root).expect("clean up");
}
