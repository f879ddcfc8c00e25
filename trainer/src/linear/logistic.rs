//! Multinomial logistic regression over sparse rows, trained by mini-batch Adam
//! with lazy (touched-rows-only) updates. Single-threaded and seeded, so the same
//! data and options always give the same weights.

use fnv::FnvHashMap;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{LinearModel, SparseRows, center_rows, class_weights, softmax_in_place};

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

/// The gradient of one mini-batch, kept for the feature rows it touched only.
struct BatchGradient {
    classes: usize,
    /// Place of each touched feature in `touched` and in `weights`.
    slot_of: FnvHashMap<u32, usize>,
    /// The touched features, in order of first touch.
    touched: Vec<u32>,
    /// `touched.len() × classes`.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl BatchGradient {
    fn new(classes: usize) -> Self {
        Self {
            classes,
            slot_of: FnvHashMap::default(),
            touched: Vec::new(),
            weights: Vec::new(),
            bias: vec![0.0; classes],
        }
    }

    fn clear(&mut self) {
        self.slot_of.clear();
        self.touched.clear();
        self.weights.clear();
        self.bias.fill(0.0);
    }

    /// Adds one row's gradient: `error` (prediction − target, already weighted)
    /// times each of the row's values.
    fn add(&mut self, indices: &[u32], values: &[f32], error: &[f32]) {
        for (b, p) in self.bias.iter_mut().zip(error) {
            *b += p;
        }
        let classes = self.classes;
        for (&index, &value) in indices.iter().zip(values) {
            let slot = *self.slot_of.entry(index).or_insert_with(|| {
                self.touched.push(index);
                self.weights.extend(std::iter::repeat_n(0.0, classes));
                self.touched.len() - 1
            });
            let g = &mut self.weights[slot * classes..][..classes];
            for (g, p) in g.iter_mut().zip(error) {
                *g += value * p;
            }
        }
    }
}

/// Adam's moments of every weight and bias, and the step count.
struct Adam {
    first: Vec<f32>,
    second: Vec<f32>,
    bias_first: Vec<f32>,
    bias_second: Vec<f32>,
    step: usize,
    total_steps: usize,
}

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-8;

impl Adam {
    fn new(features: usize, classes: usize, total_steps: usize) -> Self {
        Self {
            first: vec![0.0; features * classes],
            second: vec![0.0; features * classes],
            bias_first: vec![0.0; classes],
            bias_second: vec![0.0; classes],
            step: 0,
            total_steps: total_steps.max(1),
        }
    }

    /// One step on the rows the batch touched (with their L2 penalty) and on the
    /// bias; the step size decays linearly to a tenth over the run.
    fn update(&mut self, model: &mut LinearModel, gradient: &BatchGradient, options: &Options) {
        self.step += 1;
        let step = self.step;
        let decay = 1.0 - 0.9 * (step - 1) as f32 / self.total_steps as f32;
        let rate = options.learning_rate * decay * (1.0 - BETA2.powi(step as i32)).sqrt()
            / (1.0 - BETA1.powi(step as i32));
        let adam = |w: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *w -= rate * *m / (v.sqrt() + EPSILON);
        };
        let classes = model.classes;
        for (slot, &index) in gradient.touched.iter().enumerate() {
            let at = index as usize * classes;
            for c in 0..classes {
                let w = &mut model.weights[at + c];
                let g = gradient.weights[slot * classes + c] + options.l2 * *w;
                adam(w, &mut self.first[at + c], &mut self.second[at + c], g);
            }
        }
        for (((w, m), v), &g) in model
            .bias
            .iter_mut()
            .zip(self.bias_first.iter_mut())
            .zip(self.bias_second.iter_mut())
            .zip(&gradient.bias)
        {
            adam(w, m, v, g);
        }
    }
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
    let batch_size = options.batch_size.max(1);
    let batches_per_epoch = order.len().div_ceil(batch_size);
    let mut adam = Adam::new(features, classes, batches_per_epoch * options.epochs);
    let mut gradient = BatchGradient::new(classes);
    let mut error = vec![0.0f32; classes];
    let mut kept_indices: Vec<u32> = Vec::new();
    let mut kept_values: Vec<f32> = Vec::new();
    let keep = 1.0 - options.dropout.clamp(0.0, 0.95);
    for epoch in 0..options.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(batch_size) {
            gradient.clear();
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
                error.copy_from_slice(&model.logits(indices, values));
                softmax_in_place(&mut error);
                // The gradient of the cross-entropy is prediction − target.
                match teacher {
                    Some(teacher) => {
                        let taught = &teacher.probabilities[r * classes..][..classes];
                        for (p, q) in error.iter_mut().zip(taught) {
                            *p -= teacher.share * q;
                        }
                        error[label as usize] -= 1.0 - teacher.share;
                    }
                    None => error[label as usize] -= 1.0,
                }
                let weight = class_weight[label as usize] * scale;
                for p in error.iter_mut() {
                    *p *= weight;
                }
                gradient.add(indices, values, &error);
            }
            adam.update(&mut model, &gradient, options);
        }
        progress(epoch + 1);
    }
    center_rows(&mut model);
    model
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
}
