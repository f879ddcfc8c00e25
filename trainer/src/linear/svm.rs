//! One-vs-rest linear SVMs, solved in the dual by coordinate descent: the
//! maximum-margin half of the heads (see [`super::LinearModel::blend`]).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{LinearModel, SparseRows, center_rows, class_weights};

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

/// One-vs-rest linear SVMs with the squared hinge loss and an L2 penalty, each
/// solved exactly in the dual by coordinate descent (the method of LIBLINEAR,
/// Hsieh et al. 2008). The bias is a constant feature of value 1, penalised like the
/// rest. Maximising the margin spreads weight over every feature that separates
/// the classes instead of leaning on the few that separate the training rows best;
/// on our new-writer check it reads unseen writers better than the logistic head
/// (`bench/accuracy/RESULTS.md`, "Trainer choices"). Classes are solved on two
/// threads; each solve is seeded and sequential, so results do not depend on
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
