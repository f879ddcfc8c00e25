//! The browser entry point: once the WASM bundle loads, the generated JS glue calls
//! [`hydrate`], which takes over the page the server rendered.
//!
//! Everything here is compiled for `wasm32` only, so host builds of the workspace
//! never pull the `hydrate` feature into the server's copy of `app`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::wasm_bindgen;

/// Hydrates the server-rendered `<body>` with [`app::App`].
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
