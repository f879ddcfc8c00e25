//! The full model's file in a bundle: the ONNX graph as is (formats 2 and 3) or
//! gzip-compressed (format 4 on, [`bundle::PACKED_FULL_MODEL_FILE`]). The trainer
//! packs with [`pack`]; a bundle's reader unpacks with [`graph_of`] after the
//! checksum of the stored bytes has passed.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use vinovoyant_model::bundle;

/// The most bytes a packed graph may unpack to. The graph of a bundle is a few
/// tens of megabytes; a stream that unpacks past this is refused, not held.
pub const MAX_GRAPH_BYTES: u64 = 256 << 20;

/// Why a packed graph could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// The bytes are not a whole gzip stream.
    #[error("not a gzip stream: {0}")]
    Damaged(#[from] std::io::Error),
    /// The stream unpacks to more than [`MAX_GRAPH_BYTES`].
    #[error("unpacks to more than {MAX_GRAPH_BYTES} bytes")]
    TooLarge,
}

/// The gzip stream a format-4 bundle stores for `graph`.
pub fn pack(graph: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(graph.len() / 2), Compression::default());
    encoder
        .write_all(graph)
        .and_then(|()| encoder.finish())
        .expect("writing into a Vec does not fail")
}

/// The graph packed in `packed` by [`pack`].
pub fn unpack(packed: &[u8]) -> Result<Vec<u8>, UnpackError> {
    let mut graph = Vec::with_capacity(packed.len().saturating_mul(2));
    GzDecoder::new(packed)
        .take(MAX_GRAPH_BYTES + 1)
        .read_to_end(&mut graph)?;
    if graph.len() as u64 > MAX_GRAPH_BYTES {
        return Err(UnpackError::TooLarge);
    }
    Ok(graph)
}

/// The ONNX graph of a bundle of `format`, from the bytes of its
/// [`bundle::full_model_file`].
pub fn graph_of(format: u32, stored: Vec<u8>) -> Result<Vec<u8>, UnpackError> {
    if bundle::full_model_file(format) == bundle::PACKED_FULL_MODEL_FILE {
        unpack(&stored)
    } else {
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_graph_unpacks_to_its_bytes() {
        let graph: Vec<u8> = (0..100_000u32).map(|i| (i % 7 * (i % 3)) as u8).collect();
        let packed = pack(&graph);
        assert!(packed.len() < graph.len() / 2, "{}", packed.len());
        assert_eq!(unpack(&packed).unwrap(), graph);
        assert_eq!(graph_of(4, packed).unwrap(), graph);
        assert_eq!(graph_of(3, graph.clone()).unwrap(), graph);
    }

    #[test]
    fn damaged_or_truncated_streams_are_refused() {
        let packed = pack(b"an onnx graph, or so it says");
        assert!(matches!(
            unpack(b"plain bytes"),
            Err(UnpackError::Damaged(_))
        ));
        let truncated = &packed[..packed.len() - 6];
        assert!(matches!(unpack(truncated), Err(UnpackError::Damaged(_))));
        assert!(matches!(
            graph_of(4, b"full.onnx".to_vec()),
            Err(UnpackError::Damaged(_))
        ));
    }

    #[test]
    fn a_stream_that_unpacks_past_the_limit_is_refused() {
        // 257 MiB of zeros packs to a few hundred kilobytes.
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let block = vec![0u8; 1 << 20];
        for _ in 0..257 {
            encoder.write_all(&block).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 2 << 20, "{}", bomb.len());
        assert!(matches!(unpack(&bomb), Err(UnpackError::TooLarge)));
    }
}
