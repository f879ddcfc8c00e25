//! Regression tests for what an attacker and a bad network did to the server, each
//! over a real socket: markup injection through the no-JavaScript form, cross-site
//! posts, client mistakes answered as 5xx, unbounded metric labels, connections that
//! never finish their headers, 429 without `Retry-After`, and what `/health` tells
//! strangers.

mod common;

use std::time::{Duration, Instant};

use common::{NAPA, RawRequest, TestServer, error_code};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The payload of the injection report: it closes the textarea and adds a redirect.
const INJECTION: &str =
    r#"Napa</textarea><meta http-equiv="refresh" content="0;url=https://evil.example/">"#;

async fn post_form(
    server: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
    content_type: &str,
) -> (u16, String) {
    let mut request = server
        .client
        .post(server.url(path))
        .header("content-type", content_type)
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn a_posted_note_is_escaped_in_the_page() {
    let server = TestServer::start(&[]).await;
    let response = server
        .client
        .post(server.url("/"))
        .form(&[("description", INJECTION)])
        .send()
        .await
        .expect("request");
    // The payload is answered (200) or refused as not a tasting note (422): either
    // way the page shows the note back in its textarea.
    let status = response.status().as_u16();
    assert!(status == 200 || status == 422, "{status}");
    let page = response.text().await.expect("page");
    assert!(
        !page.contains("<meta http-equiv=\"refresh\""),
        "the note's markup is live in the page"
    );
    assert!(
        page.contains("Napa&lt;/textarea&gt;&lt;meta http-equiv="),
        "the note is shown, escaped, in the textarea"
    );
    assert_eq!(page.matches("</textarea>").count(), 1);
    server.stop().await;
}

#[tokio::test]
async fn posts_from_other_sites_are_refused_and_the_site_s_own_served() {
    let server = TestServer::start(&[]).await;
    let form = b"description=Ripe+black+cherry+and+cassis+from+Napa+Valley";
    let form_type = "application/x-www-form-urlencoded";
    for path in ["/", "/_app/predict"] {
        for headers in [
            &[("origin", "https://evil.example")][..],
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")][..],
            &[("origin", "null")][..],
        ] {
            let (status, body) = post_form(&server, path, headers, form, form_type).await;
            assert_eq!(status, 403, "{path} {headers:?}: {body}");
            assert!(body.contains("cross_site_request"), "{body}");
        }
        let own_origin = server.base.clone();
        let own: [&[(&str, &str)]; 3] = [
            &[("sec-fetch-site", "same-origin")],
            &[("origin", own_origin.as_str())],
            &[],
        ];
        for headers in own {
            let (status, body) = post_form(&server, path, headers, form, form_type).await;
            assert_eq!(status, 200, "{path} {headers:?}: {body}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn bodies_the_page_s_server_function_cannot_read_are_400() {
    let server = TestServer::start(&[]).await;
    let cases: [(&[u8], &str); 5] = [
        (b"", "application/x-www-form-urlencoded"),
        (b"note=hello", "application/x-www-form-urlencoded"),
        (br#"{"description":"Ripe cherry"}"#, "application/json"),
        (b"\xa1\x6bdescription\x6bRipe cherry", "application/cbor"),
        (
            b"description=\xff\xfe\xfd",
            "application/x-www-form-urlencoded",
        ),
    ];
    for (body, content_type) in cases {
        let (status, answer) = post_form(&server, "/_app/predict", &[], body, content_type).await;
        assert!(
            (400..500).contains(&status),
            "{body:?} as {content_type}: {status} {answer}"
        );
    }
    let (status, _) = post_form(
        &server,
        "/_app/predict",
        &[],
        b"description=Ripe+cherry+and+tar+from+Barolo",
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(status, 200, "a good body is still answered");
    server.stop().await;
}

#[tokio::test]
async fn connect_and_invented_methods_are_405_and_add_no_metric_series() {
    let server = TestServer::start(&[]).await;
    let raw = RawRequest::begin(
        server.addr,
        "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close",
        b"",
    )
    .await;
    let (status, body) = raw.finish().await;
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("method_not_allowed"), "{body}");

    // The first invented method adds the `other` series; the next 199 add none.
    let _ = server.get("/metrics").await;
    let mut before = String::new();
    for i in 0..200 {
        if i == 1 {
            before = server.get("/metrics").await.text().await.expect("metrics");
        }
        let method = format!("BREW{i}");
        let raw = RawRequest::begin(
            server.addr,
            &format!("{method} /api/v1/model HTTP/1.1\r\nHost: localhost\r\nConnection: close"),
            b"",
        )
        .await;
        assert_eq!(raw.finish().await.0, 405, "{method}");
    }
    let after = server.get("/metrics").await.text().await.expect("metrics");
    assert!(!after.contains("BREW"), "an invented method became a label");
    // Other tests of this binary share the process's recorder and add series of
    // their own, all with standard methods: count only the `other` ones.
    let other_series = |text: &str| {
        text.lines()
            .filter(|line| !line.starts_with('#') && line.contains(r#"method="other""#))
            .count()
    };
    assert!(other_series(&before) > 0);
    assert_eq!(other_series(&after), other_series(&before));
    let standard = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other",
    ];
    for label in after.split(r#"method=""#).skip(1) {
        let method = label.split('"').next().unwrap_or_default();
        assert!(standard.contains(&method), "method label {method:?}");
    }
    server.stop().await;
}

/// Whether the server closes `stream` within `limit`, while `keep_sending` (when
/// set) is written to it every 300 ms.
async fn closed_within(
    mut stream: TcpStream,
    limit: Duration,
    keep_sending: Option<&[u8]>,
) -> bool {
    let deadline = Instant::now() + limit;
    let mut buffer = [0u8; 1_024];
    while Instant::now() < deadline {
        if let Some(bytes) = keep_sending
            && stream.write_all(bytes).await.is_err()
        {
            return true;
        }
        let read = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buffer));
        if let Ok(Ok(0) | Err(_)) = read.await {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn silent_and_slow_header_connections_are_closed() {
    let server = TestServer::start(&[
        "--first-byte-timeout-secs",
        "1",
        "--header-read-timeout-secs",
        "2",
    ])
    .await;
    let mut silent = Vec::new();
    for _ in 0..100 {
        silent.push(TcpStream::connect(server.addr).await.expect("connect"));
    }
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /health HTTP/1.1\r\n")
        .await
        .expect("write");
    assert!(
        closed_within(slow, Duration::from_secs(6), Some(b"X-Slow: 1\r\n")).await,
        "a header sent line by line keeps its connection open"
    );
    for stream in silent {
        assert!(
            closed_within(stream, Duration::from_secs(3), None).await,
            "a silent connection stays open"
        );
    }
    let health = server.get_json("/health").await;
    assert_eq!(health["status"], "ok", "{health}");
    server.stop().await;
}

#[tokio::test]
async fn a_slow_upload_is_a_json_408_not_a_server_error() {
    let server = TestServer::start(&["--body-read-timeout-secs", "1"]).await;
    let body = common::predict_body(NAPA);
    let raw = RawRequest::begin(server.addr, &common::predict_head(body.len()), &body[..10]).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let (status, answer) = raw.finish().await;
    assert_eq!(status, 408, "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn a_busy_server_tells_the_page_when_to_retry() {
    let server = TestServer::start(&["--max-concurrency", "1"]).await;
    let (refused, _) = common::refused_while_busy(&server, || async {
        server
            .client
            .post(server.url("/_app/predict"))
            .form(&[("description", NAPA)])
            .send()
            .await
            .expect("request")
    })
    .await;
    assert_eq!(refused.headers()["retry-after"], "1");
    server.stop().await;
}

#[tokio::test]
async fn health_tells_strangers_a_code_and_operators_the_details() {
    let server = TestServer::start(&["--metrics-token", "s3cret"]).await;
    let health = server.get_json("/health").await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(
        health.as_object().map(|o| o.len()),
        Some(2),
        "status and model_version only: {health}"
    );

    let refused = server.get("/health/details").await;
    assert_eq!(refused.status(), 401);
    assert_eq!(error_code(refused).await, "unauthorized");
    let details: serde_json::Value = server
        .client
        .get(server.url("/health/details"))
        .bearer_auth("s3cret")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(details["status"], "ok", "{details}");
    server.stop().await;

    let open = TestServer::start(&[]).await;
    let refused = open.get("/health/details").await;
    assert_eq!(refused.status(), 401, "no token configured: no details");
    open.stop().await;
}
