//! Certainty in words: one scale from a top probability to "high", "medium" or
//! "low", shared by the server's answers and the page's, so they always agree.
//!
//! The thresholds are checked on what a writer the model never read gets: the
//! calibrated out-of-fold answers of the trainer's writer folds (grouped
//! cross-validation by writer), whose hit rate per level every bundle records in
//! its manifest (`metrics.writer_folds.certainty`, and `distilled_certainty` for
//! the browser model); answers called high must be right at least 85 % of the
//! time there, which `trainer/tests/evidence_real_data.rs` checks on the default
//! bundle. The figures are in `bench/accuracy/RESULTS.md`. A note of fewer than
//! [`FEWEST_WORDS`] content words is called low whatever its probability: those
//! figures say nothing about it.

use serde::{Deserialize, Serialize};

use crate::words::content_words;

/// A note with fewer content words than this is answered with [`Certainty::Low`]
/// whatever its probability: the thresholds were measured on reviews of some forty
/// words, and a note of one or two ("Malbec", "Bright cherry") is outside what they
/// say; its answer is a lead, not a finding.
pub const FEWEST_WORDS: usize = 3;

/// From this top probability up, an answer is [`Certainty::High`].
pub const HIGH_FROM: f32 = 0.70;
/// From this top probability up (and below [`HIGH_FROM`]), an answer is
/// [`Certainty::Medium`]; below it, [`Certainty::Low`].
pub const MEDIUM_FROM: f32 = 0.40;

/// How far an answer can be trusted, from its top probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Certainty {
    /// Under [`MEDIUM_FROM`]: a guess among several.
    Low,
    /// From [`MEDIUM_FROM`] to [`HIGH_FROM`]: a lean, often wrong for a new writer.
    Medium,
    /// [`HIGH_FROM`] or more: right at least 85 % of the time for a new writer.
    High,
}

impl Certainty {
    /// The level of an answer whose top country has `probability`.
    pub fn of(probability: f32) -> Self {
        if probability >= HIGH_FROM {
            Self::High
        } else if probability >= MEDIUM_FROM {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// The level of an answer about `text` whose top country has `probability`:
    /// [`Certainty::of`], but low for a note of under [`FEWEST_WORDS`] content
    /// words ([`crate::words::content_words`]).
    pub fn of_note(probability: f32, text: &str) -> Self {
        Self::of_words(probability, content_words(text))
    }

    /// [`Certainty::of_note`] for a note of `words` content words, counted before.
    pub fn of_words(probability: f32, words: usize) -> Self {
        if words < FEWEST_WORDS {
            Self::Low
        } else {
            Self::of(probability)
        }
    }

    /// The name the API uses: `"high"`, `"medium"` or `"low"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// The word the page shows beside the number: "likely", "possibly" or "unsure".
    pub fn word(self) -> &'static str {
        match self {
            Self::High => "likely",
            Self::Medium => "possibly",
            Self::Low => "unsure",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_split_the_scale() {
        assert_eq!(Certainty::of(0.0), Certainty::Low);
        assert_eq!(Certainty::of(0.399), Certainty::Low);
        assert_eq!(Certainty::of(0.40), Certainty::Medium);
        assert_eq!(Certainty::of(0.699), Certainty::Medium);
        assert_eq!(Certainty::of(0.70), Certainty::High);
        assert_eq!(Certainty::of(1.0), Certainty::High);
        assert!(Certainty::Medium > Certainty::Low && Certainty::High > Certainty::Medium);
        assert_eq!(Certainty::High.word(), "likely");
        assert_eq!(Certainty::Low.as_str(), "low");
        assert_eq!(Certainty::of_note(0.95, "Malbec"), Certainty::Low);
        assert_eq!(Certainty::of_note(0.95, "Bright cherry."), Certainty::Low);
        assert_eq!(
            Certainty::of_note(0.95, "Nebbiolo with tar and roses"),
            Certainty::High
        );
    }
}
