//! Everything `vinovoyant serve` can be told, from flags or `VINOVOYANT_*` variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, ValueEnum};
use vinovoyant_store::{ModelSource, S3Options};

/// Options of `vinovoyant serve`. Every flag falls back to an environment variable,
/// so the same binary is configured by flags on a laptop and by variables in a container.
#[derive(Clone, Parser)]
#[command(name = "vinovoyant-serve")]
pub struct ServeConfig {
    /// Model to serve: a bundle folder (manifest.json and the files it lists), or a
    /// model store channel, `s3://bucket/prefix?channel=prod` (`?version=<v>` pins
    /// one), fetched and verified at start-up. When the store cannot give a sound
    /// bundle, the bundled default serves and `/health` says `degraded`.
    #[arg(long, env = "VINOVOYANT_MODEL", default_value_t = ModelSource::Local(vinovoyant_inference::default_model_dir()))]
    pub model: ModelSource,

    /// Folder where bundles fetched from a model store are kept.
    #[arg(long, env = "VINOVOYANT_MODEL_CACHE", default_value_os_t = std::env::temp_dir().join("vinovoyant-models"))]
    pub model_cache: PathBuf,

    /// Seconds between checks of the model store for a newly promoted version, which
    /// then replaces the model without failing requests in flight. Off when unset.
    #[arg(long, env = "VINOVOYANT_MODEL_POLL_SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub model_poll_secs: Option<u64>,

    /// How to reach the model store.
    #[command(flatten)]
    pub s3: S3Args,

    /// Address to listen on (the Leptos convention).
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder of the built site: `pkg/` with the WASM app, styles and public files.
    #[arg(long, env = "VINOVOYANT_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Prediction requests allowed to run at once; the next ones get 429.
    #[arg(long, env = "VINOVOYANT_MAX_CONCURRENCY", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_concurrency: u32,

    /// Seconds given to requests in flight to finish after SIGTERM or SIGINT.
    #[arg(long, env = "VINOVOYANT_DRAIN_SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=3_600))]
    pub drain_secs: u64,

    /// Seconds the server may take to answer a request (its body read included)
    /// before it is answered with 503.
    #[arg(long, env = "VINOVOYANT_REQUEST_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub request_timeout_secs: u64,

    /// Seconds a new connection may stay silent before its first byte; then it is closed.
    #[arg(long, env = "VINOVOYANT_FIRST_BYTE_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub first_byte_timeout_secs: u64,

    /// Seconds a connection may take to send a request's head whole, counted from when
    /// the server starts waiting for it; this also closes kept-alive connections idle
    /// that long. The default is above the AWS load balancer's 60 s idle timeout, so
    /// the balancer never sends a request on a connection the server is closing.
    #[arg(long, env = "VINOVOYANT_HEADER_READ_TIMEOUT_SECS", default_value_t = 65, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub header_read_timeout_secs: u64,

    /// Seconds a client may take to send a request's body; then it is answered 408.
    #[arg(long, env = "VINOVOYANT_BODY_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub body_read_timeout_secs: u64,

    /// Seconds between two runs of the health canary.
    #[arg(long, env = "VINOVOYANT_CANARY_INTERVAL_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub canary_interval_secs: u64,

    /// Origins allowed to call the API from a browser (comma-separated, or `*`).
    /// Empty, the default, means same-origin only.
    #[arg(long, env = "VINOVOYANT_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Write CloudWatch Embedded Metric Format lines to standard output (the
    /// container image and the Terraform turn it on).
    #[arg(long, env = "VINOVOYANT_EMF", default_value_t = false, action = clap::ArgAction::Set)]
    pub emf: bool,

    /// Bearer token required to read `/metrics` (open when unset) and
    /// `/health/details` (refused when unset).
    #[arg(long, env = "VINOVOYANT_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,

    /// Review CSV behind the analytics page: a local path or `s3://bucket/key`, read
    /// once at start-up in the background. Unset, the model bundle's aggregates serve.
    #[arg(long, env = "VINOVOYANT_DATA")]
    pub data: Option<vinovoyant_store::DataLocation>,
}

impl ServeConfig {
    /// How often to look for a newly promoted model, if at all.
    pub fn model_poll(&self) -> Option<Duration> {
        self.model_poll_secs.map(Duration::from_secs)
    }

    /// How long in-flight requests may take to finish on shutdown.
    pub fn drain_time(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }

    /// How long one request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// How long connections may keep the server waiting.
    pub fn connection_timeouts(&self) -> crate::listen::Timeouts {
        crate::listen::Timeouts {
            first_byte: Duration::from_secs(self.first_byte_timeout_secs),
            header_read: Duration::from_secs(self.header_read_timeout_secs),
        }
    }

    /// How long a client may take to send a request's body.
    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs)
    }

    /// How often the canary runs.
    pub fn canary_interval(&self) -> Duration {
        Duration::from_secs(self.canary_interval_secs)
    }
}

/// Printed at start-up: secrets show as `[redacted]`.
impl fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeConfig")
            .field("model", &self.model.to_string())
            .field("model_cache", &self.model_cache)
            .field("model_poll_secs", &self.model_poll_secs)
            .field("s3", &self.s3)
            .field("addr", &self.addr)
            .field("site_root", &self.site_root)
            .field("max_concurrency", &self.max_concurrency)
            .field("drain_secs", &self.drain_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("first_byte_timeout_secs", &self.first_byte_timeout_secs)
            .field("header_read_timeout_secs", &self.header_read_timeout_secs)
            .field("body_read_timeout_secs", &self.body_read_timeout_secs)
            .field("canary_interval_secs", &self.canary_interval_secs)
            .field("cors_origins", &self.cors_origins)
            .field("emf", &self.emf)
            .field("metrics_token", &self.metrics_token)
            .field("data", &self.data)
            .finish()
    }
}

/// How to reach S3: shared by `serve` and every command that reads or writes a store.
#[derive(Debug, Clone, Args)]
pub struct S3Args {
    /// Custom S3 endpoint, for an S3-compatible store (path-style addressing); AWS when unset.
    #[arg(long = "s3-endpoint", env = "VINOVOYANT_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
}

impl S3Args {
    /// Client options with this endpoint.
    pub fn options(&self) -> S3Options {
        S3Options {
            endpoint: self.s3_endpoint.clone().filter(|e| !e.trim().is_empty()),
            ..S3Options::default()
        }
    }
}

/// A value that must never reach a log: its `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value itself, for comparing with what a client sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Text when standard error is a terminal, JSON otherwise.
    Auto,
    /// One JSON object per line, for CloudWatch Logs and other collectors.
    Json,
    /// Human-readable lines, for a terminal.
    Text,
}

/// Logging options shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct LogConfig {
    /// Log line format (logs go to standard error; results to standard output).
    #[arg(long, env = "VINOVOYANT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,

    /// Log filter used when `RUST_LOG` is unset (e.g. `info`, `vinovoyant_server=debug`).
    #[arg(
        long,
        env = "VINOVOYANT_LOG_LEVEL",
        default_value = "info",
        global = true
    )]
    pub log_level: String,
}
