//! Multinomial logistic regression over sparse rows, trained by mini-batch Adam
//! with lazy (touched-rows-only) updates. Single-threaded and seeded, so the same
//! data and options always give the same weights.

use fnv::FnvHashMap;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

    /// Row `r` as index and value slices.
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[r]..self.offsets[r + 1];
        (&self.indices[range.clone()], &self.values[range])
    }
}

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Passes over the data.
    pub epochs: usize,
    /// Rows per update.
    pub batch_size: usize,
    /// Adam step size at the start; it decays linearly to a tenth.
    pub learning_rate: f32,
    /// L2 penalty on the weights of touched features.
    pub l2: f32,
    /// Class weights are `(mean count / class count) ^ power`: 0 ignores class
    /// sizes, 1 is fully balanced.
    pub balance_power: f32,
    /// Share of a row's features dropped at random at each visit (the rest scaled
    /// up to match): an adaptive regulariser that keeps the model from leaning on a
    /// few telltale n-grams, such as one writer's habits.
    pub dropout: f32,
    /// Seed of the shuffles and the dropout.
    pub seed: u64,
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
    /// Logits of one sparse row.
    pub fn logits(&self, indices: &[u32], values: &[f32]) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for (&index, &value) in indices.iter().zip(values) {
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

/// Trains on the rows whose label is `Some`. `progress` is called after each epoch.
pub fn train(
    rows: &SparseRows,
    labels: &[Option<u32>],
    features: usize,
    classes: usize,
    options: &Options,
    progress: impl FnMut(usize),
) -> LinearModel {
    train_with_teacher(rows, labels, None, features, classes, options, progress)
}

/// Another model's probabilities for the training rows, which a student learns
/// beside the labels: where the teacher hesitates between two countries, the
/// student learns that the note points to both, and it comes to rank classes the
/// way the teacher does.
#[derive(Debug, Clone, Copy)]
pub struct Teacher<'a> {
    /// Row-major `rows × classes`; each row sums to 1.
    pub probabilities: &'a [f32],
    /// Each row's target is `(1 − share) · one-hot label + share · probabilities`.
    pub share: f32,
}

/// [`train`], with each labelled row's target mixed with the `teacher`'s
/// probabilities for it when one is given. Class weights still follow the labels.
/// Panics when the teacher's probabilities do not cover every row and class.
pub fn train_with_teacher(
    rows: &SparseRows,
    labels: &[Option<u32>],
    teacher: Option<&Teacher>,
    features: usize,
    classes: usize,
    options: &Options,
    mut progress: impl FnMut(usize),
) -> LinearModel {
    if let Some(teacher) = teacher {
        assert_eq!(
            teacher.probabilities.len(),
            rows.len() * classes,
            "the teacher gives one probability per row and class"
        );
    }
    let class_weight = class_weights(labels, classes, options.balance_power);
    let mut order: Vec<usize> = (0..rows.len()).filter(|&r| labels[r].is_some()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut model = LinearModel {
        features,
        classes,
        weights: vec![0.0; features * classes],
        bias: vec![0.0; classes],
    };
    let mut first_moment = vec![0.0f32; features * classes];
    let mut second_moment = vec![0.0f32; features * classes];
    let mut bias_moments = (vec![0.0f32; classes], vec![0.0f32; classes]);
    let (beta1, beta2, epsilon) = (0.9f32, 0.999f32, 1e-8f32);
    let batches_per_epoch = order.len().div_ceil(options.batch_size.max(1));
    let total_steps = (batches_per_epoch * options.epochs).max(1);
    let mut step = 0usize;
    let mut slot_of: FnvHashMap<u32, usize> = FnvHashMap::default();
    let mut touched: Vec<u32> = Vec::new();
    let mut gradients: Vec<f32> = Vec::new();
    let mut bias_gradient = vec![0.0f32; classes];
    let mut probabilities = vec![0.0f32; classes];
    let mut kept_indices: Vec<u32> = Vec::new();
    let mut kept_values: Vec<f32> = Vec::new();
    let keep = 1.0 - options.dropout.clamp(0.0, 0.95);
    for epoch in 0..options.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(options.batch_size.max(1)) {
            step += 1;
            slot_of.clear();
            touched.clear();
            gradients.clear();
            bias_gradient.fill(0.0);
            let scale = 1.0 / batch.len() as f32;
            for &r in batch {
                let Some(label) = labels[r] else { continue };
                let (all_indices, all_values) = rows.row(r);
                kept_indices.clear();
                kept_values.clear();
                for (&index, &value) in all_indices.iter().zip(all_values) {
                    if keep >= 1.0 || rng.random::<f32>() < keep {
                        kept_indices.push(index);
                        kept_values.push(value / keep);
                    }
                }
                let (indices, values) = (kept_indices.as_slice(), kept_values.as_slice());
                probabilities.copy_from_slice(&model.logits(indices, values));
                softmax_in_place(&mut probabilities);
                // The gradient of the cross-entropy is prediction − target.
                match teacher {
                    Some(teacher) => {
                        let taught = &teacher.probabilities[r * classes..][..classes];
                        for (p, q) in probabilities.iter_mut().zip(taught) {
                            *p -= teacher.share * q;
                        }
                        probabilities[label as usize] -= 1.0 - teacher.share;
                    }
                    None => probabilities[label as usize] -= 1.0,
                }
                let weight = class_weight[label as usize] * scale;
                for p in probabilities.iter_mut() {
                    *p *= weight;
                }
                for (b, p) in bias_gradient.iter_mut().zip(&probabilities) {
                    *b += p;
                }
                for (&index, &value) in indices.iter().zip(values) {
                    let slot = *slot_of.entry(index).or_insert_with(|| {
                        touched.push(index);
                        gradients.extend(std::iter::repeat_n(0.0, classes));
                        touched.len() - 1
                    });
                    let g = &mut gradients[slot * classes..][..classes];
                    for (g, p) in g.iter_mut().zip(&probabilities) {
                        *g += value * p;
                    }
                }
            }
            let decay = 1.0 - 0.9 * (step - 1) as f32 / total_steps as f32;
            let rate = options.learning_rate * decay * (1.0 - beta2.powi(step as i32)).sqrt()
                / (1.0 - beta1.powi(step as i32));
            let adam = |w: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                *w -= rate * *m / (v.sqrt() + epsilon);
            };
            for (slot, &index) in touched.iter().enumerate() {
                let at = index as usize * classes;
                for c in 0..classes {
                    let w = &mut model.weights[at + c];
                    let g = gradients[slot * classes + c] + options.l2 * *w;
                    adam(w, &mut first_moment[at + c], &mut second_moment[at + c], g);
                }
            }
            let (bias_first, bias_second) = &mut bias_moments;
            for (((w, m), v), &g) in model
                .bias
                .iter_mut()
                .zip(bias_first.iter_mut())
                .zip(bias_second.iter_mut())
                .zip(&bias_gradient)
            {
                adam(w, m, v, g);
            }
        }
        progress(epoch + 1);
    }
    center_rows(&mut model);
    model
}

/// How to train one-vs-rest linear SVMs.
#[derive(Debug, Clone, Copy)]
pub struct SvmOptions {
    /// Cost of a margin violation: larger fits the training rows harder.
    pub cost: f32,
    /// Class weights as in [`Options::balance_power`]; in each one-vs-rest problem
    /// they scale the cost of the class's own rows (the rest keep the plain cost).
    pub balance_power: f32,
    /// Most passes of coordinate descent over the rows, per class.
    pub max_passes: usize,
    /// A class is done when no row's projected gradient exceeds this.
    pub tolerance: f32,
    /// Seed of the row order.
    pub seed: u64,
}

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

/// One-vs-rest linear SVMs with the squared hinge loss and an L2 penalty, each
/// solved exactly in the dual by coordinate descent (the method of LIBLINEAR,
/// Hsieh et al. 2008). The bias is a constant feature of value 1, penalised like the
/// rest. Maximising the margin spreads weight over every feature that separates
/// the classes instead of leaning on the few that separate the training rows best;
/// on our new-writer check it reads unseen writers better than the logistic head
/// (see `FitOptions::default`). Classes are solved on
/// two threads; each solve is seeded and sequential, so results do not depend on
/// scheduling.
pub fn train_svm(
    rows: &SparseRows,
    labels: &[Option<u32>],
    features: usize,
    classes: usize,
    options: &SvmOptions,
) -> LinearModel {
    let class_weight = class_weights(labels, classes, options.balance_power);
    let used: Vec<(usize, u32)> = labels
        .iter()
        .enumerate()
        .filter_map(|(r, label)| label.map(|l| (r, l)))
        .collect();
    let squared_norms: Vec<f32> = used
        .iter()
        .map(|&(r, _)| 1.0 + rows.row(r).1.iter().map(|v| v * v).sum::<f32>())
        .collect();
    let solve = |class: usize| -> Vec<f32> {
        let mut w = vec![0.0f32; features + 1];
        let mut alpha = vec![0.0f32; used.len()];
        let mut order: Vec<usize> = (0..used.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ class as u64);
        for _ in 0..options.max_passes {
            order.shuffle(&mut rng);
            let mut largest = 0.0f32;
            for &k in &order {
                let (r, label) = used[k];
                let (y, cost) = if label as usize == class {
                    (1.0, options.cost * class_weight[class])
                } else {
                    (-1.0, options.cost)
                };
                let diagonal = 0.5 / cost;
                let (indices, values) = rows.row(r);
                let margin = w[features]
                    + indices
                        .iter()
                        .zip(values)
                        .map(|(&i, &v)| w[i as usize] * v)
                        .sum::<f32>();
                let gradient = y * margin - 1.0 + diagonal * alpha[k];
                let projected = if alpha[k] > 0.0 {
                    gradient
                } else {
                    gradient.min(0.0)
                };
                largest = largest.max(projected.abs());
                if projected != 0.0 {
                    let updated = (alpha[k] - gradient / (squared_norms[k] + diagonal)).max(0.0);
                    let step = (updated - alpha[k]) * y;
                    alpha[k] = updated;
                    for (&i, &v) in indices.iter().zip(values) {
                        w[i as usize] += step * v;
                    }
                    w[features] += step;
                }
            }
            if largest < options.tolerance {
                break;
            }
        }
        w
    };
    let half = classes / 2;
    let solved: Vec<Vec<f32>> = std::thread::scope(|scope| {
        let second = scope.spawn(|| (half..classes).map(solve).collect::<Vec<_>>());
        let mut all: Vec<Vec<f32>> = (0..half).map(solve).collect();
        all.extend(
            second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        all
    });
    let mut model = LinearModel {
        features,
        classes,
        weights: vec![0.0; features * classes],
        bias: vec![0.0; classes],
    };
    for (class, w) in solved.iter().enumerate() {
        for (row, &weight) in model.weights.chunks_mut(classes).zip(w) {
            row[class] = weight;
        }
        model.bias[class] = w[features];
    }
    center_rows(&mut model);
    model
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

/// The temperature that minimises the mean negative log-likelihood of `labels`
/// under `softmax(logits / T)`, searched on a log scale between 0.2 and 5.
pub fn fit_temperature(logits: &[Vec<f32>], labels: &[u32]) -> f32 {
    let loss = |t: f32| -> f64 {
        logits
            .iter()
            .zip(labels)
            .map(|(l, &y)| {
                let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let sum: f64 = l.iter().map(|&x| f64::from((x - max) / t).exp()).sum();
                sum.ln() - f64::from((l[y as usize] - max) / t)
            })
            .sum()
    };
    let (mut low, mut high) = (0.2f32.ln(), 5.0f32.ln());
    for _ in 0..40 {
        let a = low + (high - low) / 3.0;
        let b = high - (high - low) / 3.0;
        if loss(a.exp()) < loss(b.exp()) {
            high = b;
        } else {
            low = a;
        }
    }
    ((low + high) / 2.0).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_signal_deterministically() {
        let mut rows = SparseRows::new();
        let mut labels = Vec::new();
        for i in 0..200u32 {
            let class = i % 3;
            rows.push([(class, 1.0), (3 + i % 5, 0.5)]);
            labels.push(Some(class));
        }
        let options = Options {
            epochs: 5,
            batch_size: 16,
            learning_rate: 0.1,
            l2: 1e-4,
            balance_power: 0.5,
            dropout: 0.2,
            seed: 7,
        };
        let model = train(&rows, &labels, 8, 3, &options, |_| {});
        for class in 0..3u32 {
            let logits = model.logits(&[class], &[1.0]);
            let best = (0..3)
                .max_by(|&a, &b| logits[a].total_cmp(&logits[b]))
                .unwrap();
            assert_eq!(best, class as usize);
        }
        assert_eq!(model, train(&rows, &labels, 8, 3, &options, |_| {}));
    }

    #[test]
    fn a_student_follows_its_teacher_as_far_as_its_share() {
        // Feature 0 is labelled class 0, but the teacher puts 90 % on class 1.
        let mut rows = SparseRows::new();
        let mut labels = Vec::new();
        let mut taught = Vec::new();
        for i in 0..120u32 {
            let feature = i % 2;
            rows.push([(feature, 1.0)]);
            labels.push(Some(feature));
            taught.extend(if feature == 0 { [0.1, 0.9] } else { [0.0, 1.0] });
        }
        let options = Options {
            epochs: 20,
            batch_size: 8,
            learning_rate: 0.1,
            l2: 0.0,
            balance_power: 0.0,
            dropout: 0.0,
            seed: 3,
        };
        let share_of_class_1 = |share: f32| {
            let teacher = Teacher {
                probabilities: &taught,
                share,
            };
            let model = train_with_teacher(&rows, &labels, Some(&teacher), 2, 2, &options, |_| {});
            let mut p = model.logits(&[0], &[1.0]);
            softmax_in_place(&mut p);
            p[1]
        };
        // Targets for feature 0: share 0 → (1, 0); 0.5 → (0.55, 0.45); 1 → (0.1, 0.9).
        let (alone, half, all) = (
            share_of_class_1(0.0),
            share_of_class_1(0.5),
            share_of_class_1(1.0),
        );
        assert!(alone < 0.1, "labels alone: {alone}");
        assert!((half - 0.45).abs() < 0.1, "half taught: {half}");
        assert!(all > 0.8, "wholly taught: {all}");
        let plain = train(&rows, &labels, 2, 2, &options, |_| {});
        let untaught = train_with_teacher(&rows, &labels, None, 2, 2, &options, |_| {});
        assert_eq!(plain, untaught);
    }

    #[test]
    fn svm_separates_a_signal_deterministically() {
        let mut rows = SparseRows::new();
        let mut labels = Vec::new();
        for i in 0..150u32 {
            let class = i % 3;
            rows.push([(class, 1.0), (3 + i % 4, 0.7)]);
            labels.push((i % 10 != 9).then_some(class));
        }
        let options = SvmOptions {
            cost: 0.5,
            balance_power: 1.0,
            max_passes: 100,
            tolerance: 0.01,
            seed: 3,
        };
        let model = train_svm(&rows, &labels, 7, 3, &options);
        for class in 0..3u32 {
            let scores = model.logits(&[class, 3], &[1.0, 0.7]);
            let best = (0..3)
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
                .unwrap();
            assert_eq!(best, class as usize, "{scores:?}");
        }
        assert_eq!(model, train_svm(&rows, &labels, 7, 3, &options));
    }

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

    #[test]
    fn temperature_sharpens_underconfident_logits() {
        let logits: Vec<Vec<f32>> = (0..100).map(|_| vec![0.2, 0.0]).collect();
        let labels = vec![0u32; 100];
        assert!(fit_temperature(&logits, &labels) < 0.5);
    }
}
