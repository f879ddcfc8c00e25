//! Golden vectors: the same texts must give bit-identical features, logits and
//! probabilities on every target. The file is written on the native target with
//! `UPDATE_GOLDEN=1 cargo test -p vinovoyant-model --test golden`; the same test
//! runs on wasm32 (see `scripts/test-wasm.sh`) and must then match it exactly.

use serde::{Deserialize, Serialize};
use vinovoyant_model::calibration::{Knot, TopCalibration};
use vinovoyant_model::distilled::DistilledWeights;
use vinovoyant_model::features::extract;
use vinovoyant_model::{DistilledModel, FeatureSpec, Knowledge, tokenize};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const TEXTS: &[&str] = &[
    "Ripe black cherry, cassis and cedar; a classic Pauillac with firm tannins.",
    "Côtes-du-Rhône: garrigue, GRÜNER? No — Grenache! 🍷🍇 with ünïcödé.",
    "Nebbiolo from Barolo. Tar & roses, dried cherry, grippy tannins, long finish.",
    "Zippy Marlborough Sauvignon Blanc: passion fruit, lime zest, cut grass.",
    "<b>Bold</b> Napa Cabernet\u{0000}\u{0007} with vanilla oak\r\nand mocha.",
    "ワイン 葡萄酒 نبيذ вино οἶνος",
];

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Golden {
    text: String,
    hashes: Vec<u64>,
    indices: Vec<u32>,
    value_bits: Vec<u32>,
    logit_bits: Vec<u32>,
    probability_bits: Vec<u32>,
}

/// A fixed model whose weights follow from the bucket index alone.
fn model() -> DistilledModel {
    let spec = FeatureSpec {
        word_ngram_max: 2,
        char_ngram_min: 3,
        char_ngram_max: 5,
        proper_nouns: true,
    };
    let (word_buckets, char_buckets) = (1u32 << 10, 1u32 << 11);
    let buckets = (word_buckets + char_buckets) as usize;
    let labels: Vec<String> = ["France", "Italy", "US", "Spain"]
        .map(String::from)
        .to_vec();
    DistilledModel::quantize(&DistilledWeights {
        spec,
        word_buckets,
        char_buckets,
        labels: labels.clone(),
        temperature: 0.7,
        // The texts' top probabilities fall below, between and above these knots.
        calibration: TopCalibration::new(
            [(0.92, 0.8), (0.96, 0.88), (0.98, 0.95)]
                .map(|(confidence, right)| Knot { confidence, right })
                .to_vec(),
        )
        .expect("valid knots"),
        idf: (0..buckets)
            .map(|i| 1.0 + (i * 7919 % 97) as f32 / 13.0)
            .collect(),
        weights: (0..buckets * labels.len())
            .map(|i| ((i * 104_729 % 251) as f32 - 125.0) / 31.0)
            .collect(),
        bias: vec![0.25, -0.5, 0.125, 0.0],
        lexicon: Default::default(),
        knowledge: Knowledge::new(
            [
                ("Pauillac", 0),
                ("Barolo", 1),
                ("Nebbiolo", 1),
                ("Napa", 2),
                ("Côtes-du-Rhône", 0),
            ],
            0.8,
        )
        .expect("valid knowledge"),
    })
    .expect("valid weights")
}

fn compute() -> Vec<Golden> {
    let model = model();
    TEXTS
        .iter()
        .map(|text| {
            let hits = extract(&tokenize(text), &model.spec());
            let featurized = model.featurize(text).expect("golden texts have words");
            let logits = model.logits(text).expect("golden texts have words");
            let probabilities = model.probabilities(text).expect("golden texts have words");
            Golden {
                text: text.to_string(),
                hashes: hits.iter().map(|h| h.hash).collect(),
                indices: featurized.vector.indices,
                value_bits: featurized
                    .vector
                    .values
                    .iter()
                    .map(|v| v.to_bits())
                    .collect(),
                logit_bits: logits.iter().map(|v| v.to_bits()).collect(),
                probability_bits: probabilities.iter().map(|v| v.to_bits()).collect(),
            }
        })
        .collect()
}

#[test]
fn features_and_scores_match_the_golden_file() {
    let computed = compute();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden.json");
        std::fs::write(
            path,
            serde_json::to_string(&computed).expect("serialisable"),
        )
        .expect("golden file is writable");
        return;
    }
    let expected: Vec<Golden> =
        serde_json::from_str(include_str!("golden.json")).expect("golden file parses");
    assert_eq!(computed.len(), expected.len());
    for (got, want) in computed.iter().zip(&expected) {
        assert_eq!(got, want, "golden mismatch for {:?}", want.text);
    }
}
