//! The model card's charts: the two models side by side, calibration, and the
//! confusion matrix, drawn with the analytics crate's SVG kit.

use vinovoyant_analytics::insights::count;
use vinovoyant_analytics::render::svg::{self, BOTTOM, GUTTER, RIGHT, Scale, Svg, TOP, WIDTH};
use vinovoyant_analytics::render::{Figure, matrix_chart};
use vinovoyant_model::manifest::{CalibrationBin, Evaluation};

use super::percent;

/// Ids of the model card's charts, in page order: each is drawn as `#chart-{id}`.
pub const MODEL_CHART_IDS: [&str; 3] = ["agreement", "confusion", "calibration"];

/// Name of the row and column of the confusion matrix for countries the model does not know.
const OTHER: &str = "other";

/// The two models side by side: accuracy, top-3, macro F1, and how often they agree.
pub(super) fn agreement(evaluation: &Evaluation) -> Figure {
    let (full, distilled) = (&evaluation.full, &evaluation.distilled);
    let groups: [(&str, f64, f64); 3] = [
        ("Top-1 accuracy", full.accuracy, distilled.accuracy),
        ("Top-3 accuracy", full.top3, distilled.top3),
        ("Macro F1", full.macro_f1, distilled.macro_f1),
    ];
    let insight = agreement_insight(evaluation);
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
    agreement_legend(&mut chart);
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

/// The agreement chart's key: which bar is which model.
fn agreement_legend(chart: &mut Svg) {
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
}

/// The agreement chart's sentence: how often the two models agree, and how far
/// apart their accuracies are.
fn agreement_insight(evaluation: &Evaluation) -> String {
    let (full, distilled) = (&evaluation.full, &evaluation.distilled);
    format!(
        "The distilled model in the browser gives the full model's top country on {} of held-out notes; its top-1 accuracy is {:.1} points {}.",
        percent(evaluation.agreement),
        (full.accuracy - distilled.accuracy).abs() * 100.0,
        if distilled.accuracy <= full.accuracy {
            "lower"
        } else {
            "higher"
        }
    )
}

/// The calibration chart's sentence: where most answers fall, and the mean gap
/// between confidence and accuracy.
fn calibration_insight(bins: &[CalibrationBin]) -> String {
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
    match busiest {
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
    }
}

/// The reliability diagram of the full model's confidence.
pub(super) fn calibration(bins: &[CalibrationBin]) -> Figure {
    let insight = calibration_insight(bins);
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

pub(super) fn confusion(evaluation: &Evaluation, countries: &[String]) -> Figure {
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
