//! Server-side drawing: every chart of the analytics page as SVG inside HTML
//! `<figure>`s, ready to be placed in a page as is, and the kit the charts are
//! drawn with ([`svg`], [`Figure`], [`matrix_chart`]), which the app's model card
//! draws its own charts with.
//!
//! Each chart is viewBox-based (it scales to its container), has `role="img"`
//! with a `<title>` and a `<desc>` as its text alternative, and a `<title>` on
//! every mark, which browsers show as a tooltip with no script at all.

mod charts;
mod check;
pub mod svg;

use std::fmt::Write as _;

pub use charts::{CHART_IDS, analytics_charts};
pub use check::chart_shortfalls;

use crate::FiveNumbers;
use svg::{BOTTOM, GUTTER, RIGHT, ROW, Scale, Svg, TOP, WIDTH, escape};

/// A chart with its heading and the sentence to take away.
pub struct Figure {
    /// Stable id: the figure is `#chart-{id}`.
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// One line of insight.
    pub insight: String,
    /// The SVG.
    pub svg: String,
    /// Whether the chart needs more width than a phone has (it then scrolls sideways).
    pub wide: bool,
}

impl Figure {
    /// The figure: heading, insight, the chart in a box that scrolls sideways when
    /// the screen is narrower than the chart (focusable, so a keyboard can scroll
    /// it), and under it every mark's figures as a list a keyboard, a touch screen
    /// or a screen reader reaches without hovering.
    pub fn html(&self, out: &mut String) {
        let class = if self.wide { "chart wide" } else { "chart" };
        let title = escape(&self.title);
        let _ = write!(
            out,
            r#"<figure class="{class}" id="chart-{id}" data-chart="{id}"><figcaption><h2 class="chart-title">{title}</h2><p class="insight">{insight}</p></figcaption><div class="chart-body" tabindex="0" role="group" aria-label="{title} (scrolls sideways on narrow screens)">{svg}</div>"#,
            id = self.id,
            insight = escape(&self.insight),
            svg = self.svg,
        );
        let figures = mark_titles(&self.svg);
        if !figures.is_empty() {
            let _ = write!(
                out,
                r#"<details class="chart-data"><summary>Every figure of this chart ({})</summary><ul>"#,
                figures.len()
            );
            for figure in figures {
                let _ = write!(out, "<li>{figure}</li>");
            }
            out.push_str("</ul></details>");
        }
        out.push_str("</figure>");
    }
}

/// The tooltips of a chart's marks: the text of every `<title>` without an id (the
/// chart's own title has one), still escaped as the SVG holds it.
fn mark_titles(svg: &str) -> Vec<&str> {
    const OPEN: &str = "<title>";
    svg.match_indices(OPEN)
        .filter_map(|(at, _)| {
            let rest = &svg[at + OPEN.len()..];
            rest.find("</title>").map(|end| &rest[..end])
        })
        .collect()
}

/// One bar of a horizontal bar chart.
struct Bar {
    label: String,
    value: f64,
    tip: String,
}

/// Horizontal bars from zero (or from the smallest negative value), one row each,
/// with their values printed at their ends.
fn bar_chart(
    (id, title, desc): (&str, &str, &str),
    bars: &[Bar],
    selected: Option<usize>,
    axis_label: &str,
    format: &dyn Fn(f64) -> String,
) -> String {
    let height = TOP + bars.len().max(1) as f64 * ROW + BOTTOM;
    let mut svg = Svg::open(id, height, title, desc);
    let low = bars.iter().map(|b| b.value).fold(0.0, f64::min);
    let high = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let pad = (high - low).max(f64::EPSILON) * 0.04;
    let scale = Scale {
        low: if low < 0.0 { low - pad } else { 0.0 },
        high: high + pad,
        from: GUTTER,
        to: WIDTH - RIGHT - 40.0,
        log: false,
    };
    let bottom = TOP + bars.len() as f64 * ROW;
    let ticks = scale.ticks(4);
    svg.x_axis(&scale, (TOP, bottom), &ticks, format, axis_label);
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    svg.row_labels(&labels, TOP, selected);
    let zero = scale.at(0.0);
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW + 4.0;
        let end = scale.at(bar.value);
        let class = if Some(i) == selected {
            "ch-mark ch-bar ch-selected"
        } else {
            "ch-mark ch-bar"
        };
        svg.rect(
            zero.min(end),
            y,
            (end - zero).abs(),
            ROW - 8.0,
            class,
            &bar.tip,
        );
        svg.text(
            (zero.max(end) + 4.0, y + ROW / 2.0),
            "start",
            "ch-value",
            &format(bar.value),
        );
    }
    if low < 0.0 {
        svg.line((zero, TOP), (zero, bottom), "ch-axis");
    }
    svg.finish()
}

/// One box of a horizontal box plot.
struct BoxRow {
    label: String,
    five: FiveNumbers,
    tip: String,
}

/// Horizontal box plots: whiskers from min to max, the box from q1 to q3, a bar
/// at the median.
fn box_chart(
    (id, title, desc): (&str, &str, &str),
    rows: &[BoxRow],
    selected: Option<usize>,
    (low, high, log): (f64, f64, bool),
    axis_label: &str,
    format: &dyn Fn(f64) -> String,
) -> String {
    let height = TOP + rows.len().max(1) as f64 * ROW + BOTTOM;
    let mut svg = Svg::open(id, height, title, desc);
    let scale = Scale {
        low,
        high,
        from: GUTTER,
        to: WIDTH - RIGHT,
        log,
    };
    let bottom = TOP + rows.len() as f64 * ROW;
    let ticks = scale.ticks(5);
    svg.x_axis(&scale, (TOP, bottom), &ticks, format, axis_label);
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    svg.row_labels(&labels, TOP, selected);
    for (i, row) in rows.iter().enumerate() {
        let top = TOP + i as f64 * ROW;
        let middle = top + ROW / 2.0;
        let class = if Some(i) == selected {
            "ch-mark ch-box ch-selected"
        } else {
            "ch-mark ch-box"
        };
        let five = &row.five;
        svg.raw(&format!(
            r#"<g class="{class}"><title>{}</title>"#,
            escape(&row.tip)
        ));
        svg.line(
            (scale.at(five.min), middle),
            (scale.at(five.max), middle),
            "ch-whisker",
        );
        for end in [five.min, five.max] {
            let x = scale.at(end);
            svg.line((x, middle - 4.0), (x, middle + 4.0), "ch-whisker");
        }
        let (q1, q3) = (scale.at(five.q1), scale.at(five.q3));
        svg.raw(&format!(
            r#"<rect class="ch-box-body" x="{}" y="{}" width="{}" height="{}"/>"#,
            svg::num(q1),
            svg::num(top + 4.0),
            svg::num((q3 - q1).max(1.0)),
            svg::num(ROW - 8.0)
        ));
        let median = scale.at(five.median);
        svg.line((median, top + 3.0), (median, top + ROW - 3.0), "ch-median");
        svg.raw("</g>");
    }
    svg.finish()
}

/// Writes one text of a matrix chart at `(x, y)`, turned 50° up when `rotate`.
fn matrix_text(
    out: &mut String,
    (x, y): (f64, f64),
    anchor: &str,
    class: &str,
    body: &str,
    font: f64,
    rotate: bool,
) {
    let transform = if rotate {
        format!(
            r#" transform="rotate(-50 {} {})""#,
            svg::num(x),
            svg::num(y)
        )
    } else {
        String::new()
    };
    let _ = write!(
        out,
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}" font-size="{}"{transform}>{}</text>"#,
        svg::num(x),
        svg::num(y),
        svg::num(font),
        escape(body)
    );
}

/// What a matrix cell shows: its fill colour, the text printed in it (white or black,
/// whichever reads better on the fill), and its tooltip.
pub type Cell = (String, Option<String>, String);

/// A square matrix of coloured cells with row and column labels; `cell(i, j)`
/// gives each cell's fill, printed text (if any) and tooltip.
pub fn matrix_chart(
    (id, title, desc): (&str, &str, &str),
    labels: &[String],
    (row_axis, column_axis): (&str, &str),
    (width, gutter, font): (f64, f64, f64),
    cell: &dyn Fn(usize, usize) -> Cell,
) -> String {
    let n = labels.len().max(1) as f64;
    let size = (width - gutter - RIGHT) / n;
    let top = gutter;
    let height = top + size * n + 8.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="ch-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc>"#,
        w = svg::num(width),
        h = svg::num(height),
        t = escape(title),
        d = escape(desc),
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + i as f64 * size + size / 2.0 + font / 3.0;
        matrix_text(
            &mut out,
            (gutter - 4.0, y),
            "end",
            "ch-label",
            &svg::short_label(label),
            font,
            false,
        );
        let x = gutter + i as f64 * size + size / 2.0;
        matrix_text(
            &mut out,
            (x, top - 4.0),
            "start",
            "ch-label",
            &svg::short_label(label),
            font,
            true,
        );
    }
    for i in 0..labels.len() {
        for j in 0..labels.len() {
            let (fill, printed, tip) = cell(i, j);
            let (x, y) = (gutter + j as f64 * size, top + i as f64 * size);
            let _ = write!(
                out,
                r#"<rect class="ch-cell" x="{}" y="{}" width="{}" height="{}" fill="{fill}"><title>{}</title></rect>"#,
                svg::num(x),
                svg::num(y),
                svg::num(size),
                svg::num(size),
                escape(&tip)
            );
            if let Some(value) = printed {
                let class = if svg::light_text_on(&fill) {
                    "ch-cell-text light"
                } else {
                    "ch-cell-text"
                };
                matrix_text(
                    &mut out,
                    (x + size / 2.0, y + size / 2.0 + font / 3.0),
                    "middle",
                    class,
                    &value,
                    font,
                    false,
                );
            }
        }
    }
    if !row_axis.is_empty() {
        // Two short lines, each within the gutter, so neither is cut off.
        for (line, lift) in [
            (format!("{column_axis} →"), 6.0),
            (format!("{row_axis} ↓"), 20.0),
        ] {
            matrix_text(
                &mut out,
                (gutter - 4.0, top - lift),
                "end",
                "ch-axis-label",
                &line,
                font,
                false,
            );
        }
    }
    out.push_str("</svg>");
    out
}
