//! Helpers for the tests that run against an S3-compatible test server (moto,
//! started on 127.0.0.1 by `scripts/s3-server.sh`), shared by this crate's tests and
//! the server's. Compiled only with the `test-server` feature.

use aws_sdk_s3::Client;

use crate::S3Options;
use crate::client::StaticKeys;

/// The variable that names the test server's endpoint.
pub const ENDPOINT_VARIABLE: &str = "VINOVOYANT_TEST_S3_ENDPOINT";
/// The region the tests use (the one that needs no location constraint).
pub const REGION: &str = "us-east-1";
/// The test server accepts any keys; these are the ones the tests send.
pub const KEY_ID: &str = "test";
/// Secret of [`KEY_ID`].
pub const SECRET: &str = "test";

/// The test server's endpoint, or `None` after printing that the test is skipped.
pub fn endpoint() -> Option<String> {
    match std::env::var(ENDPOINT_VARIABLE) {
        Ok(endpoint) if !endpoint.trim().is_empty() => Some(endpoint),
        _ => {
            println!("SKIPPED: no S3 server (run scripts/s3-server.sh)");
            None
        }
    }
}

/// Client options that reach the test server at `endpoint` with the test keys.
pub fn options(endpoint: &str) -> S3Options {
    S3Options {
        endpoint: Some(endpoint.to_string()),
        region: Some(REGION.into()),
        keys: Some(StaticKeys {
            access_key_id: KEY_ID.into(),
            secret_access_key: SECRET.into(),
        }),
        ..S3Options::default()
    }
}

/// A client on the test server and a new, empty bucket named after `test`, unique
/// to this process and moment so that tests never share one.
///
/// # Panics
/// When the bucket cannot be created: the test cannot go on.
pub async fn new_bucket(endpoint: &str, test: &str) -> (Client, String) {
    let client = options(endpoint).connect().await;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut name = format!("vv-{test}-{}-{nanos}", std::process::id());
    name.truncate(63);
    client
        .create_bucket()
        .bucket(&name)
        .send()
        .await
        .expect("create the test bucket");
    (client, name)
}
