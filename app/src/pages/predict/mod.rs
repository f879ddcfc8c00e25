//! `/`: the predict page. The tasting-note form, the quick guess of the
//! distilled model in the browser, and the full model's answer from the server.
//!
//! [`state`] holds the page's state and timing rules as plain Rust; the
//! components here keep it in one signal, start the timers and requests it asks
//! for, and draw it.

mod distilled_panel;
mod reading;
mod server_panel;
mod share_note;
mod similar;
pub mod state;

use leptos::ev::{KeyboardEvent, MouseEvent, SubmitEvent};
use leptos::prelude::*;
use vinovoyant_model::MAX_DESCRIPTION_CHARS;

use self::distilled_panel::{DistilledBar, DistilledPanel};
use self::reading::{DistilledGuess, DistilledReading};
use self::server_panel::{AnswerContext, ServerPanel};
use self::share_note::ShareNote;
use self::similar::SimilarSection;
use self::state::{Ask, PAUSE_BEFORE_ASKING, PAUSE_ENDS_WORD, PredictState, unsure_note};
use crate::api::{PageState, ServerAnswer, current_page_state};
use crate::distilled::use_distilled_model;
use crate::examples::EXAMPLES;
use crate::routes;

pub use self::server_panel::Comparison;

/// `/`: the tasting-note form with the quick guess and the full model's answer.
///
/// Without JavaScript the form posts to `/` and the server renders this page again
/// with the full model's answer for the note it received (a [`Submission`](crate::api::Submission)
/// in context).
#[component]
pub fn PredictPage() -> impl IntoView {
    let state = SharedValue::new(current_page_state).into_inner();
    view! {
        {match state {
            Some(state) => view! { <Predictor state /> }.into_any(),
            None => {
                view! {
                    <p class="notice error" role="alert">
                        "The page could not be prepared: no model is loaded. Try again in a moment."
                    </p>
                }
                    .into_any()
            }
        }}
    }
}

/// The text a `<textarea>` starts with, as its child node.
///
/// Leptos writes the children of `<textarea>` (like those of `<script>` and
/// `<style>`) into the server's HTML unescaped, so a note holding `</textarea>`
/// would close the element and put the rest of the note live into the page. On the
/// server the text is escaped here; in the browser the child is a DOM text node,
/// which needs no escaping, and hydration finds the same decoded text.
fn textarea_content(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        vinovoyant_analytics::render::svg::escape(text)
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

/// The form and both models' answers, once the page state is known: the page's
/// one [`PredictState`] signal, the values drawn from it, and the timer that asks
/// the full model about an unsure quick guess after a pause.
#[component]
fn Predictor(state: PageState) -> impl IntoView {
    let PageState {
        model_version,
        submission,
    } = state;
    let initial_text = submission
        .as_ref()
        .map(|submission| submission.description.clone())
        .unwrap_or_default();
    let page = RwSignal::new(PredictState::new(submission));
    let text = Memo::new(move |_| page.with(|page| page.text.clone()));
    let settled = Memo::new(move |_| page.with(|page| page.settled));
    let model = use_distilled_model(&model_version);
    let reading = Memo::new(move |_| {
        let settled = settled.get();
        model.with(|model| text.with(|text| DistilledReading::read(model, text, settled)))
    });
    let guess = Memo::new(move |_| match reading.get() {
        DistilledReading::Guess(guess) => Some(guess),
        _ => None,
    });
    let outcome = Memo::new(move |_| page.with(|page| page.outcome.clone()));
    let answer = Memo::new(move |_| outcome.get().and_then(Result::ok));
    let pending = Memo::new(move |_| page.with(|page| page.pending));

    // An unsure quick guess is checked by the full model once typing pauses.
    Effect::new(move |_| {
        let Some(note) = guess.with(|guess| guess.as_ref().and_then(unsure_note)) else {
            return;
        };
        let since = page.with_untracked(PredictState::keystroke);
        set_timeout(
            move || {
                send(
                    page,
                    page.try_update(|page| page.pause_ended(&note, since))
                        .flatten(),
                )
            },
            PAUSE_BEFORE_ASKING,
        );
    });

    let palette = palette(guess, answer);
    let distilled_countries = Signal::derive(move || {
        guess.with(|guess| {
            guess
                .as_ref()
                .map(|guess| guess.countries.clone())
                .unwrap_or_default()
        })
    });

    view! {
        <section class="intro">
            <h1>"Where is this wine from?"</h1>
            <p class="lede">
                "Paste or type a tasting note. A small model in your browser guesses as you type; "
                "the full model on the server gives the considered answer."
            </p>
        </section>
        <div class="workspace">
            <NoteForm page text reading pending initial_text />
            <div class="results">
                <DistilledPanel reading guess palette version=model_version />
                <ServerPanel
                    outcome
                    answer
                    context=AnswerContext {
                        distilled: distilled_countries,
                        text: Signal::from(text),
                        palette,
                        pending,
                    }
                />
                <SimilarSection answer />
            </div>
        </div>
    }
    .into_any()
}

/// The countries in the order they take the page's colours: the quick guess's,
/// then the full model's that it lacks, so a country keeps its colour in both panels.
fn palette(
    guess: Memo<Option<DistilledGuess>>,
    answer: Memo<Option<ServerAnswer>>,
) -> Memo<Vec<String>> {
    Memo::new(move |_| {
        let mut labels: Vec<String> = guess.with(|guess| {
            guess
                .iter()
                .flat_map(|guess| guess.countries.iter().map(|c| c.label.clone()))
                .collect()
        });
        answer.with(|answer| {
            for country in answer.iter().flat_map(|answer| &answer.countries) {
                if !labels.contains(&country.label) {
                    labels.push(country.label.clone());
                }
            }
        });
        labels
    })
}

/// Sends `ask` to the full model, if there is one, and takes its answer into
/// `page` unless a newer request went out meanwhile. Only the browser sends.
fn send(page: RwSignal<PredictState>, ask: Option<Ask>) {
    let Some(ask) = ask else {
        return;
    };
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let outcome = crate::api::predict_origin(ask.note).await;
        let refused = matches!(outcome, Err(crate::api::PredictFailure::Input(_)));
        let taken = page
            .try_update(|page| page.answered(ask.ticket, outcome))
            .unwrap_or(false);
        if taken && !refused {
            bring_answer_into_view();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (page, ask);
}

/// The note was edited: records it, and settles its last word after a pause.
fn typed(page: RwSignal<PredictState>, value: String) {
    let Some(keystroke) = page.try_update(|page| page.typed(value)) else {
        return;
    };
    set_timeout(
        move || page.update(|page| page.word_pause(keystroke)),
        PAUSE_ENDS_WORD,
    );
}

/// The tasting-note form: the note box, the quick guess's bar, the count, the
/// button, the notice, the share line and the examples.
#[component]
fn NoteForm(
    page: RwSignal<PredictState>,
    text: Memo<String>,
    reading: Memo<DistilledReading>,
    pending: Memo<bool>,
    /// The note the server rendered the page with, written into the note box.
    initial_text: String,
) -> impl IntoView {
    let ask = move || send(page, page.try_update(PredictState::ask).flatten());
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        ask();
    };
    let on_keydown = move |event: KeyboardEvent| {
        if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
            event.prevent_default();
            ask();
        }
    };
    let notice = Memo::new(move |_| page.with(|page| page.notice.clone()));
    let chars = move || text.with(|text| text.chars().count());
    let action = format!("{}#{ANSWER_ID}", routes::PREDICT);
    view! {
        <form class="note-form" method="post" action=action on:submit=on_submit>
            <label for="description" class="field-label">
                "Tasting note"
            </label>
            <p id="description-hint" class="field-hint">
                "Aromas, flavours, structure, finish: up to "
                {MAX_DESCRIPTION_CHARS}
                " characters. "
                <span class="needs-js keyboard-hint">
                    <kbd>"Ctrl"</kbd>
                    " + "
                    <kbd>"Enter"</kbd>
                    " asks the full model."
                </span>
            </p>
            <textarea
                id="description"
                name="description"
                data-testid="description"
                rows="8"
                spellcheck="true"
                placeholder="Black cherry, violets and firm tannins…"
                aria-describedby="description-hint description-count description-notice"
                aria-invalid=move || if notice.with(Option::is_some) { "true" } else { "false" }
                prop:value=move || text.get()
                on:input=move |event| typed(page, event_target_value(&event))
                on:keydown=on_keydown
            >
                {textarea_content(&initial_text)}
            </textarea>
            <DistilledBar reading />
            <div class="form-row">
                <p
                    id="description-count"
                    class="count"
                    class:over=move || { chars() > MAX_DESCRIPTION_CHARS }
                >
                    {chars}
                    " / "
                    {MAX_DESCRIPTION_CHARS}
                    <span class="visually-hidden">" characters"</span>
                </p>
                <button
                    type="submit"
                    class="primary"
                    data-testid="predict"
                    aria-busy=move || if pending.get() { "true" } else { "false" }
                >
                    {move || if pending.get() { "Predicting…" } else { "Predict origin" }}
                </button>
            </div>
            <p id="description-notice" class="notice error" role="alert">
                {move || notice.get().map(|problem| problem.message())}
            </p>
            <ShareNote text=Signal::from(text) />
            <ExampleChips page />
        </form>
    }
}

/// The example notes, as buttons that put their note in the box (and, without
/// JavaScript, submit it: the server reads the button's index).
#[component]
fn ExampleChips(page: RwSignal<PredictState>) -> impl IntoView {
    view! {
        <fieldset class="examples">
            <legend>"Or try an example"</legend>
            <ul>
                {EXAMPLES
                    .iter()
                    .enumerate()
                    .map(|(index, example)| {
                        let fill = move |event: MouseEvent| {
                            event.prevent_default();
                            page.update(|page| page.example(example.text));
                        };
                        view! {
                            <li>
                                <button
                                    type="submit"
                                    class="chip"
                                    name="example"
                                    value=index.to_string()
                                    title=example.text
                                    on:click=fill
                                >
                                    {example.title}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </fieldset>
    }
}

/// The id of the full model's panel: the no-JavaScript form's answer page opens
/// scrolled to it (`action="/#answer"`), and the page scrolls to it when an answer
/// arrives, so on a phone the answer is on screen after **Predict origin**.
pub const ANSWER_ID: &str = "answer";

/// Scrolls the full model's panel into view.
#[cfg(feature = "hydrate")]
fn bring_answer_into_view() {
    if let Some(panel) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(ANSWER_ID))
    {
        panel.scroll_into_view();
    }
}
