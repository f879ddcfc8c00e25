//! Training and evaluation of VinoVoyant's models.
//!
//! Reviews become a bundle: the full model as ONNX (with its feature vocabulary),
//! the distilled model for the browser, the label sets and a manifest with
//! checksums and validation figures. Everything is seeded and deterministic.
//!
//! It is a library: it is handed review records (read by `vinovoyant-reviews`) and
//! writes bundles to folders; fetching data from S3, command-line options and what
//! is printed belong to the `vinovoyant` binary.

pub mod breakdown;
pub mod calibration;
pub mod crossval;
pub mod error;
pub mod evaluate;
pub mod fit;
pub mod knowledge;
pub mod lexicon;
pub mod linear;
pub mod onnx;
pub mod overrides;
pub mod scoring;
pub mod split;
pub mod train;

pub use error::TrainError;

/// The review records and their CSV reader: the one `vinovoyant-reviews` gives the
/// analytics and the server too.
pub use vinovoyant_reviews as data;
