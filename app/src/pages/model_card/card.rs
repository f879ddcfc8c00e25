//! The model card's HTML: its tables, and the order of its parts.

use std::fmt::Write as _;

use vinovoyant_analytics::insights::count;
use vinovoyant_analytics::render::svg::escape;
use vinovoyant_model::Manifest;
use vinovoyant_model::manifest::{Evaluation, HeldOutScores, ModelScores, WriterFolds};

use super::charts::{agreement, calibration, confusion};
use super::percent;
use super::plain_words::{in_plain_words, what_the_figures_mean};
use super::variety::variety_section;

/// When the bundle was trained, to the minute, in a `<time>` element that keeps
/// the manifest's full timestamp: nanoseconds of an RFC 3339 stamp mean nothing to
/// a reader and break across lines on a phone. A stamp of another shape is shown
/// as it is.
fn trained_at(created: &str) -> String {
    let shaped = created.len() >= 17
        && created.is_char_boundary(16)
        && created.as_bytes()[10] == b'T'
        && created.ends_with('Z');
    if !shaped {
        return escape(created);
    }
    format!(
        r#"<time datetime="{}">{} {} UTC</time>"#,
        escape(created),
        escape(&created[..10]),
        escape(&created[11..16])
    )
}

/// Shows one figure of a model's scores.
type ScoreFormat = fn(&ModelScores) -> String;

/// The model card of the bundle described by `manifest`, as HTML.
pub fn model_card(manifest: &Manifest) -> String {
    let metrics = &manifest.metrics;
    let random = &metrics.random_split;
    let mut out = String::new();
    in_plain_words(manifest, &mut out);
    scores_table(
        random,
        metrics.new_writers.as_ref(),
        metrics.writer_folds.as_ref(),
        &mut out,
    );
    if let Some(folds) = &metrics.writer_folds {
        writer_folds_table(folds, random, &mut out);
    }
    what_the_figures_mean(&mut out);
    out.push_str(r#"<div class="charts">"#);
    agreement(random).html(&mut out);
    calibration(&random.calibration).html(&mut out);
    confusion(random, &manifest.labels.countries).html(&mut out);
    out.push_str("</div>");
    per_country_table(random, metrics.new_writers.as_ref(), &mut out);
    let variety_folds = metrics
        .writer_folds
        .as_ref()
        .and_then(|f| f.variety.as_ref());
    variety_section(random, variety_folds, &mut out);
    out.push_str(
        r#"<section class="table-block" aria-labelledby="facts-title"><h2 id="facts-title">About this bundle</h2>"#,
    );
    facts(manifest, &mut out);
    out.push_str("</section>");
    out
}

fn facts(manifest: &Manifest, out: &mut String) {
    let data = &manifest.training_data;
    let training = &manifest.training;
    let knowledge = training.knowledge.as_ref().map_or_else(
        || "none".to_string(),
        |k| {
            let raising = k.trusted_names.map_or_else(
                || "a name raises its country".to_string(),
                |n| {
                    format!(
                        "{} of them, those the reviews do not give to other countries, \
                         raise their country",
                        count(n)
                    )
                },
            );
            format!(
                "{} grapes, styles, places and producers, each as {} training notes ({}); \
                 {raising} by {:.2} (full model) and {:.2} (browser model) \
                 in log-probability",
                count(k.names),
                k.copies,
                short_hash(&k.sha256),
                k.weights.country,
                k.weights.distilled
            )
        },
    );
    let rows = [
        (
            "Version",
            format!("<code>{}</code>", escape(&manifest.version)),
        ),
        ("Trained", trained_at(&manifest.created)),
        ("Training rows", count(data.training_rows)),
        ("Validation rows", count(data.validation_rows)),
        ("Rows in the data file", count(data.rows)),
        ("Data file SHA-256", short_hash(&data.sha256)),
        (
            "Countries / provinces / varieties",
            format!(
                "{} / {} / {}",
                manifest.labels.countries.len(),
                manifest.labels.provinces.len(),
                manifest.labels.varieties.len()
            ),
        ),
        ("Full model features", count(training.full_features)),
        ("Distilled model buckets", count(training.distilled_buckets)),
    ];
    out.push_str(r#"<dl class="facts" data-testid="model-facts">"#);
    for (term, value) in rows {
        let _ = write!(out, "<div><dt>{term}</dt><dd>{value}</dd></div>");
    }
    // A sentence, not a figure: it takes the whole row, so a phone reads it as prose.
    let _ = write!(
        out,
        r#"<div class="wide"><dt>Knowledge of where names belong</dt><dd>{knowledge}</dd></div>"#
    );
    out.push_str("</dl>");
}

/// A SHA-256's first 12 hex digits, as code.
fn short_hash(sha256: &str) -> String {
    format!("<code>{}…</code>", escape(&sha256[..12.min(sha256.len())]))
}

/// A model's writer-fold figures as scores for the table (macro-F1 is not
/// measured there: NaN, shown as a dash).
fn as_scores(held: &HeldOutScores) -> ModelScores {
    ModelScores {
        accuracy: held.accuracy,
        macro_f1: f64::NAN,
        top3: held.top3,
        log_loss: held.log_loss,
    }
}

/// The scores table's columns: both models on the held-out reviews, then on new
/// writers when either measure of them is in the manifest.
fn score_columns(
    random: &Evaluation,
    new_writers: Option<&Evaluation>,
    folds: Option<&WriterFolds>,
) -> Vec<(String, ModelScores)> {
    let mut columns: Vec<(String, ModelScores)> = vec![
        (
            format!("Full, held-out reviews (n = {})", count(random.n)),
            random.full,
        ),
        ("Distilled, held-out reviews".to_string(), random.distilled),
    ];
    if let Some(writers) = new_writers {
        columns.push((
            format!("Full, new writers (n = {})", count(writers.n)),
            writers.full,
        ));
        columns.push(("Distilled, new writers".to_string(), writers.distilled));
    } else if let Some(folds) = folds {
        columns.push((
            format!("Full, new writers (writer folds, n = {})", count(folds.n)),
            as_scores(&folds.full),
        ));
        columns.push((
            "Distilled, new writers (writer folds)".to_string(),
            as_scores(&folds.distilled),
        ));
    }
    columns
}

/// The validation metrics of both models, one column per model and data split.
fn scores_table(
    random: &Evaluation,
    new_writers: Option<&Evaluation>,
    folds: Option<&WriterFolds>,
    out: &mut String,
) {
    let columns = score_columns(random, new_writers, folds);
    let rows: [(&str, ScoreFormat); 4] = [
        ("Top-1 accuracy", |s| percent(s.accuracy)),
        ("Top-3 accuracy", |s| percent(s.top3)),
        ("Macro F1", |s| {
            if s.macro_f1.is_nan() {
                "–".to_string()
            } else {
                format!("{:.3}", s.macro_f1)
            }
        }),
        ("Log loss", |s| format!("{:.3}", s.log_loss)),
    ];
    out.push_str(
        r#"<section class="table-block" aria-labelledby="scores-title"><h2 id="scores-title">Validation metrics</h2><p class="insight">"#,
    );
    let _ = write!(
        out,
        "Country of origin, scored on reviews held out of training{}.",
        if new_writers.is_some() {
            ", and on every review by writers the check model never read"
        } else if folds.is_some() {
            ", and on every review by writers each writer fold's model never read (log loss calibrated)"
        } else {
            ""
        }
    );
    out.push_str(r#"</p><div class="table-scroll" tabindex="0" role="region" aria-label="Validation metrics (scrolls sideways on narrow screens)"><table class="scores" data-testid="scores"><thead><tr><th scope="col">Metric</th>"#);
    for (name, _) in &columns {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(name));
    }
    out.push_str("</tr></thead><tbody>");
    for (name, show) in rows {
        let _ = write!(out, r#"<tr><th scope="row">{name}</th>"#);
        for (_, scores) in &columns {
            let _ = write!(out, "<td>{}</td>", show(scores));
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        r#"<tr><th scope="row">Full and distilled agree</th><td colspan="2">{}</td>"#,
        percent(random.agreement)
    );
    if let Some(agreement) = new_writers
        .map(|w| w.agreement)
        .or(folds.map(|f| f.agreement))
    {
        let _ = write!(out, r#"<td colspan="2">{}</td>"#, percent(agreement));
    }
    out.push_str("</tr>");
    if let Some(province) = random.province {
        let _ = write!(
            out,
            r#"<tr><th scope="row">Province, top-1 / top-3 (full)</th><td colspan="2">{} / {} (n = {})</td>"#,
            percent(province.accuracy),
            percent(province.top3),
            count(province.n)
        );
        if let Some(writers) = new_writers.and_then(|w| w.province) {
            let _ = write!(
                out,
                r#"<td colspan="2">{} / {} (n = {})</td>"#,
                percent(writers.accuracy),
                percent(writers.top3),
                count(writers.n)
            );
        } else if folds.is_some() {
            out.push_str(r#"<td colspan="2">not measured</td>"#);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

/// Shows one figure of a model's scores on writers it never read.
type HeldOutFormat = fn(&HeldOutScores) -> String;

/// What the grouped cross-validation by writer found, beside the random split: the
/// figures a person writing their own note can expect.
fn writer_folds_table(folds: &WriterFolds, random: &Evaluation, out: &mut String) {
    let _ = write!(
        out,
        r#"<section class="table-block" aria-labelledby="writers-title"><h2 id="writers-title">Writers it never read</h2><p class="insight">Each of {} folds trained a model without some writers' reviews and scored it on everything they wrote ({} reviews by {} writers with at least {} reviews each). Log loss and calibration error are shown after the probabilities were calibrated on these answers, and before: as calibrated on known writers' reviews.</p>"#,
        folds.folds,
        count(folds.n),
        folds.writers.len(),
        count(folds.min_reviews),
    );
    out.push_str(r#"<div class="table-scroll" tabindex="0" role="region" aria-label="Writers it never read (scrolls sideways on narrow screens)"><table class="scores" data-testid="writer-folds"><thead><tr><th scope="col">Metric</th><th scope="col">Full, new writers</th><th scope="col">Distilled, new writers</th></tr></thead><tbody>"#);
    let rows: [(&str, HeldOutFormat); 6] = [
        ("Top-1, mean over writers", |s| {
            percent(s.mean_writer_accuracy)
        }),
        ("Top-1, mean over folds", |s| percent(s.mean_fold_accuracy)),
        ("Top-1, all their reviews", |s| percent(s.accuracy)),
        ("Top-3 accuracy", |s| percent(s.top3)),
        ("Log loss (calibrated; before)", |s| {
            format!("{:.3} ({:.3})", s.log_loss, s.log_loss_before)
        }),
        ("Calibration error (calibrated; before)", |s| {
            format!("{:.3} ({:.3})", s.ece, s.ece_before)
        }),
    ];
    for (name, show) in rows {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{name}</th><td>{}</td><td>{}</td></tr>"#,
            show(&folds.full),
            show(&folds.distilled)
        );
    }
    if let Some(worst) = folds.worst_writer() {
        let _ = write!(
            out,
            r#"<tr><th scope="row">Worst writer: {} (n = {})</th><td>{}</td><td>{}</td></tr>"#,
            escape(&worst.writer),
            count(worst.n),
            percent(worst.full_accuracy),
            percent(worst.distilled_accuracy)
        );
    }
    let _ = write!(
        out,
        r#"<tr><th scope="row">Full and distilled agree</th><td colspan="2">{}</td></tr><tr><th scope="row">For comparison: top-1 on known writers' held-out reviews</th><td>{}</td><td>{}</td></tr>"#,
        percent(folds.agreement),
        percent(random.full.accuracy),
        percent(random.distilled.accuracy)
    );
    out.push_str("</tbody></table></div></section>");
}

fn per_country_table(random: &Evaluation, new_writers: Option<&Evaluation>, out: &mut String) {
    out.push_str(
        r#"<section class="table-block" aria-labelledby="per-country-title"><h2 id="per-country-title">Per country (full model, held-out reviews)</h2>"#,
    );
    let best = random
        .per_country
        .iter()
        .filter(|c| c.support >= 20)
        .max_by(|a, b| a.f1.total_cmp(&b.f1));
    let worst = random
        .per_country
        .iter()
        .filter(|c| c.support >= 20)
        .min_by(|a, b| a.f1.total_cmp(&b.f1));
    if let (Some(best), Some(worst)) = (best, worst) {
        let _ = write!(
            out,
            r#"<p class="insight">Among countries with at least 20 held-out reviews, {} is recognised best (F1 {:.2}) and {} worst (F1 {:.2}).</p>"#,
            escape(&best.label),
            best.f1,
            escape(&worst.label),
            worst.f1
        );
    }
    out.push_str(r#"<div class="table-scroll" tabindex="0" role="region" aria-label="Per country (scrolls sideways on narrow screens)"><table class="per-country" data-testid="per-country"><thead><tr><th scope="col">Country</th><th scope="col">Reviews</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">F1</th>"#);
    if new_writers.is_some() {
        out.push_str(r#"<th scope="col">F1, new writers</th>"#);
    }
    out.push_str("</tr></thead><tbody>");
    for class in &random.per_country {
        let _ = write!(
            out,
            r#"<tr><th scope="row">{}</th><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td>"#,
            escape(&class.label),
            count(class.support),
            class.precision,
            class.recall,
            class.f1
        );
        if let Some(writers) = new_writers {
            let f1 = writers
                .per_country
                .iter()
                .find(|c| c.label == class.label && c.support > 0)
                .map_or_else(|| "–".to_string(), |c| format!("{:.2}", c.f1));
            let _ = write!(out, "<td>{f1}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

#[cfg(test)]
mod tests {
    use super::trained_at;

    #[test]
    fn the_training_time_reads_to_the_minute_and_keeps_its_stamp() {
        assert_eq!(
            trained_at("2026-12-05T00:46:55.519317053Z"),
            r#"<time datetime="2026-12-05T00:46:55.519317053Z">2026-12-05 00:46 UTC</time>"#
        );
        assert_eq!(trained_at("yesterday <b>"), "yesterday &lt;b&gt;");
        assert_eq!(trained_at("2026-12-05 00:46"), "2026-12-05 00:46");
    }
}
