//! Every example in the OpenAPI document is sent to a live server on a real socket:
//! each request must be accepted and its answer must match the documented schema,
//! as must the documented example answer. So the docs page's examples cannot drift.

mod common;
#[path = "common/schema.rs"]
mod schema;

use common::TestServer;
use serde_json::Value;

const TOKEN: &str = "examples-test-token";

/// One operation of the document: method, path and the operation object.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            found.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    found
}

/// The JSON content of the operation's first 2xx answer.
fn success_content(operation: &Value) -> (u16, Value) {
    let responses = operation["responses"].as_object().expect("responses");
    let (status, response) = responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .expect("a success answer is documented");
    let content = response["content"]["application/json"].clone();
    (status.parse().expect("numeric status"), content)
}

/// The query parameters of a `GET` operation, each with its documented example.
fn query_examples(operation: &Value) -> Vec<(String, String)> {
    let Some(parameters) = operation["parameters"].as_array() else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| {
            let name = p["name"].as_str().expect("a named parameter").to_string();
            let example = &p["example"];
            let value = match example {
                Value::String(text) => text.clone(),
                Value::Null => panic!("query parameter {name}: no example"),
                other => other.to_string(),
            };
            (name, value)
        })
        .collect()
}

#[tokio::test]
async fn every_documented_example_is_accepted_and_answered_as_documented() {
    // the similar wines need review data: the trainer's fixture of our own
    let reviews = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../trainer/tests/fixtures/reviews_small.csv"
    );
    let server = TestServer::start(&["--metrics-token", TOKEN, "--data", reviews]).await;
    server.wait_serving().await;
    server.wait_indexed().await;
    let document = server.get_json("/api/openapi.json").await;
    let operations = operations(&document);
    assert!(operations.len() >= 6, "the document lists the operations");

    let mut with_request_example = 0;
    for (method, path, operation) in &operations {
        let (status, content) = success_content(operation);
        let schema = &content["schema"];
        assert!(schema.is_object(), "{method} {path}: a documented schema");
        let example = &content["example"];
        assert!(!example.is_null(), "{method} {path}: an example answer");
        let broken = schema::violations(&document, schema, example);
        assert!(
            broken.is_empty(),
            "{method} {path}: example answer: {broken:?}"
        );

        let request_example = &operation["requestBody"]["content"]["application/json"]["example"];
        let request = match method.as_str() {
            "get" => {
                let query = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query_examples(operation))
                    .finish();
                let url = server.url(path);
                let url = if query.is_empty() {
                    url
                } else {
                    format!("{url}?{query}")
                };
                server.client.get(url)
            }
            "post" => {
                assert!(
                    !request_example.is_null(),
                    "{method} {path}: a request example"
                );
                let request_schema =
                    &operation["requestBody"]["content"]["application/json"]["schema"];
                let broken = schema::violations(&document, request_schema, request_example);
                assert!(
                    broken.is_empty(),
                    "{method} {path}: example request: {broken:?}"
                );
                with_request_example += 1;
                server.client.post(server.url(path)).json(request_example)
            }
            other => panic!("{other} {path}: no example client for this method"),
        };
        let response = request
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let body: Value = response.json().await.expect("a JSON answer");
        let broken = schema::violations(&document, schema, &body);
        assert!(
            broken.is_empty(),
            "{method} {path}: live answer: {broken:?}"
        );
    }
    assert_eq!(
        with_request_example, 3,
        "predict, batch and similar carry request examples"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_examples_say_what_the_served_model_says() {
    let server = TestServer::start(&[]).await;
    let live = server
        .post_json(
            "/api/v1/predict",
            &vinovoyant_server::examples::predict_request(),
        )
        .await;
    assert_eq!(live.status(), 200);
    let live: Value = live.json().await.expect("JSON");
    let documented = vinovoyant_server::examples::predict_response();
    for field in ["country", "certainty"] {
        assert_eq!(live[field], documented[field], "{field}");
    }
    assert_eq!(
        live["province"]["label"], documented["province"]["label"],
        "province"
    );
    assert_eq!(
        live["variety"][0]["label"], documented["variety"][0]["label"],
        "grape"
    );
    let batch = server
        .post_json(
            "/api/v1/predict/batch",
            &vinovoyant_server::examples::batch_request(),
        )
        .await;
    let batch: Value = batch.json().await.expect("JSON");
    let documented = vinovoyant_server::examples::batch_response();
    assert_eq!(
        batch["results"][1]["error"]["code"],
        documented["results"][1]["error"]["code"]
    );
    assert_eq!(
        batch["results"][1]["error"]["message"],
        documented["results"][1]["error"]["message"]
    );
    server.stop().await;
}
