//! The half-circle gauge of a model's certainty.

use leptos::prelude::*;
use vinovoyant_model::Certainty;

use super::{one_decimal, percent};

/// Length of the gauge's arc: a half circle of radius 50.
const GAUGE_ARC: f32 = std::f32::consts::PI * 50.0;

/// A half-circle gauge showing how sure a model is of its top answer: the number,
/// and under it the certainty in words ("likely", "possibly", "unsure").
#[component]
pub fn ConfidenceGauge(
    /// Probability of the top answer, in `[0, 1]`.
    #[prop(into)]
    value: Signal<f32>,
    /// The answer's certainty, said in words under the number.
    #[prop(into)]
    certainty: Signal<Certainty>,
) -> impl IntoView {
    let filled = move || {
        let length = value.get().clamp(0.0, 1.0) * GAUGE_ARC;
        format!("{} {}", one_decimal(length), one_decimal(GAUGE_ARC))
    };
    let label = move || {
        format!(
            "Confidence {}, {}",
            percent(value.get()),
            certainty.get().word()
        )
    };
    view! {
        <svg class="gauge" viewBox="0 0 120 68" role="img" aria-label=label>
            <path class="gauge-track" d="M 10 60 A 50 50 0 0 1 110 60" />
            <path class="gauge-fill" d="M 10 60 A 50 50 0 0 1 110 60" stroke-dasharray=filled />
            <text class="gauge-value" x="60" y="56" text-anchor="middle">
                {move || percent(value.get())}
            </text>
            <text class="gauge-caption" x="60" y="67" text-anchor="middle">
                {move || certainty.get().word()}
            </text>
        </svg>
    }
}
