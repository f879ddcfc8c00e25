//! The full model's panel of the predict page: its answer with its certainty and
//! its evidence, and how it compares with the quick guess.

use leptos::prelude::*;
use vinovoyant_model::{Certainty, LabelScore, TokenContribution};

use super::ANSWER_ID;
use crate::api::{PredictFailure, ServerAnswer};
use crate::components::{
    AnswerSignals, Headline, HighlightedNote, ProbabilityBars, ShownAnswer, certainty_of,
    certainty_words, is_catch_all_province, percent,
};

impl ShownAnswer for ServerAnswer {
    fn countries(&self) -> &[LabelScore] {
        &self.countries
    }
    fn note(&self) -> &str {
        &self.description
    }
    fn explanation(&self) -> &[TokenContribution] {
        &self.explanation
    }
}

/// What the page says about the two models' top countries.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Same country, both at least [`Certainty::Medium`]: they agree.
    Agree(String),
    /// Same country, but one of them or both are unsure: no agreement is claimed.
    BothUnsure(String),
    /// Different countries: the distilled model's (the quick guess), then the full model's.
    Disagree(LabelScore, LabelScore),
}

impl Comparison {
    /// Compares the quick guess's top country with the full model's, both about
    /// `text`. Agreement is only claimed when both name the same country with at
    /// least medium certainty: two unsure models naming the same country agree on
    /// little.
    pub fn of(distilled: &LabelScore, full: &LabelScore, text: &str) -> Self {
        if distilled.label != full.label {
            return Self::Disagree(distilled.clone(), full.clone());
        }
        let sure =
            |score: &LabelScore| Certainty::of_note(score.probability, text) >= Certainty::Medium;
        if sure(distilled) && sure(full) {
            Self::Agree(full.label.clone())
        } else {
            Self::BothUnsure(full.label.clone())
        }
    }
}

/// What the full model's panel draws its answer beside and with.
#[derive(Clone, Copy)]
pub struct AnswerContext {
    /// The distilled model's countries, most probable first (empty without a guess).
    pub distilled: Signal<Vec<LabelScore>>,
    /// The note as it stands now.
    pub text: Signal<String>,
    /// One colour per shown country.
    pub palette: Memo<Vec<String>>,
    /// Whether the full model is being asked.
    pub pending: Memo<bool>,
}

/// The full model's answer, and how it compares with the quick guess.
#[component]
pub fn ServerPanel(
    outcome: Memo<Option<Result<ServerAnswer, PredictFailure>>>,
    answer: Memo<Option<ServerAnswer>>,
    context: AnswerContext,
) -> impl IntoView {
    let pending = context.pending;
    let failure = move || match outcome.get() {
        Some(Err(failure)) if !matches!(failure, PredictFailure::Input(_)) => Some(view! {
            <p class="notice error" role="alert" data-testid="server-error">
                {failure.message()}
            </p>
        }),
        _ => None,
    };
    // what screen readers hear when an answer arrives: one sentence, not the panel
    let announcement = move || {
        let answer = answer.get()?;
        let top = answer.countries.first()?;
        Some(format!(
            "The full model says {}: {}.",
            top.label,
            certainty_words(Some(top), &answer.description)
        ))
    };
    view! {
        <section
            id=ANSWER_ID
            class="panel server"
            aria-labelledby="server-title"
            aria-busy=move || if pending.get() { "true" } else { "false" }
        >
            <p class="visually-hidden" role="status" data-testid="server-announcement">
                {announcement}
            </p>
            <header class="panel-head">
                <h2 id="server-title">"Full model"</h2>
                <span class="badge">"on the server"</span>
            </header>
            <Show when=move || pending.get()>
                <p class="panel-status loading">
                    <span class="spinner" aria-hidden="true"></span>
                    "Asking the full model…"
                </p>
            </Show>
            {failure}
            <Show
                when=move || answer.with(Option::is_some)
                fallback=move || {
                    view! {
                        <p class="panel-status" class:hidden=move || pending.get()>
                            "Press Predict origin for the full model's answer. When the quick guess is unsure, "
                            "it asks by itself once you pause typing."
                        </p>
                    }
                }
            >
                <AnswerView answer context />
            </Show>
        </section>
    }
    .into_any()
}

/// The full model's answer: its top country with its certainty and province,
/// its ranking, the words it went by, and how it compares with the quick guess.
#[component]
fn AnswerView(answer: Memo<Option<ServerAnswer>>, context: AnswerContext) -> impl IntoView {
    let AnswerContext {
        distilled,
        text,
        palette,
        pending,
    } = context;
    let shown = AnswerSignals::of(answer);
    let province = move || answer.with(|answer| answer.as_ref().and_then(province_view));
    let grapes = move || answer.with(|answer| answer.as_ref().and_then(grapes_view));
    let version =
        move || answer.with(|answer| answer.as_ref().map(|answer| answer.model_version.clone()));
    let comparison = move || comparison_view(answer.get()?, distilled.get().first()?, text);
    view! {
        <div class="answer" class:dimmed=move || pending.get()>
            <Headline shown eyebrow="The full model says" testid="server">
                {province}
                {grapes}
            </Headline>
            <ProbabilityBars ranking=shown.countries palette />
            <Show when=move || shown.segments.with(|s| s.iter().any(|s| s.toward.is_some()))>
                <h3 class="sub">"Words the full model went by"</h3>
                <p class="note-view" data-testid="server-evidence">
                    <HighlightedNote segments=shown.segments palette />
                </p>
            </Show>
            {comparison}
            <p class="panel-foot">
                "Answered by the full model, version "
                <code data-testid="model-version">{version}</code>
            </p>
        </div>
    }
}

/// The answer's top province, or that it is unclear when the top one is a
/// catch-all class.
fn province_view(answer: &ServerAnswer) -> Option<AnyView> {
    let province = answer.provinces.first()?;
    if is_catch_all_province(&province.label) {
        return Some(view! { <p class="province">"Province unclear"</p> }.into_any());
    }
    Some(
        view! {
            <p class="province">
                "Province: " <strong>{province.label.clone()}</strong> " ("
                {percent(province.probability)} ")"
            </p>
        }
        .into_any(),
    )
}

/// The likely grapes: the top variety with its probability and certainty in words,
/// then the next ones; nothing from a model without a variety head.
fn grapes_view(answer: &ServerAnswer) -> Option<AnyView> {
    let (top, rest) = answer.varieties.split_first()?;
    let word = certainty_of(Some(top), &answer.description).word();
    let others: Vec<String> = rest
        .iter()
        .map(|v| format!("{} ({})", v.label, percent(v.probability)))
        .collect();
    let others = (!others.is_empty()).then(|| format!("; then {}", others.join(", ")));
    Some(
        view! {
            <p class="grape" data-testid="server-grape">
                "Grape: " <strong>{top.label.clone()}</strong> " ("
                {percent(top.probability)} " · " {word} ")" {others}
            </p>
        }
        .into_any(),
    )
}

/// The comparison line under the full model's answer, or a note that the answer
/// is for an earlier version of the text.
fn comparison_view(
    answer: ServerAnswer,
    distilled_top: &LabelScore,
    text: Signal<String>,
) -> Option<AnyView> {
    let full_top = answer.countries.first()?;
    if text.with(|text| *text != answer.description) {
        return Some(
            view! {
                <p class="comparison stale">
                    "This answer is for an earlier version of the note. Press Predict origin to update it."
                </p>
            }
            .into_any(),
        );
    }
    Some(match Comparison::of(distilled_top, full_top, &answer.description) {
        Comparison::Agree(country) => view! {
            <p class="comparison agree" data-testid="agreement">
                "Both models agree: " {country} "."
            </p>
        }
        .into_any(),
        Comparison::BothUnsure(country) => view! {
            <p class="comparison unsure" data-testid="both-unsure">
                "Both models lean to " {country}
                ", but at least one of them is unsure: take it as a guess, not an answer."
            </p>
        }
        .into_any(),
        Comparison::Disagree(distilled, full) => view! {
            <p class="comparison disagree" data-testid="disagreement">
                <strong>"The models disagree. "</strong>
                "The quick guess says " {distilled.label} " (" {percent(distilled.probability)}
                "); the full model says " {full.label} " (" {percent(full.probability)}
                "). When they differ, go by the full model: the quick guess is its compressed copy."
            </p>
        }
        .into_any(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(label: &str, probability: f32) -> LabelScore {
        LabelScore::new(label, probability)
    }

    #[test]
    fn agreement_needs_the_same_country_with_medium_certainty_or_more() {
        let note = "Ripe cassis and cedar from Napa Valley";
        assert_eq!(
            Comparison::of(&score("US", 0.9), &score("US", 0.45), note),
            Comparison::Agree("US".to_string())
        );
        assert_eq!(
            Comparison::of(&score("US", 0.92), &score("US", 0.28), note),
            Comparison::BothUnsure("US".to_string())
        );
        assert_eq!(
            Comparison::of(&score("US", 0.3), &score("US", 0.9), note),
            Comparison::BothUnsure("US".to_string())
        );
        // a one-word note is low whatever the probabilities
        assert_eq!(
            Comparison::of(&score("Argentina", 0.9), &score("Argentina", 0.9), "Malbec"),
            Comparison::BothUnsure("Argentina".to_string())
        );
        assert!(matches!(
            Comparison::of(&score("US", 0.3), &score("France", 0.9), note),
            Comparison::Disagree(..)
        ));
    }
}
