//! `/analytics`: charts over the reviews, drawn on the server.
//!
//! The charts, and the filter form, are markup that the server renders (with
//! `vinovoyant_analytics::render`, compiled into the server only) and places in
//! the page with `inner_html`. Hydration leaves markup placed that way untouched,
//! so the browser side of this page is tiny, which keeps the shared WASM bundle
//! within its budget: no chart code, no page state to deserialise, just two event
//! listeners that fetch `GET /analytics/charts` for the chosen country and swap
//! the answer in without a page load. Tooltips are the charts' own SVG
//! `<title>`s. With JavaScript off, the filter is a plain GET form that the
//! server answers with the whole page.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use markup::charts_markup;

/// `/analytics`: charts over the reviews, with a country filter.
///
/// The filter's form and the charts arrive as server-rendered markup. The page
/// loads no WASM: a small script (`frontend/js/analytics.js`) fetches the charts
/// for the chosen country and swaps them in; without it the form is a plain GET.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let markup = markup::analytics_markup();
    #[cfg(not(feature = "ssr"))]
    let markup = String::new();
    view! {
        <section class="intro">
            <h1>"Wine reviews in charts"</h1>
            <p class="lede">
                "Scores, prices, varieties and the mood of the tasting notes, country by country. "
                "Hover a mark for its figures, or open the list of figures under each chart."
            </p>
        </section>
        <div class="analytics" inner_html=markup></div>
    }
}

/// The page's markup, drawn on the server from the aggregates in its context.
#[cfg(feature = "ssr")]
mod markup {
    use std::fmt::Write as _;

    use leptos::prelude::*;
    use vinovoyant_analytics::render::{analytics_charts, svg::escape};

    use crate::routes;
    use crate::server::{DatasetFeed, aggregates};

    /// The charts for `country` (all countries when `None` or unknown), as the
    /// server's `GET /analytics/charts` answers them to the filter.
    pub fn charts_markup(
        model: &vinovoyant_inference::ModelHandle,
        feed: &DatasetFeed,
        country: Option<&str>,
    ) -> String {
        aggregates(Some(model), Some(feed))
            .summary
            .map(|summary| analytics_charts(&summary, country))
            .unwrap_or_default()
    }

    /// Everything of the analytics page below its heading, for the request being
    /// rendered (its `country` query parameter picks the filter's country): the data
    /// source, any notice, the filter form and the charts.
    pub(super) fn analytics_markup() -> String {
        let model = use_context::<vinovoyant_inference::ModelHandle>();
        let feed = use_context::<DatasetFeed>();
        let aggregates = aggregates(model.as_ref(), feed.as_ref());
        let requested = use_context::<http::request::Parts>().and_then(|parts| {
            form_urlencoded::parse(parts.uri.query()?.as_bytes())
                .find(|(name, _)| name == "country")
                .map(|(_, value)| value.into_owned())
        });
        let summary = aggregates.summary.as_deref();
        let selected = summary
            .zip(requested.as_deref())
            .and_then(|(summary, requested)| summary.find_country(requested));
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<p class="data-source" data-testid="data-source">Data: <strong>{}</strong></p>"#,
            escape(&aggregates.source)
        );
        if let Some(notice) = &aggregates.notice {
            let _ = write!(
                out,
                r#"<p class="notice warn" role="status">{}</p>"#,
                escape(notice)
            );
        }
        let Some(summary) = summary else {
            return out;
        };
        let option = |out: &mut String, value: &str, label: &str, chosen: bool| {
            let _ = write!(
                out,
                r#"<option value="{}"{}>{}</option>"#,
                escape(value),
                if chosen { " selected" } else { "" },
                escape(label)
            );
        };
        let _ = write!(
            out,
            r#"<form class="filter" method="get" action="{}"><label for="country">Country</label><select id="country" name="country">"#,
            routes::ANALYTICS
        );
        option(&mut out, "", "All countries", selected.is_none());
        for stats in &summary.countries {
            let country = stats.country.as_str();
            option(&mut out, country, country, selected == Some(country));
        }
        out.push_str(
        r#"</select><button type="submit" class="secondary">Show</button></form><div class="charts" id="charts" data-testid="charts" aria-live="polite">"#,
    );
        out.push_str(&analytics_charts(summary, selected));
        out.push_str("</div>");
        out
    }
}
