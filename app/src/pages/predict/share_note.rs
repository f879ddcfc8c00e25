//! The share line of the predict page: a link to the note and a copy button.

use leptos::prelude::*;

use crate::share::{NotShareable, share_path};

/// What the share line says after the copy button was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser copies
enum Copied {
    Not,
    Done,
    Failed,
}

/// "Link to this note" and a copy button, for the note as it stands now.
///
/// The link is a plain anchor, so it works without JavaScript (after the form was
/// sent, the server renders it for the note it answered); the copy button needs
/// the browser bundle and writes the link's absolute address to the clipboard.
#[component]
pub fn ShareNote(text: Signal<String>) -> impl IntoView {
    let link = Memo::new(move |_| text.with(|text| share_path(text)));
    let copied = RwSignal::new(Copied::Not);
    Effect::new(move |_| {
        link.track();
        copied.set(Copied::Not);
    });
    let copy = move |_| {
        if let Ok(path) = link.get_untracked() {
            copy_to_clipboard(path, copied);
        }
    };
    let copied_text = move || match copied.get() {
        Copied::Not => "",
        Copied::Done => "Link copied.",
        Copied::Failed => "Couldn't copy: use the link instead (long-press or right-click it).",
    };
    view! {
        <div class="share" data-testid="share">
            {move || match link.get() {
                Ok(path) => {
                    view! {
                        <a href=path data-testid="share-link" class="share-link">
                            "Link to this note"
                        </a>
                        <button
                            type="button"
                            class="chip needs-js"
                            data-testid="copy-link"
                            on:click=copy
                        >
                            "Copy link"
                        </button>
                    }
                        .into_any()
                }
                Err(NotShareable::Empty) => ().into_any(),
                Err(NotShareable::TooLong { bytes, max }) => {
                    view! {
                        <p class="field-hint" data-testid="share-too-long">
                            {format!(
                                "This note is too long to share by link ({bytes} bytes once encoded; links hold {max}). Copy the note itself instead.",
                            )}
                        </p>
                    }
                        .into_any()
                }
            }} <span class="share-status" role="status" data-testid="share-status">
                {copied_text}
            </span>
        </div>
    }
}

/// Writes the absolute address of `path` to the clipboard and says how it went.
fn copy_to_clipboard(path: String, copied: RwSignal<Copied>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let outcome = async {
            let window = web_sys::window()?;
            let origin = window.location().origin().ok()?;
            let promise = window
                .navigator()
                .clipboard()
                .write_text(&format!("{origin}{path}"));
            wasm_bindgen_futures::JsFuture::from(promise).await.ok()
        };
        let state = if outcome.await.is_some() {
            Copied::Done
        } else {
            Copied::Failed
        };
        copied.set(state);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (path, copied);
}
