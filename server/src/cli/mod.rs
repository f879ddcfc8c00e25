//! The command-line tools the `vinovoyant` binary carries besides `serve`: their
//! options (clap), what they print, and the glue that turns a location on the
//! command line (a path or `s3://…`) into the bytes or the bundle the libraries take.
//!
//! Results go to standard output and only there; everything else is a log line
//! or an error on standard error.

pub mod eval;
pub mod predict;
pub mod store;
pub mod train;
mod values;

use std::future::Future;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use vinovoyant_inference::{Bundle, default_model_dir};
use vinovoyant_reviews::Dataset;
use vinovoyant_server::config::S3Args;
use vinovoyant_store::{DataLocation, ModelSource, read_bytes_blocking};

/// The model a command loads, named as `vinovoyant serve` names it.
#[derive(Debug, Args)]
pub struct ModelArgs {
    /// Model: a bundle folder, or a model store channel or version
    /// (`s3://bucket/prefix?channel=prod`, `?version=<v>`), fetched and verified.
    #[arg(long, env = "VINOVOYANT_MODEL", default_value_t = ModelSource::Local(default_model_dir()))]
    pub model: ModelSource,
    /// Folder where bundles fetched from a model store are kept.
    #[arg(long, env = "VINOVOYANT_MODEL_CACHE", default_value_os_t = std::env::temp_dir().join("vinovoyant-models"))]
    pub model_cache: PathBuf,
    /// How to reach the model store.
    #[command(flatten)]
    pub s3: S3Args,
}

impl ModelArgs {
    /// Loads and verifies the bundle, fetching it first when it is in a store.
    pub fn load(&self) -> anyhow::Result<Bundle> {
        let dir = self
            .model
            .bundle_dir_blocking(&self.model_cache, &self.s3.options())
            .with_context(|| format!("cannot fetch the model {}", self.model))?;
        Bundle::load(&dir)
            .with_context(|| format!("cannot load the model bundle in {}", dir.display()))
    }
}

/// The bytes of a data file, from this machine or from S3.
fn read_data(location: &DataLocation) -> anyhow::Result<Vec<u8>> {
    read_bytes_blocking(location).with_context(|| format!("cannot read {location}"))
}

/// Says how many rows were set aside; an error when none is usable.
fn report_rejected(location: &DataLocation, dataset: Dataset) -> anyhow::Result<Dataset> {
    let rejected = dataset.rejected;
    if rejected.total() > 0 {
        eprintln!(
            "{} of {} rows set aside: {} malformed, {} without description, {} without country",
            rejected.total(),
            dataset.rows,
            rejected.malformed,
            rejected.empty_description,
            rejected.empty_country
        );
    }
    anyhow::ensure!(
        !dataset.reviews.is_empty(),
        "{location} has no usable review"
    );
    Ok(dataset)
}

/// Runs `work` on a small async runtime of its own: the store commands are short
/// runs that need no more.
fn block_on<T>(work: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(work)
}
