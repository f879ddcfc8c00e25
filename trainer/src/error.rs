//! What can stop a training run or a split, as one type: the binary turns it into
//! its message and exit code.

use std::path::PathBuf;

use vinovoyant_model::FormatError;

use crate::data::ReadError;
use crate::knowledge::KnowledgeError;

/// Why training, evaluating or splitting could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Fewer than two countries have enough reviews to be classes.
    #[error("training needs at least two countries with {min_reviews} or more reviews each")]
    TooFewCountries {
        /// Reviews a country needs to be a class.
        min_reviews: usize,
    },
    /// The writer folds cannot hold out anyone.
    #[error(
        "writer folds need at least two writers (taster_name) with {min_reviews} or more reviews; the data has {found}"
    )]
    TooFewWriters {
        /// Reviews a writer needs to be held out.
        min_reviews: usize,
        /// Writers with that many.
        found: usize,
    },
    /// The writers named for the new-writer check wrote none of the reviews.
    #[error("no review is by the writers named for the new-writer check")]
    NoReviewByNewWriters,
    /// A head's training thread panicked.
    #[error("the {0} head's training thread panicked")]
    HeadPanicked(&'static str),
    /// The knowledge file does not parse.
    #[error(transparent)]
    Knowledge(#[from] KnowledgeError),
    /// A model file could not be built.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The exported ONNX graph does not load in the inference engine.
    #[error("the exported graph does not load: {0}")]
    GraphDoesNotLoad(String),
    /// A file or folder could not be written.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done ("create", "write").
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A CSV of reviews could not be written.
    #[error("cannot write {}", path.display())]
    WriteReviews {
        /// The file.
        path: PathBuf,
        /// The writer's reason.
        #[source]
        source: ReadError,
    },
    /// The labels or manifest could not be serialised.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The bundle's time stamp could not be formatted.
    #[error(transparent)]
    Time(#[from] time::error::Format),
}

impl TrainError {
    /// An I/O error on `path` while doing `action`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
