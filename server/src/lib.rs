//! The VinoVoyant server: the web site, the JSON API with its OpenAPI document,
//! health backed by a model canary, Prometheus and CloudWatch metrics, and a graceful
//! shutdown.
//!
//! [`serve`] runs it all on a listener until a shutdown signal, then drains.

pub mod api;
pub mod config;
pub mod dataset;
pub mod docs;
pub mod engine;
pub mod error;
pub mod examples;
pub mod guard;
pub mod health;
pub mod healthcheck;
pub mod listen;
pub mod model_source;
mod observe;
pub mod security;
mod shrunk;
pub mod similar;
pub mod site;
pub mod telemetry;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use app::server::DatasetFeed;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tracing_appender::non_blocking::NonBlocking;
use vinovoyant_inference::{Bundle, ModelHandle};

use crate::config::{Secret, ServeConfig};
use crate::engine::Engine;
use crate::error::ApiError;
use crate::health::Health;
use crate::telemetry::Emf;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How often collected CloudWatch values are written out.
const EMF_FLUSH: Duration = Duration::from_secs(10);
/// How often the Prometheus recorder drops expired histogram samples.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);

/// What every API handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Runs predictions under the concurrency limit.
    pub engine: Engine,
    /// The canary's last result.
    pub health: Arc<Health>,
    /// The review data set, for similar wines.
    pub feed: DatasetFeed,
    metrics_token: Option<Secret>,
}

/// Loads and verifies the bundle in `dir` (off the async runtime: it reads and
/// checks every file and builds the ONNX plan).
pub async fn load_model(dir: &std::path::Path) -> anyhow::Result<ModelHandle> {
    let dir = dir.to_path_buf();
    let shown = dir.display().to_string();
    let bundle = tokio::task::spawn_blocking(move || Bundle::load(&dir))
        .await
        .context("the model loader failed")?
        .with_context(|| format!("cannot load the model bundle in {shown}"))?;
    tracing::info!(model_version = bundle.version(), dir = %shown, "model loaded");
    Ok(ModelHandle::new(bundle))
}

/// The application: every route with every shared layer, and the parts the server's
/// background tasks need.
pub struct App {
    /// All routes, ready to serve.
    pub router: Router,
    /// Health of the model, checked by the canary task.
    pub health: Arc<Health>,
    /// CloudWatch metric lines, flushed by a background task.
    pub emf: Arc<Emf>,
}

/// Builds the application for `config` around `model`. EMF lines go to `emf_writer`
/// when `config.emf` is set. A data set in `config.data` starts loading in the
/// background, so this must run inside the async runtime.
pub fn app(
    config: &ServeConfig,
    model: ModelHandle,
    emf_writer: Option<NonBlocking>,
) -> anyhow::Result<App> {
    let emf = Arc::new(Emf::new(emf_writer.filter(|_| config.emf)));
    let health = Arc::new(Health::new(model.clone()));
    let engine = Engine::new(
        model.clone(),
        config.max_concurrency as usize,
        Arc::clone(&emf),
    );
    let feed = dataset::start(config.data.clone());
    let site = site::routes(
        site::options(&config.site_root, &site::asset_dir(&config.site_root)),
        model,
        engine.note_scorer(),
        feed.clone(),
    )
    .layer(axum::middleware::from_fn(security::site_policy))
    .layer(axum::middleware::from_fn(guard::same_origin_posts));
    let state = AppState {
        engine,
        health: Arc::clone(&health),
        feed,
        metrics_token: config.metrics_token.clone(),
    };
    telemetry::prometheus();

    let (api, openapi) = api::router();
    let openapi =
        serde_json::to_value(&openapi).context("cannot serialise the OpenAPI document")?;
    let page = docs::render(&openapi);
    let openapi_json = Bytes::from(openapi.to_string());
    let docs_html = Bytes::from(page.html);
    let docs_csp =
        HeaderValue::from_str(&page.csp).context("the docs page policy is not a header value")?;

    let mut api = api.route("/metrics", get(metrics));
    if let Some(cors) = security::cors(&config.cors_origins)? {
        api = api.layer(cors);
    }
    let api = api
        .route(
            app::routes::OPENAPI_JSON,
            get(move || {
                let body = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
        .route(
            app::routes::API_DOCS,
            get(move || {
                let headers = [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    ),
                    (header::CONTENT_SECURITY_POLICY, docs_csp.clone()),
                ];
                let body = docs_html.clone();
                async move { (headers, body) }
            }),
        )
        .with_state(state);

    let router = with_shared_layers(api.merge(site), config, &emf);
    Ok(App {
        router,
        health,
        emf,
    })
}

/// Bodies up to this size go out uncompressed. A single prediction is about 3 KiB
/// of JSON: compressing it saved 2 KiB on the wire but cost a compressor's set-up
/// per response, 18–26 % of the server's throughput under load. Pages, scripts,
/// the WASM bundle, batch answers and the OpenAPI document stay compressed.
const COMPRESS_ABOVE_BYTES: u16 = 4096;

/// Wraps every route of `router` in the shared layers, outermost first: request id,
/// logging and metrics, panic safety net, security headers, compression, JSON bodies
/// (and `Retry-After`) for layer errors, the method guard, the body read (size and
/// time limits), the request timeout.
fn with_shared_layers(router: Router, config: &ServeConfig, emf: &Arc<Emf>) -> Router {
    let headers = security::common_headers();
    let [csp, nosniff, referrer, frame, opener] = headers.map(|(name, value, overriding)| {
        if overriding {
            SetResponseHeaderLayer::overriding(name, value)
        } else {
            SetResponseHeaderLayer::if_not_present(name, value)
        }
    });
    let body_rules = guard::BodyRules {
        max_bytes: MAX_BODY_BYTES,
        within: config.body_read_timeout(),
    };
    // `Router::layer` wraps each route, so the last layer added is the outermost.
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.request_timeout(),
        ))
        .layer(axum::middleware::from_fn_with_state(
            body_rules,
            guard::read_body,
        ))
        .layer(axum::middleware::from_fn(guard::allowed_methods))
        .layer(axum::middleware::map_response(error::normalize_errors))
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE_BYTES))),
        )
        .layer(opener)
        .layer(frame)
        .layer(referrer)
        .layer(nosniff)
        .layer(csp)
        .layer(CatchPanicLayer::custom(|_panic| {
            tracing::error!("a request handler panicked");
            ApiError::internal().into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(emf),
            observe::observe,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

impl AppState {
    /// Whether `headers` carry the operators' token (`Authorization: Bearer <token>`).
    /// With no token configured the answer is `open_when_unset`.
    fn operator_token_given(&self, headers: &HeaderMap, open_when_unset: bool) -> bool {
        let Some(token) = &self.metrics_token else {
            return open_when_unset;
        };
        let expected = format!("Bearer {}", token.expose());
        let given = headers
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        given == expected.as_bytes()
    }
}

/// Prometheus text exposition of every metric; open when no token is configured
/// (production keeps it inside the VPC: see docs/operations.md).
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !state.operator_token_given(&headers, true) {
        return ApiError::for_status(StatusCode::UNAUTHORIZED).into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        telemetry::prometheus().render(),
    )
        .into_response()
}

/// Serves `config` on `listener` until `shutdown` completes, then stops accepting
/// connections and gives requests in flight the configured drain time to finish.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    emf_writer: Option<NonBlocking>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    tracing::info!(?config, "starting");
    let model_source::Initial { model, degraded } = model_source::load_initial(&config).await?;
    let App {
        router,
        health,
        emf,
    } = app(&config, model, emf_writer)?;
    health.set_degraded(degraded);

    health.check().await;
    let report = health.report();
    tracing::info!(status = ?report.status, model_version = %report.model_version, reason = ?report.reason, "first canary run");

    let poller = model_source::spawn_poller(&config, &health);
    let reloader = model_source::spawn_reload_on_hangup(&config, &health)?;
    let tasks = [
        spawn_every(config.canary_interval(), {
            let health = Arc::clone(&health);
            move || {
                let health = Arc::clone(&health);
                async move { health.check().await }
            }
        }),
        spawn_every(EMF_FLUSH, {
            let emf = Arc::clone(&emf);
            move || {
                emf.flush();
                std::future::ready(())
            }
        }),
        spawn_every(METRICS_UPKEEP, || {
            telemetry::prometheus().run_upkeep();
            std::future::ready(())
        }),
    ];

    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutdown requested: no new connections, draining requests in flight");
        let _ = draining_tx.send(());
    };
    let address = listener
        .local_addr()
        .context("the listener has no address")?;
    tracing::info!(%address, "listening");
    let server = listen::serve_connections(listener, router, config.connection_timeouts(), signal);
    let drain = config.drain_time();
    let deadline = async move {
        if draining_rx.await.is_ok() {
            tokio::time::sleep(drain).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = server => {},
        () = deadline => tracing::warn!(drain_secs = drain.as_secs(), "drain time over; closing the connections left"),
    }
    for task in tasks.into_iter().chain(poller).chain([reloader]) {
        task.abort();
    }
    emf.flush();
    tracing::info!("stopped");
    Ok(())
}

/// Runs `tick` every `period` (first after one period) until aborted.
fn spawn_every<F, Fut>(period: Duration, mut tick: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            tick().await;
        }
    })
}

/// Completes on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}
