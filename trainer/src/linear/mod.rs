//! Linear models over sparse rows, and how they are trained and calibrated:
//!
//! * [`logistic`]: multinomial logistic regression by mini-batch Adam;
//! * [`svm`]: one-vs-rest linear SVMs, whose scores are blended into a logistic head;
//! * [`temperature`]: the softmax temperature that calibrates a trained head.
//!
//! Every trainer is seeded and gives the same weights for the same data and options.

pub mod logistic;
pub mod svm;
pub mod temperature;

pub use logistic::{Options, Teacher, train, train_with_teacher};
pub use svm::{SvmOptions, train_svm};
pub use temperature::fit_temperature;

/// Sparse rows in compressed form: row `r` is `indices/values[offsets[r]..offsets[r+1]]`.
#[derive(Debug, Clone, Default)]
pub struct SparseRows {
    /// Start of each row, plus the end of the last.
    pub offsets: Vec<usize>,
    /// Feature indices.
    pub indices: Vec<u32>,
    /// Feature values.
    pub values: Vec<f32>,
}

impl SparseRows {
    /// An empty set of rows.
    pub fn new() -> Self {
        Self {
            offsets: vec![0],
            ..Self::default()
        }
    }

    /// Appends a row.
    pub fn push(&mut self, indices: impl IntoIterator<Item = (u32, f32)>) {
        for (index, value) in indices {
            self.indices.push(index);
            self.values.push(value);
        }
        self.offsets.push(self.indices.len());
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same rows with only the features below `limit`, values unchanged.
    pub fn below(&self, limit: u32) -> SparseRows {
        let mut rows = SparseRows::new();
        for r in 0..self.len() {
            let (indices, values) = self.row(r);
            rows.push(
                indices
                    .iter()
                    .zip(values)
                    .filter(|&(&index, _)| index < limit)
                    .map(|(&index, &value)| (index, value)),
            );
        }
        rows
    }

    /// Row `r` as index and value slices.
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[r]..self.offsets[r + 1];
        (&self.indices[range.clone()], &self.values[range])
    }
}

/// A trained linear model: `logits = Σ value · weights[index, :] + bias`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// Number of features (rows of `weights`).
    pub features: usize,
    /// Number of classes (columns of `weights`).
    pub classes: usize,
    /// Row-major `features × classes`.
    pub weights: Vec<f32>,
    /// One bias per class.
    pub bias: Vec<f32>,
}

impl LinearModel {
    /// Logits of one sparse row. Features past the model's own are not read: a
    /// head may read only the first features of the vocabulary, as the exported
    /// graph does.
    pub fn logits(&self, indices: &[u32], values: &[f32]) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for (&index, &value) in indices.iter().zip(values) {
            if index as usize >= self.features {
                continue;
            }
            let row = &self.weights[index as usize * self.classes..][..self.classes];
            for (logit, weight) in logits.iter_mut().zip(row) {
                *logit += value * weight;
            }
        }
        logits
    }

    /// This model plus `weight` times `other` (same shape): the logits of the
    /// result are the weighted sum of both models' logits.
    pub fn blend(mut self, other: &LinearModel, weight: f32) -> LinearModel {
        for (w, o) in self.weights.iter_mut().zip(&other.weights) {
            *w += weight * o;
        }
        for (b, o) in self.bias.iter_mut().zip(&other.bias) {
            *b += weight * o;
        }
        self
    }
}

/// Turns logits into probabilities in place.
fn softmax_in_place(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    for l in logits.iter_mut() {
        *l /= sum;
    }
}

/// One weight per class, `(mean count / class count) ^ power` over the labelled
/// rows; 0 for a class with no rows.
fn class_weights(labels: &[Option<u32>], classes: usize, power: f32) -> Vec<f32> {
    let mut counts = vec![0usize; classes];
    for label in labels.iter().flatten() {
        counts[*label as usize] += 1;
    }
    let present = counts.iter().filter(|&&c| c > 0).count().max(1);
    let mean = counts.iter().sum::<usize>() as f32 / present as f32;
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                (mean / c as f32).powf(power)
            }
        })
        .collect()
}

/// Subtracts each feature row's mean over the classes. A softmax does not change
/// when every logit moves by the same amount, so predictions stay the same, while
/// the weights become smaller and centred on zero: finer steps once quantised,
/// better compression, and explanations that read "toward this class rather than
/// the average one".
pub fn center_rows(model: &mut LinearModel) {
    if model.classes == 0 {
        return;
    }
    for row in model.weights.chunks_mut(model.classes) {
        let mean = row.iter().sum::<f32>() / row.len() as f32;
        for w in row {
            *w -= mean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blending_adds_weighted_logits() {
        let a = LinearModel {
            features: 2,
            classes: 2,
            weights: vec![1.0, -1.0, 0.5, 2.0],
            bias: vec![0.1, 0.2],
        };
        let b = LinearModel {
            features: 2,
            classes: 2,
            weights: vec![-2.0, 3.0, 1.0, 0.0],
            bias: vec![1.0, -1.0],
        };
        let (indices, values) = ([0u32, 1], [0.5f32, 2.0]);
        let expected: Vec<f32> = a
            .logits(&indices, &values)
            .iter()
            .zip(b.logits(&indices, &values))
            .map(|(x, y)| x + 0.25 * y)
            .collect();
        let blended = a.blend(&b, 0.25).logits(&indices, &values);
        for (got, want) in blended.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-6, "{blended:?} vs {expected:?}");
        }
    }

    #[test]
    fn rows_below_a_limit_keep_only_its_features_and_every_row() {
        let mut rows = SparseRows::new();
        rows.push([(0, 0.5), (3, 1.0), (7, 2.0)]);
        rows.push([(9, 1.0)]);
        let below = rows.below(4);
        assert_eq!(below.len(), 2);
        assert_eq!(below.row(0), (&[0u32, 3][..], &[0.5f32, 1.0][..]));
        assert_eq!(below.row(1), (&[][..], &[][..]));
    }

    #[test]
    fn centring_rows_keeps_probabilities() {
        let mut model = LinearModel {
            features: 2,
            classes: 3,
            weights: vec![5.0, 6.0, 7.0, -1.0, 0.0, 4.0],
            bias: vec![0.1, 0.2, 0.3],
        };
        let mut before = model.logits(&[0, 1], &[0.5, 2.0]);
        center_rows(&mut model);
        assert!(
            model
                .weights
                .chunks(3)
                .all(|r| r.iter().sum::<f32>().abs() < 1e-5)
        );
        let mut after = model.logits(&[0, 1], &[0.5, 2.0]);
        softmax_in_place(&mut before);
        softmax_in_place(&mut after);
        for (a, b) in before.iter().zip(&after) {
            assert!((a - b).abs() < 1e-6);
        }
    }
}
