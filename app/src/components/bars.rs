//! Probability bars of a ranking.

use leptos::prelude::*;
use vinovoyant_model::LabelScore;

use super::{COLOURS, LISTED_FROM, SHOWN_COUNTRIES, one_decimal, percent, slot_class};

/// Horizontal bars for the first [`SHOWN_COUNTRIES`] labels of a ranking, each in
/// its country's colour. The bars are SVG, so the page needs no inline styles
/// (the site's content security policy allows none).
#[component]
pub fn ProbabilityBars(
    /// The ranking, most probable first.
    #[prop(into)]
    ranking: Signal<Vec<LabelScore>>,
    /// Countries in the order they take the page's colours.
    #[prop(into)]
    palette: Signal<Vec<String>>,
) -> impl IntoView {
    let row = move |rank: usize| {
        let score = move || {
            ranking.with(|ranking| {
                ranking
                    .get(rank)
                    .filter(|score| score.probability >= LISTED_FROM)
                    .cloned()
            })
        };
        move || {
            score().map(|score| {
                let width = one_decimal(score.probability.clamp(0.0, 1.0) * 100.0);
                let colour = palette
                    .with(|palette| palette.iter().position(|label| *label == score.label))
                    .unwrap_or(COLOURS - 1);
                view! {
                    <li class=format!("bar-row {}", slot_class(colour))>
                        <span class="bar-label">{score.label}</span>
                        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                            <rect class="bar-track" width="100" height="10" />
                            <rect class="bar-fill" width=width height="10" />
                        </svg>
                        <span class="bar-value">{percent(score.probability)}</span>
                    </li>
                }
            })
        }
    };
    view! { <ol class="bars">{(0..SHOWN_COUNTRIES).map(row).collect_view()}</ol> }
}
