//! The model registry: immutable versions under `<prefix>/<version>/`, and one small
//! pointer object per channel under `<prefix>/channels/<name>.json`.
//!
//! A version's files are uploaded first and `manifest.json` last, each read back and
//! checked against the manifest's SHA-256, so a version whose manifest exists is
//! complete. Versions are never overwritten (`If-None-Match: *`). A channel pointer
//! names the current version and the versions promoted before it; it is only ever
//! replaced by a conditional write against the ETag it was read with, so two
//! promotions racing on one channel both land, one after the other.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use aws_sdk_s3::Client;
use serde::{Deserialize, Serialize};
use vinovoyant_model::manifest::{FileEntry, MANIFEST_FILE, is_plain_name};

use crate::location::S3Prefix;
use crate::objects::{self, Condition, Written, sha256_hex, url};
use crate::{S3Options, StoreError};

/// Folder of the channel pointers under the store's prefix.
pub const CHANNELS_DIR: &str = "channels";
/// Channel a server follows when its model address names none.
pub const DEFAULT_CHANNEL: &str = "prod";
/// How often a promotion or rollback re-reads a pointer that changed under it.
const MOVE_ATTEMPTS: u32 = 20;

/// The part of a bundle's manifest the store needs: which version, which files.
#[derive(Debug, Deserialize)]
struct ManifestView {
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

/// The object `channels/<name>.json`: where a channel points and where it pointed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPointer {
    /// The channel's name.
    pub channel: String,
    /// The version servers on this channel load.
    pub version: String,
    /// Versions promoted to this channel, oldest first; the last is `version`.
    /// Rollback drops the last one.
    pub history: Vec<String>,
    /// When the pointer was written, RFC 3339.
    pub updated: String,
}

impl ChannelPointer {
    /// The pointer after promoting `version` onto `previous` (or onto nothing).
    pub fn promoted(previous: Option<&Self>, channel: &str, version: &str) -> Self {
        let mut history = previous.map(|p| p.history.clone()).unwrap_or_default();
        history.push(version.to_string());
        Self {
            channel: channel.to_string(),
            version: version.to_string(),
            history,
            updated: now(),
        }
    }

    /// The pointer after a rollback, or `None` when there is nothing to go back to.
    pub fn rolled_back(&self) -> Option<Self> {
        let mut history = self.history.clone();
        history.pop();
        let version = history.last()?.clone();
        Some(Self {
            channel: self.channel.clone(),
            version,
            history,
            updated: now(),
        })
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Which version of a store to use: the one a channel points to, or a fixed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Whatever the channel points to now.
    Channel(String),
    /// Exactly this version.
    Version(String),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Channel(name) => write!(f, "channel={name}"),
            Self::Version(version) => write!(f, "version={version}"),
        }
    }
}

/// Where a server takes its model from: a local bundle folder, or
/// `s3://bucket/prefix?channel=<name>` (`?version=<v>` pins one version; no query
/// means `?channel=prod`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A bundle folder on this machine.
    Local(PathBuf),
    /// A version in a model store.
    Store {
        /// The store.
        root: S3Prefix,
        /// Which version.
        selector: Selector,
    },
}

impl FromStr for ModelSource {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s.starts_with("s3://") {
            return Ok(Self::Local(PathBuf::from(s)));
        }
        let (address, query) = s.split_once('?').unwrap_or((s, ""));
        let root: S3Prefix = address.parse()?;
        let selector = match query.split_once('=') {
            None if query.is_empty() => Selector::Channel(DEFAULT_CHANNEL.to_string()),
            Some(("channel", name)) => {
                check_name(name, "channel")?;
                Selector::Channel(name.to_string())
            }
            Some(("version", version)) => {
                check_name(version, "version")?;
                Selector::Version(version.to_string())
            }
            _ => {
                return Err(StoreError::Address {
                    given: s.to_string(),
                    why: "the query must be ?channel=<name> or ?version=<version>",
                });
            }
        };
        Ok(Self::Store { root, selector })
    }
}

impl fmt::Display for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::Store { root, selector } => write!(f, "{root}?{selector}"),
        }
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

/// The result of a promotion or rollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The pointer as written (or as found, when it already pointed there).
    pub pointer: ChannelPointer,
    /// The version the channel pointed to before, if any.
    pub previous: Option<String>,
    /// Conditional writes tried; more than one means another writer got in between.
    pub attempts: u32,
}

/// A model store at `s3://bucket/prefix`.
#[derive(Clone, Debug)]
pub struct ModelStore {
    client: Client,
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

    fn bucket(&self) -> &str {
        &self.root.bucket
    }

    fn version_key(&self, version: &str, file: &str) -> String {
        self.root.key(&format!("{version}/{file}"))
    }

    fn channel_key(&self, channel: &str) -> String {
        self.root.key(&format!("{CHANNELS_DIR}/{channel}.json"))
    }

    /// Uploads the bundle in `dir` as a new version: its files first, each checked by
    /// reading it back, then its manifest. Refuses a bundle whose files do not match
    /// their manifest and a version that is already published.
    pub async fn publish(&self, dir: &Path) -> Result<Verified, StoreError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest_bytes = read_local(&manifest_path).await?;
        let manifest = ManifestView::parse(&manifest_bytes, &manifest_path.display().to_string())?;
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
            let actual = sha256_hex(&bytes);
            if actual != entry.sha256 {
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

    /// The channel's pointer and its ETag, or `None` when never promoted.
    async fn pointer(&self, channel: &str) -> Result<Option<(ChannelPointer, String)>, StoreError> {
        let key = self.channel_key(channel);
        let Some(object) = objects::get(&self.client, self.bucket(), &key).await? else {
            return Ok(None);
        };
        let pointer: ChannelPointer =
            serde_json::from_slice(&object.bytes).map_err(|source| StoreError::Json {
                object: url(self.bucket(), &key),
                what: "channel pointer",
                source,
            })?;
        let etag = object.etag.ok_or_else(|| StoreError::S3 {
            operation: "GetObject",
            object: url(self.bucket(), &key),
            message: "the store sent no ETag, so the pointer cannot be updated safely".into(),
        })?;
        Ok(Some((pointer, etag)))
    }

    /// Where `channel` points now, or `None` when it was never promoted.
    pub async fn channel(&self, channel: &str) -> Result<Option<ChannelPointer>, StoreError> {
        check_name(channel, "channel")?;
        Ok(self.pointer(channel).await?.map(|(pointer, _)| pointer))
    }

    /// The version `selector` names now.
    pub async fn resolve(&self, selector: &Selector) -> Result<String, StoreError> {
        match selector {
            Selector::Version(version) => Ok(version.clone()),
            Selector::Channel(channel) => self
                .channel(channel)
                .await?
                .map(|p| p.version)
                .ok_or_else(|| StoreError::UnknownChannel(channel.clone())),
        }
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
            let actual = sha256_hex(&bytes);
            if actual != entry.sha256 {
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

    /// Points `channel` at `version`, after checking every file of the version.
    /// Concurrent promotions and rollbacks of the same channel are serialised by
    /// conditional writes: none is lost.
    pub async fn promote(&self, version: &str, channel: &str) -> Result<Moved, StoreError> {
        check_name(channel, "channel")?;
        self.verify(version).await?;
        self.move_channel(channel, Move::Promote(version)).await
    }

    /// Points `channel` back at the version promoted before the current one, after
    /// checking every file of that version.
    pub async fn rollback(&self, channel: &str) -> Result<Moved, StoreError> {
        check_name(channel, "channel")?;
        self.move_channel(channel, Move::Rollback).await
    }

    /// Reads the channel's pointer, works out its replacement and writes that only if
    /// the pointer is unchanged since the read (ETag), starting again from a fresh
    /// read when it changed. A rollback's target is verified before it is written.
    async fn move_channel(&self, channel: &str, action: Move<'_>) -> Result<Moved, StoreError> {
        let key = self.channel_key(channel);
        let mut verified = match action {
            Move::Promote(version) => Some(version.to_string()),
            Move::Rollback => None,
        };
        for attempt in 1..=MOVE_ATTEMPTS {
            let current = self.pointer(channel).await?;
            let pointer = current.as_ref().map(|(p, _)| p);
            let previous = pointer.map(|p| p.version.clone());
            let next = match (action, pointer) {
                (Move::Promote(version), Some(p)) if p.version == version => None,
                (Move::Promote(version), _) => {
                    Some(ChannelPointer::promoted(pointer, channel, version))
                }
                (Move::Rollback, None) => {
                    return Err(StoreError::UnknownChannel(channel.to_string()));
                }
                (Move::Rollback, Some(p)) => Some(
                    p.rolled_back()
                        .ok_or_else(|| StoreError::NoPrevious(channel.to_string()))?,
                ),
            };
            let Some(next) = next else {
                let (pointer, _) =
                    current.ok_or_else(|| StoreError::UnknownChannel(channel.to_string()))?;
                return Ok(Moved {
                    pointer,
                    previous,
                    attempts: attempt,
                });
            };
            if verified.as_deref() != Some(next.version.as_str()) {
                self.verify(&next.version).await?;
                verified = Some(next.version.clone());
            }
            let body = serde_json::to_vec_pretty(&next).map_err(|source| StoreError::Json {
                object: url(self.bucket(), &key),
                what: "channel pointer",
                source,
            })?;
            let condition = match &current {
                Some((_, etag)) => Condition::Matches(etag),
                None => Condition::Absent,
            };
            match objects::put(
                &self.client,
                self.bucket(),
                &key,
                body,
                "application/json",
                condition,
            )
            .await?
            {
                Written::Done => {
                    tracing::info!(%channel, version = %next.version, ?previous, attempt, "channel moved");
                    return Ok(Moved {
                        pointer: next,
                        previous,
                        attempts: attempt,
                    });
                }
                Written::PreconditionFailed => {
                    tracing::info!(%channel, attempt, "channel changed meanwhile; reading it again");
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Err(StoreError::Contended {
            channel: channel.to_string(),
            attempts: MOVE_ATTEMPTS,
        })
    }
}

/// What [`ModelStore::move_channel`] does to a pointer.
#[derive(Debug, Clone, Copy)]
enum Move<'a> {
    /// Push this version.
    Promote(&'a str),
    /// Drop the current version.
    Rollback,
}

/// Wait before the next attempt: grows with the attempt, with a little jitter so two
/// writers that collided do not collide again in lock-step.
fn backoff(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos() % 20))
        .unwrap_or_default();
    Duration::from_millis(10 * u64::from(attempt.min(10)) + jitter)
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
    fn promotions_stack_up_and_rollback_unstacks() {
        let first = ChannelPointer::promoted(None, "prod", "v1");
        assert_eq!(first.history, ["v1"]);
        assert!(first.rolled_back().is_none());
        let second = ChannelPointer::promoted(Some(&first), "prod", "v2");
        assert_eq!(second.version, "v2");
        assert_eq!(second.history, ["v1", "v2"]);
        let back = second.rolled_back().expect("v1 is earlier");
        assert_eq!(back.version, "v1");
        assert_eq!(back.history, ["v1"]);
    }

    #[test]
    fn model_sources_parse() {
        assert_eq!(
            "models".parse::<ModelSource>().expect("a folder"),
            ModelSource::Local(PathBuf::from("models"))
        );
        let store: ModelSource = "s3://vino-bucket/models?channel=blue"
            .parse()
            .expect("store");
        assert_eq!(
            store,
            ModelSource::Store {
                root: "s3://vino-bucket/models".parse().expect("prefix"),
                selector: Selector::Channel("blue".into()),
            }
        );
        assert_eq!(store.to_string(), "s3://vino-bucket/models?channel=blue");
        let pinned: ModelSource = "s3://vino-bucket/models?version=20260101-a"
            .parse()
            .expect("pinned");
        assert!(
            matches!(pinned, ModelSource::Store { selector: Selector::Version(v), .. } if v == "20260101-a")
        );
        let default: ModelSource = "s3://vino-bucket/models".parse().expect("default channel");
        assert!(
            matches!(default, ModelSource::Store { selector: Selector::Channel(c), .. } if c == DEFAULT_CHANNEL)
        );
        for bad in [
            "s3://vino-bucket/models?chanel=prod",
            "s3://vino-bucket/m?channel=../x",
            "s3://vino-bucket/m?channel=",
        ] {
            assert!(bad.parse::<ModelSource>().is_err(), "{bad} accepted");
        }
    }

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
