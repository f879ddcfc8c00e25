//! The quick guess's two views: its one-line bar under the note box and its panel.

use leptos::prelude::*;
use vinovoyant_model::{LabelScore, TokenContribution};

use super::reading::{DistilledGuess, DistilledReading};
use crate::components::{
    AnswerSignals, Headline, HighlightedNote, ProbabilityBars, ShownAnswer, certainty_words,
};

impl ShownAnswer for DistilledGuess {
    fn countries(&self) -> &[LabelScore] {
        &self.countries
    }
    fn note(&self) -> &str {
        &self.text
    }
    fn explanation(&self) -> &[TokenContribution] {
        &self.explanation
    }
}

/// The quick guess in one line right under the note box, so that on a phone it
/// stays in sight above the keyboard while the person types; wide screens show the
/// quick guess's panel beside the form instead, and hide this bar.
#[component]
pub fn DistilledBar(reading: Memo<DistilledReading>) -> impl IntoView {
    let line = move || {
        reading.with(|reading| match reading {
            DistilledReading::Guess(guess) => match guess.countries.first() {
                Some(top) => format!(
                    "{} · {}",
                    top.label,
                    certainty_words(Some(top), &guess.text)
                ),
                None => reading.status(),
            },
            other => other.status(),
        })
    };
    let slot = move || {
        reading.with(|reading| match reading {
            DistilledReading::Guess(_) => "quick-bar-dot slot-0",
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
pub fn DistilledPanel(
    reading: Memo<DistilledReading>,
    guess: Memo<Option<DistilledGuess>>,
    palette: Memo<Vec<String>>,
    version: String,
) -> impl IntoView {
    let shown = AnswerSignals::of(guess);
    let status = Memo::new(move |_| reading.with(DistilledReading::status));
    let waiting_for_js =
        move || reading.with(|reading| matches!(reading, DistilledReading::Loading));
    view! {
        <section class="panel distilled" aria-labelledby="distilled-title">
            <header class="panel-head">
                <h2 id="distilled-title">"Quick guess"</h2>
                <span class="badge">"in your browser"</span>
            </header>
            <p
                class="panel-status"
                data-testid="distilled-status"
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
                <Headline shown eyebrow="Most likely" testid="distilled" />
                <ProbabilityBars ranking=shown.countries palette />
                <h3 class="sub">"Words that point the way"</h3>
                <p class="note-view">
                    <HighlightedNote segments=shown.segments palette />
                </p>
            </Show>
            <p class="panel-foot">"Distilled model, version " <code>{version}</code></p>
        </section>
    }
    .into_any()
}
