//! The model card: drawn from the manifest, its charts accessible, its parts in order.
#![cfg(feature = "ssr")]

use app::pages::model_card::{MODEL_CHART_IDS, model_card};
use vinovoyant_model::Manifest;

fn assert_accessible_charts(html: &str, ids: &[&str]) {
    for id in ids {
        assert!(
            html.contains(&format!(r#"id="chart-{id}""#)),
            "chart {id} is missing"
        );
        assert!(
            html.contains(&format!(r#"<title id="{id}-title">"#)),
            "chart {id} has no title"
        );
        assert!(
            html.contains(&format!(r#"<desc id="{id}-desc">"#)),
            "chart {id} has no description"
        );
    }
    assert_eq!(html.matches("<svg ").count(), ids.len());
    assert_eq!(html.matches("</svg>").count(), ids.len());
    assert_eq!(html.matches(r#"role="img""#).count(), ids.len());
    assert!(html.matches("viewBox=").count() >= ids.len());
    assert!(
        !html.contains("style="),
        "inline styles break the site's CSP"
    );
    // Every mark's figures are in a list under its chart, reachable without hovering.
    for figure in html.split("<figure ").skip(1) {
        let figure = &figure[..figure.find("</figure>").expect("closed")];
        let marks = figure.matches("<title>").count();
        assert!(marks > 0, "a chart without marks: {figure:.80}");
        assert_eq!(
            figure.matches("<li>").count(),
            marks,
            "not every mark is listed: {figure:.80}"
        );
        assert!(figure.contains(r#"<details class="chart-data">"#));
        assert!(figure.contains(r#"class="chart-body" tabindex="0""#));
    }
}

#[test]
fn the_model_card_draws_its_charts_and_tables_from_the_manifest() {
    let manifest_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/manifest.json");
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(manifest_path).expect("the default bundle"))
            .expect("a manifest");
    let html = model_card(&manifest);
    assert_accessible_charts(&html, &MODEL_CHART_IDS);
    assert!(html.contains(&manifest.version));
    assert!(html.contains(r#"data-testid="per-country""#));
    for country in &manifest.labels.countries {
        assert!(
            html.contains(&format!(r#"<th scope="row">{country}</th>"#)),
            "{country}"
        );
    }
    if manifest.metrics.new_writers.is_some() {
        assert!(html.contains("new writers"));
        assert!(html.contains("On notes by writers it never read"));
    }
    if let Some(folds) = &manifest.metrics.writer_folds {
        assert!(html.contains(r#"data-testid="writer-folds""#));
        // the scores table names the new-writer columns beside the random split's
        assert!(html.contains("Full, new writers (writer folds"));
        assert!(html.contains("On notes by writers it never read"));
        let worst = folds.worst_writer().expect("held-out writers");
        assert!(html.contains(&format!("Worst writer: {}", worst.writer)));
        assert!(html.contains(&format!("{:.3}", folds.full.log_loss)));
    }
    // Plain words first, the bundle's hashes last.
    let plain = html.find("In plain words").expect("plain words");
    let glossary = html.find("What these figures mean").expect("a glossary");
    let charts = html.find("<figure ").expect("charts");
    let facts = html.find("About this bundle").expect("the bundle's facts");
    assert!(plain < glossary && glossary < charts && charts < facts);
    assert!(html.contains("times in 10") || html.contains("nearly every time"));
}
