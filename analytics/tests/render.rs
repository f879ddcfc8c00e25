//! The charts: every chart is drawn, accessible, and escapes what it prints.
#![cfg(feature = "render")]

use vinovoyant_analytics::render::{CHART_IDS, analytics_charts, chart_shortfalls};
use vinovoyant_analytics::{Review, aggregate_with};

fn reviews() -> Vec<Review> {
    let row = |country: &str, points: f64, price: f64, variety: &str| Review {
        country: country.to_string(),
        points: Some(points),
        price: Some(price),
        variety: Some(variety.to_string()),
        description: format!("A {variety} note from {country}"),
        ..Review::default()
    };
    vec![
        row("France", 90.0, 20.0, "Rosé <b>&</b> Co"),
        row("France", 86.0, 12.0, "Merlot"),
        row("Italy", 88.0, 35.0, "Nebbiolo"),
        row("Italy", 91.0, 80.0, "Nebbiolo"),
    ]
}

fn assert_accessible_charts(html: &str, ids: &[&str]) {
    assert_eq!(chart_shortfalls(html, ids), Vec::<String>::new());
}

#[test]
fn every_analytics_chart_is_drawn_with_a_text_alternative() {
    let summary = aggregate_with(&reviews(), &|_| 0.1);
    let html = analytics_charts(&summary, None);
    assert_accessible_charts(&html, &CHART_IDS);
    assert!(html.contains("Rosé &lt;b&gt;&amp;&lt;/b&gt; Co"));
    assert!(!html.contains("<b>"));
    assert!(html.contains(r#"<p class="insight">"#));
    assert!(html.contains("Most reviewed varieties, all countries"));
}

#[test]
fn a_selected_country_is_highlighted_and_narrows_the_other_charts() {
    let summary = aggregate_with(&reviews(), &|_| 0.1);
    let all = analytics_charts(&summary, None);
    let italy = analytics_charts(&summary, Some("italy"));
    assert_ne!(all, italy);
    assert!(italy.contains("Most reviewed varieties, Italy"));
    assert!(italy.contains("ch-selected"));
    assert!(!all.contains("ch-selected"));
    // Unknown countries draw the whole data set.
    assert_eq!(analytics_charts(&summary, Some("Atlantis")), all);
}
