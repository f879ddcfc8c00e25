//! `/model`: the model card of the bundle served, drawn on the server from its
//! manifest: in plain words first, then the scores, the charts and the facts.
//! Like the analytics page it arrives as markup and needs no WASM.

#[cfg(feature = "ssr")]
mod card;
#[cfg(feature = "ssr")]
mod charts;
#[cfg(feature = "ssr")]
mod plain_words;
#[cfg(feature = "ssr")]
mod variety;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use card::model_card;
#[cfg(feature = "ssr")]
pub use charts::MODEL_CHART_IDS;

/// `/model`: the model card of the bundle served, drawn on the server.
#[component]
pub fn ModelPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let card = use_context::<vinovoyant_inference::ModelHandle>()
        .map(|model| card::model_card(model.current().manifest()))
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

/// A share as a percentage with one decimal, e.g. `"87.3%"`: the card's figures
/// are measured to that precision, unlike the predict page's whole percentages.
#[cfg(feature = "ssr")]
fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}
