//! Similar wines over a real socket: the API's `GET` and `POST /api/v1/similar`
//! and the predict page's section, with review data (`--data`, a fixture of our
//! own) and without.

mod common;

use common::TestServer;
use serde_json::{Value, json};

/// Reviews of our own, each about one grape and place.
const REVIEWS: &str = "description,country,province,variety,points,price,title\n\
    \"Smoky Pinotage from Stellenbosch with mulberry, tar and roasted coffee. Firm and long.\",South Africa,Stellenbosch,Pinotage,89,22,Cape Example 2018 Pinotage (Stellenbosch)\n\
    \"Chenin Blanc from Swartland with honeyed quince and bright acidity. Lovely.\",South Africa,Swartland,Chenin Blanc,90,18,Swartland Example 2020 Chenin Blanc (Swartland)\n\
    \"Tar and roses from Barolo, firm tannins and dried cherry. Needs time.\",Italy,Piedmont,Nebbiolo,94,70,Langhe Example 2016 Nebbiolo (Barolo)\n\
    \"Ripe cassis and cedar from Napa Valley with plush tannins. Polished.\",US,California,Cabernet Sauvignon,92,65,Napa Example 2019 Cabernet Sauvignon (Napa Valley)\n\
    \"Gooseberry, passion fruit and cut grass from Marlborough. Zesty.\",New Zealand,Marlborough,Sauvignon Blanc,88,16,Kiwi Example 2022 Sauvignon Blanc (Marlborough)\n";

/// A server with the fixture as its review data, once the index is ready. Each
/// test names its own folder: the tests run at once, and each removes its folder.
async fn server_with_reviews(test: &str) -> (TestServer, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("vinovoyant-similar-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let csv = dir.join("reviews.csv");
    std::fs::write(&csv, REVIEWS).expect("written");
    let server = TestServer::start(&["--data", &csv.to_string_lossy()]).await;
    server.wait_indexed().await;
    (server, dir)
}

#[tokio::test]
async fn similar_wines_come_from_the_review_data_by_get_and_post() {
    let (server, dir) = server_with_reviews("get-and-post").await;
    let note = "Smoky mulberry and tar, a Pinotage with firm tannins";
    let posted = server
        .post_json("/api/v1/similar", &json!({ "description": note }))
        .await;
    assert_eq!(posted.status(), 200);
    let body: Value = posted.json().await.expect("JSON");
    assert!(
        body["source"]
            .as_str()
            .expect("source")
            .starts_with("local file (")
    );
    let results = body["results"].as_array().expect("results");
    assert!(!results.is_empty() && results.len() <= 5, "{body}");
    assert_eq!(results[0]["country"], "South Africa", "{body}");
    assert_eq!(results[0]["variety"], "Pinotage");
    assert_eq!(results[0]["points"], 89.0);
    assert_eq!(
        results[0]["first_sentence"],
        "Smoky Pinotage from Stellenbosch with mulberry, tar and roasted coffee."
    );
    let scores: Vec<f64> = results
        .iter()
        .map(|r| r["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));

    // the same by query string, with a count
    let got: Value = server
        .get_json("/api/v1/similar?description=Tar%20and%20roses%20from%20Barolo&count=2")
        .await;
    let results = got["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{got}");
    assert_eq!(results[0]["variety"], "Nebbiolo", "{got}");

    // the page shows the section under the full model's answer, escaped
    let (status, html) = server
        .page("/?note=Tar%20and%20roses%20from%20Barolo%20%3Cb%3E")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-testid="similar-list""#), "no list");
    assert!(html.contains("Langhe Example 2016 Nebbiolo (Barolo)"));
    assert!(
        !html.contains("<b>"),
        "the note is escaped wherever it is shown"
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn bad_requests_are_422_and_no_data_is_503_saying_where_data_comes_from() {
    let (server, dir) = server_with_reviews("bad-requests").await;
    for (query, code) in [
        ("", "invalid_request"),
        ("?description=", "empty_description"),
        (
            "?description=asdf%20qwerty%20zzkx%20blorp",
            "not_a_tasting_note",
        ),
        ("?description=tannic&count=0", "invalid_request"),
        ("?description=tannic&count=21", "invalid_request"),
        ("?description=tannic&count=many", "invalid_request"),
    ] {
        let response = server.get(&format!("/api/v1/similar{query}")).await;
        assert_eq!(response.status(), 422, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"]["code"], code, "{query}: {body}");
    }
    let long = "tannic ".repeat(1_000);
    let response = server
        .post_json("/api/v1/similar", &json!({ "description": long }))
        .await;
    assert_eq!(response.status(), 422);
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);

    let bare = TestServer::start(&[]).await;
    let response = bare.get("/api/v1/similar?description=tannic").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "similar_unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("--data"),
        "{body}"
    );
    let (_, html) = bare.page("/?note=Tar%20and%20roses%20from%20Barolo").await;
    assert!(html.contains(r#"data-testid="similar-status""#));
    assert!(html.contains("This server has none."));
    bare.stop().await;
}
