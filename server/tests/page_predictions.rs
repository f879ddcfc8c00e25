//! The predict page asks the same engine as the JSON API: its notes are counted in
//! the prediction metrics. A test binary of its own, so that no other test's
//! predictions reach the process-wide metrics recorder.

mod common;

use common::{NAPA, TestServer};

/// Sum of `vinovoyant_predictions_total` over the series with outcome `ok`.
async fn predictions_counted(server: &TestServer) -> f64 {
    let text = server
        .get("/metrics")
        .await
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .filter(|line| {
            line.starts_with("vinovoyant_predictions_total{") && line.contains("outcome=\"ok\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn post_form(server: &TestServer, path: &str, description: &str) -> (u16, String) {
    let response = server
        .client
        .post(server.url(path))
        .form(&[("description", description)])
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn notes_from_the_page_are_counted_with_the_api_s() {
    let server = TestServer::start(&[]).await;
    assert_eq!(predictions_counted(&server).await, 0.0);

    let (status, answer) = post_form(&server, "/_app/predict", NAPA).await;
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).expect("JSON answer");
    assert_eq!(answer["countries"][0]["label"], "US", "{answer}");
    assert_eq!(predictions_counted(&server).await, 1.0);

    let (status, page) = post_form(&server, "/", NAPA).await;
    assert_eq!(status, 200);
    let answer = page
        .split_once(r#"data-testid="server-top""#)
        .map(|(_, rest)| rest.chars().take(200).collect::<String>())
        .expect("the page shows the full model's answer");
    assert!(answer.contains("US"), "{answer}");
    assert_eq!(predictions_counted(&server).await, 2.0);

    let response = server
        .post_json(
            "/api/v1/predict",
            &serde_json::json!({ "description": NAPA }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(predictions_counted(&server).await, 3.0);
    server.stop().await;
}
