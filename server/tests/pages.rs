//! The analytics page and the model card, rendered by a real server: every chart is
//! there, the country filter works without JavaScript and through its server
//! function, and the data source is named whichever it is. The predict page's
//! form without JavaScript refuses non-notes and shows the full model's evidence.
//! The batch page offers its upload and says what it needs without JavaScript.

mod common;

use std::time::Duration;

use app::pages::model_card::MODEL_CHART_IDS;
use common::TestServer;
use vinovoyant_analytics::render::CHART_IDS;

/// A review CSV of our own with two countries, for `--data`.
const REVIEWS: &str = "description,country,variety,points,price\n\
    \"Ripe plum, lovely and round\",France,Merlot,90,25\n\
    Firm and dusty cherry,France,Merlot,87,18\n\
    Bright cherry and violets,Italy,Sangiovese,88,22\n\
    Tar and roses with grip,Italy,Nebbiolo,93,60\n";

fn assert_charts(html: &str, ids: &[&str]) {
    for id in ids {
        assert!(
            html.contains(&format!(r#"id="chart-{id}""#)),
            "chart {id} is missing"
        );
        assert!(
            html.contains(&format!(r#"<title id="{id}-title">"#)),
            "chart {id} has no title"
        );
    }
    assert!(html.matches(r#"role="img""#).count() >= ids.len());
}

#[tokio::test]
async fn analytics_and_model_pages_render_every_chart_from_the_bundle() {
    let server = TestServer::start(&[]).await;
    let (status, html) = server.page("/analytics").await;
    assert_eq!(status, 200);
    assert_charts(&html, &CHART_IDS);
    assert!(
        html.contains("bundled aggregates (model version "),
        "no source indicator"
    );
    assert!(html.contains(r#"<select id="country" name="country""#));
    assert!(html.contains(r#"<a href="/analytics" aria-current="page">"#));

    // The filter without JavaScript: a GET form answered with the whole page.
    let (status, italy) = server.page("/analytics?country=Italy").await;
    assert_eq!(status, 200);
    assert_charts(&italy, &CHART_IDS);
    assert!(italy.contains("Most reviewed varieties, Italy"));
    assert!(italy.contains(r#"<option value="Italy" selected"#));
    // An unknown country falls back to all of them.
    let (_, unknown) = server.page("/analytics?country=Atlantis").await;
    assert!(unknown.contains("Most reviewed varieties, all countries"));

    let (status, card) = server.page("/model").await;
    assert_eq!(status, 200);
    assert_charts(&card, &MODEL_CHART_IDS);
    assert!(card.contains(r#"data-testid="per-country""#));
    assert!(card.contains(r#"data-testid="scores""#));
    assert!(card.contains("Model card · VinoVoyant"));
    // the grape: its figures for known and new writers, its commonest mistakes, in words too
    assert!(card.contains(r#"data-testid="variety-scores""#));
    assert!(card.contains(r#"data-testid="variety-confused""#));
    assert!(card.contains("<th scope=\"col\">New writers</th>"));
    assert!(card.contains("It also names the likely grape, among the 182 varieties it knows"));
    assert!(card.contains("grapes with too few training reviews to learn from are never named"));
    server.stop().await;
}

#[tokio::test]
async fn the_filter_endpoint_answers_with_fresh_charts() {
    let server = TestServer::start(&[]).await;
    let response = server.get("/analytics/charts?country=New%20Zealand").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let markup = response.text().await.expect("HTML");
    assert!(markup.starts_with("<figure"));
    assert_charts(&markup, &CHART_IDS);
    assert!(markup.contains("Most reviewed varieties, New Zealand"));
    let (status, all) = server.page("/analytics/charts").await;
    assert_eq!(status, 200);
    assert!(all.contains("Most reviewed varieties, all countries"));
    server.stop().await;
}

#[tokio::test]
async fn a_configured_data_set_replaces_the_bundled_aggregates() {
    let dir = std::env::temp_dir().join(format!("vinovoyant-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let csv = dir.join("reviews.csv");
    std::fs::write(&csv, REVIEWS).expect("written");
    let path = csv.to_string_lossy().to_string();
    let server = TestServer::start(&["--data", &path]).await;
    // While the file is read the page says so; then the indicator names it.
    let indicator = format!("<strong>local file ({path})</strong>");
    let mut html = String::new();
    for _ in 0..100 {
        html = server.page("/analytics").await.1;
        if html.contains(&indicator) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(html.contains(&indicator), "no local source indicator");
    assert!(!html.contains("still being read"));
    assert_charts(&html, &CHART_IDS);
    // Only the fixture's countries are offered.
    assert!(html.contains(r#"<option value="France""#));
    assert!(!html.contains(r#"<option value="US""#));
    assert!(html.contains(
        "Italy has the highest median score (90.5 points) of the 2 most reviewed countries"
    ));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unusable_data_set_is_reported_and_the_bundle_serves() {
    let server = TestServer::start(&["--data", "/nonexistent/reviews.csv"]).await;
    let mut html = String::new();
    for _ in 0..100 {
        html = server.page("/analytics").await.1;
        if html.contains("could not be used") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        html.contains("The data set (local file (/nonexistent/reviews.csv)) could not be used"),
        "no failure notice"
    );
    assert!(html.contains("bundled aggregates (model version "));
    assert_charts(&html, &CHART_IDS);
    server.stop().await;
}

/// Posts `description` with the predict page's form, as a browser without
/// JavaScript does.
async fn post_note(server: &TestServer, description: &str) -> (u16, String) {
    let response = server
        .client
        .post(server.url("/"))
        .form(&[("description", description)])
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("HTML"))
}

#[tokio::test]
async fn the_form_refuses_non_notes_and_shows_the_full_model_s_evidence_and_certainty() {
    let server = TestServer::start(&[]).await;
    let (status, html) = post_note(&server, "asdf qwerty zzkx blorp").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("read like a tasting note"),
        "no refusal shown"
    );
    assert!(!html.contains(r#"data-testid="server-top""#));

    let note =
        "Zesty Marlborough Sauvignon Blanc bursting with passion fruit, gooseberry and cut grass.";
    let (status, html) = post_note(&server, note).await;
    assert_eq!(status, 200);
    let evidence = html
        .split_once(r#"data-testid="server-evidence""#)
        .map(|(_, rest)| rest.split_once("</p>").map_or(rest, |(inside, _)| inside))
        .expect("the page shows the full model's evidence");
    assert!(evidence.contains("<mark"), "{evidence}");
    assert!(evidence.contains("Marked words point to"), "{evidence}");
    assert!(evidence.contains("New Zealand"), "{evidence}");
    for function_word in [">with<", ">and<", ">with<!", ">and<!"] {
        assert!(!evidence.contains(function_word), "{evidence}");
    }
    let certainty = html
        .split_once(r#"data-testid="server-certainty""#)
        .map(|(_, rest)| rest.chars().take(120).collect::<String>())
        .expect("the page says the full model's certainty");
    assert!(
        ["likely", "possibly", "unsure"]
            .iter()
            .any(|word| certainty.contains(word)),
        "{certainty}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_batch_page_offers_the_upload_and_says_what_it_needs_without_javascript() {
    let server = TestServer::start(&[]).await;
    let (status, html) = server.page("/batch").await;
    assert_eq!(status, 200);
    assert!(html.contains("Place a whole list of wines · VinoVoyant"));
    assert!(html.contains(r#"<a href="/batch" aria-current="page">"#));
    // the upload form, which the script drives, with its file input and endpoint
    assert!(html.contains(r#"data-testid="batch-form""#));
    assert!(html.contains(r#"data-endpoint="/api/v1/predict/batch""#));
    assert!(html.contains(r#"<input type="file" id="batch-file""#));
    assert!(html.contains(r#"<label for="batch-file""#));
    assert!(html.contains(r#"<progress id="batch-progress-bar""#));
    assert!(html.contains(r#"role="alert""#));
    assert!(html.contains(r#"role="region""#));
    // without JavaScript: what the page is, that the upload needs it, and where to go
    let noscript = html
        .split("<noscript>")
        .find(|part| part.contains("batch-noscript"))
        .and_then(|part| part.split("</noscript>").next())
        .expect("a <noscript> line in the body");
    assert!(noscript.contains("Uploading a list needs JavaScript"));
    assert!(noscript.contains(r#"href="/api/docs""#));
    assert!(noscript.contains(r#"href="/""#));
    // every page's navigation links it
    let (_, predict) = server.page("/").await;
    assert!(predict.contains(r#"<a href="/batch">"#));
    server.stop().await;
}
