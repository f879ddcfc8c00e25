//! The model registry: immutable versions under `<prefix>/<version>/` (their
//! channels are in [`crate::channel`]).
//!
//! A version's files are uploaded first and `manifest.json` last, each read back and
//! checked against the manifest's SHA-256, so a version whose manifest exists is
//! complete. Versions are never overwritten (`If-None-Match: *`).

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_s3::Client;
use serde::{Deserialize, Serialize};
use vinovoyant_model::bundle;
use vinovoyant_model::manifest::{FileEntry, MANIFEST_FILE, is_plain_name};

use crate::channel::ChannelPointer;
use crate::location::S3Prefix;
use crate::objects::{self, Condition, Written, sha256_hex, url};
use crate::{S3Options, StoreError};

/// Folder of the channel pointers under the store's prefix.
pub const CHANNELS_DIR: &str = "channels";

/// The part of a bundle's manifest the store needs: which format, which version,
/// which files.
#[derive(Debug, Deserialize)]
struct ManifestView {
    /// Checked when publishing only: versions already in the store are listed,
    /// fetched and rolled back to whatever their format.
    #[serde(default)]
    format: u32,
    version: String,
    files: BTreeMap<String, FileEntry>,
}

impl ManifestView {
    fn parse(bytes: &[u8], object: &str) -> Result<Self, StoreError> {
        let view: Self = serde_json::from_slice(bytes).map_err(|source| StoreError::Json {
            object: object.to_string(),
            what: "bundle manifest",
            source,
        })?;
        check_name(&view.version, "version")?;
        for name in view.files.keys() {
            check_name(name, "file")?;
            if name == MANIFEST_FILE {
                return Err(StoreError::InvalidName {
                    name: name.clone(),
                    what: "file",
                });
            }
        }
        Ok(view)
    }

    fn bytes(&self) -> u64 {
        self.files.values().map(|f| f.bytes).sum()
    }
}

/// Checks that `name` can be used as one segment of a key and as a file name.
pub fn check_name(name: &str, what: &'static str) -> Result<(), StoreError> {
    let ok = is_plain_name(name) && !(what == "version" && name == CHANNELS_DIR);
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidName {
            name: name.to_string(),
            what,
        })
    }
}

/// One version found in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// The version.
    pub version: String,
    /// Whether its manifest is there (an upload that stopped half-way leaves files
    /// without one; such a version cannot be promoted).
    pub complete: bool,
    /// Bytes stored under the version, manifest included.
    pub bytes: u64,
}

/// Everything in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// Versions, in key order.
    pub versions: Vec<VersionInfo>,
    /// Channel pointers, by channel name.
    pub channels: Vec<ChannelPointer>,
}

/// A version whose every file matched its manifest checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The version.
    pub version: String,
    /// Files checked, manifest excluded.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
}

/// A model store at `s3://bucket/prefix`.
#[derive(Clone, Debug)]
pub struct ModelStore {
    pub(crate) client: Client,
    root: S3Prefix,
}

impl ModelStore {
    /// The store at `root`, reached through `client`.
    pub fn new(client: Client, root: S3Prefix) -> Self {
        Self { client, root }
    }

    /// The store at `root`, reached as `options` say.
    pub async fn connect(root: S3Prefix, options: &S3Options) -> Self {
        Self::new(options.connect().await, root)
    }

    /// Where the store is.
    pub fn root(&self) -> &S3Prefix {
        &self.root
    }

    pub(crate) fn bucket(&self) -> &str {
        &self.root.bucket
    }

    fn version_key(&self, version: &str, file: &str) -> String {
        self.root.key(&format!("{version}/{file}"))
    }

    pub(crate) fn channel_key(&self, channel: &str) -> String {
        self.root.key(&format!("{CHANNELS_DIR}/{channel}.json"))
    }

    /// Uploads the bundle in `dir` as a new version: its files first, each checked by
    /// reading it back, then its manifest. Refuses, before any upload, a bundle whose
    /// manifest breaks the bundle contract (see [`bundle::check_listing`]), whose
    /// files do not match their manifest, and a version that is already published.
    pub async fn publish(&self, dir: &Path) -> Result<Verified, StoreError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest_bytes = read_local(&manifest_path).await?;
        let manifest = ManifestView::parse(&manifest_bytes, &manifest_path.display().to_string())?;
        let listed: Vec<&str> = manifest.files.keys().map(String::as_str).collect();
        bundle::check_listing(manifest.format, &listed).map_err(|source| {
            StoreError::NotServable {
                path: dir.to_path_buf(),
                source,
            }
        })?;
        let version = manifest.version.clone();
        let manifest_key = self.version_key(&version, MANIFEST_FILE);
        if objects::get(&self.client, self.bucket(), &manifest_key)
            .await?
            .is_some()
        {
            return Err(StoreError::VersionExists(version));
        }
        let mut local = Vec::with_capacity(manifest.files.len());
        for (name, entry) in &manifest.files {
            let path = dir.join(name);
            let bytes = read_local(&path).await?;
            if let Some(actual) = entry.mismatch(&bytes) {
                return Err(StoreError::Checksum {
                    object: path.display().to_string(),
                    expected: entry.sha256.clone(),
                    actual,
                });
            }
            local.push((name, entry, bytes));
        }
        for (name, entry, bytes) in local {
            let key = self.version_key(&version, name);
            tracing::info!(object = %url(self.bucket(), &key), bytes = bytes.len(), "uploading");
            let written = objects::put(
                &self.client,
                self.bucket(),
                &key,
                bytes,
                "application/octet-stream",
                Condition::Absent,
            )
            .await?;
            // An earlier upload that stopped before the manifest may have left this
            // file; it is kept when it is identical, and the check below says so.
            let checked = objects::check(&self.client, self.bucket(), &key, &entry.sha256).await;
            match (written, checked) {
                (_, Ok(())) => {}
                (Written::PreconditionFailed, Err(StoreError::Checksum { .. })) => {
                    return Err(StoreError::Conflict(url(self.bucket(), &key)));
                }
                (_, Err(e)) => return Err(e),
            }
        }
        let manifest_sha = sha256_hex(&manifest_bytes);
        let written = objects::put(
            &self.client,
            self.bucket(),
            &manifest_key,
            manifest_bytes,
            "application/json",
            Condition::Absent,
        )
        .await?;
        if written == Written::PreconditionFailed {
            return Err(StoreError::VersionExists(version));
        }
        objects::check(&self.client, self.bucket(), &manifest_key, &manifest_sha).await?;
        Ok(Verified {
            version,
            files: manifest.files.len(),
            bytes: manifest.bytes(),
        })
    }

    /// Every version and every channel pointer.
    pub async fn list(&self) -> Result<Listing, StoreError> {
        let start = self.root.key_start();
        let mut versions: BTreeMap<String, VersionInfo> = BTreeMap::new();
        let mut channels = Vec::new();
        for object in objects::list(&self.client, self.bucket(), &start).await? {
            let Some((dir, file)) = object
                .key
                .strip_prefix(&start)
                .and_then(|rest| rest.split_once('/'))
            else {
                continue;
            };
            if dir == CHANNELS_DIR {
                if let Some(channel) = file.strip_suffix(".json")
                    && check_name(channel, "channel").is_ok()
                    && let Some((pointer, _)) = self.pointer(channel).await?
                {
                    channels.push(pointer);
                }
                continue;
            }
            let info = versions
                .entry(dir.to_string())
                .or_insert_with(|| VersionInfo {
                    version: dir.to_string(),
                    complete: false,
                    bytes: 0,
                });
            info.bytes += object.size;
            info.complete |= file == MANIFEST_FILE;
        }
        Ok(Listing {
            versions: versions.into_values().collect(),
            channels,
        })
    }

    /// The manifest of a published version, parsed and with its raw bytes.
    async fn manifest(&self, version: &str) -> Result<(ManifestView, Vec<u8>), StoreError> {
        check_name(version, "version")?;
        let key = self.version_key(version, MANIFEST_FILE);
        let bytes = objects::get(&self.client, self.bucket(), &key)
            .await?
            .ok_or_else(|| StoreError::UnknownVersion(version.to_string()))?
            .bytes;
        let manifest = ManifestView::parse(&bytes, &url(self.bucket(), &key))?;
        if manifest.version != version {
            return Err(StoreError::Conflict(format!(
                "{} names version {}",
                url(self.bucket(), &key),
                manifest.version
            )));
        }
        Ok((manifest, bytes))
    }

    /// Reads every file of `version` and checks it against the manifest; returns the
    /// files by name, the manifest last.
    async fn download(
        &self,
        version: &str,
    ) -> Result<(Verified, Vec<(String, Vec<u8>)>), StoreError> {
        let (manifest, manifest_bytes) = self.manifest(version).await?;
        let mut files = Vec::with_capacity(manifest.files.len() + 1);
        for (name, entry) in &manifest.files {
            let key = self.version_key(version, name);
            let bytes = objects::get_existing(&self.client, self.bucket(), &key).await?;
            if let Some(actual) = entry.mismatch(&bytes) {
                return Err(StoreError::Checksum {
                    object: url(self.bucket(), &key),
                    expected: entry.sha256.clone(),
                    actual,
                });
            }
            files.push((name.clone(), bytes));
        }
        files.push((MANIFEST_FILE.to_string(), manifest_bytes));
        let verified = Verified {
            version: version.to_string(),
            files: manifest.files.len(),
            bytes: manifest.bytes(),
        };
        Ok((verified, files))
    }

    /// Re-reads every file of `version` and checks its SHA-256 against the manifest.
    pub async fn verify(&self, version: &str) -> Result<Verified, StoreError> {
        Ok(self.download(version).await?.0)
    }

    /// Downloads `version` into the folder `dest` (replacing it), checking every file.
    /// Files land in a sibling staging folder first, so `dest` never holds half a
    /// bundle.
    pub async fn fetch(&self, version: &str, dest: &Path) -> Result<Verified, StoreError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        let (verified, files) = self.download(version).await?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| version.to_string());
        let staging = dest.with_file_name(format!(".{name}.partial"));
        if tokio::fs::try_exists(&staging).await.unwrap_or(false) {
            tokio::fs::remove_dir_all(&staging)
                .await
                .map_err(io(&staging))?;
        }
        tokio::fs::create_dir_all(&staging)
            .await
            .map_err(io(&staging))?;
        for (file, bytes) in files {
            let path = staging.join(file);
            tokio::fs::write(&path, bytes).await.map_err(io(&path))?;
        }
        if tokio::fs::try_exists(dest).await.unwrap_or(false) {
            tokio::fs::remove_dir_all(dest).await.map_err(io(dest))?;
        }
        tokio::fs::rename(&staging, dest).await.map_err(io(dest))?;
        Ok(verified)
    }
}

async fn read_local(path: &Path) -> Result<Vec<u8>, StoreError> {
    tokio::fs::read(path)
        .await
        .map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_escape_a_folder_are_refused() {
        for good in ["20260101-120000-abc123", "prod", "full.onnx"] {
            assert!(check_name(good, "file").is_ok(), "{good}");
        }
        for bad in ["", "..", ".hidden", "a/b", "a\\b", "white space"] {
            assert!(check_name(bad, "file").is_err(), "{bad:?}");
        }
        assert!(check_name(CHANNELS_DIR, "version").is_err());
    }

    #[test]
    fn manifests_naming_odd_files_are_refused() {
        let manifest = |file: &str| {
            format!(
                r#"{{"version":"v1","files":{{"{file}":{{"sha256":"00","bytes":1}}}},"format":1}}"#
            )
        };
        assert!(ManifestView::parse(manifest("full.onnx").as_bytes(), "m").is_ok());
        assert!(ManifestView::parse(manifest("../etc/passwd").as_bytes(), "m").is_err());
        assert!(ManifestView::parse(manifest(MANIFEST_FILE).as_bytes(), "m").is_err());
    }
}
