//! Property tests: no text, however strange, panics the featuriser or the models'
//! input checks, and token spans always point into the original text.

#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use vinovoyant_model::features::{FeatureSpec, extract, featurize};
use vinovoyant_model::{InputError, MAX_DESCRIPTION_CHARS, tokenize};

const SPEC: FeatureSpec = FeatureSpec {
    word_ngram_max: 2,
    char_ngram_min: 2,
    char_ngram_max: 5,
    proper_nouns: true,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_unicode_is_safe(text in any::<String>()) {
        for token in tokenize(&text) {
            prop_assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
            prop_assert!(token.start < token.end && !token.text.is_empty());
        }
        let hits = extract(&tokenize(&text), &SPEC);
        match featurize(&text, &SPEC, |h| Some(((h.hash % 97) as u32, 1.0))) {
            Ok(f) => {
                prop_assert_eq!(f.vector.entry_of_hit.len(), hits.len());
                prop_assert!(f.vector.values.iter().all(|v| v.is_finite() && *v > 0.0));
            }
            Err(InputError::Empty) => prop_assert!(text.trim().is_empty()),
            Err(InputError::NoWords) => prop_assert!(hits.is_empty()),
            Err(InputError::TooLong { chars, .. }) => prop_assert!(chars > MAX_DESCRIPTION_CHARS),
            Err(error @ InputError::NotATastingNote { .. }) => {
                prop_assert!(false, "featurize never weighs wine evidence: {}", error)
            }
        }
    }

    #[test]
    fn markup_emoji_and_controls_are_safe(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("<script>alert(1)</script>".to_string()),
                Just("🍷🍇👩‍👩‍👧".to_string()),
                Just("\u{0000}\u{0008}\u{001b}[31m\u{202e}".to_string()),
                Just("e\u{0301}\u{0301}\u{0301}".to_string()),
                "[a-zA-Z]{1,12}",
                "\\PC{0,8}",
            ],
            0..40,
        )
    ) {
        let text = parts.join(" ");
        match featurize(&text, &SPEC, |_| None) {
            Ok(f) => {
                prop_assert!(f.vector.is_empty());
                prop_assert!(f.vector.entry_of_hit.iter().all(Option::is_none));
                prop_assert!(!f.hits.is_empty());
            }
            Err(e) => prop_assert!(matches!(e, InputError::Empty | InputError::NoWords)),
        }
    }
}
