//! The distilled model in the browser: fetched once after hydration, then run
//! locally at every keystroke with no further requests. The page calls its
//! answer the quick guess; in code it is the distilled model throughout, the
//! name the bundle and its address give it.

use std::sync::Arc;

use leptos::prelude::*;
use vinovoyant_model::DistilledModel;

/// Where the distilled model stands in this page.
#[derive(Debug, Clone)]
pub enum DistilledState {
    /// Not fetched yet (always the case while the server renders).
    Loading,
    /// Fetched and parsed.
    Ready(Arc<DistilledModel>),
    /// The fetch or the parse failed; the message says why.
    Failed(String),
}

/// A signal with the distilled model of bundle `version`, fetched once the page
/// has hydrated. On the server it stays [`DistilledState::Loading`].
pub fn use_distilled_model(version: &str) -> ReadSignal<DistilledState> {
    let (model, set_model) = signal(DistilledState::Loading);
    #[cfg(feature = "hydrate")]
    {
        let url = crate::routes::distilled_model(version);
        Effect::new(move |_| {
            let url = url.clone();
            leptos::task::spawn_local(async move {
                set_model.set(match fetch_model(&url).await {
                    Ok(parsed) => DistilledState::Ready(Arc::new(parsed)),
                    Err(reason) => DistilledState::Failed(reason),
                });
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (version, set_model);
    model
}
/// Fetches and parses the distilled model at `url`.
#[cfg(feature = "hydrate")]
async fn fetch_model(url: &str) -> Result<DistilledModel, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let describe = |error: wasm_bindgen::JsValue| {
        error
            .as_string()
            .or_else(|| {
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|error| String::from(error.message()))
            })
            .unwrap_or_else(|| "the request failed".to_string())
    };
    let window = web_sys::window().ok_or("no browser window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(describe)?)
        .await
        .map_err(describe)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    DistilledModel::from_bytes(&bytes).map_err(|error| error.to_string())
}
