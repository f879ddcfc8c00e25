//! The VinoVoyant web app.
//!
//! One crate, compiled twice: with the `ssr` feature it renders pages on the server
//! and runs the server functions against the full model; with `hydrate` it becomes
//! the browser bundle that takes over the server-rendered page, loads the distilled
//! model once and guesses locally at every keystroke.
//!
//! * [`shell`] is the HTML document the server renders around [`App`];
//! * [`Page`] lists the pages, [`routes`] every address the app and the server share;
//! * [`api`] holds the server functions and the types they exchange;
//! * [`pages`] holds one module per page, [`components`] the pieces they share;
//! * [`distilled`] fetches the distilled model in the browser (its answers are
//!   what the page calls the quick guess);
//! * [`share`] makes and reads the links that share a note (`/?note=…`);
//! * `server` (feature `ssr` only) holds the server's state the pages read: the
//!   model, the data set's aggregates, the way to the full model.
//!
//! Each page is its own document: the server renders the page at the request's
//! path, and only the predict page loads the WASM bundle and hydrates (the other
//! pages are server-drawn and need none). There is deliberately no client-side
//! router: full page loads navigate as well here, for no WASM.

// Leptos view types nest deeply; hydrating them needs a deeper query limit.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod distilled;
pub mod examples;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;
pub mod share;

use leptos::prelude::*;

use crate::pages::NotFound;
#[cfg(feature = "ssr")]
use crate::pages::analytics::AnalyticsPage;
#[cfg(feature = "ssr")]
use crate::pages::batch::BatchPage;
#[cfg(feature = "ssr")]
use crate::pages::model_card::ModelPage;
use crate::pages::predict::PredictPage;

/// A page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/`: the tasting-note form and both models' answers.
    Predict,
    /// `/analytics`: charts over the reviews, with a country filter.
    Analytics,
    /// `/model`: the model card.
    Model,
    /// `/batch`: a whole list of notes from a file, answered in a table.
    Batch,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: &[Page] = &[Page::Predict, Page::Batch, Page::Analytics, Page::Model];

    /// The page's address.
    pub fn path(self) -> &'static str {
        match self {
            Self::Predict => routes::PREDICT,
            Self::Analytics => routes::ANALYTICS,
            Self::Model => routes::MODEL_CARD,
            Self::Batch => routes::BATCH,
        }
    }

    /// The page's name in the navigation.
    pub fn label(self) -> &'static str {
        match self {
            Self::Predict => "Predict",
            Self::Analytics => "Analytics",
            Self::Model => "Model card",
            Self::Batch => "Batch",
        }
    }

    /// The page's title, before the site's name.
    pub fn title(self) -> &'static str {
        match self {
            Self::Predict => "Where is this wine from?",
            Self::Analytics => "Wine reviews in charts",
            Self::Model => "Model card",
            Self::Batch => "Place a whole list of wines",
        }
    }

    /// The page at `path`, if there is one.
    pub fn at(path: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|page| page.path() == path)
    }
}

/// The path of the page being rendered: the request's on the server, the
/// document's in the browser (the same one, since each page is its own document).
fn current_path() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| parts.uri.path().to_string())
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|window| window.location().pathname().ok())
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

/// The HTML document around the app: the `<head>` and the `<body>` with [`App`].
///
/// The server renders it for every page; only the body is hydrated, so the head is
/// plain HTML written here (no client-side code): the page's title, the styles
/// (from the content-named asset folder `options.site_pkg_dir`), the icon and the
/// page's script: on the predict page the hydration scripts (which find the bundle
/// through `options`) and a preload of the distilled model the browser will fetch,
/// on the analytics page the filter's small script, on the batch page the upload's.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let page = Page::at(&current_path());
    let title = format!(
        "{} · VinoVoyant",
        page.map_or("Page not found", Page::title)
    );
    let distilled_model = (page == Some(Page::Predict))
        .then(api::current_page_state)
        .flatten()
        .map(|state| {
            view! {
                <link
                    rel="preload"
                    href=routes::distilled_model(&state.model_version)
                    r#as="fetch"
                    type="application/octet-stream"
                    crossorigin="anonymous"
                />
            }
        });
    // Only the predict page runs the WASM bundle; the analytics page needs one
    // small script for its filter, the batch page one for its upload, and the
    // other pages none.
    let assets = format!("/{}", options.site_pkg_dir);
    let scripts = match page {
        Some(Page::Predict) => view! { <HydrationScripts options /> }.into_any(),
        Some(Page::Analytics) => {
            view! { <script type="module" src=format!("{assets}/analytics.js")></script> }
                .into_any()
        }
        Some(Page::Batch) => {
            view! { <script type="module" src=format!("{assets}/batch.js")></script> }.into_any()
        }
        _ => ().into_any(),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta
                    name="viewport"
                    content="width=device-width, initial-scale=1, interactive-widget=resizes-content"
                />
                <title>{title}</title>
                <meta
                    name="description"
                    content="Paste a wine's tasting note and VinoVoyant guesses the country and province it comes from."
                />
                <meta name="theme-color" content="#5b1a2e" />
                <link rel="stylesheet" href=format!("{assets}/vinovoyant.css") />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                {distilled_model}
                <noscript>
                    <link rel="stylesheet" href=format!("{assets}/noscript.css") />
                </noscript>
                {scripts}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The site: the header with its navigation, the page at the current path (or the
/// 404 page), and the footer.
#[component]
pub fn App() -> impl IntoView {
    let page = Page::at(&current_path());
    let nav = Page::ALL
        .iter()
        .map(|&entry| {
            let current = (Some(entry) == page).then_some("page");
            view! {
                <li>
                    <a href=entry.path() aria-current=current>
                        {entry.label()}
                    </a>
                </li>
            }
        })
        .collect_view();
    let content = match page {
        Some(Page::Predict) => view! { <PredictPage /> }.into_any(),
        // The other pages are drawn on the server and load no WASM, so the
        // browser bundle leaves them out.
        #[cfg(feature = "ssr")]
        Some(Page::Analytics) => view! { <AnalyticsPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        Some(Page::Model) => view! { <ModelPage /> }.into_any(),
        #[cfg(feature = "ssr")]
        Some(Page::Batch) => view! { <BatchPage /> }.into_any(),
        #[cfg(not(feature = "ssr"))]
        Some(_) => ().into_any(),
        None => view! { <NotFound /> }.into_any(),
    };
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <header class="site-header">
            <a class="brand" href=routes::PREDICT>
                <span class="brand-mark" aria-hidden="true"></span>
                "VinoVoyant"
            </a>
            <nav aria-label="Main">
                <ul class="nav-links">{nav}</ul>
            </nav>
        </header>
        <main id="main" class="site-main">
            {content}
        </main>
        <footer class="site-footer">
            <p>
                "Guesses come from models trained on published tasting notes. "
                "They read words, not wine: treat them as a hint, not a certificate."
            </p>
            <p>
                <a href=routes::API_DOCS>"JSON API for programs"</a>
            </p>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_found_at_its_own_path() {
        for &page in Page::ALL {
            assert_eq!(Page::at(page.path()), Some(page));
        }
        assert_eq!(Page::at("/nowhere"), None);
        assert_eq!(Page::at(""), None);
    }
}
