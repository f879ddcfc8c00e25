//! What a panel draws of a model's answer, derived the same way for the
//! distilled model's guess and the full model's answer.

use leptos::prelude::*;
use vinovoyant_model::{Certainty, LabelScore, TokenContribution};

use super::{ConfidenceGauge, Segment, certainty_of, certainty_words, highlight_segments};

/// An answer a panel can draw: its countries, the note it read, the words it
/// went by.
pub trait ShownAnswer: Clone + PartialEq + Send + Sync + 'static {
    /// Countries, most probable first.
    fn countries(&self) -> &[LabelScore];
    /// The text the model read.
    fn note(&self) -> &str;
    /// The words that pushed it toward its countries.
    fn explanation(&self) -> &[TokenContribution];
}

/// The signals a panel draws an answer with; each is empty (or low) while there
/// is no answer.
#[derive(Clone, Copy)]
pub struct AnswerSignals {
    /// Countries, most probable first.
    pub countries: Signal<Vec<LabelScore>>,
    /// The top country's probability.
    pub confidence: Signal<f32>,
    /// The top country.
    pub top: Signal<Option<String>>,
    /// The top probability and certainty in words ("72% · likely").
    pub certainty: Signal<String>,
    /// The certainty of the top country.
    pub level: Signal<Certainty>,
    /// The note with its influential words marked.
    pub segments: Signal<Vec<Segment>>,
}

impl AnswerSignals {
    /// The signals of whatever answer `answer` holds.
    pub fn of<T: ShownAnswer>(answer: Memo<Option<T>>) -> Self {
        let countries = Signal::derive(move || {
            answer.with(|a| {
                a.as_ref()
                    .map(|a| a.countries().to_vec())
                    .unwrap_or_default()
            })
        });
        let confidence = Signal::derive(move || {
            countries.with(|countries| countries.first().map_or(0.0, |top| top.probability))
        });
        let top = Signal::derive(move || {
            countries.with(|countries| countries.first().map(|top| top.label.clone()))
        });
        let certainty = Signal::derive(move || {
            answer.with(|a| {
                a.as_ref()
                    .map(|a| certainty_words(a.countries().first(), a.note()))
                    .unwrap_or_default()
            })
        });
        let level = Signal::derive(move || {
            answer.with(|a| {
                a.as_ref().map_or(Certainty::Low, |a| {
                    certainty_of(a.countries().first(), a.note())
                })
            })
        });
        let segments = Signal::derive(move || {
            answer.with(|a| {
                a.as_ref()
                    .map(|a| highlight_segments(a.note(), a.explanation(), a.countries()))
                    .unwrap_or_default()
            })
        });
        Self {
            countries,
            confidence,
            top,
            certainty,
            level,
            segments,
        }
    }
}

/// A panel's headline: the gauge, what the model says, its top country and its
/// certainty, then `children` (the full model adds its province). `testid`
/// names the parts for the end-to-end tests (`{testid}-top`, `{testid}-certainty`).
#[component]
pub fn Headline(
    shown: AnswerSignals,
    eyebrow: &'static str,
    testid: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="headline">
            <ConfidenceGauge value=shown.confidence certainty=shown.level />
            <div class="headline-text">
                <p class="eyebrow">{eyebrow}</p>
                <p class="country" data-testid=format!("{testid}-top")>
                    {shown.top}
                </p>
                <p class="certainty" data-testid=format!("{testid}-certainty")>
                    {shown.certainty}
                </p>
                {children.map(|children| children())}
            </div>
        </div>
    }
}
