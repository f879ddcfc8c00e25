//! Training and evaluation of VinoVoyant's models.
//!
//! A CSV of reviews becomes a bundle: the full model as ONNX (with its feature
//! vocabulary), the distilled model for the browser, the label sets and a manifest
//! with checksums and validation figures. Everything is seeded and deterministic.

pub mod breakdown;
pub mod cli;
pub mod crossval;
pub mod data;
pub mod evaluate;
pub mod fit;
pub mod lexicon;
pub mod linear;
pub mod onnx;
pub mod scoring;
pub mod split;
pub mod train;
