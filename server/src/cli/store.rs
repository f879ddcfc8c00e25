//! `vinovoyant models`, `datasets`, `backup` and `restore`: the model store and the
//! data sets in S3, driven from the command line. Each runs on a small async
//! runtime of its own.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use vinovoyant_server::config::S3Args;
use vinovoyant_store::backup::{CopyReport, copy_tree};
use vinovoyant_store::location::upload_file;
use vinovoyant_store::{DataLocation, Listing, ModelStore, S3Options, S3Prefix};

use super::block_on;

/// The model store to work on.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Model store, `s3://bucket/prefix`.
    #[arg(long, env = "VINOVOYANT_MODEL_STORE")]
    pub store: S3Prefix,
    #[command(flatten)]
    s3: S3Args,
}

impl StoreArgs {
    async fn open(&self) -> ModelStore {
        ModelStore::connect(self.store.clone(), &self.s3.options()).await
    }
}

/// Options of `vinovoyant models`.
#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    command: ModelsCommand,
}

#[derive(Debug, Subcommand)]
enum ModelsCommand {
    /// Upload a bundle folder as a new, immutable version (checked after upload).
    Publish {
        /// Bundle folder: manifest.json and the files it lists.
        #[arg(long)]
        bundle: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show every version and where each channel points.
    List {
        /// Print one JSON object, on one line, instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Point a channel at a version, after checking every file of it.
    Promote {
        /// The version to serve.
        version: String,
        /// The channel, e.g. prod, blue, green.
        #[arg(long)]
        channel: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Point a channel back at the version it served before.
    Rollback {
        /// The channel.
        #[arg(long)]
        channel: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-check every file's SHA-256 against its manifest: one version, or all.
    Verify {
        /// The version; every complete version when absent.
        version: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Options of `vinovoyant datasets`.
#[derive(Debug, Args)]
pub struct DatasetsArgs {
    #[command(subcommand)]
    command: DatasetsCommand,
}

#[derive(Debug, Subcommand)]
enum DatasetsCommand {
    /// Upload a local data file to S3 (replacing the object) and check it.
    Upload {
        /// The local file, e.g. a CSV of reviews.
        #[arg(long)]
        file: PathBuf,
        /// Where it goes: `s3://bucket/key`.
        #[arg(long)]
        to: DataLocation,
        #[command(flatten)]
        s3: S3Args,
    },
}

/// Options of `vinovoyant backup` and `vinovoyant restore`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Copy every object under this prefix, `s3://bucket/prefix`...
    #[arg(long)]
    pub from: S3Prefix,
    /// ...to the same keys under this one.
    #[arg(long)]
    pub to: S3Prefix,
    /// Region of the `--from` bucket, when it differs from the usual one.
    #[arg(long)]
    pub from_region: Option<String>,
    /// Region of the `--to` bucket, when it differs from the usual one.
    #[arg(long)]
    pub to_region: Option<String>,
    /// How to reach S3.
    #[command(flatten)]
    pub s3: S3Args,
}

/// Runs `vinovoyant models ...`.
pub fn models(args: ModelsArgs) -> anyhow::Result<()> {
    block_on(async {
        match args.command {
            ModelsCommand::Publish { bundle, store } => {
                let models = store.open().await;
                let published = models.publish(&bundle).await.with_context(|| {
                    format!("cannot publish {} to {}", bundle.display(), store.store)
                })?;
                println!(
                    "published {} to {}: {} files, {} bytes, every checksum checked after upload",
                    published.version, store.store, published.files, published.bytes
                );
            }
            ModelsCommand::List { json, store } => {
                let listing = store.open().await.list().await?;
                if json {
                    println!("{}", serde_json::to_string(&listing)?);
                } else {
                    print_listing(&listing);
                }
            }
            ModelsCommand::Promote {
                version,
                channel,
                store,
            } => {
                let moved = store.open().await.promote(&version, &channel).await?;
                println!(
                    "channel {channel}: {} -> {}",
                    moved.previous.as_deref().unwrap_or("(none)"),
                    moved.pointer.version
                );
            }
            ModelsCommand::Rollback { channel, store } => {
                let moved = store.open().await.rollback(&channel).await?;
                println!(
                    "channel {channel} rolled back: {} -> {}",
                    moved.previous.as_deref().unwrap_or("(none)"),
                    moved.pointer.version
                );
            }
            ModelsCommand::Verify { version, store } => {
                verify(&store.open().await, version).await?;
            }
        }
        Ok(())
    })
}

/// Re-checks `version`, or every complete version (saying which are incomplete);
/// an error when any fails.
async fn verify(models: &ModelStore, version: Option<String>) -> anyhow::Result<()> {
    let versions = match version {
        Some(version) => vec![version],
        None => {
            let listing = models.list().await?;
            for incomplete in listing.versions.iter().filter(|v| !v.complete) {
                println!(
                    "incomplete {} (no manifest; never served)",
                    incomplete.version
                );
            }
            listing
                .versions
                .into_iter()
                .filter(|v| v.complete)
                .map(|v| v.version)
                .collect()
        }
    };
    let mut failed = 0;
    for version in &versions {
        match models.verify(version).await {
            Ok(v) => {
                println!("ok {} ({} files, {} bytes)", v.version, v.files, v.bytes)
            }
            Err(e) => {
                failed += 1;
                println!("FAILED {version}: {e}");
            }
        }
    }
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} versions failed verification",
        versions.len()
    );
    Ok(())
}

/// Prints the `models list` table: one line per version, then one per channel.
fn print_listing(listing: &Listing) {
    println!(
        "{:<40} {:>12}  {:<10} CHANNELS",
        "VERSION", "BYTES", "STATE"
    );
    for version in &listing.versions {
        let channels: Vec<&str> = listing
            .channels
            .iter()
            .filter(|c| c.version == version.version)
            .map(|c| c.channel.as_str())
            .collect();
        let state = if version.complete {
            "complete"
        } else {
            "incomplete"
        };
        println!(
            "{:<40} {:>12}  {:<10} {}",
            version.version,
            version.bytes,
            state,
            channels.join(",")
        );
    }
    for channel in &listing.channels {
        println!(
            "channel {} -> {} (history: {}; updated {})",
            channel.channel,
            channel.version,
            channel.history.join(" -> "),
            channel.updated
        );
    }
}

/// Runs `vinovoyant datasets ...`.
pub fn datasets(args: DatasetsArgs) -> anyhow::Result<()> {
    block_on(async {
        match args.command {
            DatasetsCommand::Upload { file, to, s3 } => {
                let DataLocation::S3 { bucket, key } = &to else {
                    anyhow::bail!("--to must be s3://bucket/key, not {to}");
                };
                let client = s3.options().connect().await;
                let uploaded = upload_file(&client, &file, bucket, key)
                    .await
                    .with_context(|| format!("cannot upload {} to {to}", file.display()))?;
                println!(
                    "uploaded {} to {}: {} bytes, sha256 {} (checked after upload)",
                    file.display(),
                    uploaded.location,
                    uploaded.bytes,
                    uploaded.sha256
                );
            }
        }
        Ok(())
    })
}

async fn copy(args: &CopyArgs) -> anyhow::Result<CopyReport> {
    let with_region = |region: &Option<String>| S3Options {
        region: region.clone(),
        ..args.s3.options()
    };
    let source = with_region(&args.from_region).connect().await;
    let dest = with_region(&args.to_region).connect().await;
    let report = copy_tree(&source, &args.from, &dest, &args.to)
        .await
        .with_context(|| format!("cannot copy {} to {}", args.from, args.to))?;
    println!(
        "{} -> {}: {} objects, {} copied ({} bytes), {} already identical; every copy matches its source's SHA-256",
        args.from, args.to, report.objects, report.copied, report.bytes_copied, report.unchanged
    );
    Ok(report)
}

/// Runs `vinovoyant backup`: copies a store (every version and channel pointer) to
/// a backup prefix.
pub fn backup(args: CopyArgs) -> anyhow::Result<()> {
    block_on(async { copy(&args).await.map(drop) })
}

/// Runs `vinovoyant restore`: copies a backup back to the production prefix.
pub fn restore(args: CopyArgs) -> anyhow::Result<()> {
    block_on(async {
        let report = copy(&args).await?;
        anyhow::ensure!(
            report.objects > 0,
            "the backup {} holds no object",
            args.from
        );
        Ok(())
    })
}
