//! The distilled model's download, brotli-compressed once per bundle version at
//! the highest quality. Every visitor of the predict page fetches it, and the
//! response compression layer works at a quality fit for every response, not for
//! one large file that never changes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use tokio::sync::Mutex;

/// Brotli's highest quality, and its largest standard window (the file is
/// smaller than the window, so every repeat in it can be referenced).
const QUALITY: i32 = 11;
const WINDOW_BITS: i32 = 24;

/// The brotli copy of the latest bundle's distilled model, made on first need.
#[derive(Clone, Default)]
pub struct BrotliCopy {
    latest: Arc<Mutex<Option<(String, Bytes)>>>,
}

impl BrotliCopy {
    /// The compressed `bytes` of bundle `version`: the copy kept, or a new one made
    /// on a blocking thread (callers meanwhile wait for it rather than compress
    /// the same file twice). `None` when compressing failed: the caller then
    /// sends the bytes as they are.
    pub async fn of(&self, version: &str, bytes: Bytes) -> Option<Bytes> {
        let mut latest = self.latest.lock().await;
        if let Some((kept, copy)) = latest.as_ref()
            && kept == version
        {
            return Some(copy.clone());
        }
        let copy = tokio::task::spawn_blocking(move || compress(&bytes))
            .await
            .ok()??;
        *latest = Some((version.to_string(), copy.clone()));
        Some(copy)
    }
}

fn compress(bytes: &[u8]) -> Option<Bytes> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: QUALITY,
        lgwin: WINDOW_BITS,
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 2);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).ok()?;
    Some(Bytes::from(out))
}

/// Whether the request's `Accept-Encoding` takes brotli: `br` listed without
/// `q=0`.
pub fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let named_br = parts
                .next()
                .is_some_and(|name| name.eq_ignore_ascii_case("br"));
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            named_br && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn brotli_is_taken_when_listed_without_a_zero_weight() {
        for yes in [
            "br",
            "gzip, deflate, br, zstd",
            "BR;q=0.5",
            "gzip;q=1.0, br ; q=0.1",
        ] {
            assert!(accepts_brotli(&accepting(yes)), "{yes}");
        }
        for no in ["gzip", "br;q=0", "br; q=0.000, gzip", "brotli", "identity"] {
            assert!(!accepts_brotli(&accepting(no)), "{no}");
        }
        assert!(!accepts_brotli(&HeaderMap::new()));
    }

    #[tokio::test]
    async fn one_copy_per_version_that_decompresses_to_the_file() {
        let file = Bytes::from("tannic cherry ".repeat(500));
        let copy = BrotliCopy::default();
        let first = copy.of("v1", file.clone()).await.expect("compressed");
        assert!(first.len() < file.len() / 10);
        let mut restored = Vec::new();
        brotli::BrotliDecompress(&mut &first[..], &mut restored).expect("brotli");
        assert_eq!(restored, file);
        // the kept copy answers its version; another version gets its own
        let again = copy.of("v1", Bytes::from_static(b"ignored")).await;
        assert_eq!(again, Some(first.clone()));
        let other = copy.of("v2", Bytes::from_static(b"other")).await;
        assert_ne!(other, Some(first));
    }
}
