//! Everything `vinovoyant serve` can be told, from flags or `VINOVOYANT_*` variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, ValueEnum};

/// Options of `vinovoyant serve`. Every flag falls back to an environment variable,
/// so the same binary is configured by flags on a laptop and by variables in a container.
#[derive(Clone, Parser)]
#[command(name = "vinovoyant-serve")]
pub struct ServeConfig {
    /// Folder of the model bundle to serve (manifest.json and the files it lists).
    #[arg(long = "model", env = "VINOVOYANT_MODEL", default_value_os_t = vinovoyant_inference::default_model_dir())]
    pub model_dir: PathBuf,

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
    #[arg(long, env = "VINOVOYANT_DRAIN_SECS", default_value_t = 20)]
    pub drain_secs: u64,

    /// Seconds a request may take before it is answered with 503.
    #[arg(long, env = "VINOVOYANT_REQUEST_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Seconds between two runs of the health canary.
    #[arg(long, env = "VINOVOYANT_CANARY_INTERVAL_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub canary_interval_secs: u64,

    /// Origins allowed to call the API from a browser (comma-separated, or `*`).
    /// Empty, the default, means same-origin only.
    #[arg(long, env = "VINOVOYANT_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Write CloudWatch Embedded Metric Format lines to standard output.
    #[arg(long, env = "VINOVOYANT_EMF", default_value_t = true, action = clap::ArgAction::Set)]
    pub emf: bool,

    /// Bearer token required to read `/metrics`; open when unset.
    #[arg(long, env = "VINOVOYANT_METRICS_TOKEN")]
    pub metrics_token: Option<Secret>,
}

impl ServeConfig {
    /// How long in-flight requests may take to finish on shutdown.
    pub fn drain_time(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }

    /// How long one request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
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
            .field("model_dir", &self.model_dir)
            .field("addr", &self.addr)
            .field("site_root", &self.site_root)
            .field("max_concurrency", &self.max_concurrency)
            .field("drain_secs", &self.drain_secs)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("canary_interval_secs", &self.canary_interval_secs)
            .field("cors_origins", &self.cors_origins)
            .field("emf", &self.emf)
            .field("metrics_token", &self.metrics_token)
            .finish()
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
    /// One JSON object per line, for CloudWatch Logs and other collectors.
    Json,
    /// Human-readable lines, for a terminal.
    Text,
}

/// Logging options shared by every subcommand.
#[derive(Clone, Debug, Args)]
pub struct LogConfig {
    /// Log line format.
    #[arg(long, env = "VINOVOYANT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Json, global = true)]
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
