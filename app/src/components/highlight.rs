//! The note with the words that pushed a model toward its top countries marked.

use std::collections::BTreeMap;

use leptos::prelude::*;
use vinovoyant_model::{LabelScore, TokenContribution};

use super::{COLOURS, slot_class};

/// A stretch of the note: plain, or a word that pushed toward one of the top countries.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The text as written.
    pub text: String,
    /// For a highlighted word: the rank of the country it pushed toward, and its name.
    pub toward: Option<(usize, String)>,
}

/// A runner-up country gets its words highlighted only from this probability up;
/// below it, its words are noise next to the leader's.
pub const HIGHLIGHT_MIN_PROBABILITY: f32 = 0.1;

/// Splits `text` into plain stretches and the words that pushed it toward one of
/// the countries of `top`: the first, and any other at [`HIGHLIGHT_MIN_PROBABILITY`]
/// or more. Each word goes to the country it pushed hardest.
pub fn highlight_segments(
    text: &str,
    explanation: &[TokenContribution],
    top: &[LabelScore],
) -> Vec<Segment> {
    let mut strongest: BTreeMap<(usize, usize), (usize, f32)> = BTreeMap::new();
    for contribution in explanation.iter().filter(|c| c.weight > 0.0) {
        let slot = top.iter().enumerate().position(|(rank, score)| {
            score.label == contribution.label
                && (rank == 0 || score.probability >= HIGHLIGHT_MIN_PROBABILITY)
        });
        let Some(slot) = slot else {
            continue;
        };
        let entry = strongest
            .entry((contribution.start, contribution.end))
            .or_insert((slot, contribution.weight));
        if contribution.weight > entry.1 {
            *entry = (slot, contribution.weight);
        }
    }
    let mut segments = Vec::new();
    let mut cursor = 0;
    for ((start, end), (slot, _)) in strongest {
        if start < cursor {
            continue;
        }
        let (Some(before), Some(word)) = (text.get(cursor..start), text.get(start..end)) else {
            continue;
        };
        if !before.is_empty() {
            segments.push(Segment {
                text: before.to_string(),
                toward: None,
            });
        }
        segments.push(Segment {
            text: word.to_string(),
            toward: Some((slot, top[slot].label.clone())),
        });
        cursor = end;
    }
    if let Some(rest) = text.get(cursor..).filter(|rest| !rest.is_empty()) {
        segments.push(Segment {
            text: rest.to_string(),
            toward: None,
        });
    }
    segments
}

/// The countries the highlighted words of `segments` point to, in the order of
/// their rank: the legend of a highlighted note, numbered from 1.
pub fn legend(segments: &[Segment]) -> Vec<String> {
    let mut slots: Vec<(usize, String)> = segments
        .iter()
        .filter_map(|segment| segment.toward.clone())
        .collect();
    slots.sort();
    slots.dedup();
    slots.into_iter().map(|(_, country)| country).collect()
}

/// The note with its influential words marked in their country's colour. Colour
/// is never the only cue: each marked word carries the number of its country in
/// the legend below the note, which names the countries.
#[component]
pub fn HighlightedNote(
    /// The stretches of the note, from [`highlight_segments`].
    #[prop(into)]
    segments: Signal<Vec<Segment>>,
    /// Countries in the order they take the page's colours.
    #[prop(into)]
    palette: Signal<Vec<String>>,
) -> impl IntoView {
    let colour = move |country: &str| {
        palette
            .with(|palette| palette.iter().position(|label| label == country))
            .unwrap_or(COLOURS - 1)
    };
    let words = move || {
        let segments = segments.get();
        let legend = legend(&segments);
        segments
            .into_iter()
            .map(|segment| match segment.toward {
                Some((_, country)) => {
                    let key = legend
                        .iter()
                        .position(|c| *c == country)
                        .map_or(0, |i| i + 1);
                    let class = format!("word {}", slot_class(colour(&country)));
                    let title = format!("points to {country}");
                    view! {
                        <mark class=class title=title>
                            {segment.text}
                            <sup class="mark-key" aria-hidden="true">{key}</sup>
                            <span class="visually-hidden">{format!(" (points to {country})")}</span>
                        </mark>
                    }
                    .into_any()
                }
                None => segment.text.into_any(),
            })
            .collect_view()
    };
    let key = move || {
        let countries = segments.with(|segments| legend(segments));
        (!countries.is_empty()).then(|| {
            let items = countries
                .into_iter()
                .enumerate()
                .map(|(i, country)| {
                    let class = format!("legend-item {}", slot_class(colour(&country)));
                    view! {
                        <span class=class>
                            <sup class="mark-key">{i + 1}</sup>
                            {country}
                        </span>
                    }
                })
                .collect_view();
            view! {
                <span class="legend" data-testid="legend">
                    "Marked words point to: " {items}
                </span>
            }
        })
    };
    view! {
        {words}
        {key}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(label: &str, probability: f32) -> LabelScore {
        LabelScore::new(label, probability)
    }

    fn push(token: &str, start: usize, label: &str, weight: f32) -> TokenContribution {
        TokenContribution {
            token: token.to_string(),
            start,
            end: start + token.len(),
            label: label.to_string(),
            weight,
        }
    }

    #[test]
    fn words_go_to_the_country_they_push_hardest() {
        let text = "ripe cassis from Napa, crisp";
        let top = [score("US", 0.6), score("France", 0.3), score("Spain", 0.05)];
        let explanation = [
            push("cassis", 5, "France", 0.4),
            push("Napa", 17, "US", 0.9),
            push("cassis", 5, "US", 0.2),
            push("crisp", 23, "France", -0.3),
            push("ripe", 0, "Chile", 0.5),
            push("from", 12, "Spain", 0.8),
        ];
        let segments = highlight_segments(text, &explanation, &top);
        let rebuilt: String = segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(rebuilt, text);
        let marked: Vec<(&str, usize)> = segments
            .iter()
            .filter_map(|s| s.toward.as_ref().map(|(slot, _)| (s.text.as_str(), *slot)))
            .collect();
        assert_eq!(marked, vec![("cassis", 1), ("Napa", 0)]);
    }

    #[test]
    fn the_legend_lists_countries_by_rank_once() {
        let segment = |text: &str, toward: Option<(usize, &str)>| Segment {
            text: text.to_string(),
            toward: toward.map(|(slot, country)| (slot, country.to_string())),
        };
        let segments = [
            segment("cassis", Some((1, "France"))),
            segment(" and ", None),
            segment("Napa", Some((0, "US"))),
            segment("oak", Some((1, "France"))),
        ];
        assert_eq!(legend(&segments), ["US", "France"]);
        assert!(legend(&[segment("plain", None)]).is_empty());
    }

    #[test]
    fn offsets_outside_the_text_are_ignored() {
        let top = [score("Italy", 0.9)];
        let explanation = [push("vino", 40, "Italy", 1.0)];
        let segments = highlight_segments("è buono", &explanation, &top);
        assert_eq!(
            segments,
            vec![Segment {
                text: "è buono".to_string(),
                toward: None
            }]
        );
    }
}
