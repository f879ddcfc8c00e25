//! The few S3 calls everything else is built from, each turning SDK errors into
//! [`StoreError`] and checking what it wrote by reading it back.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;

use crate::StoreError;

/// Object metadata key holding the SHA-256 of the object's bytes.
pub const SHA256_METADATA: &str = "sha256";

/// The checksum of every object, the bundle contract's.
pub use vinovoyant_model::bundle::sha256_hex;

/// `s3://bucket/key`, for messages.
pub(crate) fn url(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

fn s3_error<E, R>(
    operation: &'static str,
    bucket: &str,
    key: &str,
    err: &SdkError<E, R>,
) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    StoreError::S3 {
        operation,
        object: url(bucket, key),
        message: DisplayErrorContext(err).to_string(),
    }
}

/// HTTP status of a failed request, when the server answered.
fn status<E>(err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// An object's bytes and ETag.
pub(crate) struct Object {
    pub bytes: Vec<u8>,
    pub etag: Option<String>,
}

/// Reads an object; `None` when it does not exist.
pub(crate) async fn get(
    client: &Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Object>, StoreError> {
    let output = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output,
        Err(err) => {
            // A missing key is an answer; a missing bucket is an error.
            let missing = match err.as_service_error() {
                Some(GetObjectError::NoSuchKey(_)) => true,
                Some(e) => {
                    status(&err) == Some(404) && e.meta().code().is_none_or(|c| c == "NoSuchKey")
                }
                None => false,
            };
            if missing {
                return Ok(None);
            }
            return Err(s3_error("GetObject", bucket, key, &err));
        }
    };
    let etag = output.e_tag().map(str::to_string);
    let bytes = output
        .body
        .collect()
        .await
        .map_err(|e| StoreError::S3 {
            operation: "GetObject",
            object: url(bucket, key),
            message: e.to_string(),
        })?
        .into_bytes()
        .to_vec();
    Ok(Some(Object { bytes, etag }))
}

/// Reads an object that must exist.
pub(crate) async fn get_existing(
    client: &Client,
    bucket: &str,
    key: &str,
) -> Result<Vec<u8>, StoreError> {
    get(client, bucket, key)
        .await?
        .map(|o| o.bytes)
        .ok_or_else(|| StoreError::NotFound(url(bucket, key)))
}

/// What a write may assume about the object it replaces.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Condition<'a> {
    /// Write whatever is there.
    None,
    /// Only when the object does not exist yet.
    Absent,
    /// Only when the object still has this ETag.
    Matches(&'a str),
}

/// Outcome of a conditional write.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// The object now holds the bytes.
    Done,
    /// The condition did not hold; nothing was written.
    PreconditionFailed,
}

/// Writes `bytes` under `condition`, tagged with their SHA-256.
pub(crate) async fn put(
    client: &Client,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
    content_type: &str,
    condition: Condition<'_>,
) -> Result<Written, StoreError> {
    let mut request = client
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .metadata(SHA256_METADATA, sha256_hex(&bytes))
        .body(ByteStream::from(bytes));
    request = match condition {
        Condition::None => request,
        Condition::Absent => request.if_none_match("*"),
        Condition::Matches(etag) => request.if_match(etag),
    };
    match request.send().await {
        Ok(_) => Ok(Written::Done),
        // 412: the condition failed; 409: another conditional write to the same key
        // was in progress (AWS asks to retry).
        Err(err)
            if matches!(status(&err), Some(412 | 409)) && !matches!(condition, Condition::None) =>
        {
            Ok(Written::PreconditionFailed)
        }
        Err(err) => Err(s3_error("PutObject", bucket, key, &err)),
    }
}

/// Reads `key` back and checks it hashes to `expected`.
pub(crate) async fn check(
    client: &Client,
    bucket: &str,
    key: &str,
    expected: &str,
) -> Result<(), StoreError> {
    let bytes = get_existing(client, bucket, key).await?;
    let actual = sha256_hex(&bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(StoreError::Checksum {
            object: url(bucket, key),
            expected: expected.to_string(),
            actual,
        })
    }
}

/// Writes `bytes` unconditionally and checks them by reading back.
pub(crate) async fn put_checked(
    client: &Client,
    bucket: &str,
    key: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> Result<String, StoreError> {
    let sha = sha256_hex(&bytes);
    put(client, bucket, key, bytes, content_type, Condition::None).await?;
    check(client, bucket, key, &sha).await?;
    Ok(sha)
}

/// One listed object.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub key: String,
    pub size: u64,
}

/// Every object whose key starts with `prefix`.
pub(crate) async fn list(
    client: &Client,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<Listed>, StoreError> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .into_paginator()
        .send();
    let mut objects = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| s3_error("ListObjectsV2", bucket, prefix, &err))?;
        for object in page.contents() {
            if let Some(key) = object.key() {
                objects.push(Listed {
                    key: key.to_string(),
                    size: object
                        .size()
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or_default(),
                });
            }
        }
    }
    Ok(objects)
}
