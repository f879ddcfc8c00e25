//! Lean pages, over a real socket: assets live in a content-named folder served
//! immutable and precompressed, and only the predict page loads the WASM bundle.

mod common;

use std::path::PathBuf;

use common::TestServer;

const HASH_DIR: &str = "pkg/0123abcd4567ef89";

/// A site root of our own, as `scripts/build-site.sh` lays it out, with the
/// script's brotli copy standing for the build's.
fn site_root(test: &str) -> (PathBuf, Vec<u8>) {
    let root = std::env::temp_dir().join(format!("vinovoyant-{test}-{}", std::process::id()));
    let assets = root.join(HASH_DIR);
    std::fs::create_dir_all(&assets).expect("site root");
    std::fs::write(root.join("asset-dir.txt"), format!("{HASH_DIR}\n")).expect("asset dir");
    let script = "export function hydrate() {}\n".repeat(100);
    std::fs::write(assets.join("vinovoyant.js"), &script).expect("script");
    let brotli = b"not really brotli, but the server must send these bytes as they are".to_vec();
    std::fs::write(assets.join("vinovoyant.js.br"), &brotli).expect("brotli copy");
    std::fs::write(assets.join("analytics.js"), "// filter\n").expect("filter");
    (root, brotli)
}

#[tokio::test]
async fn assets_are_content_named_immutable_and_precompressed() {
    let (root, brotli) = site_root("immutable");
    let root_arg = root.to_string_lossy().to_string();
    let server = TestServer::start(&["--site-root", &root_arg]).await;

    let response = server
        .client
        .get(server.url(&format!("/{HASH_DIR}/vinovoyant.js")))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.bytes().await.expect("body").as_ref(), &brotli[..]);

    // what is not under the content-named folder is not promised forever
    let page = server.get("/").await;
    assert!(
        page.headers()
            .get("cache-control")
            .is_none_or(|value| { !value.to_str().unwrap_or_default().contains("immutable") })
    );
    let missing = server.get(&format!("/{HASH_DIR}/nothing.js")).await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing
            .headers()
            .get("cache-control")
            .is_none_or(|value| { !value.to_str().unwrap_or_default().contains("immutable") })
    );
    server.stop().await;
    std::fs::remove_dir_all(&root).expect("clean up");
}

#[tokio::test]
async fn only_the_predict_page_loads_the_wasm_bundle() {
    let (root, _) = site_root("lean");
    let root_arg = root.to_string_lossy().to_string();
    let server = TestServer::start(&["--site-root", &root_arg]).await;
    let wasm = format!("/{HASH_DIR}/vinovoyant_bg.wasm");
    let stylesheet = format!(r#"href="/{HASH_DIR}/vinovoyant.css""#);

    let predict = server.page("/").await.1;
    assert!(predict.contains(&wasm), "the predict page hydrates");
    assert!(predict.contains(&stylesheet));

    let analytics = server.page("/analytics").await.1;
    assert!(!analytics.contains("_bg.wasm") && !analytics.contains("modulepreload"));
    assert!(analytics.contains(&format!(r#"src="/{HASH_DIR}/analytics.js""#)));
    assert!(analytics.contains(&stylesheet));

    let batch = server.page("/batch").await.1;
    assert!(!batch.contains("_bg.wasm") && !batch.contains("modulepreload"));
    assert!(batch.contains(&format!(r#"src="/{HASH_DIR}/batch.js""#)));
    assert!(
        !batch.contains("analytics.js"),
        "the batch page loads only its own script"
    );
    assert!(batch.contains(&stylesheet));

    for path in ["/model", "/no-such-page"] {
        let html = server.page(path).await.1;
        assert!(!html.contains("_bg.wasm"), "{path} loads the WASM");
        // (Leptos's inline bookkeeping scripts stay; nothing is fetched)
        assert!(!html.contains("<script src") && !html.contains("<script type=\"module\""));
        assert!(!html.contains("modulepreload"), "{path} preloads a script");
        assert!(html.contains(&stylesheet), "{path} has no styles");
    }
    server.stop().await;
    std::fs::remove_dir_all(&root).expect("clean up");
}

#[tokio::test]
async fn the_distilled_model_goes_to_brotli_browsers_at_its_smallest() {
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");
    let file = std::fs::read(format!("{models}/distilled.bin")).expect("the default bundle");
    let server = TestServer::start(&["--model", models]).await;
    let version = server.get_json("/api/v1/model").await["version"]
        .as_str()
        .expect("a version")
        .to_string();
    let path = format!("/model/{version}/distilled.bin");
    let fetch = |accept: &'static str, tag: Option<String>| {
        let mut request = server
            .client
            .get(server.url(&path))
            .header("accept-encoding", accept);
        if let Some(tag) = tag {
            request = request.header("if-none-match", tag);
        }
        request.send()
    };

    let brotli = fetch("gzip, br", None).await.expect("request");
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert!(
        brotli.headers()["vary"]
            .to_str()
            .is_ok_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding"))
    );
    let brotli_tag = brotli.headers()["etag"].to_str().expect("tag").to_string();
    let body = brotli.bytes().await.expect("body");
    let mut restored = Vec::new();
    brotli::BrotliDecompress(&mut &body[..], &mut restored).expect("brotli");
    assert_eq!(restored, file);
    // the highest quality: well under the gzip copy the layer would make
    let gzip = fetch("gzip", None).await.expect("request");
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let gzip_tag = gzip.headers()["etag"].to_str().expect("tag").to_string();
    assert!(body.len() < gzip.bytes().await.expect("body").len() * 95 / 100);

    // identity and brotli are two representations with their own tags
    let plain = fetch("identity", None).await.expect("request");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_tag = plain.headers()["etag"].to_str().expect("tag").to_string();
    assert_eq!(plain.bytes().await.expect("body"), file);
    assert_ne!(plain_tag, brotli_tag);
    assert_eq!(plain_tag, gzip_tag);
    for tag in [plain_tag, brotli_tag] {
        let again = fetch("br", Some(tag.clone())).await.expect("request");
        assert_eq!(again.status(), 304, "{tag}");
        assert_eq!(again.headers()["etag"], tag.as_str());
    }
    server.stop().await;
}
