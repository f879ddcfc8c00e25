//! A model source as a bundle folder on this machine: what `serve`, `eval` and
//! `predict` all load, so `--model` / `VINOVOYANT_MODEL` means the same everywhere.

use std::path::{Path, PathBuf};

use crate::{ModelSource, ModelStore, S3Options, Selector, StoreError};

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
