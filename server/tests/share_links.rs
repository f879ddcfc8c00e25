//! Shared links, over a real socket: `GET /?note=…` renders the predict page with
//! the full model's answer for that note, escapes it, refuses what the form
//! refuses, and carries a link back to itself; the page and its footer link the API.

mod common;

use app::share::{MAX_SHARE_PATH_BYTES, share_path};
use common::{NAPA, TestServer};
use vinovoyant_model::MAX_DESCRIPTION_CHARS;

/// The text of the element after `marker`, up to its closing tag `close`.
fn after<'a>(html: &'a str, marker: &str, close: &str) -> &'a str {
    let (_, rest) = html
        .split_once(marker)
        .unwrap_or_else(|| panic!("{marker} is not on the page"));
    rest.split_once(close).map_or(rest, |(inside, _)| inside)
}

#[tokio::test]
async fn a_shared_link_renders_the_full_model_s_answer_for_its_note() {
    let server = TestServer::start(&[]).await;
    let link = share_path(NAPA).expect("shareable");
    let (status, html) = server.page(&link).await;
    assert_eq!(status, 200);
    assert!(after(&html, r#"data-testid="server-top""#, "</p>").contains("US"));
    assert!(after(&html, "<textarea", "</textarea>").contains("Napa Valley Cabernet"));
    // the answered page links to itself, so it can be passed on again
    let own = link.replace('&', "&amp;");
    assert!(
        html.contains(&format!(r#"href="{own}""#)),
        "no link to this note"
    );
    // without a note, or with a blank one, it is the plain page
    for plain in ["/", "/?note=", "/?note=+++", "/?other=1"] {
        let (status, html) = server.page(plain).await;
        assert_eq!(status, 200, "{plain}");
        assert!(!html.contains(r#"data-testid="server-top""#), "{plain}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_shared_note_is_escaped_and_refused_like_a_posted_one() {
    let server = TestServer::start(&[]).await;
    let payload =
        "Cherry and cassis</textarea><script>alert(1)</script><img src=x onerror=alert(2)>";
    let (_, html) = server.page(&share_path(payload).expect("shareable")).await;
    assert_eq!(
        html.matches("</textarea>").count(),
        1,
        "the note closed the box"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img src=x"));

    let refused = share_path("asdf qwerty zzkx blorp").expect("link");
    let (status, html) = server.page(&refused).await;
    assert_eq!(status, 422);
    assert!(html.contains("read like a tasting note"));

    let too_long = "a".repeat(MAX_DESCRIPTION_CHARS + 1);
    let (status, html) = server.page(&format!("/?note={too_long}")).await;
    assert_eq!(status, 422);
    assert!(html.contains("the models read at most"));
    server.stop().await;
}

#[tokio::test]
async fn a_full_length_note_survives_its_link() {
    let server = TestServer::start(&[]).await;
    let note: String = format!("{NAPA} ")
        .repeat(40)
        .chars()
        .take(MAX_DESCRIPTION_CHARS)
        .collect();
    assert_eq!(note.chars().count(), MAX_DESCRIPTION_CHARS);
    let link = share_path(&note).expect("a 5,000-character note fits a link");
    assert!(link.len() <= MAX_SHARE_PATH_BYTES);
    let (status, html) = server.page(&link).await;
    assert_eq!(status, 200);
    assert!(after(&html, r#"data-testid="server-top""#, "</p>").contains("US"));
    server.stop().await;
}

#[tokio::test]
async fn every_page_links_the_api_docs_and_the_docs_page_has_its_examples() {
    let server = TestServer::start(&[]).await;
    for path in ["/", "/batch", "/analytics", "/model", "/no-such-page"] {
        let (_, html) = server.page(path).await;
        assert!(
            html.contains(&format!(r#"href="{}""#, app::routes::API_DOCS)),
            "{path} does not link the API docs"
        );
    }
    let (status, docs) = server.page(app::routes::API_DOCS).await;
    assert_eq!(status, 200);
    assert_eq!(docs.matches("<main>").count(), 1);
    assert!(docs.contains(r#"<a href="/">VinoVoyant</a>"#));
    assert!(docs.contains("curl -s -X POST 127.0.0.1:3000/api/v1/predict"));
    assert!(docs.contains("&quot;country&quot;: &quot;US&quot;"));
    assert!(
        !docs.contains('`'),
        "markdown backticks are shown raw on the docs page"
    );
    server.stop().await;
}
