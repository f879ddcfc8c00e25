//! The model core of VinoVoyant, shared by the browser, the server and the trainer.
//!
//! Everything here is pure computation with no I/O, so the same code compiles to
//! native and to `wasm32-unknown-unknown` and the three places can never disagree:
//!
//! * [`text`] validates a description and splits it into normalised tokens;
//! * [`features`] turns tokens into hashed n-gram features and TF-IDF vectors;
//! * [`distilled`] reads, writes and runs the small model shipped to the browser;
//! * [`format`] names what can be wrong with a model file's bytes;
//! * [`prediction`] holds the answer types and builds explanations from contributions;
//! * [`bundle`] is the bundle contract: format, files, checksums, graph names;
//! * [`manifest`] describes a model bundle;
//! * [`knowledge`] finds the names that say where and raises the countries they name;
//! * [`lexicon`] weighs a text's wine evidence and refuses text that is not a tasting note;
//! * [`words`] knows the function words and where the last finished word of a text ends;
//! * [`certainty`] puts a top probability in words, the same for server and browser.

pub mod bundle;
pub mod calibration;
pub mod certainty;
pub mod decompose;
pub mod distilled;
pub mod features;
pub mod format;
pub mod knowledge;
pub mod lexicon;
pub mod manifest;
pub mod prediction;
pub mod text;
pub mod vocabulary;
pub mod words;

pub use calibration::TopCalibration;
pub use certainty::Certainty;
pub use distilled::DistilledModel;
pub use features::{FeatureSpec, Featurized, SparseVector};
pub use format::FormatError;
pub use knowledge::Knowledge;
pub use lexicon::{Evidence, Lexicon};
pub use manifest::Manifest;
pub use prediction::{LabelScore, Prediction, TokenContribution};
pub use text::{InputError, MAX_DESCRIPTION_CHARS, Token, tokenize, validate_description};
pub use vocabulary::Vocabulary;
pub use words::{complete_words, content_words, is_content_word, is_function_word};
