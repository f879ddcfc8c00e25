//! Helpers shared by the integration tests: an in-process server on a real socket and a
//! raw HTTP/1.1 client for requests `reqwest` cannot make (partial bodies, chunked uploads).

#![allow(dead_code)]

pub mod running;

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vinovoyant_server::config::ServeConfig;

/// Real tasting notes (not from the training data) for requests that should succeed.
pub const NAPA: &str = "Ripe black cherry, cassis and vanilla from new French oak \
    mark this Napa Valley Cabernet Sauvignon, with plush tannins and a long finish.";

/// A server running in this process on 127.0.0.1 with an ephemeral port.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// A client without connection reuse surprises.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    /// Starts `vinovoyant serve` with `args` and waits until it is ready.
    pub async fn start(args: &[&str]) -> Self {
        let config =
            ServeConfig::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
                .expect("valid test arguments");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(vinovoyant_server::serve(
            config,
            listener,
            None,
            async move {
                let _ = stopped.await;
            },
        ));
        let server = Self {
            base: format!("http://{addr}"),
            addr,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            stop: Some(stop),
            task,
        };
        server.wait_live().await;
        server
    }

    async fn wait_live(&self) {
        self.wait_for_ok("/health/live", "the server did not come up")
            .await;
    }

    /// Waits until `/health` says the server is serving (the canary has passed).
    pub async fn wait_serving(&self) {
        self.wait_for_ok("/health", "the server did not start serving")
            .await;
    }

    /// Waits until the review data given with `--data` is indexed for similar wines.
    pub async fn wait_indexed(&self) {
        self.wait_for_ok(
            "/api/v1/similar?description=tannic",
            "the review data was not indexed",
        )
        .await;
    }

    /// Polls `path` for up to 30 s until it answers 200; panics with `failure` otherwise.
    async fn wait_for_ok(&self, path: &str, failure: &str) {
        for _ in 0..600 {
            if let Ok(r) = self.client.get(self.url(path)).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{failure}");
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GETs `path` and parses its body as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.get(path).await.json().await.expect("JSON")
    }

    /// GETs `path`; any answer, whatever its status, is returned.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GETs the page at `path`: its status and its HTML.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("HTML"))
    }

    /// POSTs `body` as JSON to `path`.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .expect("server task")
            .expect("server result");
    }
}

/// Reads a JSON error answer and returns its code, checking the shape on the way.
pub async fn error_code(response: reqwest::Response) -> String {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "error answers are JSON"
    );
    let body: serde_json::Value = response.json().await.expect("JSON body");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(!message.is_empty());
    body["error"]["code"].as_str().expect("a code").to_string()
}

/// A raw HTTP/1.1 exchange on its own connection.
pub struct RawRequest {
    stream: TcpStream,
}

impl RawRequest {
    /// Connects and sends `head` (request line and headers, without the blank line) and
    /// the first `body` bytes.
    pub async fn begin(addr: SocketAddr, head: &str, body: &[u8]) -> Self {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(format!("{head}\r\n\r\n").as_bytes())
            .await
            .expect("write head");
        stream.write_all(body).await.expect("write body");
        stream.flush().await.expect("flush");
        Self { stream }
    }

    /// Sends more body bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
        self.stream.flush().await.expect("flush");
    }

    /// Reads the whole answer (the server closes the connection: requests say
    /// `Connection: close`) and returns the status and body.
    pub async fn finish(mut self) -> (u16, String) {
        let mut raw = Vec::new();
        self.stream
            .read_to_end(&mut raw)
            .await
            .expect("read the answer");
        let text = String::from_utf8_lossy(&raw).to_string();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }
}

/// The JSON body of a predict request for `description`.
pub fn predict_body(description: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "description": description })).expect("JSON")
}

/// The head of a `POST /api/v1/predict` with a JSON body of `length` bytes.
pub fn predict_head(length: usize) -> String {
    format!(
        "POST /api/v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\nConnection: close"
    )
}

/// On a server started with `--max-concurrency 1`: keeps its one permit busy with a
/// long batch and sends `probe` until one is refused with 429. Returns that answer
/// and the status of the batch. Should a probe win the race for the permit, the
/// batch is the one refused and the scenario starts again (10 tries).
pub async fn refused_while_busy<F, Fut>(server: &TestServer, probe: F) -> (reqwest::Response, u16)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let long =
        "Dark cherry, leather, tobacco and spice with firm tannins and bright acidity. ".repeat(50);
    let batch = serde_json::json!({ "descriptions": vec![long; 200] });
    for _attempt in 0..10 {
        let busy = {
            let client = server.client.clone();
            let url = server.url("/api/v1/predict/batch");
            let batch = batch.clone();
            tokio::spawn(async move { client.post(url).json(&batch).send().await })
        };
        tokio::time::sleep(Duration::from_millis(150)).await;
        let mut refused = None;
        for _ in 0..2_000 {
            let response = probe().await;
            if response.status() == 429 {
                refused = Some(response);
                break;
            }
            if busy.is_finished() {
                break;
            }
        }
        let busy = busy.await.expect("task").expect("batch request");
        match refused {
            Some(refused) => return (refused, busy.status().as_u16()),
            None => assert_eq!(busy.status(), 429, "the batch neither ran nor was refused"),
        }
    }
    panic!("no request over the limit was refused in 10 attempts");
}

/// GETs `url` and parses its body as JSON.
pub async fn get_json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    client
        .get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

/// The countries the server at `base` answers for `note` (`POST /api/v1/predict`).
pub async fn countries_for(client: &reqwest::Client, base: &str, note: &str) -> serde_json::Value {
    client
        .post(format!("{base}/api/v1/predict"))
        .json(&serde_json::json!({ "description": note }))
        .send()
        .await
        .expect("request")
        .json::<serde_json::Value>()
        .await
        .expect("JSON")["countries"]
        .clone()
}
