//! Model bundles on the server side: loading with checksum verification, the full
//! model executed by tract-onnx, and a hot-swappable handle to the bundle in use.
//!
//! A bundle is a folder (or a set of files fetched from a store) holding
//! `manifest.json` and the files it lists with their SHA-256. Nothing is used
//! before every checksum matches, so a damaged or tampered artifact never serves.

mod bundle;
mod full;
pub mod graph_file;
mod handle;

pub use bundle::{Bundle, BundleError, default_model_dir};
pub use full::{FullModel, FullScores, PredictError};
pub use handle::ModelHandle;
pub use vinovoyant_model::bundle::{ContractError, sha256_hex};
pub use vinovoyant_model::{InputError, LabelScore, Manifest, Prediction, TokenContribution};
