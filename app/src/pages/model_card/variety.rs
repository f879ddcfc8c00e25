//! The model card's grape section: the variety head's figures for known and new
//! writers, and the varieties it most often takes for one another.

use std::fmt::Write as _;

use vinovoyant_analytics::insights::count;
use vinovoyant_analytics::render::svg::escape;
use vinovoyant_model::manifest::{Evaluation, VarietyFolds, VarietyScores};

use super::percent;

/// The variety section, or nothing for a bundle without a variety head.
pub fn variety_section(random: &Evaluation, folds: Option<&VarietyFolds>, out: &mut String) {
    let Some(known) = &random.variety else {
        return;
    };
    out.push_str(
        r#"<section class="table-block" aria-labelledby="variety-title"><h2 id="variety-title">The grape (variety head)</h2>"#,
    );
    let _ = write!(
        out,
        r#"<p class="insight">Scored on the held-out reviews whose variety is one of the model's varieties (grapes with too few training reviews to learn from are never named): {} by known writers{}.</p>"#,
        count(known.n),
        folds.map_or_else(String::new, |f| format!(
            ", {} by writers it never read",
            count(f.n)
        )),
    );
    out.push_str(r#"<div class="table-scroll" tabindex="0" role="region" aria-label="Variety figures (scrolls sideways on narrow screens)"><table class="scores" data-testid="variety-scores"><thead><tr><th scope="col">Metric</th><th scope="col">Known writers</th>"#);
    if folds.is_some() {
        out.push_str(r#"<th scope="col">New writers</th>"#);
    }
    out.push_str("</tr></thead><tbody>");
    let rows: [(&str, String, Option<String>); 4] = [
        (
            "Top-1 accuracy",
            percent(known.accuracy),
            folds.map(|f| percent(f.scores.accuracy)),
        ),
        (
            "Top-3 accuracy",
            percent(known.top3),
            folds.map(|f| percent(f.scores.top3)),
        ),
        (
            "Log loss",
            format!("{:.3}", known.log_loss),
            folds.map(|f| format!("{:.3}", f.scores.log_loss)),
        ),
        (
            "Calibration error",
            format!("{:.3}", known.ece),
            folds.map(|f| format!("{:.3}", f.scores.ece)),
        ),
    ];
    for (name, known, new) in rows {
        let _ = write!(out, r#"<tr><th scope="row">{name}</th><td>{known}</td>"#);
        if let Some(new) = new {
            let _ = write!(out, "<td>{new}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    confused_table(known, out);
    out.push_str("</section>");
}

/// The most frequent mistakes on known writers' held-out reviews.
fn confused_table(known: &VarietyScores, out: &mut String) {
    if known.confused.is_empty() {
        return;
    }
    out.push_str(r#"<h3>Most often confused</h3><div class="table-scroll" tabindex="0" role="region" aria-label="Most often confused varieties (scrolls sideways on narrow screens)"><table class="per-country" data-testid="variety-confused"><thead><tr><th scope="col">The wine was</th><th scope="col">Taken for</th><th scope="col">Reviews</th></tr></thead><tbody>"#);
    for pair in &known.confused {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>"#,
            escape(&pair.truth),
            escape(&pair.predicted),
            count(pair.count)
        );
    }
    out.push_str("</tbody></table></div>");
}
