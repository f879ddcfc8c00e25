//! The decomposition table agrees with the general Unicode normaliser on every Unicode
//! scalar value: the tokenizer in the browser, on the server and in the trainer
//! reads text exactly as the normaliser would.

#![cfg(not(target_arch = "wasm32"))]

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use vinovoyant_model::decompose::decompose;

#[test]
fn every_character_decomposes_as_the_normaliser_says() {
    let mut differences = Vec::new();
    let mut checked = 0;
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let expected: String = std::iter::once(c)
            .nfkd()
            .filter(|&c| !is_combining_mark(c))
            .collect();
        let mut got = String::new();
        decompose(c).for_each(|c| got.push(c));
        if got != expected {
            differences.push((c, expected, got));
        }
        checked += 1;
    }
    assert_eq!(checked, 0x110000 - 0x800, "every scalar value was checked");
    assert!(
        differences.is_empty(),
        "{} characters differ, first: {:?}; rewrite the table with \
         `cargo run -p vinovoyant-model --example write_decompose_table`",
        differences.len(),
        differences.first()
    );
}
