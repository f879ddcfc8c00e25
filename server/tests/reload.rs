//! The real binary and its model folder: SIGHUP reloads the bundle (the process
//! used to die of it), and a manifest naming files outside its folder is refused,
//! at start-up and on reload, without reading them.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::NAPA;
use common::running::Running;
use nix::sys::signal::Signal;
use serde_json::Value;

/// A copy of the committed bundle in a folder of its own.
fn bundle_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let models = vinovoyant_inference::default_model_dir();
    for entry in std::fs::read_dir(&models).expect("models/") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    dir
}

/// Adds to the bundle's manifest a file `../outside.bin` (which exists, with its
/// true checksum), so only the name can make the bundle refused.
fn name_a_file_outside(bundle: &Path) {
    let outside = bundle.join("..").join("outside.bin");
    std::fs::write(&outside, b"not part of any bundle").expect("outside file");
    let path = bundle.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("manifest")).expect("JSON");
    manifest["files"]["../outside.bin"] = serde_json::json!({
        "sha256": vinovoyant_inference::sha256_hex(b"not part of any bundle"),
        "bytes": 22,
    });
    std::fs::write(&path, serde_json::to_vec(&manifest).expect("JSON")).expect("write");
}

/// Waits until a printed line contains `needle`.
fn wait_for_line(server: &Running, needle: &str) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Some(line) = server.lines().into_iter().find(|l| l.contains(needle)) {
            return line;
        }
    }
    panic!("no line contains {needle:?}");
}

#[tokio::test]
async fn sighup_reloads_the_bundle_and_refuses_one_that_names_files_outside() {
    let bundle = bundle_copy();
    let folder = bundle.path().to_string_lossy().into_owned();
    let mut server = Running::start(&["--model", &folder, "--emf", "false"]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    let before = common::countries_for(&client, &base, NAPA).await;

    server.signal(Signal::SIGHUP);
    wait_for_line(&server, "reloaded the model");

    name_a_file_outside(bundle.path());
    server.signal(Signal::SIGHUP);
    let refused = wait_for_line(&server, "cannot reload the model");
    assert!(refused.contains("not a plain file name"), "{refused}");

    let health = common::get_json(&client, &format!("{base}/health")).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(common::countries_for(&client, &base, NAPA).await, before);
    server.signal(Signal::SIGTERM);
    assert!(server.wait(Duration::from_secs(30)).success());
}

#[test]
fn a_bundle_naming_files_outside_its_folder_does_not_start() {
    let bundle = bundle_copy();
    name_a_file_outside(bundle.path());
    let output = Command::new(env!("CARGO_BIN_EXE_vinovoyant"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--emf",
            "false",
            "--model",
        ])
        .arg(bundle.path())
        .env("VINOVOYANT_LOG_FORMAT", "text")
        .output()
        .expect("run the binary");
    assert!(!output.status.success(), "the server started");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("not a plain file name"), "{printed}");
}
