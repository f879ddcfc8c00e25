//! The binary with a model store on a real S3-compatible server (moto, started by
//! `scripts/s3-server.sh`; endpoint in `VINOVOYANT_TEST_S3_ENDPOINT`): the `models`
//! commands, serving the promoted version, falling back to the bundled default when
//! the store is unreachable or a file was tampered with, and swapping to a newly
//! promoted version under load without failing a request.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use vinovoyant_store::test_server::{self, endpoint, new_bucket};

const NAPA: &str = "Ripe black cherry, cassis and vanilla from new French oak mark this \
    Napa Valley Cabernet Sauvignon, with plush tannins and a long finish.";

fn models_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../models"))
}

fn default_version() -> String {
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(models_dir().join("manifest.json")).expect("default manifest"),
    )
    .expect("manifest JSON");
    manifest["version"].as_str().expect("version").to_string()
}

/// The binary with the environment of a machine that reaches S3 at `endpoint` with
/// test keys, and nothing else of this machine's AWS or VinoVoyant settings.
fn vinovoyant(endpoint: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vinovoyant"));
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("AWS_") || text.starts_with("VINOVOYANT_") || text == "LEPTOS_SITE_ADDR"
        {
            command.env_remove(&name);
        }
    }
    command
        .env("AWS_ACCESS_KEY_ID", test_server::KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", test_server::SECRET)
        .env("AWS_REGION", test_server::REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("VINOVOYANT_S3_ENDPOINT", endpoint)
        .env("VINOVOYANT_LOG_FORMAT", "json")
        .env("VINOVOYANT_LOG_LEVEL", "info");
    command
}

/// Runs a command of the binary to the end.
fn run(endpoint: &str, args: &[&str]) -> Output {
    let output = vinovoyant(endpoint)
        .args(args)
        .output()
        .expect("run the binary");
    println!(
        "$ vinovoyant {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn run_ok(endpoint: &str, args: &[&str]) -> String {
    let output = run(endpoint, args);
    assert!(output.status.success(), "vinovoyant {args:?} failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The token of `/metrics` and `/health/details` in these tests.
const OPERATOR_TOKEN: &str = "operator-token";

/// `vinovoyant serve` as a child process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    client: reqwest::Client,
}

impl Server {
    fn start(endpoint: &str, model: &str, cache: &Path, extra: &[&str]) -> Self {
        let mut child = vinovoyant(endpoint)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--emf",
                "false",
                "--model",
                model,
                "--metrics-token",
                OPERATOR_TOKEN,
            ])
            .arg("--model-cache")
            .arg(cache)
            .args(extra)
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the binary");
        let logs = child.stderr.take().expect("stderr");
        let (address_tx, address_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(logs).lines() {
                let Ok(line) = line else { break };
                if let Ok(event) = serde_json::from_str::<Value>(&line)
                    && event["message"] == "listening"
                    && let Some(address) = event["address"].as_str()
                {
                    let _ = address_tx.send(address.to_string());
                }
            }
        });
        let address: SocketAddr = address_rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the server announced its address")
            .parse()
            .expect("a socket address");
        Self {
            child,
            base: format!("http://{address}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }
}

impl Server {
    /// `/health/details`, read with the operators' token: the reason in full.
    async fn details(&self) -> Value {
        self.client
            .get(format!("{}/health/details", self.base))
            .bearer_auth(OPERATOR_TOKEN)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serves_the_promoted_model_and_falls_back_when_a_file_was_tampered_with() {
    let Some(endpoint) = endpoint() else { return };
    let (client, bucket) = new_bucket(&endpoint, "tamper").await;
    let store = format!("s3://{bucket}/models");
    let version = default_version();
    let bundle = models_dir().to_string_lossy().into_owned();

    run_ok(
        &endpoint,
        &["models", "publish", "--bundle", &bundle, "--store", &store],
    );
    let again = run(
        &endpoint,
        &["models", "publish", "--bundle", &bundle, "--store", &store],
    );
    assert!(
        !again.status.success(),
        "a published version is never overwritten"
    );
    run_ok(
        &endpoint,
        &[
            "models",
            "promote",
            &version,
            "--channel",
            "prod",
            "--store",
            &store,
        ],
    );
    let listing = run_ok(&endpoint, &["models", "list", "--json", "--store", &store]);
    let listing: Value = listing
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|value| value.get("versions").is_some())
        .expect("list --json prints the listing");
    assert_eq!(listing["versions"][0]["version"], version.as_str());
    assert_eq!(listing["channels"][0]["channel"], "prod");
    assert_eq!(listing["channels"][0]["version"], version.as_str());
    assert!(
        run_ok(&endpoint, &["models", "verify", "--store", &store])
            .contains(&format!("ok {version}"))
    );

    let cache = tempfile::tempdir().expect("cache");
    let model = format!("{store}?channel=prod");
    {
        let server = Server::start(&endpoint, &model, cache.path(), &[]);
        let (status, health) = server.get("/health").await;
        assert_eq!(
            (status, &health["status"]),
            (200, &Value::from("ok")),
            "{health}"
        );
        assert_eq!(health["model_version"], version.as_str());
        assert!(
            cache.path().join(&version).join("full.onnx.gz").is_file(),
            "fetched into the cache"
        );
    }

    client
        .put_object()
        .bucket(&bucket)
        .key(format!("models/{version}/full.onnx.gz"))
        .body(b"not the published model".to_vec().into())
        .send()
        .await
        .expect("tamper with the stored model");
    let verify = run(
        &endpoint,
        &["models", "verify", &version, "--store", &store],
    );
    assert!(!verify.status.success(), "verify catches the tampered file");
    assert!(String::from_utf8_lossy(&verify.stdout).contains("FAILED"));

    let server = Server::start(&endpoint, &model, cache.path(), &[]);
    let (status, health) = server.get("/health").await;
    assert_eq!(status, 200, "the fallback model still serves: {health}");
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["reason"], "fallback_model", "{health}");
    let details = server.details().await;
    let reason = details["detail"].as_str().expect("a reason");
    assert!(
        reason.contains("checksum mismatch") && reason.contains("full.onnx.gz"),
        "{reason}"
    );
    assert!(
        !health.to_string().contains(&bucket),
        "the public report names the bucket: {health}"
    );
}

#[tokio::test]
async fn an_unreachable_store_falls_back_to_the_bundled_model() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("address").port()
    };
    let nowhere = format!("http://127.0.0.1:{port}");
    let cache = tempfile::tempdir().expect("cache");
    let started = Instant::now();
    let server = Server::start(
        &nowhere,
        "s3://vino-models/models?channel=prod",
        cache.path(),
        &[],
    );
    println!("started on the fallback in {:?}", started.elapsed());
    let (status, health) = server.get("/health").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["model_version"], default_version().as_str());
    assert_eq!(health["reason"], "fallback_model", "{health}");
    let details = server.details().await;
    let reason = details["detail"].as_str().expect("a reason");
    assert!(
        reason.contains("s3://vino-models/models?channel=prod"),
        "{reason}"
    );
    let response = server
        .client
        .post(format!("{}/api/v1/predict", server.base))
        .json(&serde_json::json!({ "description": NAPA }))
        .send()
        .await
        .expect("predict");
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn swaps_to_a_newly_promoted_version_without_failing_a_request() {
    let Some(endpoint) = endpoint() else { return };
    let (_, bucket) = new_bucket(&endpoint, "swap").await;
    let store = format!("s3://{bucket}/models");
    let first = default_version();
    let next = format!("{first}-next");
    let work = tempfile::tempdir().expect("temp dir");
    let next_dir = work.path().join("next");
    std::fs::create_dir(&next_dir).expect("bundle folder");
    for entry in std::fs::read_dir(models_dir()).expect("models") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), next_dir.join(entry.file_name())).expect("copy");
    }
    let manifest_path = next_dir.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("manifest")).expect("JSON");
    manifest["version"] = Value::from(next.as_str());
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).expect("JSON"),
    )
    .expect("write");

    let bundle = models_dir().to_string_lossy().into_owned();
    run_ok(
        &endpoint,
        &["models", "publish", "--bundle", &bundle, "--store", &store],
    );
    run_ok(
        &endpoint,
        &[
            "models",
            "publish",
            "--bundle",
            &next_dir.to_string_lossy(),
            "--store",
            &store,
        ],
    );
    run_ok(
        &endpoint,
        &[
            "models",
            "promote",
            &first,
            "--channel",
            "prod",
            "--store",
            &store,
        ],
    );

    let cache = work.path().join("cache");
    let server = Arc::new(Server::start(
        &endpoint,
        &format!("{store}?channel=prod"),
        &cache,
        &["--model-poll-secs", "1"],
    ));
    assert_eq!(
        server.get("/health").await.1["model_version"],
        first.as_str()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load: Vec<_> = (0..3)
        .map(|_| {
            let (server, stop, sent, failed) = (
                Arc::clone(&server),
                Arc::clone(&stop),
                Arc::clone(&sent),
                Arc::clone(&failed),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let response = server
                        .client
                        .post(format!("{}/api/v1/predict", server.base))
                        .json(&serde_json::json!({ "description": NAPA }))
                        .send()
                        .await;
                    sent.fetch_add(1, Ordering::Relaxed);
                    if !response.is_ok_and(|r| r.status() == 200) {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(500)).await;
    run_ok(
        &endpoint,
        &[
            "models",
            "promote",
            &next,
            "--channel",
            "prod",
            "--store",
            &store,
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (_, model) = server.get("/api/v1/model").await;
        if model["version"] == next.as_str() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new version was not picked up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.expect("load task");
    }
    let (sent, failed) = (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    println!("{sent} predictions during the swap, {failed} failed");
    assert!(sent > 10, "too few requests to say anything: {sent}");
    assert_eq!(failed, 0);
    let (status, health) = server.get("/health").await;
    assert_eq!(
        (status, &health["status"]),
        (200, &Value::from("ok")),
        "{health}"
    );
    assert_eq!(health["model_version"], next.as_str());

    run_ok(
        &endpoint,
        &["models", "rollback", "--channel", "prod", "--store", &store],
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    while server.get("/api/v1/model").await.1["version"] != first.as_str() {
        assert!(Instant::now() < deadline, "the rollback was not picked up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every object under `prefix` with the SHA-256 of its bytes, keyed relative to it.
async fn objects(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> std::collections::BTreeMap<String, String> {
    let listed = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .expect("list");
    let mut found = std::collections::BTreeMap::new();
    for object in listed.contents() {
        let key = object.key().expect("key");
        let body = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .expect("get");
        let bytes = body.body.collect().await.expect("body").into_bytes();
        let relative = key.strip_prefix(prefix).expect("under the prefix");
        found.insert(relative.to_string(), vinovoyant_store::sha256_hex(&bytes));
    }
    found
}

#[tokio::test]
async fn datasets_backup_and_restore_through_the_command_line() {
    let Some(endpoint) = endpoint() else { return };
    let (client, bucket) = new_bucket(&endpoint, "cli").await;
    let (_, backup_bucket) = new_bucket(&endpoint, "cli-backup").await;
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../trainer/tests/fixtures/reviews_small.csv"
    );
    let dataset = format!("s3://{bucket}/datasets/reviews_small.csv");
    let uploaded = run_ok(
        &endpoint,
        &["datasets", "upload", "--file", csv, "--to", &dataset],
    );
    let sha = vinovoyant_store::sha256_hex(&std::fs::read(csv).expect("fixture"));
    assert!(uploaded.contains(&sha), "{uploaded}");
    let eval = run_ok(&endpoint, &["eval", "--data", &dataset, "--json"]);
    let summary = eval
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|value| value.get("agreement").is_some())
        .expect("eval --json prints its summary");
    assert_eq!(summary["n"], 90, "every fixture row read from S3");

    let store = format!("s3://{bucket}/models");
    let backup = format!("s3://{backup_bucket}/models");
    let bundle = models_dir().to_string_lossy().into_owned();
    run_ok(
        &endpoint,
        &["models", "publish", "--bundle", &bundle, "--store", &store],
    );
    run_ok(
        &endpoint,
        &[
            "models",
            "promote",
            &default_version(),
            "--channel",
            "prod",
            "--store",
            &store,
        ],
    );
    let production = objects(&client, &bucket, "models/").await;
    assert_eq!(
        production.len(),
        7,
        "five files, the manifest and the prod pointer"
    );
    run_ok(&endpoint, &["backup", "--from", &store, "--to", &backup]);
    assert_eq!(
        objects(&client, &backup_bucket, "models/").await,
        production
    );

    for key in production.keys() {
        client
            .delete_object()
            .bucket(&bucket)
            .key(format!("models/{key}"))
            .send()
            .await
            .expect("delete");
    }
    assert!(objects(&client, &bucket, "models/").await.is_empty());
    run_ok(&endpoint, &["restore", "--from", &backup, "--to", &store]);
    assert_eq!(
        objects(&client, &bucket, "models/").await,
        production,
        "byte for byte"
    );
    run_ok(&endpoint, &["models", "verify", "--store", &store]);

    // `predict` and `eval` take a model source as `serve` does.
    let cache = tempfile::tempdir().expect("cache");
    let cache = cache.path().to_string_lossy().into_owned();
    let source = format!("{store}?channel=prod");
    let answer = run_ok(
        &endpoint,
        &[
            "predict",
            "--json",
            "--model",
            &source,
            "--model-cache",
            &cache,
            "Tar and roses from Barolo in Piedmont",
        ],
    );
    let answer: Value = serde_json::from_str(answer.trim()).expect("one JSON line");
    assert_eq!(answer["model_version"], default_version().as_str());
    assert_eq!(answer["countries"][0]["label"], "Italy", "{answer}");
    let eval = run_ok(
        &endpoint,
        &[
            "eval",
            "--json",
            "--data",
            csv,
            "--model",
            &source,
            "--model-cache",
            &cache,
        ],
    );
    let summary: Value = serde_json::from_str(eval.trim()).expect("one JSON object");
    assert_eq!(summary["n"], 90, "{summary}");
}
