//! What a model answers, and how its answer is explained word by word.

use serde::{Deserialize, Serialize};

use crate::features::{FeatureHit, SparseVector};
use crate::text::Token;
use crate::words::is_function_word;

/// A label with the probability a model gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScore {
    /// Country or province name, as in the training data.
    pub label: String,
    /// Probability in `[0, 1]`.
    pub probability: f32,
}

impl LabelScore {
    /// A label with its probability.
    pub fn new(label: impl Into<String>, probability: f32) -> Self {
        Self {
            label: label.into(),
            probability,
        }
    }
}

/// How much one word of the description pushed the model toward one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenContribution {
    /// The word as written in the description.
    pub token: String,
    /// Byte offset of the word in the description.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The label it pushed toward (or away from, when negative).
    pub label: String,
    /// Its share of that label's logit: the contributions of every feature the
    /// word takes part in, split evenly among the words a feature spans.
    pub weight: f32,
}

/// A model's answer for one description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Every known country, most probable first.
    pub countries: Vec<LabelScore>,
    /// Provinces, most probable first; empty when the model has no province head.
    /// The full model keeps them to those of its top country when its bundle
    /// records each province's country.
    pub provinces: Vec<LabelScore>,
    /// Grape varieties, most probable first; empty when the model has no variety head.
    pub varieties: Vec<LabelScore>,
    /// Contributions of words toward the top countries, strongest first.
    pub explanation: Vec<TokenContribution>,
}

impl Prediction {
    /// The most probable country.
    pub fn top_country(&self) -> Option<&LabelScore> {
        self.countries.first()
    }

    /// The most probable province, if the model guesses provinces.
    pub fn top_province(&self) -> Option<&LabelScore> {
        self.provinces.first()
    }
}

/// How many countries the explanation covers.
pub const EXPLAINED_CLASSES: usize = 3;
/// How many words the explanation keeps per country.
pub const EXPLAINED_TOKENS: usize = 12;

/// Turns logits into probabilities, dividing by `temperature` first. Uses `libm`'s
/// `expf` so that native and wasm32 builds give bit-identical probabilities.
pub fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits
        .iter()
        .map(|&l| libm::expf((l - max) / temperature))
        .collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Indices of `scores` from highest to lowest; ties keep label order, so the
/// ranking is the same on every platform.
pub fn rank(scores: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

/// Pairs labels with probabilities, most probable first.
pub fn ranked_labels(labels: &[String], probabilities: &[f32]) -> Vec<LabelScore> {
    rank(probabilities)
        .into_iter()
        .map(|i| LabelScore {
            label: labels[i].clone(),
            probability: probabilities[i],
        })
        .collect()
}

/// Everything needed to trace a vector's entries back to the words of a text.
pub struct Trace<'a> {
    /// The original description.
    pub text: &'a str,
    /// Its tokens.
    pub tokens: &'a [Token],
    /// The feature hits read from the tokens.
    pub hits: &'a [FeatureHit],
    /// The vector built from the hits.
    pub vector: &'a SparseVector,
}

/// Explains the classes in `classes` from per-entry contributions (function words
/// are never listed, see [`crate::words`]):
/// `contribution(entry, class)` is the entry's value times its weight for the class.
/// One pass over the hits serves every class.
pub fn explain(
    trace: &Trace<'_>,
    labels: &[String],
    classes: &[usize],
    contribution: impl Fn(usize, usize) -> f32,
) -> Vec<TokenContribution> {
    let explained = classes.len();
    // each hit of an entry carries an equal share of the entry's contribution
    // (most entries have one hit, and one word: skip those divisions)
    let mut share_of_entry = vec![0.0f32; trace.vector.len() * explained];
    for ((entry, &count), shares) in trace
        .vector
        .counts
        .iter()
        .enumerate()
        .zip(share_of_entry.chunks_exact_mut(explained.max(1)))
    {
        for (share, &class) in shares.iter_mut().zip(classes) {
            *share = contribution(entry, class);
        }
        if count != 1 {
            for share in shares {
                *share /= count as f32;
            }
        }
    }
    let mut per_token = vec![vec![0.0f32; trace.tokens.len()]; explained];
    for (hit, entry) in trace.hits.iter().zip(&trace.vector.entry_of_hit) {
        let Some(entry) = entry else { continue };
        let shares = &share_of_entry[*entry as usize * explained..][..explained];
        let first = hit.first_token as usize;
        let last = hit.last_token as usize;
        if first == last {
            for (weights, share) in per_token.iter_mut().zip(shares) {
                weights[first] += share;
            }
        } else {
            let span = (last - first + 1) as f32;
            for (weights, share) in per_token.iter_mut().zip(shares) {
                for weight in &mut weights[first..=last] {
                    *weight += share / span;
                }
            }
        }
    }
    let mut explanation = Vec::with_capacity(explained * EXPLAINED_TOKENS);
    for (&class, per_token) in classes.iter().zip(&per_token) {
        // function words ("with", "and", "of") glue a note together; shown as
        // evidence they would only puzzle the reader
        let mut order: Vec<usize> = (0..per_token.len())
            .filter(|&i| per_token[i] != 0.0 && !is_function_word(&trace.tokens[i].text))
            .collect();
        order.sort_unstable_by(|&a, &b| {
            per_token[b]
                .abs()
                .total_cmp(&per_token[a].abs())
                .then(a.cmp(&b))
        });
        explanation.extend(order.into_iter().take(EXPLAINED_TOKENS).map(|i| {
            let token = &trace.tokens[i];
            TokenContribution {
                token: trace.text[token.start..token.end].to_string(),
                start: token.start,
                end: token.end,
                label: labels[class].clone(),
                weight: per_token[i],
            }
        }));
    }
    explanation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_ranks() {
        let p = softmax(&[1.0, 3.0, 2.0], 1.0);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(rank(&p), vec![1, 2, 0]);
        let sharper = softmax(&[1.0, 3.0, 2.0], 0.5);
        assert!(sharper[1] > p[1]);
    }
}
