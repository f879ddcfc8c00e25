//! The model card: what a bundle's manifest says about its models, as HTML
//! tables and SVG charts.

use std::fmt::Write as _;

use vinovoyant_model::Manifest;
use vinovoyant_model::manifest::{
    CalibrationBin, Evaluation, HeldOutScores, ModelScores, WriterFolds,
};

use crate::insights::count;
use crate::render::plain_words::{in_plain_words, what_the_figures_mean};
use crate::render::svg::{self, BOTTOM, GUTTER, RIGHT, Scale, Svg, TOP, WIDTH, escape};
use crate::render::{Figure, matrix_chart};

/// Ids of the model card's charts, in page order: each is drawn as `#chart-{id}`.
pub const MODEL_CHART_IDS: [&str; 3] = ["agreement", "confusion", "calibration"];

/// Name of the row and column of the confusion matrix for countries the model does not know.
const OTHER: &str = "other";

/// Shows one figure of a model's scores.
type ScoreFormat = fn(&ModelScores) -> String;

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

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
    let rows = [
        (
            "Version",
            format!("<code>{}</code>", escape(&manifest.version)),
        ),
        ("Trained", escape(&manifest.created)),
        ("Training rows", count(data.training_rows)),
        ("Validation rows", count(data.validation_rows)),
        ("Rows in the data file", count(data.rows)),
        (
            "Data file SHA-256",
            format!(
                "<code>{}…</code>",
                escape(&data.sha256[..12.min(data.sha256.len())])
            ),
        ),
        (
            "Countries / provinces",
            format!(
                "{} / {}",
                manifest.labels.countries.len(),
                manifest.labels.provinces.len()
            ),
        ),
        ("Full model features", count(training.full_features)),
        ("Distilled model buckets", count(training.distilled_buckets)),
    ];
    out.push_str(r#"<dl class="facts" data-testid="model-facts">"#);
    for (term, value) in rows {
        let _ = write!(out, "<div><dt>{term}</dt><dd>{value}</dd></div>");
    }
    out.push_str("</dl>");
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

fn scores_table(
    random: &Evaluation,
    new_writers: Option<&Evaluation>,
    folds: Option<&WriterFolds>,
    out: &mut String,
) {
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

fn agreement(evaluation: &Evaluation) -> Figure {
    let (full, distilled) = (&evaluation.full, &evaluation.distilled);
    let groups: [(&str, f64, f64); 3] = [
        ("Top-1 accuracy", full.accuracy, distilled.accuracy),
        ("Top-3 accuracy", full.top3, distilled.top3),
        ("Macro F1", full.macro_f1, distilled.macro_f1),
    ];
    let insight = format!(
        "The distilled model in the browser gives the full model's top country on {} of held-out notes; its top-1 accuracy is {:.1} points {}.",
        percent(evaluation.agreement),
        (full.accuracy - distilled.accuracy).abs() * 100.0,
        if distilled.accuracy <= full.accuracy {
            "lower"
        } else {
            "higher"
        }
    );
    let title = "Full model against distilled model";
    let desc = format!(
        "Paired bars of top-1 accuracy, top-3 accuracy and macro F1 for the full model (server) and the distilled model (browser), and a bar for how often they agree. {insight}"
    );
    let group_h = 34.0;
    let rows = groups.len() + 1;
    let legend = 18.0;
    let height = TOP + legend + rows as f64 * group_h + BOTTOM;
    let mut chart = Svg::open("agreement", height, title, &desc);
    let top = TOP + legend;
    let scale = Scale {
        low: 0.0,
        high: 1.0,
        from: GUTTER,
        to: WIDTH - RIGHT - 40.0,
        log: false,
    };
    let bottom = top + rows as f64 * group_h;
    chart.x_axis(
        &scale,
        (top, bottom),
        &scale.ticks(5),
        &|v| format!("{:.0}%", v * 100.0),
        "share of held-out reviews",
    );
    chart.rect(GUTTER, TOP, 10.0, 10.0, "ch-bar", "Full model");
    chart.text((GUTTER + 14.0, TOP + 9.0), "start", "ch-tick", "full model");
    chart.rect(
        GUTTER + 110.0,
        TOP,
        10.0,
        10.0,
        "ch-bar-alt",
        "Distilled model",
    );
    chart.text(
        (GUTTER + 124.0, TOP + 9.0),
        "start",
        "ch-tick",
        "distilled model",
    );
    let bar = |chart: &mut Svg, y: f64, value: f64, class: &str, tip: String| {
        let end = scale.at(value);
        chart.rect(
            GUTTER,
            y,
            end - GUTTER,
            11.0,
            &format!("ch-mark {class}"),
            &tip,
        );
        chart.text((end + 4.0, y + 9.5), "start", "ch-value", &percent(value));
    };
    for (i, (name, full, distilled)) in groups.iter().enumerate() {
        let y = top + i as f64 * group_h + 5.0;
        chart.text((GUTTER - 6.0, y + 16.0), "end", "ch-label", name);
        bar(
            &mut chart,
            y,
            *full,
            "ch-bar",
            format!("{name}, full model: {}", percent(*full)),
        );
        bar(
            &mut chart,
            y + 12.0,
            *distilled,
            "ch-bar-alt",
            format!("{name}, distilled model: {}", percent(*distilled)),
        );
    }
    let y = top + groups.len() as f64 * group_h + 5.0;
    chart.text((GUTTER - 6.0, y + 16.0), "end", "ch-label", "Agreement");
    bar(
        &mut chart,
        y + 6.0,
        evaluation.agreement,
        "ch-bar-agree",
        format!(
            "Both models give the same top country on {} of held-out reviews",
            percent(evaluation.agreement)
        ),
    );
    Figure {
        id: "agreement",
        title: title.to_string(),
        insight,
        svg: chart.finish(),
        wide: false,
    }
}

fn calibration(bins: &[CalibrationBin]) -> Figure {
    let total: usize = bins.iter().map(|b| b.count).sum();
    let gap: f64 = bins
        .iter()
        .map(|b| b.count as f64 * (b.accuracy - b.confidence).abs())
        .sum::<f64>()
        / total.max(1) as f64;
    let busiest = bins
        .iter()
        .enumerate()
        .max_by_key(|(_, b)| b.count)
        .filter(|(_, b)| b.count > 0);
    let insight = match busiest {
        Some((i, bin)) => format!(
            "Most answers ({} of {}) come with {}–{}% confidence and are right {} of the time; across all bins confidence and accuracy differ by {:.1} points on average.",
            count(bin.count),
            count(total),
            i * 10,
            (i + 1) * 10,
            percent(bin.accuracy),
            gap * 100.0
        ),
        None => "No held-out review was scored.".to_string(),
    };
    let title = "Calibration: is the confidence honest?";
    let desc = format!(
        "Reliability diagram: for ten bins of the full model's confidence in its top country, a bar of how often that answer was right, against the diagonal of perfect calibration. {insight}"
    );
    let (left, top, size) = (48.0, TOP, WIDTH - 48.0 - RIGHT);
    let plot_h = 240.0;
    let bottom = top + plot_h;
    let mut chart = Svg::open("calibration", bottom + BOTTOM, title, &desc);
    let x = Scale {
        low: 0.0,
        high: 1.0,
        from: left,
        to: left + size,
        log: false,
    };
    let y = Scale {
        low: 0.0,
        high: 1.0,
        from: bottom,
        to: top,
        log: false,
    };
    let as_percent = |v: f64| format!("{:.0}%", v * 100.0);
    chart.x_axis(
        &x,
        (top, bottom),
        &x.ticks(5),
        &as_percent,
        "confidence of the top answer",
    );
    for tick in y.ticks(5) {
        chart.line((left, y.at(tick)), (left + size, y.at(tick)), "ch-grid");
        chart.text(
            (left - 6.0, y.at(tick) + 4.0),
            "end",
            "ch-tick",
            &as_percent(tick),
        );
    }
    chart.raw(&format!(
        r#"<text class="ch-axis-label" x="10" y="{y}" text-anchor="middle" transform="rotate(-90 10 {y})">share right</text>"#,
        y = svg::num((top + bottom) / 2.0),
    ));
    for (i, bin) in bins.iter().enumerate() {
        if bin.count == 0 {
            continue;
        }
        let (from, to) = (
            i as f64 / bins.len() as f64,
            (i + 1) as f64 / bins.len() as f64,
        );
        let x0 = x.at(from) + 1.0;
        let x1 = x.at(to) - 1.0;
        chart.rect(
            x0,
            y.at(bin.accuracy),
            x1 - x0,
            bottom - y.at(bin.accuracy),
            "ch-mark ch-bar",
            &format!(
                "Confidence {}–{}: {} answers, mean confidence {}, right {}",
                as_percent(from),
                as_percent(to),
                count(bin.count),
                percent(bin.confidence),
                percent(bin.accuracy)
            ),
        );
    }
    chart.line(
        (x.at(0.0), y.at(0.0)),
        (x.at(1.0), y.at(1.0)),
        "ch-diagonal",
    );
    // Top left, where the low-confidence bins' bars never reach.
    chart.text(
        (x.at(0.03), y.at(0.93)),
        "start",
        "ch-tick",
        "diagonal: perfect calibration",
    );
    Figure {
        id: "calibration",
        title: title.to_string(),
        insight,
        svg: chart.finish(),
        wide: false,
    }
}

fn confusion(evaluation: &Evaluation, countries: &[String]) -> Figure {
    let mut labels: Vec<String> = countries.to_vec();
    labels.push(OTHER.to_string());
    let matrix = &evaluation.confusion;
    let value = |i: usize, j: usize| {
        matrix
            .get(i)
            .and_then(|row| row.get(j))
            .copied()
            .unwrap_or(0)
    };
    let row_total = |i: usize| matrix.get(i).map_or(0, |row| row.iter().sum::<usize>());
    let mut mix_up: Option<(usize, usize, usize)> = None;
    for i in 0..labels.len() {
        for j in 0..labels.len() {
            let n = value(i, j);
            if i != j && n > 0 && mix_up.is_none_or(|(_, _, most)| n > most) {
                mix_up = Some((i, j, n));
            }
        }
    }
    let insight = match mix_up {
        Some((i, j, n)) => format!(
            "The most frequent mistake reads {} wines as {} ({} of {} held-out reviews of {}).",
            labels[i],
            labels[j],
            count(n),
            count(row_total(i)),
            labels[i]
        ),
        None => "No held-out review was given the wrong country.".to_string(),
    };
    let title = "Confusion matrix";
    let desc = format!(
        "Heatmap of held-out reviews by true country (rows) and the full model's top country (columns); each row is shaded by its own share, so the diagonal shows recall. {insight}"
    );
    let cell = |i: usize, j: usize| {
        let n = value(i, j);
        let share = n as f64 / row_total(i).max(1) as f64;
        let fill = if n == 0 {
            "#ffffff".to_string()
        } else {
            svg::sequential(0.1 + 0.9 * share)
        };
        let printed = (n > 0).then(|| n.to_string());
        let tip = format!(
            "True {}, predicted {}: {} ({} of the row)",
            labels[i],
            labels[j],
            count(n),
            percent(share)
        );
        (fill, printed, tip)
    };
    Figure {
        id: "confusion",
        title: title.to_string(),
        insight,
        svg: matrix_chart(
            ("confusion", title, &desc),
            &labels,
            ("true", "predicted"),
            (640.0, 104.0, 8.0),
            &cell,
        ),
        wide: true,
    }
}
