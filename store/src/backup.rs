//! Backup and restore: copy every object under one prefix (all versions and channel
//! pointers of a model store, or anything else) to another, checking each copy.
//!
//! An object is compared by the SHA-256 of its bytes on both sides: equal ones are
//! left alone, others are written and read back. Restore is the same copy in the
//! other direction. Objects that exist only at the destination are kept.

use aws_sdk_s3::Client;
use serde::Serialize;

use crate::StoreError;
use crate::location::S3Prefix;
use crate::objects::{self, sha256_hex, url};

/// What one copy did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    /// Objects found at the source.
    pub objects: usize,
    /// Objects written to the destination (absent or different there).
    pub copied: usize,
    /// Objects the destination already had, byte for byte.
    pub unchanged: usize,
    /// Bytes written.
    pub bytes_copied: u64,
}

/// Copies every object under `from` (read with `source`) to the same relative key
/// under `to` (written with `dest`), and checks each by SHA-256 against the source.
pub async fn copy_tree(
    source: &Client,
    from: &S3Prefix,
    dest: &Client,
    to: &S3Prefix,
) -> Result<CopyReport, StoreError> {
    let (from_start, to_start) = (from.key_start(), to.key_start());
    if from.bucket == to.bucket
        && (from_start.starts_with(&to_start) || to_start.starts_with(&from_start))
    {
        return Err(StoreError::Address {
            given: format!("{from} -> {to}"),
            why: "source and destination overlap",
        });
    }
    let mut report = CopyReport::default();
    for object in objects::list(source, &from.bucket, &from_start).await? {
        let Some(relative) = object.key.strip_prefix(&from_start) else {
            continue;
        };
        report.objects += 1;
        let bytes = objects::get_existing(source, &from.bucket, &object.key).await?;
        let sha = sha256_hex(&bytes);
        let target = to.key(relative);
        let present = objects::get(dest, &to.bucket, &target).await?;
        if present.is_some_and(|o| sha256_hex(&o.bytes) == sha) {
            report.unchanged += 1;
            continue;
        }
        let size = bytes.len() as u64;
        let content_type = if relative.ends_with(".json") {
            "application/json"
        } else {
            "application/octet-stream"
        };
        objects::put(
            dest,
            &to.bucket,
            &target,
            bytes,
            content_type,
            objects::Condition::None,
        )
        .await?;
        objects::check(dest, &to.bucket, &target, &sha).await?;
        tracing::info!(from = %url(&from.bucket, &object.key), to = %url(&to.bucket, &target), bytes = size, "copied");
        report.copied += 1;
        report.bytes_copied += size;
    }
    Ok(report)
}
