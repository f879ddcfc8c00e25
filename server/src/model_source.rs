//! Where the served model comes from: a bundle folder, or a channel of a model store.
//!
//! From a store, the promoted version is fetched into a cache folder with every
//! checksum verified, then loaded (which verifies again). When that fails (store
//! unreachable, channel missing, a file tampered with) the server still starts, on
//! the bundled default, and `/health` reports `degraded` with the reason. Optional
//! polling moves to a newly promoted version once it has passed the canary, and leaves
//! the degraded state as soon as the store gives a sound bundle.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use vinovoyant_inference::{Bundle, ModelHandle, default_model_dir};
use vinovoyant_store::{ModelSource, ModelStore, Selector};

use crate::config::ServeConfig;
use crate::health::Health;

/// The model to start with and, when it is the fallback, why.
pub struct Initial {
    /// The model to serve.
    pub model: ModelHandle,
    /// Set when the configured model could not be loaded and the default serves.
    pub degraded: Option<String>,
}

/// Loads the model `config` names. A local folder must load; a store that fails
/// gives the bundled default and a reason.
pub async fn load_initial(config: &ServeConfig) -> anyhow::Result<Initial> {
    let (root, selector) = match &config.model {
        ModelSource::Local(dir) => {
            return Ok(Initial {
                model: crate::load_model(dir).await?,
                degraded: None,
            });
        }
        ModelSource::Store { root, selector } => (root, selector),
    };
    let store = ModelStore::connect(root.clone(), &config.s3.options()).await;
    match fetch(&store, selector, &config.model_cache).await {
        Ok(bundle) => {
            tracing::info!(model_version = bundle.version(), source = %config.model, "model loaded from the store");
            Ok(Initial {
                model: ModelHandle::new(bundle),
                degraded: None,
            })
        }
        Err(e) => {
            let reason = fallback_reason(&config.model, &e);
            tracing::error!(%reason, "serving the bundled default model");
            Ok(Initial {
                model: crate::load_model(&default_model_dir())
                    .await
                    .context("the fallback model cannot be loaded either")?,
                degraded: Some(reason),
            })
        }
    }
}

fn fallback_reason(source: &ModelSource, error: &anyhow::Error) -> String {
    format!("cannot load {source}: {error:#}; serving the bundled default model")
}

/// Fetches the version `selector` names into `cache/<version>` and loads it.
async fn fetch(store: &ModelStore, selector: &Selector, cache: &Path) -> anyhow::Result<Bundle> {
    load(store.fetch_selected(selector, cache).await?).await
}

async fn load(dir: PathBuf) -> anyhow::Result<Bundle> {
    let shown = dir.display().to_string();
    tokio::task::spawn_blocking(move || Bundle::load(&dir))
        .await
        .context("the model loader failed")?
        .with_context(|| format!("cannot load the model bundle in {shown}"))
}

/// Starts polling the store for a newly promoted version when `config` asks for it.
pub fn spawn_poller(
    config: &ServeConfig,
    health: &Arc<Health>,
) -> Option<tokio::task::JoinHandle<()>> {
    let period = config.model_poll()?;
    let ModelSource::Store { root, selector } = config.model.clone() else {
        return None;
    };
    let source = config.model.clone();
    let options = config.s3.options();
    let cache = config.model_cache.clone();
    let health = Arc::clone(health);
    let store = Arc::new(tokio::sync::OnceCell::new());
    Some(crate::spawn_every(period, move || {
        let (store, root, options) = (Arc::clone(&store), root.clone(), options.clone());
        let (selector, cache, source, health) = (
            selector.clone(),
            cache.clone(),
            source.clone(),
            Arc::clone(&health),
        );
        async move {
            let store = store
                .get_or_init(|| ModelStore::connect(root, &options))
                .await;
            poll_once(store, &selector, &cache, &source, &health).await;
        }
    }))
}

/// One look at the store: adopts the version `selector` names when it differs from
/// the one served, or when the served one is the fallback.
async fn poll_once(
    store: &ModelStore,
    selector: &Selector,
    cache: &Path,
    source: &ModelSource,
    health: &Health,
) {
    let degraded = health.degraded().is_some();
    let result = async {
        let version = store.resolve(selector).await?;
        if !degraded && version == health.model_version() {
            return Ok(None);
        }
        let dir = cache.join(&version);
        store.fetch(&version, &dir).await?;
        let bundle = load(dir).await?;
        health
            .adopt(bundle)
            .await
            .map_err(|reason| anyhow::anyhow!("version {version} failed the canary: {reason}"))?;
        anyhow::Ok(Some(version))
    }
    .await;
    match result {
        Ok(None) => {}
        Ok(Some(version)) => {
            health.set_degraded(None);
            tracing::info!(model_version = %version, %source, "now serving the newly promoted model");
        }
        Err(e) if degraded => {
            let reason = fallback_reason(source, &e);
            tracing::warn!(%reason, "still serving the bundled default model");
            health.set_degraded(Some(reason));
        }
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), %source, "cannot check for a newly promoted model; keeping the current one");
        }
    }
}

/// Reloads the model each time the process gets SIGHUP: a bundle folder is read and
/// verified again, a store channel is looked up again. A new bundle serves only once
/// it has passed the canary; when it cannot be loaded the current model keeps
/// serving and the log says why.
pub fn spawn_reload_on_hangup(
    config: &ServeConfig,
    health: &Arc<Health>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    let config = config.clone();
    let health = Arc::clone(health);
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!(source = %config.model, "SIGHUP: reloading the model");
            reload(&config, &health).await;
        }
    }))
}

/// One reload of the model `config` names (see [`spawn_reload_on_hangup`]).
async fn reload(config: &ServeConfig, health: &Health) {
    match &config.model {
        ModelSource::Local(dir) => {
            let adopted = async {
                let bundle = load(dir.clone()).await?;
                let version = bundle.version().to_string();
                health.adopt(bundle).await.map_err(|reason| {
                    anyhow::anyhow!("version {version} failed the canary: {reason}")
                })?;
                anyhow::Ok(version)
            }
            .await;
            match adopted {
                Ok(version) => tracing::info!(model_version = %version, "reloaded the model"),
                Err(e) => tracing::warn!(
                    error = format!("{e:#}"),
                    "cannot reload the model; keeping the current one"
                ),
            }
        }
        ModelSource::Store { root, selector } => {
            let store = ModelStore::connect(root.clone(), &config.s3.options()).await;
            poll_once(&store, selector, &config.model_cache, &config.model, health).await;
        }
    }
}
