//! Calibration of a trained head: the softmax temperature that makes its
//! probabilities honest on held-out rows.

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
    fn temperature_sharpens_underconfident_logits() {
        let logits: Vec<Vec<f32>> = (0..100).map(|_| vec![0.2, 0.0]).collect();
        let labels = vec![0u32; 100];
        assert!(fit_temperature(&logits, &labels) < 0.5);
    }
}
