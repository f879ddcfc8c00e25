//! Where data lives: a local path or an S3 object, and reading it from either.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::StoreError;
use crate::client::S3Options;
use crate::objects;

const SCHEME: &str = "s3://";

/// A file given on the command line: a local path, or `s3://bucket/key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataLocation {
    /// A file on this machine.
    Local(PathBuf),
    /// An S3 object.
    S3 {
        /// Bucket name.
        bucket: String,
        /// Object key.
        key: String,
    },
}

impl FromStr for DataLocation {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.starts_with(SCHEME) {
            if s.is_empty() {
                return Err(StoreError::Address {
                    given: s.to_string(),
                    why: "empty path",
                });
            }
            return Ok(Self::Local(PathBuf::from(s)));
        }
        let prefix: S3Prefix = s.parse()?;
        if prefix.prefix.is_empty() || s.ends_with('/') {
            return Err(StoreError::Address {
                given: s.to_string(),
                why: "an S3 object needs a key after the bucket (s3://bucket/key)",
            });
        }
        Ok(Self::S3 {
            bucket: prefix.bucket,
            key: prefix.prefix,
        })
    }
}

impl fmt::Display for DataLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::S3 { bucket, key } => write!(f, "{SCHEME}{bucket}/{key}"),
        }
    }
}

/// A folder-like place in S3, `s3://bucket/prefix` (the prefix may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Prefix {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix without leading or trailing `/`.
    pub prefix: String,
}

impl S3Prefix {
    /// The key of `name` under this prefix.
    pub fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    /// What every key under this prefix starts with (`prefix/`, or nothing).
    pub fn key_start(&self) -> String {
        self.key("")
    }
}

impl FromStr for S3Prefix {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |why| StoreError::Address {
            given: s.to_string(),
            why,
        };
        let rest = s
            .strip_prefix(SCHEME)
            .ok_or_else(|| invalid("expected s3://bucket/prefix"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(invalid(
                "the bucket name must be 3 to 63 of a-z, 0-9, '-', '.'",
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix
            .split('/')
            .any(|part| part.is_empty() && !prefix.is_empty())
        {
            return Err(invalid("the key has an empty path segment"));
        }
        Ok(Self {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }
}

impl fmt::Display for S3Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "{SCHEME}{}", self.bucket)
        } else {
            write!(f, "{SCHEME}{}/{}", self.bucket, self.prefix)
        }
    }
}

/// The bytes at `location`, reaching S3 as [`S3Options::from_env`] says.
pub async fn read_bytes(location: &DataLocation) -> Result<Vec<u8>, StoreError> {
    read_bytes_with(location, &S3Options::from_env()).await
}

/// The bytes at `location`, reaching S3 as `options` say.
pub async fn read_bytes_with(
    location: &DataLocation,
    options: &S3Options,
) -> Result<Vec<u8>, StoreError> {
    match location {
        DataLocation::Local(path) => tokio::fs::read(path)
            .await
            .map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            }),
        DataLocation::S3 { bucket, key } => {
            let client = options.connect().await;
            objects::get_existing(&client, bucket, key).await
        }
    }
}

/// [`read_bytes`] for callers without an async runtime (the trainer's command line).
pub fn read_bytes_blocking(location: &DataLocation) -> Result<Vec<u8>, StoreError> {
    if let DataLocation::Local(path) = location {
        return std::fs::read(path).map_err(|source| StoreError::Io {
            path: path.clone(),
            source,
        });
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(StoreError::Runtime)?
        .block_on(read_bytes(location))
}

/// A file uploaded by [`upload_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// Where it went.
    pub location: DataLocation,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, checked by reading the object back.
    pub sha256: String,
}

/// Uploads the local file `file` to the S3 object `bucket`/`key` (replacing it) and
/// checks the copy by reading it back.
pub async fn upload_file(
    client: &aws_sdk_s3::Client,
    file: &Path,
    bucket: &str,
    key: &str,
) -> Result<Uploaded, StoreError> {
    let bytes = tokio::fs::read(file)
        .await
        .map_err(|source| StoreError::Io {
            path: file.to_path_buf(),
            source,
        })?;
    let size = bytes.len() as u64;
    let content_type = if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        "text/csv"
    } else {
        "application/octet-stream"
    };
    let sha256 = objects::put_checked(client, bucket, key, bytes, content_type).await?;
    Ok(Uploaded {
        location: DataLocation::S3 {
            bucket: bucket.to_string(),
            key: key.to_string(),
        },
        bytes: size,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_s3_objects_parse_and_print_back() {
        let local: DataLocation = "data/reviews.csv".parse().expect("a path");
        assert_eq!(
            local,
            DataLocation::Local(PathBuf::from("data/reviews.csv"))
        );
        let s3: DataLocation = "s3://vino-bucket/datasets/reviews.csv".parse().expect("s3");
        assert_eq!(
            s3,
            DataLocation::S3 {
                bucket: "vino-bucket".into(),
                key: "datasets/reviews.csv".into()
            }
        );
        assert_eq!(s3.to_string(), "s3://vino-bucket/datasets/reviews.csv");
        assert_eq!(local.to_string(), "data/reviews.csv");
    }

    #[test]
    fn bad_s3_addresses_are_refused() {
        for bad in [
            "s3://",
            "s3://b/x",
            "s3://Upper/x",
            "s3://bucket",
            "s3://bucket/",
            "s3://bucket/a//b",
            "",
        ] {
            assert!(bad.parse::<DataLocation>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn prefixes_join_keys() {
        let root: S3Prefix = "s3://vino-bucket/models/".parse().expect("prefix");
        assert_eq!(root.prefix, "models");
        assert_eq!(root.key("v1/manifest.json"), "models/v1/manifest.json");
        assert_eq!(root.key_start(), "models/");
        assert_eq!(root.to_string(), "s3://vino-bucket/models");
        let bare: S3Prefix = "s3://vino-bucket".parse().expect("bucket only");
        assert_eq!(bare.key("x"), "x");
        assert_eq!(bare.key_start(), "");
        assert_eq!(bare.to_string(), "s3://vino-bucket");
        assert!("https://vino-bucket/models".parse::<S3Prefix>().is_err());
    }
}
