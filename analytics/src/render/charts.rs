//! The seven charts of the analytics page.

use crate::insights::{self, count, dollars, points};
use crate::render::svg::{self, Scale, Svg, WIDTH, escape, sequential};
use crate::render::{Bar, BoxRow, Figure, bar_chart, box_chart, matrix_chart};
use crate::{
    CORRELATED, DatasetSummary, LOG_PRICE_LOW, LOG_PRICE_STEP, POINTS_HIGH, POINTS_LOW,
    PRICE_COLUMNS, PricePoints, Slice,
};

/// Ids of the analytics charts, in page order: each is drawn as `#chart-{id}`.
pub const CHART_IDS: [&str; 7] = [
    "points-by-country",
    "price-vs-points",
    "price-by-country",
    "top-varieties",
    "sentiment-by-country",
    "correlation",
    "variety-prices",
];

/// Every chart of the analytics page as HTML figures. With `selected` set to one of
/// the summary's countries, the by-country charts highlight it and the other charts
/// show its reviews only; any other `selected` value draws the whole data set.
pub fn analytics_charts(summary: &DatasetSummary, selected: Option<&str>) -> String {
    let selected = selected.and_then(|country| summary.find_country(country));
    let slice = summary.slice(selected).unwrap_or(&summary.overall);
    let scope = selected.map_or_else(|| "all countries".to_string(), str::to_string);
    let figures = [
        points_by_country(summary, selected),
        price_vs_points(slice, &scope),
        price_by_country(summary, selected),
        top_varieties(slice, &scope),
        sentiment_by_country(summary, selected),
        correlation(slice, &scope),
        variety_prices(slice, &scope),
    ];
    let mut out = String::new();
    for figure in &figures {
        figure.html(&mut out);
    }
    out
}

fn position(summary: &DatasetSummary, order: &[usize], selected: Option<&str>) -> Option<usize> {
    let country = selected?;
    order
        .iter()
        .position(|&i| summary.countries[i].country == country)
}

/// Indices of the summary's countries sorted by `key`, highest first; countries without one are left out.
fn order_by(summary: &DatasetSummary, key: impl Fn(usize) -> Option<f64>) -> Vec<usize> {
    let mut order: Vec<(usize, f64)> = (0..summary.countries.len())
        .filter_map(|i| Some((i, key(i)?)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order.into_iter().map(|(i, _)| i).collect()
}

fn points_by_country(summary: &DatasetSummary, selected: Option<&str>) -> Figure {
    let order = order_by(summary, |i| summary.countries[i].points.map(|p| p.median));
    let rows: Vec<BoxRow> = order
        .iter()
        .filter_map(|&i| {
            let stats = &summary.countries[i];
            let five = stats.points?;
            Some(BoxRow {
                label: stats.country.clone(),
                tip: format!(
                    "{}: {} reviews; median {} points, middle half {}–{}, range {}–{}",
                    stats.country,
                    count(five.n),
                    points(five.median),
                    points(five.q1),
                    points(five.q3),
                    points(five.min),
                    points(five.max)
                ),
                five,
            })
        })
        .collect();
    let title = "Scores by country";
    let insight = insights::points_by_country(summary, selected);
    let desc = format!(
        "Box plots of review scores for the {} most reviewed countries, highest median first. {insight}",
        rows.len()
    );
    Figure {
        id: "points-by-country",
        title: title.to_string(),
        svg: box_chart(
            ("points-by-country", title, &desc),
            &rows,
            position(summary, &order, selected),
            (f64::from(POINTS_LOW), f64::from(POINTS_HIGH), false),
            "points (out of 100)",
            &points,
        ),
        insight,
        wide: false,
    }
}

fn price_by_country(summary: &DatasetSummary, selected: Option<&str>) -> Figure {
    let order = order_by(summary, |i| summary.countries[i].price.map(|p| p.mean));
    let bars: Vec<Bar> = order
        .iter()
        .filter_map(|&i| {
            let stats = &summary.countries[i];
            let price = stats.price?;
            Some(Bar {
                label: stats.country.clone(),
                value: price.mean,
                tip: format!(
                    "{}: average {}, median {}, over {} priced reviews",
                    stats.country,
                    dollars(price.mean),
                    dollars(price.median),
                    count(price.n)
                ),
            })
        })
        .collect();
    let title = "Average price by country";
    let insight = insights::price_by_country(summary, selected);
    let desc = format!("Bars of the mean bottle price per country, dearest first. {insight}");
    Figure {
        id: "price-by-country",
        title: title.to_string(),
        svg: bar_chart(
            ("price-by-country", title, &desc),
            &bars,
            position(summary, &order, selected),
            "average price (US dollars)",
            &dollars,
        ),
        insight,
        wide: false,
    }
}

fn sentiment_by_country(summary: &DatasetSummary, selected: Option<&str>) -> Figure {
    let order = order_by(summary, |i| summary.countries[i].sentiment.map(|s| s.mean));
    let bars: Vec<Bar> = order
        .iter()
        .filter_map(|&i| {
            let stats = &summary.countries[i];
            let sentiment = stats.sentiment?;
            Some(Bar {
                label: stats.country.clone(),
                value: sentiment.mean,
                tip: format!(
                    "{}: mean compound {:+.2} over {} descriptions; {:.0}% positive, {:.0}% negative",
                    stats.country,
                    sentiment.mean,
                    count(sentiment.n),
                    sentiment.positive * 100.0,
                    sentiment.negative * 100.0
                ),
            })
        })
        .collect();
    let title = "Sentiment of the descriptions by country";
    let insight = insights::sentiment_by_country(summary, selected);
    let desc = format!(
        "Bars of the mean VADER compound sentiment (−1 to 1) of each country's descriptions, most positive first. {insight}"
    );
    Figure {
        id: "sentiment-by-country",
        title: title.to_string(),
        svg: bar_chart(
            ("sentiment-by-country", title, &desc),
            &bars,
            position(summary, &order, selected),
            "mean sentiment (VADER compound, −1 to 1)",
            &|v| format!("{v:.2}"),
        ),
        insight,
        wide: false,
    }
}

fn top_varieties(slice: &Slice, scope: &str) -> Figure {
    let bars: Vec<Bar> = slice
        .varieties
        .iter()
        .map(|variety| Bar {
            label: variety.variety.clone(),
            value: variety.reviews as f64,
            tip: format!(
                "{}: {} reviews{}",
                variety.variety,
                count(variety.reviews),
                variety
                    .mean_points
                    .map(|p| format!(", {} points on average", points(p)))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let title = format!("Most reviewed varieties, {scope}");
    let insight = insights::varieties(slice);
    let desc = format!(
        "Bars of the number of reviews of the {} most reviewed varieties. {insight}",
        bars.len()
    );
    Figure {
        id: "top-varieties",
        svg: bar_chart(
            ("top-varieties", &title, &desc),
            &bars,
            None,
            "reviews",
            &|v| count(v.max(0.0).round() as usize),
        ),
        title,
        insight,
        wide: false,
    }
}

fn variety_prices(slice: &Slice, scope: &str) -> Figure {
    let rows: Vec<BoxRow> = slice
        .variety_prices
        .iter()
        .map(|variety| BoxRow {
            label: variety.variety.clone(),
            five: variety.price,
            tip: format!(
                "{}: {} priced reviews; median {}, middle half {}–{}, range {}–{}",
                variety.variety,
                count(variety.price.n),
                dollars(variety.price.median),
                dollars(variety.price.q1),
                dollars(variety.price.q3),
                dollars(variety.price.min),
                dollars(variety.price.max)
            ),
        })
        .collect();
    let low = rows
        .iter()
        .map(|r| r.five.min)
        .fold(f64::INFINITY, f64::min);
    let high = rows.iter().map(|r| r.five.max).fold(0.0, f64::max);
    let (low, high) = if rows.is_empty() {
        (1.0, 10.0)
    } else {
        (low.max(1.0) * 0.9, high.max(low * 2.0) * 1.1)
    };
    let title = format!("Price distribution of the top varieties, {scope}");
    let insight = insights::variety_prices(slice);
    let desc = format!(
        "Box plots of bottle prices, on a logarithmic axis, for the {} most reviewed varieties with a price. {insight}",
        rows.len()
    );
    Figure {
        id: "variety-prices",
        svg: box_chart(
            ("variety-prices", &title, &desc),
            &rows,
            None,
            (low, high, true),
            "price (US dollars, log scale)",
            &dollars,
        ),
        title,
        insight,
        wide: false,
    }
}

fn correlation(slice: &Slice, scope: &str) -> Figure {
    let labels: Vec<String> = CORRELATED.iter().map(|s| s.to_string()).collect();
    let matrix = &slice.correlation.matrix;
    let title = format!("How the numbers relate, {scope}");
    let insight = insights::correlation(slice);
    let desc = format!(
        "Heatmap of Pearson correlations between points, price, description length in words and sentiment, over {} reviews with a score and a price. {insight}",
        count(slice.correlation.n)
    );
    let cell = |i: usize, j: usize| {
        let r = matrix.get(i).and_then(|row| row.get(j)).copied().flatten();
        match r {
            Some(r) => (
                svg::diverging(r),
                Some(format!("{r:.2}")),
                format!("{} and {}: r = {r:.2}", labels[i], labels[j]),
            ),
            None => (
                "#eeeeee".to_string(),
                Some("–".to_string()),
                format!("{} and {}: not defined here", labels[i], labels[j]),
            ),
        }
    };
    Figure {
        id: "correlation",
        svg: matrix_chart(
            ("correlation", &title, &desc),
            &labels,
            ("", ""),
            (WIDTH, 124.0, 12.0),
            &cell,
        ),
        title,
        insight,
        wide: false,
    }
}

fn price_vs_points(slice: &Slice, scope: &str) -> Figure {
    let title = format!("Price against score, {scope}");
    let insight = insights::price_points(slice);
    let desc = format!(
        "Heatmap of reviews binned by score (rows, {POINTS_LOW} to {POINTS_HIGH} points) and price (columns, logarithmic); darker cells hold more reviews. {insight}"
    );
    Figure {
        id: "price-vs-points",
        svg: price_points_grid(&slice.price_points, &title, &desc),
        title,
        insight,
        wide: false,
    }
}

fn price_points_grid(grid: &PricePoints, title: &str, desc: &str) -> String {
    let (left, top, cell_h) = (44.0, 8.0, 10.0);
    let rows = (POINTS_HIGH - POINTS_LOW + 1) as usize;
    let bottom = top + rows as f64 * cell_h;
    let mut svg = Svg::open("price-vs-points", bottom + 40.0, title, desc);
    let scale = Scale {
        low: 10f64.powf(LOG_PRICE_LOW),
        high: 10f64.powf(LOG_PRICE_LOW + PRICE_COLUMNS as f64 * LOG_PRICE_STEP),
        from: left,
        to: WIDTH - 16.0,
        log: true,
    };
    svg.rect(
        left,
        top,
        scale.to - left,
        bottom - top,
        "ch-plot-bg",
        "No review in the blank cells",
    );
    let most = grid
        .counts
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for (row, counts) in grid.counts.iter().enumerate() {
        let score = POINTS_LOW as usize + row;
        let y = bottom - (row + 1) as f64 * cell_h;
        for (column, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (from, to) = PricePoints::column_prices(column);
            let (x0, x1) = (scale.at(from), scale.at(to));
            let t = (f64::from(n) / f64::from(most)).sqrt();
            svg.cell(
                x0,
                y,
                x1 - x0,
                cell_h,
                &sequential(0.15 + 0.85 * t),
                &format!(
                    "{score} points, {}–{}: {} review{}",
                    dollars(from),
                    dollars(to),
                    count(n as usize),
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
    }
    svg.x_axis(
        &scale,
        (top, bottom),
        &scale.ticks(0),
        &dollars,
        "price (US dollars, log scale)",
    );
    for score in (POINTS_LOW..=POINTS_HIGH).step_by(5) {
        let y = bottom - (score - POINTS_LOW) as f64 * cell_h - cell_h / 2.0 + 4.0;
        svg.text((left - 6.0, y), "end", "ch-tick", &score.to_string());
    }
    svg.raw(&format!(
        r#"<text class="ch-axis-label" x="10" y="{y}" text-anchor="middle" transform="rotate(-90 10 {y})">{}</text>"#,
        escape("points"),
        y = svg::num((top + bottom) / 2.0),
    ));
    svg.finish()
}
