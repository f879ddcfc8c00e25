//! Where a model comes from: a bundle folder on this machine, or a channel or
//! version of a model store (`s3://bucket/prefix?channel=prod`). `serve`, `eval` and
//! `predict` all parse and load it here, so `--model` / `VINOVOYANT_MODEL` means the
//! same everywhere.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::location::S3Prefix;
use crate::registry::check_name;
use crate::{ModelStore, S3Options, StoreError};

/// Channel a server follows when its model address names none.
pub const DEFAULT_CHANNEL: &str = "prod";

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

impl ModelStore {
    /// Fetches the version `selector` names into `cache/<version>`, every checksum
    /// verified, and returns that folder.
    pub async fn fetch_selected(
        &self,
        selector: &Selector,
        cache: &Path,
    ) -> Result<PathBuf, StoreError> {
        let version = self.resolve(selector).await?;
        let dir = cache.join(&version);
        self.fetch(&version, &dir).await?;
        Ok(dir)
    }
}

impl ModelSource {
    /// The bundle folder of this source: a local folder as it is; a store version
    /// fetched into `cache/<version>` (reached with `options`).
    pub async fn bundle_dir(
        &self,
        cache: &Path,
        options: &S3Options,
    ) -> Result<PathBuf, StoreError> {
        match self {
            Self::Local(dir) => Ok(dir.clone()),
            Self::Store { root, selector } => {
                ModelStore::connect(root.clone(), options)
                    .await
                    .fetch_selected(selector, cache)
                    .await
            }
        }
    }

    /// [`Self::bundle_dir`] for callers outside an async runtime.
    pub fn bundle_dir_blocking(
        &self,
        cache: &Path,
        options: &S3Options,
    ) -> Result<PathBuf, StoreError> {
        if let Self::Local(dir) = self {
            return Ok(dir.clone());
        }
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(StoreError::Runtime)?
            .block_on(self.bundle_dir(cache, options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
