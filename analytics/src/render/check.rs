//! The promise every chart drawn with this kit keeps, as a check: the analytics
//! page's tests and the model card's run the same one.

/// How `html` (a fragment of nothing but charts) falls short of the kit's promise
/// for the charts `ids`: each drawn once, as `role="img"` with a title and a
/// description; no inline style (the site's CSP forbids it); and every mark's
/// figures listed under its chart, so they are reachable without hovering. Empty
/// when the promise is kept.
pub fn chart_shortfalls(html: &str, ids: &[&str]) -> Vec<String> {
    let mut shortfalls = Vec::new();
    for id in ids {
        for (part, what) in [
            (format!(r#"id="chart-{id}""#), "is missing"),
            (format!(r#"<title id="{id}-title">"#), "has no title"),
            (format!(r#"<desc id="{id}-desc">"#), "has no description"),
        ] {
            if !html.contains(&part) {
                shortfalls.push(format!("chart {id} {what}"));
            }
        }
    }
    for (part, what) in [
        ("<svg ", "drawings"),
        ("</svg>", "closed drawings"),
        (r#"role="img""#, "images"),
    ] {
        let count = html.matches(part).count();
        if count != ids.len() {
            shortfalls.push(format!("{count} {what} for {} charts", ids.len()));
        }
    }
    if html.matches("viewBox=").count() < ids.len() {
        shortfalls.push("a chart without a viewBox".to_string());
    }
    if html.contains("style=") {
        shortfalls.push("an inline style, which the site's CSP blocks".to_string());
    }
    for figure in html.split("<figure ").skip(1) {
        let figure = figure
            .find("</figure>")
            .map_or(figure, |end| &figure[..end]);
        let marks = figure.matches("<title>").count();
        let head: String = figure.chars().take(80).collect();
        if marks == 0 {
            shortfalls.push(format!("a chart without marks: {head}"));
        } else if figure.matches("<li>").count() != marks {
            shortfalls.push(format!("not every mark is listed: {head}"));
        }
        if !figure.contains(r#"<details class="chart-data">"#)
            || !figure.contains(r#"class="chart-body" tabindex="0""#)
        {
            shortfalls.push(format!("no data list or focusable body: {head}"));
        }
    }
    shortfalls
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_without_its_description_or_list_falls_short() {
        let html = r#"<figure id="chart-a"><div class="chart-body" tabindex="0"><svg role="img" viewBox="0 0 1 1"><title id="a-title">A</title><rect><title>one</title></rect></svg></div><details class="chart-data"><ul></ul></details></figure>"#;
        assert_eq!(
            chart_shortfalls(html, &["a"]),
            vec![
                "chart a has no description".to_string(),
                format!("not every mark is listed: {}", &html[8..88]),
            ]
        );
    }
}
