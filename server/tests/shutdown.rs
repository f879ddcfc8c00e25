//! The real binary under SIGTERM: it stops accepting, lets requests in flight finish,
//! and exits 0 within the drain time.

mod common;

use std::time::{Duration, Instant};

use common::running::Running;
use common::{NAPA, RawRequest, predict_body, predict_head};
use nix::sys::signal::Signal;
use serde_json::Value;

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish_and_exits_zero() {
    let mut server = Running::start(&[
        "--drain-secs",
        "20",
        "--metrics-token",
        "hunter2",
        "--emf",
        "true",
    ]);
    let body = predict_body(NAPA);
    let half = body.len() / 2;

    // Requests the server is reading when the signal comes.
    let mut in_flight = Vec::new();
    for _ in 0..8 {
        in_flight
            .push(RawRequest::begin(server.addr, &predict_head(body.len()), &body[..half]).await);
    }
    // And one whose answer is being computed: a large batch.
    let batch =
        serde_json::to_vec(&serde_json::json!({ "descriptions": vec![NAPA.repeat(20); 200] }))
            .expect("JSON");
    let head = format!(
        "POST /api/v1/predict/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close",
        batch.len()
    );
    let computing = RawRequest::begin(server.addr, &head, &batch).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    server.signal(Signal::SIGTERM);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        tokio::net::TcpStream::connect(server.addr).await.is_err(),
        "no new connection is accepted while draining"
    );

    let (status, answer) = computing.finish().await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("\"results\""));
    for mut request in in_flight {
        request.send(&body[half..]).await;
        let (status, answer) = request.finish().await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains("\"country\":\"US\""), "{answer}");
    }

    let exit = server.wait(Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0));

    let lines = server.lines();
    assert!(
        lines.iter().all(|l| !l.contains("hunter2")),
        "the token never reaches the log"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("starting") && l.contains("[redacted]"))
    );
    let answered: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["message"] == "answered")
        .collect();
    assert!(answered.len() >= 9);
    for event in &answered {
        assert!(
            event["request_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty()),
            "{event}"
        );
        assert_eq!(
            event["route"]
                .as_str()
                .map(|r| r.starts_with("/api/v1/predict")),
            Some(true)
        );
        assert_eq!(event["status"], 200);
        assert!(event["latency_ms"].is_number());
    }
    let emf: Vec<Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "VinoVoyant")
        .collect();
    let latencies: usize = emf
        .iter()
        .filter_map(|e| e["PredictionLatency"].as_array())
        .map(Vec::len)
        .sum();
    assert_eq!(
        latencies,
        8 + 200,
        "one PredictionLatency value per description"
    );
}

#[tokio::test]
async fn drain_time_bounds_the_wait_for_stuck_requests() {
    let mut server = Running::start(&["--drain-secs", "1"]);
    let body = predict_body(NAPA);
    let stuck = RawRequest::begin(server.addr, &predict_head(body.len()), &body[..5]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let start = Instant::now();
    server.signal(Signal::SIGINT);
    let exit = server.wait(Duration::from_secs(10));
    assert_eq!(exit.code(), Some(0));
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "it waited for the drain time"
    );
    drop(stuck);
    assert!(
        server.lines().iter().any(|l| l.contains("drain time over")),
        "the abandoned requests are logged"
    );
}
