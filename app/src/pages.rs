//! The pages: the predict page, and the page for unknown addresses.

use std::time::Duration;

use leptos::ev::{KeyboardEvent, MouseEvent, SubmitEvent};
use leptos::prelude::*;
use vinovoyant_model::{
    Certainty, InputError, LabelScore, MAX_DESCRIPTION_CHARS, TokenContribution, complete_words,
    validate_description,
};

use crate::answer::{ServerPanel, certainty_of, certainty_words};
use crate::api::{InputProblem, PageState, PredictFailure, PredictOrigin, current_page_state};
use crate::components::{
    ConfidenceGauge, HighlightedNote, ProbabilityBars, SHOWN_COUNTRIES, highlight_segments,
};
use crate::examples::EXAMPLES;
use crate::quick_model::{QuickModel, use_quick_model};
use crate::share::ShareNote;

/// Below this probability of its top country the quick guess counts as unsure,
/// and a pause in typing asks the full model by itself.
pub const UNSURE_BELOW: f32 = 0.6;

/// How long typing must pause before an unsure quick guess is checked by the full model.
pub const PAUSE_BEFORE_ASKING: Duration = Duration::from_millis(600);

/// How long typing must pause before the word being typed counts as finished, so
/// the quick guess reads it too (until then it reads up to the last finished word).
pub const PAUSE_ENDS_WORD: Duration = Duration::from_millis(600);

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

/// What the quick guess shows for the text as it stands.
#[derive(Debug, Clone, PartialEq)]
enum Instant {
    /// The distilled model is on its way.
    Loading,
    /// The distilled model could not be loaded.
    Failed(String),
    /// Nothing typed yet.
    Waiting,
    /// The text cannot be read.
    Problem(InputProblem),
    /// A guess.
    Guess(Guess),
}

/// The distilled model's guess for one text.
#[derive(Debug, Clone, PartialEq)]
struct Guess {
    text: String,
    countries: Vec<LabelScore>,
    explanation: Vec<TokenContribution>,
}

impl Instant {
    /// Reads `text` with the quick model: all of it when typing has `settled` (a
    /// pause), else up to its last finished word, so a half-typed word never swings
    /// the guess. A note over the limit is refused whole.
    fn read(model: &QuickModel, text: &str, settled: bool) -> Self {
        let model = match model {
            QuickModel::Loading => return Self::Loading,
            QuickModel::Failed(reason) => return Self::Failed(reason.clone()),
            QuickModel::Ready(model) => model,
        };
        if let Err(problem @ InputError::TooLong { .. }) = validate_description(text) {
            return Self::Problem(InputProblem::from(&problem));
        }
        let text = if settled { text } else { complete_words(text) };
        match model.predict(text) {
            Ok(prediction) => Self::Guess(Guess {
                text: text.to_string(),
                countries: prediction
                    .countries
                    .into_iter()
                    .take(SHOWN_COUNTRIES)
                    .collect(),
                explanation: prediction.explanation,
            }),
            Err(InputError::Empty) => Self::Waiting,
            Err(problem) => Self::Problem(InputProblem::from(&problem)),
        }
    }

    /// The one-line status read out to screen readers: it changes only when the
    /// top country or the kind of problem changes, not at every keystroke.
    fn status(&self) -> String {
        match self {
            Self::Loading => "Loading the quick model…".to_string(),
            Self::Failed(reason) => format!(
                "The quick model couldn't be loaded ({reason}). Predict origin still asks the full model."
            ),
            Self::Waiting => "Start typing and a guess appears here.".to_string(),
            Self::Problem(InputProblem::TooLong { max, .. }) => {
                format!("This note is over {max} characters; shorten it for a guess.")
            }
            Self::Problem(InputProblem::NotATastingNote { .. }) => {
                "Not enough to go on yet: name what you smell and taste, the grape or the place."
                    .to_string()
            }
            Self::Problem(problem) => problem.message(),
            Self::Guess(guess) => match guess.countries.first() {
                Some(top) => format!("Quick guess: {}.", top.label),
                None => "The quick model knows no countries.".to_string(),
            },
        }
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

/// The form and both models' answers, once the page state is known.
#[component]
fn Predictor(state: PageState) -> impl IntoView {
    let PageState {
        model_version,
        submission,
    } = state;
    let (initial_text, initial_outcome) = match submission {
        Some(submission) => (submission.description, Some(submission.outcome)),
        None => (String::new(), None),
    };
    let initial_notice = match &initial_outcome {
        Some(Err(PredictFailure::Input(problem))) => Some(problem.clone()),
        _ => None,
    };

    let text = RwSignal::new(initial_text.clone());
    let quick = use_quick_model(&model_version);
    // false while a word may be half typed; a pause in typing sets it
    let settled = RwSignal::new(true);
    let typing = StoredValue::new(None::<TimeoutHandle>);
    let typed = move |value: String| {
        text.set(value);
        settled.set(false);
        if let Some(handle) = typing.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || settled.set(true), PAUSE_ENDS_WORD);
        typing.set_value(handle.ok());
    };
    let instant = Memo::new(move |_| {
        let settled = settled.get();
        quick.with(|model| text.with(|text| Instant::read(model, text, settled)))
    });
    let guess = Memo::new(move |_| match instant.get() {
        Instant::Guess(guess) => Some(guess),
        _ => None,
    });

    let action = ServerAction::<PredictOrigin>::new();
    let outcome = Memo::new(move |_| action.value().get().or_else(|| initial_outcome.clone()));
    let answer = Memo::new(move |_| outcome.get().and_then(Result::ok));
    let notice = RwSignal::new(initial_notice);
    let asked = StoredValue::new((!initial_text.is_empty()).then(|| initial_text.clone()));

    Effect::new(move |_| match action.value().get() {
        Some(Err(PredictFailure::Input(problem))) => notice.set(Some(problem)),
        Some(_) => bring_answer_into_view(),
        None => {}
    });

    let ask = move || {
        let note = text.get_untracked();
        match validate_description(&note) {
            Ok(()) => {
                notice.set(None);
                asked.set_value(Some(note.clone()));
                action.dispatch(PredictOrigin { description: note });
            }
            Err(problem) => notice.set(Some(InputProblem::from(&problem))),
        }
    };

    let pause = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        if let Some(handle) = pause.get_value() {
            handle.clear();
        }
        let unsure_note = guess.with(|guess| {
            guess.as_ref().and_then(|guess| {
                let confidence = guess.countries.first().map_or(0.0, |top| top.probability);
                (confidence < UNSURE_BELOW).then(|| guess.text.clone())
            })
        });
        let Some(note) = unsure_note else {
            pause.set_value(None);
            return;
        };
        let handle = set_timeout_with_handle(
            move || {
                let unchanged = text.with_untracked(|text| *text == note);
                let answered = asked.with_value(|asked| asked.as_deref() == Some(note.as_str()));
                if unchanged && !answered {
                    ask();
                }
            },
            PAUSE_BEFORE_ASKING,
        );
        pause.set_value(handle.ok());
    });

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
    let chars = move || text.with(|text| text.chars().count());
    let pending = action.pending();
    let palette = Memo::new(move |_| {
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
    });

    let quick_countries = Signal::derive(move || {
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
            <form class="note-form" method="post" action="/#answer" on:submit=on_submit>
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
                    on:input=move |event| {
                        typed(event_target_value(&event));
                        notice.set(None);
                    }
                    on:keydown=on_keydown
                >
                    {textarea_content(&initial_text)}
                </textarea>
                <QuickBar instant />
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
                <ShareNote text />
                <fieldset class="examples">
                    <legend>"Or try an example"</legend>
                    <ul>
                        {EXAMPLES
                            .iter()
                            .enumerate()
                            .map(|(index, example)| {
                                let fill = move |event: MouseEvent| {
                                    event.prevent_default();
                                    text.set(example.text.to_string());
                                    settled.set(true);
                                    notice.set(None);
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
            </form>
            <div class="results">
                <InstantPanel instant guess palette version=model_version />
                <ServerPanel outcome answer quick=quick_countries text palette pending />
            </div>
        </div>
    }
    .into_any()
}

/// The id of the full model's panel: the no-JavaScript form's answer page opens
/// scrolled to it (`action="/#answer"`), and the page scrolls to it when an answer
/// arrives, so on a phone the answer is on screen after **Predict origin**.
pub const ANSWER_ID: &str = "answer";

/// Scrolls the full model's panel into view (in the browser; nothing on the server).
fn bring_answer_into_view() {
    #[cfg(feature = "hydrate")]
    if let Some(panel) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(ANSWER_ID))
    {
        panel.scroll_into_view();
    }
}

/// The quick guess in one line right under the note box, so that on a phone it
/// stays in sight above the keyboard while the person types; wide screens show the
/// quick guess's panel beside the form instead, and hide this bar.
#[component]
fn QuickBar(instant: Memo<Instant>) -> impl IntoView {
    let line = move || {
        instant.with(|instant| match instant {
            Instant::Guess(guess) => match guess.countries.first() {
                Some(top) => format!(
                    "{} · {}",
                    top.label,
                    certainty_words(Some(top), &guess.text)
                ),
                None => instant.status(),
            },
            other => other.status(),
        })
    };
    let slot = move || {
        instant.with(|instant| match instant {
            Instant::Guess(_) => "quick-bar-dot slot-0",
            _ => "quick-bar-dot",
        })
    };
    view! {
        <p class="quick-bar needs-js" data-testid="quick-bar">
            <span class=slot aria-hidden="true"></span>
            <span class="quick-bar-label">"Quick guess: "</span>
            <span data-testid="quick-bar-text">{line}</span>
        </p>
    }
}

/// The distilled model's guess, updated at every keystroke.
#[component]
fn InstantPanel(
    instant: Memo<Instant>,
    guess: Memo<Option<Guess>>,
    palette: Memo<Vec<String>>,
    version: String,
) -> impl IntoView {
    let countries = Signal::derive(move || {
        guess.with(|guess| {
            guess
                .as_ref()
                .map(|guess| guess.countries.clone())
                .unwrap_or_default()
        })
    });
    let confidence = Signal::derive(move || {
        countries.with(|countries| countries.first().map_or(0.0, |top| top.probability))
    });
    let top = move || countries.with(|countries| countries.first().map(|top| top.label.clone()));
    let certainty = move || {
        guess.with(|guess| {
            guess
                .as_ref()
                .map(|g| certainty_words(g.countries.first(), &g.text))
                .unwrap_or_default()
        })
    };
    let level = Signal::derive(move || {
        guess.with(|guess| {
            guess.as_ref().map_or(Certainty::Low, |g| {
                certainty_of(g.countries.first(), &g.text)
            })
        })
    });
    let segments = Signal::derive(move || {
        guess.with(|guess| {
            guess
                .as_ref()
                .map(|guess| highlight_segments(&guess.text, &guess.explanation, &guess.countries))
                .unwrap_or_default()
        })
    });
    let status = Memo::new(move |_| instant.with(Instant::status));
    let waiting_for_js = move || instant.with(|instant| matches!(instant, Instant::Loading));
    view! {
        <section class="panel instant" aria-labelledby="instant-title">
            <header class="panel-head">
                <h2 id="instant-title">"Quick guess"</h2>
                <span class="badge">"in your browser"</span>
            </header>
            <p
                class="panel-status"
                data-testid="instant-status"
                class:needs-js=waiting_for_js
                class:visually-hidden=move || guess.with(Option::is_some)
                aria-live="polite"
            >
                {status}
            </p>
            <p class="panel-status js-off-note">
                "The quick guess needs JavaScript. Predict origin works without it."
            </p>
            <Show when=move || guess.with(Option::is_some)>
                <div class="headline">
                    <ConfidenceGauge value=confidence certainty=level />
                    <div class="headline-text">
                        <p class="eyebrow">"Most likely"</p>
                        <p class="country" data-testid="instant-top">
                            {top}
                        </p>
                        <p class="certainty" data-testid="instant-certainty">
                            {certainty}
                        </p>
                    </div>
                </div>
                <ProbabilityBars ranking=countries palette />
                <h3 class="sub">"Words that point the way"</h3>
                <p class="note-view">
                    <HighlightedNote segments palette />
                </p>
            </Show>
            <p class="panel-foot">"Distilled model, version " <code>{version}</code></p>
        </section>
    }
    .into_any()
}

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
                "There is nothing at this address. " <a href="/">"Go to the predict page"</a> "."
            </p>
        </section>
    }
}
