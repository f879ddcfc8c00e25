//! VinoVoyant's S3 storage.
//!
//! - [`ModelStore`] ([`registry`]): a versioned model registry at
//!   `s3://bucket/prefix` with immutable, checksum-verified versions, and
//!   ([`channel`]) channels (`prod`, `blue`, …) that are promoted and rolled back by
//!   conditional writes, so racing promotions never lose an update.
//! - [`ModelSource`] ([`source`]): a model named as a bundle folder or a store's
//!   channel or version, and the bundle folder it resolves to.
//! - [`DataLocation`] and [`read_bytes`]: a data file given as a local path or
//!   `s3://bucket/key`.
//! - [`backup::copy_tree`]: backup and restore of a whole store, checked object by
//!   object.
//!
//! The client uses the standard AWS credential chain; `VINOVOYANT_S3_ENDPOINT` points
//! it at an S3-compatible store instead (path-style addressing).

pub mod backup;
pub mod channel;
pub mod client;
mod error;
pub mod location;
mod objects;
pub mod registry;
pub mod source;
#[cfg(feature = "test-server")]
pub mod test_server;

pub use channel::{ChannelPointer, Moved};
pub use client::S3Options;
pub use error::StoreError;
pub use location::{DataLocation, S3Prefix, read_bytes, read_bytes_blocking, read_bytes_with};
pub use objects::{SHA256_METADATA, sha256_hex};
pub use registry::{Listing, ModelStore, Verified, VersionInfo};
pub use source::{ModelSource, Selector};
