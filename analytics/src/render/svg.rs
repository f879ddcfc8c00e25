//! A small SVG writer for the charts: escaping, scales, axes, and the frame every
//! chart shares (viewBox, `role="img"`, `<title>` and `<desc>`).
//!
//! Marks carry CSS classes (prefixed `ch-`) instead of inline styles, which the
//! site's content security policy forbids; only continuous colours (heatmap
//! cells) use the `fill` presentation attribute.

use std::fmt::Write as _;

/// Width of every chart's viewBox: narrow enough that labels stay legible when a
/// phone scales the chart down.
pub const WIDTH: f64 = 420.0;
/// Height of one row of a horizontal chart.
pub const ROW: f64 = 22.0;
/// Left gutter of horizontal charts, for the category labels.
pub const GUTTER: f64 = 140.0;
/// Right margin.
pub const RIGHT: f64 = 16.0;
/// Space above the plot area.
pub const TOP: f64 = 8.0;
/// Space below the plot area, for the axis ticks and label.
pub const BOTTOM: f64 = 40.0;
/// Longest category label drawn in full; longer ones are cut (the tooltip has it all).
pub const LABEL_CHARS: usize = 18;

/// `text` with the characters that matter in XML text and attributes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal, the precision the charts need.
pub fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// A label cut to [`LABEL_CHARS`] characters, with an ellipsis when cut.
pub fn short_label(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Maps a data interval onto a pixel interval, linearly or on `log10`.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Data value at the start.
    pub low: f64,
    /// Data value at the end.
    pub high: f64,
    /// Pixel at the start.
    pub from: f64,
    /// Pixel at the end.
    pub to: f64,
    /// Whether values are placed by their `log10`.
    pub log: bool,
}

impl Scale {
    /// The pixel of `value` (clamped to the interval).
    pub fn at(&self, value: f64) -> f64 {
        let (low, high, value) = if self.log {
            (
                self.low.max(f64::MIN_POSITIVE).log10(),
                self.high.max(f64::MIN_POSITIVE).log10(),
                value.max(f64::MIN_POSITIVE).log10(),
            )
        } else {
            (self.low, self.high, value)
        };
        let span = high - low;
        let t = if span.abs() < f64::EPSILON {
            0.5
        } else {
            ((value - low) / span).clamp(0.0, 1.0)
        };
        self.from + t * (self.to - self.from)
    }

    /// Round tick values inside the interval: 1, 2 or 5 times a power of ten,
    /// about `count` of them; on a log scale 1, 2 and 5 of every decade, or only
    /// 1 and 3 when the scale spans more than two decades.
    pub fn ticks(&self, count: usize) -> Vec<f64> {
        if self.log {
            let low = self.low.max(f64::MIN_POSITIVE);
            let steps: &[f64] = if (self.high / low).log10() > 2.0 {
                &[1.0, 3.0]
            } else {
                &[1.0, 2.0, 5.0]
            };
            let mut ticks = Vec::new();
            let mut decade = 10f64.powf(low.log10().floor());
            while decade <= self.high {
                for &step in steps {
                    let tick = decade * step;
                    if tick >= self.low && tick <= self.high {
                        ticks.push(tick);
                    }
                }
                decade *= 10.0;
            }
            return ticks;
        }
        let span = (self.high - self.low).abs();
        if span < f64::EPSILON || count == 0 {
            return vec![self.low];
        }
        let raw = span / count as f64;
        let power = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * power)
            .find(|step| span / step <= count as f64)
            .unwrap_or(10.0 * power);
        let first = (self.low / step).ceil() as i64;
        let last = (self.high / step).floor() as i64;
        (first..=last).map(|i| i as f64 * step).collect()
    }
}

/// An SVG document being written.
pub struct Svg {
    out: String,
}

impl Svg {
    /// Opens a chart of `height` with the accessible name `title` and the longer
    /// description `desc`; `id` prefixes the ids they are referred to by.
    pub fn open(id: &str, height: f64, title: &str, desc: &str) -> Self {
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg class="ch-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc>"#,
            w = num(WIDTH),
            h = num(height),
            t = escape(title),
            d = escape(desc),
        );
        Self { out }
    }

    /// Appends raw SVG markup (already escaped).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// A rectangle of class `class` with a tooltip.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, tip: &str) {
        let _ = write!(
            self.out,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            escape(tip)
        );
    }

    /// A rectangle filled with `fill` (a computed colour) and a tooltip.
    pub fn cell(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: &str) {
        let _ = write!(
            self.out,
            r#"<rect class="ch-cell" x="{}" y="{}" width="{}" height="{}" fill="{fill}"><title>{}</title></rect>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            escape(tip)
        );
    }

    /// A line of class `class`.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
        let _ = write!(
            self.out,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// Text at `(x, y)`, anchored `anchor` (`start`, `middle`, `end`).
    pub fn text(&mut self, (x, y): (f64, f64), anchor: &str, class: &str, text: &str) {
        let _ = write!(
            self.out,
            r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
            num(x),
            num(y),
            escape(text)
        );
    }

    /// A horizontal axis along the bottom of a plot spanning `top..bottom`, with
    /// grid lines at the ticks and `label` under it.
    pub fn x_axis(
        &mut self,
        scale: &Scale,
        (top, bottom): (f64, f64),
        ticks: &[f64],
        format: &dyn Fn(f64) -> String,
        label: &str,
    ) {
        self.line((scale.from, bottom), (scale.to, bottom), "ch-axis");
        for &tick in ticks {
            let x = scale.at(tick);
            self.line((x, top), (x, bottom), "ch-grid");
            self.text((x, bottom + 14.0), "middle", "ch-tick", &format(tick));
        }
        self.text(
            ((scale.from + scale.to) / 2.0, bottom + 32.0),
            "middle",
            "ch-axis-label",
            label,
        );
    }

    /// Category labels down the left gutter, one per row of `ROW` from `top`,
    /// the `selected` one emphasised.
    pub fn row_labels(&mut self, labels: &[String], top: f64, selected: Option<usize>) {
        for (i, label) in labels.iter().enumerate() {
            let class = if Some(i) == selected {
                "ch-label ch-selected"
            } else {
                "ch-label"
            };
            let y = top + i as f64 * ROW + ROW / 2.0 + 4.0;
            self.text((GUTTER - 6.0, y), "end", class, &short_label(label));
        }
    }

    /// Closes the document and returns its markup.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A colour between white and the site's wine red for `t` in `[0, 1]`.
pub fn sequential(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(251.0, 107.0),
        mix(247.0, 29.0),
        mix(244.0, 53.0)
    )
}

/// A colour from teal (`-1`) through white (`0`) to wine red (`1`).
pub fn diverging(r: f64) -> String {
    let r = r.clamp(-1.0, 1.0);
    let (to, t) = if r >= 0.0 {
        ((107.0, 29.0, 53.0), r)
    } else {
        ((42.0, 122.0, 120.0), -r)
    };
    let mix = |to: f64| (255.0 + (to - 255.0) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(to.0), mix(to.1), mix(to.2))
}

/// The relative luminance (WCAG 2) of a `#rrggbb` colour; white for anything else.
fn luminance(fill: &str) -> f64 {
    let channel = |at: usize| {
        let value = fill
            .get(at..at + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .unwrap_or(255);
        let c = f64::from(value) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    if fill.len() != 7 || !fill.starts_with('#') {
        return 1.0;
    }
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/// The WCAG contrast ratio of white and of black text on `fill`.
fn contrasts(fill: &str) -> (f64, f64) {
    let l = luminance(fill);
    (1.05 / (l + 0.05), (l + 0.05) / 0.05)
}

/// Whether text on `fill` is white (else black): whichever contrasts more. One of
/// the two always reaches 4.5:1, whatever the colour.
pub fn light_text_on(fill: &str) -> bool {
    let (white, black) = contrasts(fill);
    white > black
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_every_shade_reaches_four_and_a_half_to_one() {
        for step in 0..=100 {
            let t = f64::from(step) / 100.0;
            for fill in [sequential(t), diverging(t), diverging(-t)] {
                let (white, black) = contrasts(&fill);
                let chosen = if light_text_on(&fill) { white } else { black };
                assert!(chosen >= 4.5, "{fill}: {chosen:.2}");
            }
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a & "b">'"#),
            "&lt;a &amp; &quot;b&quot;&gt;&#39;"
        );
    }

    #[test]
    fn scales_map_and_tick_roundly() {
        let linear = Scale {
            low: 0.0,
            high: 100.0,
            from: 10.0,
            to: 110.0,
            log: false,
        };
        assert_eq!(linear.at(50.0), 60.0);
        assert_eq!(linear.at(200.0), 110.0);
        assert_eq!(linear.ticks(5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let log = Scale {
            low: 4.0,
            high: 300.0,
            from: 0.0,
            to: 100.0,
            log: true,
        };
        assert_eq!(log.ticks(0), vec![5.0, 10.0, 20.0, 50.0, 100.0, 200.0]);
        let wide = Scale {
            high: 3000.0,
            ..log
        };
        assert_eq!(
            wide.ticks(0),
            vec![10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
        );
        assert!((log.at(10f64.powf((4f64.log10() + 300f64.log10()) / 2.0)) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn labels_are_cut_with_an_ellipsis() {
        assert_eq!(short_label("Merlot"), "Merlot");
        assert_eq!(
            short_label("Bordeaux-style Red Blend"),
            "Bordeaux-style Re…"
        );
        assert_eq!(num(3.25), "3.3");
        assert_eq!(num(4.0), "4");
        assert_eq!(sequential(0.0), "#fbf7f4");
        assert_eq!(diverging(1.0), "#6b1d35");
        assert_eq!(diverging(0.0), "#ffffff");
    }
}
