//! VinoVoyant's S3 storage.
//!
//! - [`ModelStore`]: a versioned model registry at `s3://bucket/prefix` with
//!   immutable, checksum-verified versions and channels (`prod`, `blue`, …) that are
//!   promoted and rolled back by conditional writes, so racing promotions never lose
//!   an update.
//! - [`DataLocation`] and [`read_bytes`]: a data file given as a local path or
//!   `s3://bucket/key`.
//! - [`backup::copy_tree`]: backup and restore of a whole store, checked object by
//!   object.
//!
//! The client uses the standard AWS credential chain; `VINOVOYANT_S3_ENDPOINT` points
//! it at an S3-compatible store instead (path-style addressing).

pub mod backup;
pub mod cli;
pub mod client;
mod error;
pub mod location;
mod objects;
pub mod registry;
mod source;
#[cfg(feature = "test-server")]
pub mod test_server;

pub use client::S3Options;
pub use error::StoreError;
pub use location::{DataLocation, S3Prefix, read_bytes, read_bytes_blocking, read_bytes_with};
pub use objects::{SHA256_METADATA, sha256_hex};
pub use registry::{ChannelPointer, ModelSource, ModelStore, Selector};
