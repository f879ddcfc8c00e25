//! Everything that can go wrong talking to the store, as one error type.

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A string that should name an S3 object or prefix does not.
    #[error("{given:?} is not a valid address: {why}")]
    Address {
        /// What was given.
        given: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A local file or folder could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// S3 refused a request or could not be reached.
    #[error("S3 {operation} on {object} failed: {message}")]
    S3 {
        /// The S3 operation, e.g. `GetObject`.
        operation: &'static str,
        /// `s3://bucket/key` of the object or prefix.
        object: String,
        /// The SDK's explanation, with its causes.
        message: String,
    },
    /// An object that must exist does not.
    #[error("{0} does not exist")]
    NotFound(String),
    /// Bytes do not hash to the SHA-256 they should have.
    #[error("checksum mismatch for {object}: expected {expected}, found {actual}")]
    Checksum {
        /// The object or file.
        object: String,
        /// The SHA-256 it should have.
        expected: String,
        /// The SHA-256 of the bytes found.
        actual: String,
    },
    /// A JSON document of the store (manifest or channel pointer) is malformed.
    #[error("{object} is not a valid {what}: {source}")]
    Json {
        /// The object or file.
        object: String,
        /// What it should be.
        what: &'static str,
        /// The cause.
        source: serde_json::Error,
    },
    /// A version or channel name that could not be used as part of a key or a file name.
    #[error(
        "{name:?} is not a valid {what} name (letters, digits, '.', '_', '-'; not starting with '.')"
    )]
    InvalidName {
        /// The name given.
        name: String,
        /// Version, channel or file.
        what: &'static str,
    },
    /// A bundle folder whose manifest breaks the bundle contract (a format this
    /// build does not read, a required file not listed): servers could not load it,
    /// so it is not published.
    #[error("{path} is not a bundle this build can serve: {source}")]
    NotServable {
        /// The bundle folder.
        path: PathBuf,
        /// What the contract says is wrong.
        source: vinovoyant_model::bundle::ContractError,
    },
    /// Publishing a version that is already in the store (versions are immutable).
    #[error("version {0} is already published; versions are never overwritten")]
    VersionExists(String),
    /// A version that is not (completely) published.
    #[error("version {0} is not published (no manifest.json)")]
    UnknownVersion(String),
    /// An object to be written already holds different bytes.
    #[error("{0} already exists with different content")]
    Conflict(String),
    /// A channel that has never been promoted.
    #[error("channel {0} has no promoted version")]
    UnknownChannel(String),
    /// Rolling back a channel with no earlier version.
    #[error("channel {0} has no earlier version to roll back to")]
    NoPrevious(String),
    /// A channel changed under us every time we tried to move it.
    #[error("channel {channel} kept changing during {attempts} attempts; giving up")]
    Contended {
        /// The channel.
        channel: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The async runtime for a blocking call could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}
