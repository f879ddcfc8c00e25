//! What can be wrong with the bytes of a model file.

/// Why bytes could not be read as a model file (the distilled model's
/// `distilled.bin` or the full model's `vocabulary.bin`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The file does not start with the format's magic bytes.
    #[error("not a VinoVoyant model file of this kind (bad magic)")]
    BadMagic,
    /// The file was written by a newer format.
    #[error("unsupported model file format version {0}")]
    UnsupportedVersion(u16),
    /// The file ends before all its fields.
    #[error("model file is truncated")]
    Truncated,
    /// The file has bytes after its last field.
    #[error("model file has {0} unexpected trailing bytes")]
    TrailingBytes(usize),
    /// A field holds an impossible value.
    #[error("model file is invalid: {0}")]
    Invalid(&'static str),
}
