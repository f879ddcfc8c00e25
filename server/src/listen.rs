//! Accepting connections: HTTP/1.1 through hyper, with the connection timeouts that
//! `axum::serve` leaves unset.
//!
//! * A connection must send its first byte within [`Timeouts::first_byte`], or it is
//!   closed: one that sends nothing never reaches hyper.
//! * Every request's head must arrive whole within [`Timeouts::header_read`] of the
//!   moment the connection waits for it, which also bounds how long a kept-alive
//!   connection may sit idle between requests. hyper enforces it (its timer is set
//!   here; without a timer hyper ignores the setting).
//!
//! On shutdown the listener closes at once and the connections finish the requests
//! they are serving, then close.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

/// How long a connection may keep the server waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From accepting a connection to its first byte.
    pub first_byte: Duration,
    /// From waiting for a request's head (a new connection's first, or the next on a
    /// kept-alive one) to having all of it.
    pub header_read: Duration,
}

/// How long to wait before accepting again after `accept` itself failed (for
/// example when the process is out of file descriptors), so the loop does not spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Serves `router` on every connection `listener` accepts until `shutdown`
/// completes; then stops accepting and waits for the open connections to finish.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_RETRY).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(|request: Request<Incoming>| request.map(Body::new));
        let http = http.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            if !first_byte_within(&stream, timeouts.first_byte).await {
                return;
            }
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Whether `stream` has a byte to read (or has closed, which hyper then sees) within
/// `limit`. Nothing is consumed.
async fn first_byte_within(stream: &TcpStream, limit: Duration) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(limit, stream.peek(&mut byte)).await,
        Ok(Ok(_))
    )
}
