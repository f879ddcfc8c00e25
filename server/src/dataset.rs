//! The data set behind the analytics page and the similar wines: read once from
//! the configured place (a local file or an S3 object) in the background,
//! aggregated and indexed by its words, and kept in the site's [`DatasetFeed`].
//! Until it is ready, or if it fails, the analytics page draws the aggregates
//! shipped in the model bundle and answers say where similar wines would come
//! from; nothing here can stop the server.

use std::sync::Arc;
use std::time::Instant;

use app::server::{DatasetFeed, FeedState};
use vinovoyant_analytics::DatasetSummary;
use vinovoyant_similar::SimilarIndex;
use vinovoyant_store::{DataLocation, StoreError};

/// Why the configured data set could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The bytes could not be fetched.
    #[error("cannot read it: {0}")]
    Read(#[from] StoreError),
    /// The bytes are not a review CSV.
    #[error("{0}")]
    Parse(#[from] vinovoyant_reviews::ReadError),
    /// The CSV has no usable review.
    #[error("it has no review with a description and a country")]
    Empty,
    /// The aggregation task failed (it panicked or was cancelled).
    #[error("the aggregation failed: {0}")]
    Task(String),
}

/// How the page names a data source: `S3 (s3://bucket/key)` or `local file (path)`.
pub fn describe(location: &DataLocation) -> String {
    match location {
        DataLocation::S3 { .. } => format!("S3 ({location})"),
        DataLocation::Local(path) => format!("local file ({})", path.display()),
    }
}

/// A data set read and prepared for the pages.
#[derive(Debug)]
pub struct Loaded {
    /// Its aggregates, for the analytics page.
    pub summary: DatasetSummary,
    /// Its reviews indexed by their words, for similar wines.
    pub similar: SimilarIndex,
    /// How long building the index took.
    pub index_seconds: f32,
}

/// Reads, aggregates and indexes the data set at `location`. The work runs off
/// the async threads: scoring sentiment and indexing are seconds of CPU work.
pub async fn load(location: &DataLocation) -> Result<Loaded, DatasetError> {
    let bytes = vinovoyant_store::read_bytes(location).await?;
    tokio::task::spawn_blocking(move || {
        let aggregates = vinovoyant_reviews::ReadOptions {
            aggregates: true,
            by: None,
        };
        let (rows, _) = vinovoyant_reviews::read_reviews_with(&bytes, &aggregates)?;
        if rows.reviews.is_empty() {
            return Err(DatasetError::Empty);
        }
        let summary = vinovoyant_analytics::aggregate(&rows.reviews);
        let started = Instant::now();
        let similar = SimilarIndex::build(&rows.reviews);
        Ok(Loaded {
            summary,
            similar,
            index_seconds: started.elapsed().as_secs_f32(),
        })
    })
    .await
    .map_err(|error| DatasetError::Task(error.to_string()))?
}

/// A feed for `location`: with none, the bundle's aggregates serve for good;
/// otherwise a background task reads the data set once and the feed turns
/// ready, or failed with its reason (logged too).
pub fn start(location: Option<DataLocation>) -> DatasetFeed {
    let feed = DatasetFeed::default();
    let Some(location) = location else {
        return feed;
    };
    let source = describe(&location);
    feed.set(FeedState::Loading {
        source: source.clone(),
    });
    let updated = feed.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        tracing::info!(source = %source, "reading the data set for the analytics page and similar wines");
        match load(&location).await {
            Ok(loaded) => {
                tracing::info!(
                    source = %source,
                    reviews = loaded.summary.reviews,
                    seconds = started.elapsed().as_secs_f32(),
                    index_seconds = loaded.index_seconds,
                    index_bytes = loaded.similar.heap_bytes(),
                    "data set aggregated and indexed"
                );
                updated.set(FeedState::Ready {
                    source,
                    summary: Arc::new(loaded.summary),
                    similar: Arc::new(loaded.similar),
                });
            }
            Err(error) => {
                tracing::error!(
                    source = %source,
                    error = %error,
                    "the data set cannot be used; the analytics page shows the bundled aggregates and no similar wines are found"
                );
                updated.set(FeedState::Failed {
                    source,
                    reason: error.to_string(),
                });
            }
        }
    });
    feed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_named_by_kind() {
        let s3: DataLocation = "s3://wine-data/reviews.csv".parse().expect("an S3 address");
        assert_eq!(describe(&s3), "S3 (s3://wine-data/reviews.csv)");
        let local: DataLocation = "data/reviews.csv".parse().expect("a path");
        assert_eq!(describe(&local), "local file (data/reviews.csv)");
    }

    #[tokio::test]
    async fn a_missing_file_fails_with_its_reason() {
        let location = DataLocation::Local("/nonexistent/reviews.csv".into());
        let error = load(&location).await.expect_err("no such file");
        assert!(matches!(error, DatasetError::Read(_)), "{error:?}");
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_review_csv_is_refused() {
        let dir = std::env::temp_dir().join(format!("vinovoyant-dataset-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let path = dir.join("not-reviews.csv");
        std::fs::write(&path, "name,age\nAda,36\n").expect("written");
        let error = load(&DataLocation::Local(path))
            .await
            .expect_err("no columns");
        assert!(
            error.to_string().contains("description, country"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
