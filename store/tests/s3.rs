//! The store against a real S3-compatible server (moto, started by
//! `scripts/s3-server.sh`; its endpoint in `VINOVOYANT_TEST_S3_ENDPOINT`). Each test
//! works in a bucket of its own. Without a server each test says SKIPPED and returns.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use vinovoyant_model::bundle::{ContractError, FORMAT};
use vinovoyant_store::backup::copy_tree;
use vinovoyant_store::location::upload_file;
use vinovoyant_store::test_server::{endpoint, new_bucket as bucket, options};
use vinovoyant_store::{
    DataLocation, ModelStore, S3Options, S3Prefix, StoreError, read_bytes_with, sha256_hex,
};

/// Writes a bundle folder whose manifest lists `files` with their checksums.
fn bundle(dir: &Path, version: &str, files: &[(&str, &[u8])]) {
    std::fs::create_dir_all(dir).expect("bundle folder");
    let mut listed = serde_json::Map::new();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("bundle file");
        listed.insert(
            (*name).to_string(),
            serde_json::json!({ "sha256": sha256_hex(bytes), "bytes": bytes.len() }),
        );
    }
    let manifest = serde_json::json!({ "format": FORMAT, "version": version, "files": listed });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).expect("json"),
    )
    .expect("manifest");
}

/// A store in a fresh bucket with `versions` published (files differ per version).
async fn store_with(
    endpoint: &str,
    test: &str,
    versions: &[&str],
) -> (Client, ModelStore, tempfile::TempDir) {
    let (client, bucket) = bucket(endpoint, test).await;
    let root: S3Prefix = format!("s3://{bucket}/models")
        .parse()
        .expect("store address");
    let store = ModelStore::new(client.clone(), root);
    let work = tempfile::tempdir().expect("temp dir");
    for version in versions {
        let dir = work.path().join(version);
        let weights = format!("weights of {version}").repeat(100);
        bundle(
            &dir,
            version,
            &[
                ("distilled.bin", b"VVDM"),
                ("full.onnx.gz", weights.as_bytes()),
                ("labels.json", b"{\"countries\":[]}"),
                ("vocabulary.bin", b"VVVC"),
            ],
        );
        let published = store.publish(&dir).await.expect("publish");
        assert_eq!(published.version, *version);
        assert_eq!(published.files, 4);
    }
    (client, store, work)
}

/// Every object under `prefix` with the SHA-256 of its bytes.
async fn snapshot(client: &Client, bucket: &str, prefix: &str) -> BTreeMap<String, String> {
    let listed = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .expect("list");
    let mut objects = BTreeMap::new();
    for object in listed.contents() {
        let key = object.key().expect("key").to_string();
        let body = client
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .expect("get");
        let bytes = body.body.collect().await.expect("body").into_bytes();
        objects.insert(key, sha256_hex(&bytes));
    }
    objects
}

#[tokio::test]
async fn publish_list_promote_rollback_and_fetch() {
    let Some(endpoint) = endpoint() else { return };
    let (_, store, work) = store_with(&endpoint, "cycle", &["v1", "v2"]).await;

    let again = store.publish(&work.path().join("v1")).await;
    assert!(
        matches!(again, Err(StoreError::VersionExists(v)) if v == "v1"),
        "a version is immutable"
    );

    let listing = store.list().await.expect("list");
    let versions: Vec<_> = listing
        .versions
        .iter()
        .map(|v| (v.version.as_str(), v.complete))
        .collect();
    assert_eq!(versions, [("v1", true), ("v2", true)]);
    assert!(listing.channels.is_empty());

    let first = store.promote("v1", "prod").await.expect("promote v1");
    assert_eq!(
        (first.previous, first.pointer.version.as_str()),
        (None, "v1")
    );
    let second = store.promote("v2", "prod").await.expect("promote v2");
    assert_eq!(second.previous.as_deref(), Some("v1"));
    assert_eq!(second.pointer.history, ["v1", "v2"]);
    store.promote("v1", "blue").await.expect("another channel");
    assert!(
        matches!(store.promote("v9", "prod").await, Err(StoreError::UnknownVersion(v)) if v == "v9")
    );

    let listing = store.list().await.expect("list");
    let channels: Vec<_> = listing
        .channels
        .iter()
        .map(|c| (c.channel.as_str(), c.version.as_str()))
        .collect();
    assert_eq!(channels, [("blue", "v1"), ("prod", "v2")]);

    let fetched = work.path().join("fetched");
    let verified = store.fetch("v2", &fetched).await.expect("fetch");
    assert_eq!(verified.files, 4);
    for file in [
        "distilled.bin",
        "full.onnx.gz",
        "labels.json",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(fetched.join(file)).expect("fetched file"),
            std::fs::read(work.path().join("v2").join(file)).expect("original file"),
            "{file}"
        );
    }

    let back = store.rollback("prod").await.expect("rollback");
    assert_eq!(
        (back.previous.as_deref(), back.pointer.version.as_str()),
        (Some("v2"), "v1")
    );
    assert_eq!(
        store
            .channel("prod")
            .await
            .expect("read")
            .expect("pointer")
            .history,
        ["v1"]
    );
    assert!(matches!(store.rollback("prod").await, Err(StoreError::NoPrevious(c)) if c == "prod"));
    assert!(
        matches!(store.rollback("green").await, Err(StoreError::UnknownChannel(c)) if c == "green")
    );
}

#[tokio::test]
async fn a_bundle_servers_cannot_load_is_not_published() {
    let Some(endpoint) = endpoint() else { return };
    let (client, store, work) = store_with(&endpoint, "contract", &[]).await;
    let without_distilled = work.path().join("v1");
    bundle(
        &without_distilled,
        "v1",
        &[
            ("full.onnx.gz", b"weights"),
            ("labels.json", b"{}"),
            ("vocabulary.bin", b"VVVC"),
        ],
    );
    let refused = store.publish(&without_distilled).await;
    assert!(
        matches!(&refused, Err(StoreError::NotServable { source: ContractError::Missing(name), .. }) if name == "distilled.bin"),
        "{refused:?}"
    );
    let old_format = work.path().join("v2");
    bundle(
        &old_format,
        "v2",
        &[
            ("distilled.bin", b"VVDM"),
            ("full.onnx.gz", b"weights"),
            ("labels.json", b"{}"),
            ("vocabulary.bin", b"VVVC"),
        ],
    );
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(old_format.join("manifest.json")).expect("read"))
            .expect("json");
    manifest["format"] = 1.into();
    std::fs::write(
        old_format.join("manifest.json"),
        serde_json::to_vec(&manifest).expect("json"),
    )
    .expect("write");
    let refused = store.publish(&old_format).await;
    assert!(
        matches!(
            &refused,
            Err(StoreError::NotServable {
                source: ContractError::UnsupportedFormat { found: 1 },
                ..
            })
        ),
        "{refused:?}"
    );
    let bucket = store.root().bucket.clone();
    assert!(
        snapshot(&client, &bucket, "models/").await.is_empty(),
        "nothing was uploaded"
    );
}

#[tokio::test]
async fn a_tampered_object_is_rejected() {
    let Some(endpoint) = endpoint() else { return };
    let (client, store, work) = store_with(&endpoint, "tamper", &["v1", "v2"]).await;
    store
        .promote("v1", "prod")
        .await
        .expect("promote the good version");
    client
        .put_object()
        .bucket(&store.root().bucket)
        .key(store.root().key("v2/full.onnx.gz"))
        .body(ByteStream::from_static(b"not the published weights"))
        .send()
        .await
        .expect("overwrite behind the store's back");

    assert!(store.verify("v1").await.is_ok());
    let checksum = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Checksum { object, .. }) if object.ends_with("v2/full.onnx.gz"));
    assert!(
        checksum(store.verify("v2").await.map(drop)),
        "verify finds it"
    );
    assert!(
        checksum(store.promote("v2", "prod").await.map(drop)),
        "promote refuses it"
    );
    assert_eq!(
        store
            .channel("prod")
            .await
            .expect("read")
            .expect("pointer")
            .version,
        "v1"
    );
    let dest = work.path().join("fetched");
    assert!(
        checksum(store.fetch("v2", &dest).await.map(drop)),
        "fetch refuses it"
    );
    assert!(
        !dest.exists(),
        "nothing half-fetched is left where a server would load it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_promotions_lose_no_update() {
    let Some(endpoint) = endpoint() else { return };
    const RACERS: [&str; 6] = ["r1", "r2", "r3", "r4", "r5", "r6"];
    let racers = RACERS;
    let (_, store, _work) =
        store_with(&endpoint, "race", &[&["base"][..], &racers[..]].concat()).await;
    store.promote("base", "prod").await.expect("start");
    let tasks: Vec<_> = RACERS
        .into_iter()
        .map(|version| {
            let store = store.clone();
            tokio::spawn(async move { store.promote(version, "prod").await })
        })
        .collect();
    let mut attempts = 0;
    for task in tasks {
        attempts += task
            .await
            .expect("task")
            .expect("every promotion lands")
            .attempts;
    }
    let pointer = store.channel("prod").await.expect("read").expect("pointer");
    println!(
        "{} racing promotions took {attempts} conditional writes",
        racers.len()
    );
    assert_eq!(
        pointer.history.len(),
        racers.len() + 1,
        "{:?}",
        pointer.history
    );
    assert_eq!(pointer.history[0], "base");
    for version in racers {
        assert!(
            pointer.history.iter().any(|v| v == version),
            "{version} lost: {:?}",
            pointer.history
        );
    }
    assert_eq!(pointer.history.last(), Some(&pointer.version));
}

#[tokio::test]
async fn backup_then_restore_after_losing_production() {
    let Some(endpoint) = endpoint() else { return };
    let (client, store, _work) = store_with(&endpoint, "restore", &["v1", "v2"]).await;
    store.promote("v1", "prod").await.expect("promote");
    store.promote("v2", "prod").await.expect("promote");
    let (_, backup_bucket) = bucket(&endpoint, "backup").await;
    let production = store.root().clone();
    let backup: S3Prefix = format!("s3://{backup_bucket}/models")
        .parse()
        .expect("backup address");
    let bucket = production.bucket.clone();
    let before = snapshot(&client, &bucket, "models/").await;
    let keys: Vec<&str> = before.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "models/channels/prod.json",
            "models/v1/distilled.bin",
            "models/v1/full.onnx.gz",
            "models/v1/labels.json",
            "models/v1/manifest.json",
            "models/v1/vocabulary.bin",
            "models/v2/distilled.bin",
            "models/v2/full.onnx.gz",
            "models/v2/labels.json",
            "models/v2/manifest.json",
            "models/v2/vocabulary.bin",
        ]
    );

    let report = copy_tree(&client, &production, &client, &backup)
        .await
        .expect("backup");
    assert_eq!(
        (report.objects, report.copied),
        (before.len(), before.len())
    );
    let again = copy_tree(&client, &production, &client, &backup)
        .await
        .expect("second backup");
    assert_eq!(
        (again.copied, again.unchanged),
        (0, before.len()),
        "unchanged objects are not copied again"
    );

    let keys: Vec<ObjectIdentifier> = before
        .keys()
        .map(|k| {
            ObjectIdentifier::builder()
                .key(k)
                .build()
                .expect("identifier")
        })
        .collect();
    client
        .delete_objects()
        .bucket(&bucket)
        .delete(
            Delete::builder()
                .set_objects(Some(keys))
                .build()
                .expect("delete request"),
        )
        .send()
        .await
        .expect("lose production");
    assert!(snapshot(&client, &bucket, "models/").await.is_empty());
    assert!(store.channel("prod").await.expect("read").is_none());

    let restored = copy_tree(&client, &backup, &client, &production)
        .await
        .expect("restore");
    assert_eq!(restored.copied, before.len());
    assert_eq!(
        snapshot(&client, &bucket, "models/").await,
        before,
        "every object back, byte for byte"
    );
    assert_eq!(
        store
            .channel("prod")
            .await
            .expect("read")
            .expect("pointer")
            .history,
        ["v1", "v2"]
    );
    store
        .verify("v2")
        .await
        .expect("the restored version verifies");

    let overlapping: S3Prefix = format!("s3://{bucket}/models/v1").parse().expect("address");
    assert!(
        copy_tree(&client, &production, &client, &overlapping)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_fails_fast() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let options = S3Options {
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: Duration::from_secs(2),
        max_attempts: 2,
        ..options(&format!("http://127.0.0.1:{port}"))
    };
    let store = ModelStore::connect(
        "s3://nowhere-bucket/models".parse().expect("address"),
        &options,
    )
    .await;
    let started = std::time::Instant::now();
    let result = store.list().await;
    assert!(matches!(result, Err(StoreError::S3 { .. })), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn datasets_go_up_and_come_back_identical() {
    let Some(endpoint) = endpoint() else { return };
    let (client, bucket) = bucket(&endpoint, "data").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("reviews.csv");
    let content = b"description,country\n\"Crisp, mineral Chablis\",France\n";
    std::fs::write(&csv, content).expect("csv");

    let uploaded = upload_file(&client, &csv, &bucket, "datasets/reviews.csv")
        .await
        .expect("upload");
    assert_eq!(uploaded.sha256, sha256_hex(content));
    let location: DataLocation = format!("s3://{bucket}/datasets/reviews.csv")
        .parse()
        .expect("location");
    assert_eq!(uploaded.location, location);
    assert_eq!(
        read_bytes_with(&location, &options(&endpoint))
            .await
            .expect("read from S3"),
        content
    );
    let local = DataLocation::Local(csv);
    assert_eq!(
        read_bytes_with(&local, &options(&endpoint))
            .await
            .expect("read locally"),
        content
    );
    let missing: DataLocation = format!("s3://{bucket}/datasets/none.csv")
        .parse()
        .expect("location");
    assert!(matches!(
        read_bytes_with(&missing, &options(&endpoint)).await,
        Err(StoreError::NotFound(_))
    ));
}
