//! The pages, one module each, and the page for unknown addresses.

pub mod analytics;
pub mod batch;
pub mod model_card;
pub mod predict;

use leptos::prelude::*;

use crate::routes;

/// Any address with no page.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="intro">
            <h1>"Page not found"</h1>
            <p class="lede">
                "There is nothing at this address. " <a href=routes::PREDICT>"Go to the predict page"</a> "."
            </p>
        </section>
    }
}
