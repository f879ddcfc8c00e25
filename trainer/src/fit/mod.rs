//! From reviews to trained models: labels, vocabulary, the four linear heads.
//!
//! * [`options`]: what shapes a run, and the defaults;
//! * [`labels`]: the classes and each review's class;
//! * [`documents`]: titles as documents, the vocabulary, the sparse rows;
//! * here: training the heads, the country head teaching the distilled model.

pub mod documents;
pub mod labels;
pub mod options;

use vinovoyant_model::TopCalibration;
use vinovoyant_model::distilled::DistilledWeights;
use vinovoyant_model::manifest::LabelSets;
use vinovoyant_model::prediction::softmax;
use vinovoyant_model::{DistilledModel, FormatError, Vocabulary};

use crate::TrainError;
use crate::data::Review;
use crate::linear::{self, LinearModel, Options, SparseRows, SvmOptions, Teacher};

pub use documents::{bucket_idf, build_vocabulary, distilled_rows, full_rows, title_documents};
pub use labels::{country_targets, label_sets, province_targets, variety_targets};
pub use options::{Distillation, FitOptions};

/// The trained models, before they are written as a bundle.
pub struct Fitted {
    /// Class names of both heads.
    pub labels: LabelSets,
    /// The full model's features.
    pub vocabulary: Vocabulary,
    /// The full country head.
    pub country: LinearModel,
    /// The province head.
    pub province: LinearModel,
    /// The variety head (no classes when the data names no variety often enough).
    /// It reads the country head's features up to [`FitOptions::variety_features`].
    pub variety: LinearModel,
    /// The distilled model's float weights (temperature still 1).
    pub distilled: DistilledWeights,
    /// Names of the knowledge file that raise their country (see
    /// [`crate::knowledge::trusted`]).
    pub trusted_names: usize,
}

/// Adds `weight` times the scores of one-vs-rest SVMs trained on the same rows to
/// the logistic head. The logistic head is sharper on writers it has read; the
/// margin spreads weight over every separating feature and reads new writers
/// better. The sum is again one linear model, so serving it costs nothing extra.
fn with_margin(
    logistic: LinearModel,
    rows: &SparseRows,
    labels: &[Option<u32>],
    options: &SvmOptions,
    weight: f32,
) -> LinearModel {
    if weight <= 0.0 {
        return logistic;
    }
    let svm = linear::train_svm(rows, labels, logistic.features, logistic.classes, options);
    logistic.blend(&svm, weight)
}

/// Softened probabilities of `teacher` for the first `count` rows, row-major.
fn teacher_probabilities(
    teacher: &LinearModel,
    rows: &SparseRows,
    count: usize,
    temperature: f32,
) -> Vec<f32> {
    (0..count)
        .flat_map(|r| {
            let (indices, values) = rows.row(r);
            softmax(&teacher.logits(indices, values), temperature)
        })
        .collect()
}

/// The four heads, each trained the same way with its own options and seeds.
#[derive(Debug, Clone, Copy)]
enum HeadKind {
    Country,
    Province,
    Variety,
    Distilled,
}

/// The rows a head learns from, and its shape.
struct HeadData<'a> {
    rows: &'a SparseRows,
    labels: &'a [Option<u32>],
    features: usize,
    classes: usize,
}

impl HeadKind {
    /// Trains the logistic head, with the teacher's answers when given, then adds
    /// its SVM scores. Each head has its own seed salts, so no two share a shuffle.
    fn train(
        self,
        options: &FitOptions,
        data: &HeadData<'_>,
        teacher: Option<&Teacher<'_>>,
        log: &(dyn Fn(&str) + Sync),
    ) -> LinearModel {
        let (name, head, salt, margin_salt, margin_weight) = match self {
            Self::Country => ("country head", options.country, 1, 4, options.margin_weight),
            Self::Province => (
                "province head",
                options.province,
                2,
                6,
                options.province_margin_weight,
            ),
            Self::Variety => (
                "variety head",
                options.variety,
                7,
                8,
                options.variety_margin_weight,
            ),
            Self::Distilled => (
                "distilled model",
                options.distilled,
                3,
                5,
                options.distilled_margin_weight,
            ),
        };
        let seeded = Options {
            seed: options.seed ^ salt,
            ..head
        };
        let logistic = linear::train_with_teacher(
            data.rows,
            data.labels,
            teacher,
            data.features,
            data.classes,
            &seeded,
            |e| log(&format!("{name}: epoch {e}/{}", head.epochs)),
        );
        let margin = SvmOptions {
            seed: options.seed ^ margin_salt,
            ..options.margin
        };
        with_margin(logistic, data.rows, data.labels, &margin, margin_weight)
    }
}

/// Trains every head. The full model's heads read the reviews and, with
/// [`FitOptions::titles`], their titles; the distilled model reads the reviews alone;
/// label sets count reviews only. The province head trains on a thread of its own
/// while the country head trains and then teaches the distilled model (see
/// [`Distillation`]); each optimisation is seeded and single-threaded, so the
/// result does not depend on scheduling.
pub fn fit(
    reviews: &[&Review],
    options: &FitOptions,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Fitted, TrainError> {
    let labels = label_sets(reviews, options);
    let Beside {
        titles,
        origins,
        knowledge,
    } = documents_beside(reviews, options, log)?;
    let trusted = trusted_names(&origins, reviews, options, log)?;
    // The reviews first, then the knowledge: the distilled model reads those two.
    let documents: Vec<&Review> = reviews
        .iter()
        .copied()
        .chain(&knowledge)
        .chain(&titles)
        .collect();
    let distilled_documents = &documents[..reviews.len() + knowledge.len()];
    if labels.countries.len() < 2 {
        return Err(TrainError::TooFewCountries {
            min_reviews: options.min_country_reviews,
        });
    }
    log(&format!(
        "{} countries, {} provinces and {} varieties as classes",
        labels.countries.len(),
        labels.provinces.len(),
        labels.varieties.len()
    ));
    let vocabulary = build_vocabulary(&documents, options)?;
    log(&format!("vocabulary: {} features", vocabulary.len()));
    let country_rows = full_rows(&documents, &vocabulary);
    let province_rows = country_rows.below(vocabulary.province_features());
    // The distilled model reads the reviews and the knowledge, not the titles:
    // titles in its few hashed buckets cost it agreement with the full model.
    let idf = bucket_idf(reviews, options);
    let hashed_rows = distilled_rows(distilled_documents, &idf, options);
    let country_labels = country_targets(&documents, &labels);
    let province_labels = province_targets(&documents, &labels);
    let variety_labels = variety_targets(&documents, &labels);
    let country_data = HeadData {
        rows: &country_rows,
        labels: &country_labels,
        features: vocabulary.len(),
        classes: labels.countries.len(),
    };
    let province_data = HeadData {
        rows: &province_rows,
        labels: &province_labels,
        features: vocabulary.province_features() as usize,
        classes: labels.provinces.len(),
    };
    let variety_features = options.variety_features.min(vocabulary.len());
    let variety_rows = country_rows.below(variety_features as u32);
    let variety_data = HeadData {
        rows: &variety_rows,
        labels: &variety_labels,
        features: variety_features,
        classes: labels.varieties.len(),
    };
    let distilled_data = HeadData {
        rows: &hashed_rows,
        labels: &country_labels[..distilled_documents.len()],
        features: idf.len(),
        classes: labels.countries.len(),
    };
    let heads = train_heads(
        options,
        &HeadsData {
            country: country_data,
            province: province_data,
            variety: variety_data,
            distilled: distilled_data,
        },
        log,
    )?;
    Ok(Fitted {
        distilled: DistilledWeights {
            spec: options.distilled_spec,
            word_buckets: options.distilled_word_buckets,
            char_buckets: options.distilled_char_buckets,
            labels: labels.countries.clone(),
            temperature: 1.0,
            calibration: TopCalibration::identity(),
            idf,
            weights: heads.distilled.weights,
            bias: heads.distilled.bias,
            lexicon: crate::lexicon::build(reviews, &labels.countries, &origins),
            knowledge: crate::knowledge::knowledge_of(&trusted.raising, &labels.countries)?,
        },
        trusted_names: trusted.raising.len(),
        labels,
        vocabulary,
        country: heads.country,
        province: heads.province,
        variety: heads.variety,
    })
}

/// What each head trains on.
struct HeadsData<'a> {
    country: HeadData<'a>,
    province: HeadData<'a>,
    variety: HeadData<'a>,
    /// Its rows are the first of the country head's documents, which teach it.
    distilled: HeadData<'a>,
}

/// The heads, trained.
struct Heads {
    country: LinearModel,
    province: LinearModel,
    variety: LinearModel,
    distilled: LinearModel,
}

/// Trains the four heads. The distilled model learns from the finished country
/// head, so those two run one after the other while the province and variety
/// heads train beside them; a head without classes is left empty.
fn train_heads(
    options: &FitOptions,
    data: &HeadsData<'_>,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Heads, TrainError> {
    let train_beside = |kind: HeadKind, data: &HeadData<'_>| {
        if data.classes == 0 {
            return LinearModel {
                features: data.features,
                classes: 0,
                weights: Vec::new(),
                bias: Vec::new(),
            };
        }
        kind.train(options, data, None, log)
    };
    let (country, province, variety, distilled) = std::thread::scope(|scope| {
        let province = scope.spawn(|| train_beside(HeadKind::Province, &data.province));
        let variety = scope.spawn(|| train_beside(HeadKind::Variety, &data.variety));
        let country = HeadKind::Country.train(options, &data.country, None, log);
        let taught = teacher_probabilities(
            &country,
            data.country.rows,
            data.distilled.labels.len(),
            options.distillation.temperature,
        );
        let teacher = Teacher {
            probabilities: &taught,
            share: options.distillation.share,
        };
        let distilled = HeadKind::Distilled.train(options, &data.distilled, Some(&teacher), log);
        (country, province.join(), variety.join(), distilled)
    });
    Ok(Heads {
        country,
        province: province.map_err(|_| TrainError::HeadPanicked("province"))?,
        variety: variety.map_err(|_| TrainError::HeadPanicked("variety"))?,
        distilled,
    })
}

/// What the heads read beside the reviews.
struct Beside {
    /// The reviews' titles as documents (see [`title_documents`]).
    titles: Vec<Review>,
    /// The knowledge file's names (none without knowledge copies).
    origins: Vec<crate::knowledge::Origin>,
    /// Their training documents.
    knowledge: Vec<Review>,
}

/// Reads the titles and the knowledge `options` ask for. Without copies the
/// knowledge is not read at all, not even by the lexicon.
fn documents_beside(
    reviews: &[&Review],
    options: &FitOptions,
    log: &(dyn Fn(&str) + Sync),
) -> Result<Beside, TrainError> {
    let titles = if options.titles {
        title_documents(reviews)
    } else {
        Vec::new()
    };
    log(&format!(
        "{} titles read as training documents",
        titles.len()
    ));
    let origins = if options.knowledge_copies > 0 {
        crate::knowledge::origins()?
    } else {
        Vec::new()
    };
    let knowledge = crate::knowledge::documents(&origins, options.knowledge_copies);
    log(&format!(
        "{} names of the knowledge file read as training documents",
        knowledge.len()
    ));
    Ok(Beside {
        titles,
        origins,
        knowledge,
    })
}

/// The knowledge names `reviews` let raise their country (see
/// [`crate::knowledge::trusted`]), logging those they contradict.
fn trusted_names<'o>(
    origins: &'o [crate::knowledge::Origin],
    reviews: &[&Review],
    options: &FitOptions,
    log: &(dyn Fn(&str) + Sync),
) -> Result<crate::knowledge::Trusted<'o>, TrainError> {
    let trusted = crate::knowledge::trusted(origins, reviews, options.knowledge_trust)?;
    if !trusted.contradicted.is_empty() {
        let names: Vec<&str> = trusted
            .contradicted
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        log(&format!(
            "{} names raise their country; the reviews give these {} to other countries: {}",
            trusted.raising.len(),
            names.len(),
            names.join(", ")
        ));
    }
    Ok(trusted)
}

/// Quantises the distilled weights into the browser model.
pub fn distilled_model(weights: &DistilledWeights) -> Result<DistilledModel, FormatError> {
    DistilledModel::quantize(weights)
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::data::Review;

    /// A French review with nothing but its note.
    pub(crate) fn review(description: &str) -> Review {
        Review {
            description: description.to_string(),
            country: "France".to_string(),
            province: None,
            taster: None,
            title: None,
            ..Review::default()
        }
    }
}
