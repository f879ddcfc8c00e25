//! `vinovoyant healthcheck`: asks a running server for `/health` and exits 0 on
//! HTTP 200, 1 otherwise.
//!
//! The slim container image carries no curl, so Docker's `HEALTHCHECK` calls the
//! binary itself. The server it asks is always on the same host and speaks plain
//! HTTP/1.1, so one status line over a std `TcpStream` is all it takes; a client
//! crate would pull hyper's client half into the runtime binary for no gain.

use std::io::{self, Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs as _};
use std::time::Duration;

use clap::Args;

/// Options of `vinovoyant healthcheck`.
#[derive(Clone, Debug, Args)]
pub struct HealthcheckArgs {
    /// URL to ask (plain `http://host:port/path`). Without it, `/health` on the
    /// loopback interface at the port of `--addr`.
    #[arg(long, env = "VINOVOYANT_HEALTHCHECK_URL")]
    pub url: Option<String>,

    /// Address the server listens on; only its port is used, to build the default URL.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Seconds allowed to connect, and again to get the answer.
    #[arg(long, env = "VINOVOYANT_HEALTHCHECK_TIMEOUT_SECS", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub timeout_secs: u64,
}

/// Why the server was not found healthy.
#[derive(Debug, thiserror::Error)]
pub enum HealthcheckError {
    /// The URL is not a plain `http://host:port/path` URL.
    #[error("cannot use {url:?}: {reason}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The host name did not resolve.
    #[error("cannot resolve {host}: {source}")]
    Resolve {
        /// `host:port` from the URL.
        host: String,
        /// The resolver's error.
        source: io::Error,
    },
    /// Connecting, sending or reading failed (refused, reset, timed out).
    #[error("cannot reach {addr}: {source}")]
    Io {
        /// The address tried.
        addr: SocketAddr,
        /// The socket error.
        source: io::Error,
    },
    /// The answer did not start with an HTTP status line.
    #[error("{addr} did not answer with an HTTP status line")]
    BadResponse {
        /// The address asked.
        addr: SocketAddr,
    },
    /// The server answered with a status other than 200.
    #[error("{addr} answered HTTP {status}")]
    Unhealthy {
        /// The address asked.
        addr: SocketAddr,
        /// The status it answered with.
        status: u16,
    },
}

/// Where to send the request.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    /// `host:port`, for the resolver and the `Host` header.
    authority: String,
    /// Path and query, starting with `/`.
    path: String,
}

/// Runs the check described by `args`.
pub fn run(args: &HealthcheckArgs) -> Result<(), HealthcheckError> {
    let target = match &args.url {
        Some(url) => parse_url(url)?,
        None => default_target(args.addr),
    };
    let status = check(&target, Duration::from_secs(args.timeout_secs))?;
    tracing::info!(status, url = %format!("http://{}{}", target.authority, target.path), "healthy");
    Ok(())
}

/// `/health` on loopback at the port the server listens on: a server bound to
/// `0.0.0.0` or `::` is reached through `127.0.0.1` or `::1`.
fn default_target(addr: SocketAddr) -> Target {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Target {
        authority: SocketAddr::new(ip, addr.port()).to_string(),
        path: "/health".to_owned(),
    }
}

fn parse_url(url: &str) -> Result<Target, HealthcheckError> {
    let bad = |reason| HealthcheckError::BadUrl {
        url: url.to_owned(),
        reason,
    };
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| bad("only plain http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(bad("the host is missing"));
    }
    let authority = if has_port(authority) {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Ok(Target {
        authority,
        path: path.to_owned(),
    })
}

/// Whether `host[:port]` names a port; IPv6 literals are bracketed (`[::1]:8080`).
fn has_port(authority: &str) -> bool {
    match authority.rfind(']') {
        Some(bracket) => authority[bracket..].contains(':'),
        None => authority.contains(':'),
    }
}

/// Sends one GET to `target` and returns the status when it is 200.
fn check(target: &Target, timeout: Duration) -> Result<u16, HealthcheckError> {
    let addr = target
        .authority
        .to_socket_addrs()
        .map_err(|source| HealthcheckError::Resolve {
            host: target.authority.clone(),
            source,
        })?
        .next()
        .ok_or_else(|| HealthcheckError::Resolve {
            host: target.authority.clone(),
            source: io::Error::new(io::ErrorKind::NotFound, "no address"),
        })?;
    let io_error = |source| HealthcheckError::Io { addr, source };
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io_error)?;
    stream.set_read_timeout(Some(timeout)).map_err(io_error)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_error)?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: vinovoyant-healthcheck\r\nConnection: close\r\n\r\n",
        target.path, target.authority
    );
    stream.write_all(request.as_bytes()).map_err(io_error)?;
    let status_line = read_status_line(&mut stream).map_err(io_error)?;
    let status = parse_status(&status_line).ok_or(HealthcheckError::BadResponse { addr })?;
    if status == 200 {
        Ok(status)
    } else {
        Err(HealthcheckError::Unhealthy { addr, status })
    }
}

/// Reads up to the first line break (or 512 bytes, or the end of the stream).
fn read_status_line(stream: &mut TcpStream) -> io::Result<String> {
    let mut line = Vec::with_capacity(64);
    let mut chunk = [0u8; 128];
    while line.len() < 512 && !line.contains(&b'\n') {
        let read = stream.read(&mut chunk)?;
        if read == 0 {
            break;
        }
        line.extend_from_slice(&chunk[..read]);
    }
    let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
    Ok(String::from_utf8_lossy(&line[..end]).into_owned())
}

/// The status code of `HTTP/1.x NNN reason`.
fn parse_status(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::thread::JoinHandle;

    use super::*;

    /// A one-shot server on loopback: answers one connection with `answer` (or
    /// stays silent when it is `None`) and returns the request it read.
    fn one_shot(answer: Option<&'static str>) -> (Target, JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = [0u8; 1024];
            let read = stream.read(&mut request).unwrap_or(0);
            match answer {
                Some(answer) => {
                    stream.write_all(answer.as_bytes()).expect("answer");
                }
                None => std::thread::sleep(Duration::from_millis(800)),
            }
            String::from_utf8_lossy(&request[..read]).into_owned()
        });
        (default_target(addr), handle)
    }

    #[test]
    fn ok_and_degraded_answers_pass_and_the_request_is_a_get_of_health() {
        let (target, server) = one_shot(Some(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"status\":\"degraded\"}",
        ));
        assert_eq!(
            check(&target, Duration::from_secs(2)).expect("healthy"),
            200
        );
        let request = server.join().expect("server thread");
        assert!(request.starts_with("GET /health HTTP/1.1\r\n"), "{request}");
        assert!(request.contains(&format!("Host: {}\r\n", target.authority)));
    }

    #[test]
    fn unavailable_answer_fails_with_its_status() {
        let (target, server) = one_shot(Some("HTTP/1.1 503 Service Unavailable\r\n\r\n"));
        let error = check(&target, Duration::from_secs(2)).expect_err("unhealthy");
        assert!(matches!(
            error,
            HealthcheckError::Unhealthy { status: 503, .. }
        ));
        server.join().expect("server thread");
    }

    #[test]
    fn garbage_answer_fails() {
        let (target, server) = one_shot(Some("SSH-2.0-OpenSSH\r\n"));
        let error = check(&target, Duration::from_secs(2)).expect_err("not HTTP");
        assert!(matches!(error, HealthcheckError::BadResponse { .. }));
        server.join().expect("server thread");
    }

    #[test]
    fn silent_server_times_out() {
        let (target, server) = one_shot(None);
        let started = std::time::Instant::now();
        let error = check(&target, Duration::from_millis(200)).expect_err("timed out");
        assert!(matches!(error, HealthcheckError::Io { .. }));
        assert!(started.elapsed() < Duration::from_millis(700));
        server.join().expect("server thread");
    }

    #[test]
    fn closed_port_fails() {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port");
        let error = check(&default_target(addr), Duration::from_secs(1)).expect_err("refused");
        assert!(matches!(error, HealthcheckError::Io { .. }));
    }

    #[test]
    fn default_target_reaches_wildcard_binds_through_loopback() {
        let v4 = default_target("0.0.0.0:8080".parse().expect("address"));
        assert_eq!(v4.authority, "127.0.0.1:8080");
        assert_eq!(v4.path, "/health");
        let v6 = default_target("[::]:8080".parse().expect("address"));
        assert_eq!(v6.authority, "[::1]:8080");
    }

    #[test]
    fn urls_parse_or_are_refused() {
        assert_eq!(
            parse_url("http://127.0.0.1:9000/health/live").expect("valid"),
            Target {
                authority: "127.0.0.1:9000".into(),
                path: "/health/live".into()
            }
        );
        assert_eq!(
            parse_url("http://localhost").expect("valid"),
            Target {
                authority: "localhost:80".into(),
                path: "/".into()
            }
        );
        assert_eq!(
            parse_url("http://[::1]/health").expect("valid").authority,
            "[::1]:80"
        );
        assert!(parse_url("https://example.com/health").is_err());
        assert!(parse_url("http:///health").is_err());
    }

    #[test]
    fn status_lines_parse() {
        assert_eq!(parse_status("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status("HTTP/1.0 503"), Some(503));
        assert_eq!(parse_status("HTTP/1.1 2000 OK"), None);
        assert_eq!(parse_status("hello"), None);
        assert_eq!(parse_status(""), None);
    }
}
