//! Logs, Prometheus metrics and CloudWatch Embedded Metric Format lines.
//!
//! Log lines go to standard error and EMF lines (when asked for) to standard output,
//! each through a non-blocking writer, so a request never waits on the terminal or
//! the log shipper. A command's result is the only other thing on standard output,
//! and commands that print a result never write EMF.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::{Map, Value, json};
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::{LogConfig, LogFormat};

/// Request counter, by method, route and status.
pub const HTTP_REQUESTS: &str = "vinovoyant_http_requests_total";
/// Request latency histogram (seconds), by method, route and status.
pub const HTTP_DURATION: &str = "vinovoyant_http_request_duration_seconds";
/// Model latency histogram (seconds) per description, by model and version.
pub const PREDICTION_DURATION: &str = "vinovoyant_prediction_duration_seconds";
/// Descriptions scored, by model, version and outcome.
pub const PREDICTIONS: &str = "vinovoyant_predictions_total";
/// Prediction requests refused because the concurrency limit was reached.
pub const REJECTED: &str = "vinovoyant_rejected_requests_total";
/// 1 while the last canary passed, 0 otherwise.
pub const CANARY_OK: &str = "vinovoyant_canary_ok";
/// Canary runs, by result.
pub const CANARY_RUNS: &str = "vinovoyant_canary_runs_total";
/// Always 1, labelled with the version of the model being served.
pub const MODEL_INFO: &str = "vinovoyant_model_info";

/// Histogram buckets in seconds, from 100 µs (a fast prediction) to 10 s (the default timeout).
const BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// Buffer between the log thread and standard output. The thread writes every line
/// waiting in its queue, then flushes, so under load many lines leave in one system
/// call instead of one call per line (standard output alone flushes at every newline).
const LOG_BUFFER_BYTES: usize = 64 * 1024;

/// Keeps a writer's thread alive; dropping it flushes every pending line.
pub struct LogGuard {
    _worker: WorkerGuard,
}

/// A non-blocking, buffered writer to `sink`, on a thread named `name`.
fn buffered(sink: impl Write + Send + 'static, name: &str) -> (NonBlocking, LogGuard) {
    let (writer, worker) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name(name)
        .finish(std::io::BufWriter::with_capacity(LOG_BUFFER_BYTES, sink));
    (writer, LogGuard { _worker: worker })
}

/// The writer of CloudWatch EMF lines: standard output, never blocking a request.
pub fn emf_writer() -> (NonBlocking, LogGuard) {
    buffered(std::io::stdout(), "vinovoyant-emf")
}

/// Starts logging to standard error in the configured format (for `auto`: text on a
/// terminal, JSON lines otherwise) and returns the guard that flushes it at exit.
///
/// The filter comes from `RUST_LOG` when set, from `--log-level` otherwise.
pub fn init_logging(config: &LogConfig) -> anyhow::Result<LogGuard> {
    use std::io::IsTerminal as _;
    let filter = match EnvFilter::try_from_default_env() {
        Ok(filter) => filter,
        Err(_) => EnvFilter::try_new(&config.log_level)?,
    };
    let (writer, guard) = buffered(std::io::stderr(), "vinovoyant-log");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_span_events(FmtSpan::NONE);
    let format = match config.log_format {
        LogFormat::Auto if std::io::stderr().is_terminal() => LogFormat::Text,
        LogFormat::Auto => LogFormat::Json,
        chosen => chosen,
    };
    let installed = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text | LogFormat::Auto => builder.try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))?;
    Ok(guard)
}

/// The process-wide Prometheus recorder, installed on first use.
///
/// One recorder serves every server in the process (tests start several), so
/// series from all of them add up; in production there is only one.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // `set_buckets` refuses only an empty list.
        let builder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency");
    describe_histogram!(
        PREDICTION_DURATION,
        Unit::Seconds,
        "Model latency per description"
    );
    describe_counter!(PREDICTIONS, "Descriptions scored");
    describe_counter!(
        REJECTED,
        "Prediction requests refused over the concurrency limit"
    );
    describe_gauge!(CANARY_OK, "1 while the last health canary passed");
    describe_counter!(CANARY_RUNS, "Health canary runs");
    describe_gauge!(MODEL_INFO, "The model version being served");
}

/// Most values CloudWatch accepts for one metric in one EMF line.
const EMF_MAX_VALUES: usize = 100;

/// Collects PredictionLatency values and error counts and writes them as CloudWatch
/// Embedded Metric Format lines (namespace `VinoVoyant`, no dimensions), up to 100
/// latencies per line, so alarms such as "PredictionLatency > 2,000 ms" work from the
/// log stream alone.
pub struct Emf {
    writer: Option<NonBlocking>,
    pending: Mutex<EmfBatch>,
}

#[derive(Default)]
struct EmfBatch {
    latencies_ms: Vec<f64>,
    client_errors: u64,
    server_errors: u64,
}

impl Emf {
    /// Writes through `writer`; with `None`, values are collected and dropped.
    pub fn new(writer: Option<NonBlocking>) -> Self {
        Self {
            writer,
            pending: Mutex::new(EmfBatch::default()),
        }
    }

    /// Records the model latency of one description.
    pub fn prediction(&self, latency: Duration) {
        let full = {
            let mut batch = self.lock();
            batch.latencies_ms.push(latency.as_secs_f64() * 1_000.0);
            (batch.latencies_ms.len() >= EMF_MAX_VALUES).then(|| std::mem::take(&mut *batch))
        };
        if let Some(batch) = full {
            self.write(&batch);
        }
    }

    /// Counts an answer with a 4xx or 5xx status.
    pub fn status(&self, status: u16) {
        if status < 400 {
            return;
        }
        let mut batch = self.lock();
        if status < 500 {
            batch.client_errors += 1;
        } else {
            batch.server_errors += 1;
        }
    }

    /// Writes whatever was collected since the last line.
    pub fn flush(&self) {
        let batch = std::mem::take(&mut *self.lock());
        self.write(&batch);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EmfBatch> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self, batch: &EmfBatch) {
        let Some(writer) = &self.writer else { return };
        let Some(line) = emf_line(batch, unix_millis()) else {
            return;
        };
        let mut writer = writer.clone();
        if let Err(e) = writer.write_all(line.as_bytes()) {
            tracing::warn!(error = %e, "cannot write an EMF line");
        }
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One EMF line (with its newline) for `batch`, or `None` when there is nothing to say.
fn emf_line(batch: &EmfBatch, timestamp_ms: u64) -> Option<String> {
    let mut definitions = Vec::new();
    let mut root = Map::new();
    if !batch.latencies_ms.is_empty() {
        definitions.push(json!({"Name": "PredictionLatency", "Unit": "Milliseconds"}));
        root.insert("PredictionLatency".into(), json!(batch.latencies_ms));
    }
    for (name, count) in [
        ("ClientErrors", batch.client_errors),
        ("ServerErrors", batch.server_errors),
    ] {
        if count > 0 {
            definitions.push(json!({"Name": name, "Unit": "Count"}));
            root.insert(name.into(), json!(count));
        }
    }
    if definitions.is_empty() {
        return None;
    }
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": "VinoVoyant",
                "Dimensions": [[]],
                "Metrics": definitions,
            }],
        }),
    );
    let mut line = Value::Object(root).to_string();
    line.push('\n');
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_line_names_namespace_units_and_values() {
        let batch = EmfBatch {
            latencies_ms: vec![1.5, 2_500.0],
            client_errors: 3,
            server_errors: 0,
        };
        let line = emf_line(&batch, 1_700_000_000_000).expect("a line");
        assert!(line.ends_with('\n'));
        let value: Value = serde_json::from_str(&line).expect("JSON");
        let directive = &value["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(value["_aws"]["Timestamp"], 1_700_000_000_000u64);
        assert_eq!(directive["Namespace"], "VinoVoyant");
        assert_eq!(directive["Dimensions"], json!([[]]));
        assert_eq!(
            directive["Metrics"],
            json!([
                {"Name": "PredictionLatency", "Unit": "Milliseconds"},
                {"Name": "ClientErrors", "Unit": "Count"},
            ])
        );
        assert_eq!(value["PredictionLatency"], json!([1.5, 2500.0]));
        assert_eq!(value["ClientErrors"], 3);
        assert!(value.get("ServerErrors").is_none());
    }

    #[test]
    fn nothing_to_report_writes_nothing() {
        assert!(emf_line(&EmfBatch::default(), 0).is_none());
    }
}
