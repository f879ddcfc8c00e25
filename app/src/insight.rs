//! The analytics page and the model card: charts drawn on the server.
//!
//! The charts, and the analytics page's filter form, are markup that the server
//! renders (with `vinovoyant_analytics::render`, compiled into the server only)
//! and places in the page with `inner_html`. Hydration leaves markup placed that
//! way untouched, so the browser side of these pages is tiny, which keeps the
//! shared WASM bundle within its budget: no chart code, no page state to
//! deserialise, just two event listeners that fetch `GET /analytics/charts` for
//! the chosen country and swap the answer in without a page load. Tooltips are
//! the charts' own SVG `<title>`s. With JavaScript off, the filter is a plain GET
//! form that the server answers with the whole page.

use leptos::prelude::*;

/// Where the aggregates of the configured data set stand, shared between the
/// server's loader (which updates it) and the pages (which read it).
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct DatasetFeed(std::sync::Arc<std::sync::RwLock<FeedState>>);

/// The state of a [`DatasetFeed`].
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub enum FeedState {
    /// No data set is configured: the model bundle's aggregates serve.
    #[default]
    Bundled,
    /// The data set at `source` is being read and aggregated.
    Loading {
        /// Where the data comes from, as shown on the page.
        source: String,
    },
    /// The data set's aggregates, ready.
    Ready {
        /// Where the data came from, as shown on the page.
        source: String,
        /// The aggregates.
        summary: std::sync::Arc<vinovoyant_analytics::DatasetSummary>,
    },
    /// The data set could not be read or aggregated.
    Failed {
        /// Where the data should have come from.
        source: String,
        /// Why it could not be used.
        reason: String,
    },
}

#[cfg(feature = "ssr")]
impl DatasetFeed {
    /// The current state.
    pub fn state(&self) -> FeedState {
        match self.0.read() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the state.
    pub fn set(&self, state: FeedState) {
        match self.0.write() {
            Ok(mut current) => *current = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }
}

/// The aggregates the page draws, with where they came from.
#[cfg(feature = "ssr")]
struct Aggregates {
    summary: Option<std::sync::Arc<vinovoyant_analytics::DatasetSummary>>,
    source: String,
    notice: Option<String>,
}

/// The bundle's aggregates (`analytics.json`, which the model runtime hands on as
/// bytes), parsed once per bundle version rather than on every request: the file
/// is some 50 KB. A file that does not parse counts as absent.
#[cfg(feature = "ssr")]
fn bundled_summary(
    bundle: &vinovoyant_inference::Bundle,
) -> Option<std::sync::Arc<vinovoyant_analytics::DatasetSummary>> {
    use std::sync::{Arc, Mutex, PoisonError};
    type Parsed = Option<(String, Option<Arc<vinovoyant_analytics::DatasetSummary>>)>;
    static PARSED: Mutex<Parsed> = Mutex::new(None);
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((version, summary)) = parsed.as_ref()
        && version == bundle.version()
    {
        return summary.clone();
    }
    let summary = bundle
        .extra_file(vinovoyant_model::bundle::ANALYTICS_FILE)
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .map(Arc::new);
    *parsed = Some((bundle.version().to_string(), summary.clone()));
    summary
}

/// The aggregates to draw: the configured data set's when ready, else the
/// model bundle's, with a notice saying why.
#[cfg(feature = "ssr")]
fn aggregates(
    model: Option<&vinovoyant_inference::ModelHandle>,
    feed: Option<&DatasetFeed>,
) -> Aggregates {
    let bundled = || {
        model.map(|model| {
            let bundle = model.current();
            (
                bundled_summary(&bundle),
                format!("bundled aggregates (model version {})", bundle.version()),
            )
        })
    };
    let (notice, fallback) = match feed.map_or(FeedState::Bundled, DatasetFeed::state) {
        FeedState::Ready { source, summary } => {
            return Aggregates {
                summary: Some(summary),
                source,
                notice: None,
            };
        }
        FeedState::Bundled => (None, bundled()),
        FeedState::Loading { source } => (
            Some(format!(
                "The data set ({source}) is still being read and aggregated; until it is ready, the aggregates shipped with the model serve."
            )),
            bundled(),
        ),
        FeedState::Failed { source, reason } => (
            Some(format!(
                "The data set ({source}) could not be used: {reason}. The aggregates shipped with the model serve instead."
            )),
            bundled(),
        ),
    };
    let (summary, source) = fallback.unwrap_or((None, "no model loaded".to_string()));
    let notice = match (&summary, notice) {
        (None, _) => Some(
            "There are no aggregates to draw: the model bundle has none and no data set is configured (--data)."
                .to_string(),
        ),
        (Some(_), notice) => notice,
    };
    Aggregates {
        summary,
        source,
        notice,
    }
}

/// The charts for `country` (all countries when `None` or unknown), as the
/// server's `GET /analytics/charts` answers them to the filter.
#[cfg(feature = "ssr")]
pub fn charts_markup(
    model: &vinovoyant_inference::ModelHandle,
    feed: &DatasetFeed,
    country: Option<&str>,
) -> String {
    aggregates(Some(model), Some(feed))
        .summary
        .map(|summary| vinovoyant_analytics::render::analytics_charts(&summary, country))
        .unwrap_or_default()
}

/// Everything of the analytics page below its heading, for the request being
/// rendered (its `country` query parameter picks the filter's country): the data
/// source, any notice, the filter form and the charts.
#[cfg(feature = "ssr")]
fn analytics_markup() -> String {
    use std::fmt::Write as _;
    use vinovoyant_analytics::render::{analytics_charts, svg::escape};

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
    out.push_str(
        r#"<form class="filter" method="get" action="/analytics"><label for="country">Country</label><select id="country" name="country">"#,
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

/// `/analytics`: charts over the reviews, with a country filter.
///
/// The filter's form and the charts arrive as server-rendered markup. The page
/// loads no WASM: a small script (`frontend/js/analytics.js`) fetches the charts
/// for the chosen country and swaps them in; without it the form is a plain GET.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let markup = analytics_markup();
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

/// `/model`: the model card of the bundle served, drawn on the server.
#[component]
pub fn ModelPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let card = use_context::<vinovoyant_inference::ModelHandle>()
        .map(|model| vinovoyant_analytics::render::model_card(model.current().manifest()))
        .unwrap_or_else(|| {
            r#"<p class="notice error" role="alert">No model is loaded.</p>"#.to_string()
        });
    #[cfg(not(feature = "ssr"))]
    let card = String::new();
    view! {
        <section class="intro">
            <h1>"Model card"</h1>
            <p class="lede">
                "How well the models behind the predict page do, measured on reviews they never saw in training."
            </p>
        </section>
        <div class="model-card" data-testid="model-card" inner_html=card></div>
    }
}
