//! Display pieces shared by the pages: the confidence gauge, probability bars,
//! the note with its influential words highlighted, and how figures are said.

mod bars;
mod gauge;
mod highlight;
mod shown;

pub use bars::ProbabilityBars;
pub use gauge::ConfidenceGauge;
pub use highlight::{
    HIGHLIGHT_MIN_PROBABILITY, HighlightedNote, Segment, highlight_segments, legend,
};
pub use shown::{AnswerSignals, Headline, ShownAnswer};

use vinovoyant_model::{Certainty, LabelScore};

/// How many countries the page shows with bars and colours.
pub const SHOWN_COUNTRIES: usize = 3;

/// A probability as a whole percentage, e.g. `"72%"`.
pub fn percent(probability: f32) -> String {
    // A whole 100 % (or 0 %) would claim certainty no model of words has.
    match probability {
        p if p > 0.995 => "> 99%".to_string(),
        p if p < 0.005 => "< 1%".to_string(),
        p => format!("{}%", (p * 100.0).round() as u32),
    }
}

/// Whether `label` is one of the catch-all province classes (`Other`, `France
/// Other`…) that gather a country's small provinces: no answer to show a person.
pub fn is_catch_all_province(label: &str) -> bool {
    label.eq_ignore_ascii_case("other") || label.ends_with(" Other")
}

/// Below this probability a country is not listed: "0 %" rows say nothing.
pub const LISTED_FROM: f32 = 0.005;

/// A non-negative number with one decimal, e.g. `"12.3"`, for SVG attributes.
pub fn one_decimal(value: f32) -> String {
    format!("{:.1}", value.max(0.0))
}

/// Colours the page has for countries; countries beyond them share the last one.
pub const COLOURS: usize = 6;

/// The colour class of the country at position `slot` of the page's palette.
pub fn slot_class(slot: usize) -> String {
    format!("slot-{}", slot.min(COLOURS - 1))
}

/// The certainty of an answer about `text` whose ranking starts with `top`
/// ([`Certainty::Low`] without an answer).
pub fn certainty_of(top: Option<&LabelScore>, text: &str) -> Certainty {
    top.map_or(Certainty::Low, |top| {
        Certainty::of_note(top.probability, text)
    })
}

/// The top probability of a ranking with its certainty in words, e.g. "72% · likely".
pub fn certainty_words(top: Option<&LabelScore>, text: &str) -> String {
    top.map(|score| {
        format!(
            "{} · {}",
            percent(score.probability),
            certainty_of(top, text).word()
        )
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(label: &str, probability: f32) -> LabelScore {
        LabelScore::new(label, probability)
    }

    #[test]
    fn percentages_are_whole_and_clamped() {
        assert_eq!(percent(0.724), "72%");
        assert_eq!(percent(0.995), "100%");
        assert_eq!(percent(0.9951), "> 99%");
        assert_eq!(percent(1.2), "> 99%");
        assert_eq!(percent(0.004), "< 1%");
        assert_eq!(percent(-0.1), "< 1%");
    }

    #[test]
    fn catch_all_provinces_are_recognised() {
        assert!(is_catch_all_province("Other"));
        assert!(is_catch_all_province("France Other"));
        assert!(!is_catch_all_province("Piedmont"));
        assert!(!is_catch_all_province("Otago"));
    }

    #[test]
    fn one_decimal_rounds_to_tenths() {
        assert_eq!(one_decimal(157.0796), "157.1");
        assert_eq!(one_decimal(0.04), "0.0");
        assert_eq!(one_decimal(9.96), "10.0");
        assert_eq!(one_decimal(-3.0), "0.0");
        assert_eq!(one_decimal(0.0), "0.0");
    }
    #[test]
    fn certainty_is_said_in_words_beside_the_number() {
        let note = "Ripe cassis and cedar from Napa Valley";
        assert_eq!(
            certainty_words(Some(&score("US", 0.72)), note),
            "72% · likely"
        );
        assert_eq!(
            certainty_words(Some(&score("US", 0.5)), note),
            "50% · possibly"
        );
        assert_eq!(
            certainty_words(Some(&score("US", 0.28)), note),
            "28% · unsure"
        );
        assert_eq!(
            certainty_words(Some(&score("US", 0.9)), "Tannic"),
            "90% · unsure"
        );
        assert_eq!(certainty_words(None, note), "");
    }
}
