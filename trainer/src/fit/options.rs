//! The options that shape a training run, with the defaults the bundle is trained with.

use vinovoyant_model::features::FeatureSpec;

#[cfg(doc)]
use super::title_documents;
#[cfg(doc)]
use crate::linear::{LinearModel, Teacher};
use crate::linear::{Options, SvmOptions};

/// Everything that shapes a training run.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Seed of every random choice.
    pub seed: u64,
    /// N-grams of the full model.
    pub full_spec: FeatureSpec,
    /// A feature must appear in this many training reviews to be kept.
    pub min_df: u32,
    /// Most features the full model keeps (the most frequent).
    pub max_features: usize,
    /// Word n-grams the province head reads besides the proper nouns (the most
    /// frequent ones); it reads no character n-grams.
    pub province_words: usize,
    /// The variety head reads the vocabulary's first this many features: the proper
    /// nouns, the word n-grams and the most frequent character n-grams. The rarest
    /// character n-grams cost it bytes, not accuracy
    /// (`bench/accuracy/RESULTS.md`, "Four-bit weights").
    pub variety_features: usize,
    /// A country needs this many reviews to become a class.
    pub min_country_reviews: usize,
    /// A province needs this many reviews to become a class.
    pub min_province_reviews: usize,
    /// A grape variety needs this many reviews to become a class of the variety
    /// head; `usize::MAX` trains none. Five lets a note that names a rarer grape
    /// (Pinotage, Furmint, Lagrein) be answered with it, where ten left it to the
    /// nearest frequent class (`bench/accuracy/RESULTS.md`, "Rarer grapes as classes").
    pub min_variety_reviews: usize,
    /// N-grams of the distilled model.
    pub distilled_spec: FeatureSpec,
    /// Word buckets of the distilled model.
    pub distilled_word_buckets: u32,
    /// Character buckets of the distilled model.
    pub distilled_char_buckets: u32,
    /// Optimiser settings of the full country head.
    pub country: Options,
    /// Optimiser settings of the province head.
    pub province: Options,
    /// Optimiser settings of the variety head.
    pub variety: Options,
    /// Optimiser settings of the distilled model.
    pub distilled: Options,
    /// The maximum-margin half of the heads: one-vs-rest SVMs whose scores
    /// are added to the logistic head's logits (see [`crate::linear::LinearModel::blend`]).
    pub margin: SvmOptions,
    /// Weight of the SVM scores in the full country head; 0 trains no SVM.
    pub margin_weight: f32,
    /// Weight of the SVM scores in the distilled model; 0 trains no SVM.
    pub distilled_margin_weight: f32,
    /// How far the distilled model learns the full country head's answers
    /// rather than the labels alone.
    pub distillation: Distillation,
    /// Weight of the SVM scores in the province head; 0 trains no SVM.
    pub province_margin_weight: f32,
    /// Weight of the SVM scores in the variety head; 0 trains no SVM.
    pub variety_margin_weight: f32,
    /// Also train on each review's title (see [`super::title_documents`]).
    pub titles: bool,
    /// How many times each name of the knowledge file is a training document of
    /// its own (see [`crate::knowledge`]); 0 reads no knowledge.
    pub knowledge_copies: usize,
    /// Which names the training reviews let raise their country (see
    /// [`crate::knowledge::Trust`]).
    pub knowledge_trust: crate::knowledge::Trust,
}

/// What the distilled model learns from the full country head, its teacher: the
/// head's probabilities for each training review, softened by a temperature.
#[derive(Debug, Clone, Copy)]
pub struct Distillation {
    /// Share of each target that is the teacher's probabilities (see
    /// [`crate::linear::Teacher::share`]); 0 trains on the labels alone.
    pub share: f32,
    /// The teacher's logits are divided by this before the softmax. The head has
    /// read these reviews and is sure of nearly all of them; softened, its
    /// probabilities also say which other countries a note resembles.
    pub temperature: f32,
}

impl Default for FitOptions {
    fn default() -> Self {
        // Tuned on the random validation split and on the new-writer check (three
        // reviewers held out); the figures are in bench/accuracy/RESULTS.md,
        // "Trainer choices". The country head leans further toward rare countries
        // than the other heads, which helps most for writers the model has never
        // read; twice the scores of balanced one-vs-rest SVMs are added to its logits.
        let shared = Options {
            epochs: 6,
            batch_size: 32,
            learning_rate: 0.01,
            l2: 3e-5,
            balance_power: 0.5,
            dropout: 0.0,
            seed: 0,
        };
        let country = Options {
            balance_power: 0.7,
            ..shared
        };
        // The distilled model leans less toward rare countries than the full heads:
        // its top-1 is higher so on random splits. Its few hashed buckets each stand
        // for many n-grams; dropping two in five of a note's features at each visit
        // spreads its weight over more of them, which new writers' notes reward.
        let distilled = Options {
            balance_power: 0.4,
            dropout: 0.4,
            ..shared
        };
        Self {
            seed: 42,
            full_spec: FeatureSpec {
                word_ngram_max: 2,
                char_ngram_min: 2,
                char_ngram_max: 5,
                proper_nouns: true,
            },
            min_df: 2,
            // Room for titles' names among the features; the cut drops the rarest.
            // Every head but the province head reads them all, so the cap sets most
            // of the full model's size.
            max_features: 150_000,
            province_words: 30_000,
            variety_features: 120_000,
            min_country_reviews: 10,
            min_province_reviews: 15,
            min_variety_reviews: 5,
            distilled_spec: FeatureSpec {
                word_ngram_max: 2,
                char_ngram_min: 3,
                char_ngram_max: 5,
                proper_nouns: true,
            },
            // Twice the buckets at 19 weight steps beat half as many at 127, in a
            // smaller download (bench/accuracy/RESULTS.md).
            distilled_word_buckets: 1 << 13,
            distilled_char_buckets: 1 << 14,
            country,
            province: shared,
            variety: shared,
            distilled,
            margin: SvmOptions {
                cost: 0.5,
                balance_power: 1.0,
                max_passes: 200,
                tolerance: 0.01,
                seed: 0,
            },
            margin_weight: 2.0,
            // The distilled model learns the full head's answers at temperature 4
            // with share 0.6, and adds the SVM scores at weight 1: the best top-1 and
            // agreement with the full head together.
            distilled_margin_weight: 1.0,
            distillation: Distillation {
                share: 0.6,
                temperature: 4.0,
            },
            // The same SVMs beside the province head, at weight 1.
            province_margin_weight: 1.0,
            variety_margin_weight: 1.0,
            titles: true,
            // Five documents per name: more lowered new writers' accuracy on real
            // notes, fewer taught short plain notes less (bench/accuracy/RESULTS.md).
            knowledge_copies: 2,
            // A name found in five or more reviews must at least double the odds
            // of its country (bench/accuracy/RESULTS.md).
            knowledge_trust: crate::knowledge::Trust {
                min_mentions: 5,
                min_odds_ratio: 2.0,
            },
        }
    }
}
