//! A generated corpus of malformed requests against every route of the real binary:
//! methods, paths, bodies, content types, encodings, header sizes, and slow or silent
//! clients. Each answer must be a documented status below 500 (or, for a request
//! hyper cannot parse at all, a closed connection); no line of the log may speak of a
//! panic; and afterwards the server must be healthy and give the same prediction.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::NAPA;
use common::running::Running;
use nix::sys::signal::Signal;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Every route the server has, and a few it has not.
const PATHS: [&str; 19] = [
    "/",
    "/batch",
    "/analytics",
    "/analytics/charts?country=Italy",
    "/model",
    "/_app/predict",
    "/api/v1/predict",
    "/api/v1/predict/batch",
    "/api/v1/model",
    "/api/v1/nothing",
    "/api/openapi.json",
    "/api/docs",
    "/health",
    "/health/live",
    "/health/details",
    "/metrics",
    "/model/0/distilled.bin",
    "/pkg/nothing.wasm",
    "/nowhere",
];

/// Standard methods, and ones nobody serves.
const METHODS: [&str; 11] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW",
    "M-SEARCH",
];

/// Statuses the API and the site document for a client's mistakes, besides success
/// and redirects.
const DOCUMENTED: [u16; 12] = [400, 401, 403, 404, 405, 408, 413, 415, 422, 429, 431, 414];

/// Content types a body is sent as.
const CONTENT_TYPES: [&str; 7] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/cbor",
    "text/plain; charset=utf-16",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin1",
    "",
];

/// Bodies that are wrong in as many ways as we could think of.
fn bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        br#"{"description": 5}"#.to_vec(),
        br#"{"descriptions": "not a list"}"#.to_vec(),
        br#"{"description": "\ud800"}"#.to_vec(),
        b"description=".to_vec(),
        b"description=%ZZ%".to_vec(),
        b"description=\xff\xfe".to_vec(),
        b"\x00\x01\x02\x03\xff".to_vec(),
        b"\xa1\x6bdescription\x64Napa".to_vec(),
        b"--x\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nNapa\r\n--x--"
            .to_vec(),
        "description="
            .bytes()
            .chain(std::iter::repeat_n(b'a', 6_000))
            .collect(),
        format!("{}{}", "[".repeat(5_000), "]".repeat(5_000)).into_bytes(),
    ];
    bodies.push(vec![b'x'; (1 << 20) + 1]);
    bodies
}

/// One request on its own connection; the status, or `None` when the server closed
/// the connection without answering.
async fn exchange(addr: SocketAddr, request: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // A server may answer (413, 431) and close before the whole request is written.
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer));
    match read.await {
        Ok(Ok(_)) | Ok(Err(_)) => {}
        Err(_) => panic!("no answer within 20 s to {:?}", head_of(request)),
    }
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
}

fn head_of(request: &[u8]) -> String {
    String::from_utf8_lossy(&request[..request.len().min(120)]).into_owned()
}

fn request(method: &str, path: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// The whole corpus: every method on every path, every body in every content type on
/// every path that takes a body, odd paths, and oversized headers.
fn corpus() -> Vec<Vec<u8>> {
    let mut corpus = Vec::new();
    for path in PATHS {
        for method in METHODS {
            corpus.push(request(method, path, &[], b""));
        }
    }
    for path in [
        "/",
        "/_app/predict",
        "/api/v1/predict",
        "/api/v1/predict/batch",
    ] {
        for body in bodies() {
            for content_type in CONTENT_TYPES {
                let headers = if content_type.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("Content-Type: {content_type}")]
                };
                corpus.push(request("POST", path, &headers, &body));
            }
        }
    }
    let long_path = format!("/{}", "a".repeat(20_000));
    let many_params = format!("/analytics?{}", "country=x&".repeat(3_000));
    for path in [
        "//",
        "/%00",
        "/..%2f..%2fetc%2fpasswd",
        "/pkg/../../Cargo.toml",
        "/api/v1/predict%2f..",
        "/%F0%9F%8D%B7",
        "/analytics?country=%ff%fe",
        "/analytics/charts?country=<script>",
        "*",
        long_path.as_str(),
        many_params.as_str(),
    ] {
        corpus.push(request("GET", path, &[], b""));
    }
    let huge = format!("X-Huge: {}", "h".repeat(100_000));
    let many: Vec<String> = (0..200).map(|i| format!("X-Many-{i}: {i}")).collect();
    corpus.push(request("GET", "/", &[huge], b""));
    corpus.push(request("GET", "/", &many, b""));
    corpus.push(request(
        "POST",
        "/api/v1/predict",
        &[
            "Content-Encoding: gzip".into(),
            "Content-Type: application/json".into(),
        ],
        b"\x1f\x8b\x08\x00garbage",
    ));
    corpus.push(request(
        "POST",
        "/api/v1/predict",
        &["Transfer-Encoding: chunked".into()],
        b"zz\r\nnot a chunk\r\n",
    ));
    corpus.push(b"GARBAGE\r\n\r\n".to_vec());
    corpus.push(b"GET / HTTP/9.9\r\nHost: x\r\n\r\n".to_vec());
    corpus
}

#[tokio::test]
async fn the_hostile_corpus_gets_documented_4xx_and_leaves_the_server_well() {
    let mut server = Running::start(&[
        "--emf",
        "false",
        "--body-read-timeout-secs",
        "2",
        "--first-byte-timeout-secs",
        "2",
        "--header-read-timeout-secs",
        "3",
    ]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let before = common::countries_for(&client, &base, NAPA).await;

    let started = Instant::now();
    let corpus = corpus();
    let mut unanswered = 0;
    for request in &corpus {
        match exchange(server.addr, request).await {
            Some(status) => assert!(
                status < 400 || DOCUMENTED.contains(&status),
                "{status} for {:?}",
                head_of(request)
            ),
            None => unanswered += 1,
        }
    }
    // Slow and silent clients, side by side with the corpus's last requests.
    let silent = TcpStream::connect(server.addr).await.expect("connect");
    let slow_body = exchange(
        server.addr,
        b"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"descr",
    );
    assert_eq!(slow_body.await, Some(408));
    let mut buffer = [0u8; 16];
    let mut silent = silent;
    let closed = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buffer)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "a silent connection is still open"
    );
    println!(
        "hostile corpus: {} requests ({unanswered} closed unanswered by hyper) in {:.1} s",
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        unanswered == 0,
        "{unanswered} requests got no answer at all"
    );

    let health = common::get_json(&client, &format!("{base}/health")).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(common::countries_for(&client, &base, NAPA).await, before);
    server.signal(Signal::SIGTERM);
    assert!(server.wait(Duration::from_secs(30)).success());
    let panics: Vec<String> = server
        .lines()
        .into_iter()
        .filter(|line| line.contains("panic"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
}
