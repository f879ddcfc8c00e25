//! The model card: drawn from the manifest, its charts accessible, its parts in order.
#![cfg(feature = "ssr")]

use app::pages::model_card::{MODEL_CHART_IDS, model_card};
use vinovoyant_analytics::render::chart_shortfalls;
use vinovoyant_model::Manifest;

fn assert_accessible_charts(html: &str, ids: &[&str]) {
    assert_eq!(chart_shortfalls(html, ids), Vec::<String>::new());
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
