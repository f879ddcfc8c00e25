//! The distilled model's class weights, stored small.
//!
//! Format 3 gives each weight a 4-bit code into sixteen values of its class, the
//! values placed by one-dimensional k-means (Lloyd's algorithm) over that class's
//! trained weights, so they sit where the weights are dense and keep the rare
//! large ones. That halves the largest part of the file the browser downloads.
//! Formats 1 and 2 hold int8 weights with one scale per class; they still load.

use super::Reader;
use crate::format::FormatError;

/// Values in each class's codebook (a 4-bit code).
const CODES: usize = 16;
/// Rounds of Lloyd's algorithm; the codebook has settled long before.
const LLOYD_ROUNDS: usize = 30;

/// Bucket-major weights (`buckets × classes`) in one of the stored forms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Weights {
    /// int8 values times one scale per class (formats 1 and 2).
    Scaled { scales: Vec<f32>, values: Vec<i8> },
    /// One 4-bit code per weight into sixteen values per class (format 3); the
    /// codes are kept one per byte in memory and packed two per byte on disk.
    Coded { codebook: Vec<f32>, codes: Vec<u8> },
}

impl Weights {
    /// Codes trained weights (bucket-major, `classes` per bucket) against a
    /// codebook of sixteen values per class.
    pub(crate) fn code(trained: &[f32], classes: usize) -> Self {
        let mut codebook = Vec::with_capacity(classes * CODES);
        let mut codes = vec![0u8; trained.len()];
        for class in 0..classes {
            let column: Vec<f32> = trained
                .iter()
                .skip(class)
                .step_by(classes)
                .copied()
                .collect();
            let centres = lloyd(&column);
            for (i, &weight) in column.iter().enumerate() {
                codes[i * classes + class] = nearest(&centres, weight);
            }
            codebook.extend(centres);
        }
        Weights::Coded { codebook, codes }
    }

    /// Scales trained weights to int8 with one scale per class (the form of
    /// formats 1 and 2, which are read but no longer written).
    #[cfg(test)]
    pub(crate) fn scale(trained: &[f32], classes: usize) -> Self {
        let scales: Vec<f32> = (0..classes)
            .map(|class| {
                let max = trained
                    .iter()
                    .skip(class)
                    .step_by(classes)
                    .fold(0.0f32, |max, w| max.max(w.abs()));
                if max > 0.0 { max / 127.0 } else { 1.0 }
            })
            .collect();
        let values = trained
            .iter()
            .enumerate()
            .map(|(i, &w)| (w / scales[i % classes]).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Weights::Scaled { scales, values }
    }

    /// The file format version that stores this form.
    pub(crate) fn version(&self) -> u16 {
        match self {
            Weights::Scaled { .. } => 2,
            Weights::Coded { .. } => 3,
        }
    }

    /// Every weight as a float, bucket-major: what scoring reads, so a keystroke
    /// costs one multiply-add per class and hit whatever the stored form.
    pub(crate) fn dense(&self) -> Vec<f32> {
        match self {
            Weights::Scaled { scales, values } => values
                .iter()
                .zip(scales.iter().cycle())
                .map(|(&q, &scale)| f32::from(q) * scale)
                .collect(),
            Weights::Coded { codebook, codes } => {
                let classes = codebook.len() / CODES;
                codes
                    .iter()
                    .enumerate()
                    .map(|(i, &code)| codebook[(i % classes) * CODES + usize::from(code)])
                    .collect()
            }
        }
    }

    /// Reads the weights and the class biases of a file of `version`, which
    /// stores them as: scales or codebook, then biases, then the weights.
    pub(crate) fn read(
        reader: &mut Reader<'_>,
        version: u16,
        buckets: usize,
        classes: usize,
    ) -> Result<(Self, Vec<f32>), FormatError> {
        let count = buckets
            .checked_mul(classes)
            .ok_or(FormatError::Invalid("too many weights"))?;
        let per_class = if version >= 3 { CODES } else { 1 };
        let factors = reader.f32s(classes * per_class)?;
        let bias = reader.f32s(classes)?;
        let weights = if version >= 3 {
            let packed = reader.take(count.div_ceil(2))?;
            let codes = (0..count)
                .map(|i| (packed[i / 2] >> (4 * (i % 2))) & 0x0F)
                .collect();
            Weights::Coded {
                codebook: factors,
                codes,
            }
        } else {
            let values = reader.take(count)?.iter().map(|&b| b as i8).collect();
            Weights::Scaled {
                scales: factors,
                values,
            }
        };
        Ok((weights, bias))
    }

    /// Writes the weights and `bias` in the layout [`Weights::read`] reads.
    pub(crate) fn write(&self, bias: &[f32], out: &mut Vec<u8>) {
        let factors = match self {
            Weights::Scaled { scales, .. } => scales,
            Weights::Coded { codebook, .. } => codebook,
        };
        for value in factors.iter().chain(bias) {
            out.extend_from_slice(&value.to_le_bytes());
        }
        match self {
            Weights::Scaled { values, .. } => out.extend(values.iter().map(|&w| w as u8)),
            Weights::Coded { codes, .. } => out.extend(
                codes
                    .chunks(2)
                    .map(|pair| pair[0] | pair.get(1).map_or(0, |c| c << 4)),
            ),
        }
    }
}

/// Sixteen values that minimise the squared error of coding `column` with them:
/// Lloyd's algorithm from evenly spaced quantiles.
fn lloyd(column: &[f32]) -> Vec<f32> {
    let mut sorted: Vec<f32> = column.iter().copied().filter(|w| w.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    if sorted.is_empty() {
        return vec![0.0; CODES];
    }
    let quantile = |q: f32| sorted[((q * sorted.len() as f32) as usize).min(sorted.len() - 1)];
    let mut centres: Vec<f32> = (0..CODES)
        .map(|i| quantile((i as f32 + 0.5) / CODES as f32))
        .collect();
    for _ in 0..LLOYD_ROUNDS {
        let mut sums = [0.0f64; CODES];
        let mut counts = [0usize; CODES];
        for &weight in &sorted {
            let code = usize::from(nearest(&centres, weight));
            sums[code] += f64::from(weight);
            counts[code] += 1;
        }
        for ((centre, sum), count) in centres.iter_mut().zip(sums).zip(counts) {
            if count > 0 {
                *centre = (sum / count as f64) as f32;
            }
        }
        centres.sort_by(f32::total_cmp);
    }
    centres
}

/// The code of the centre nearest to `weight` (`centres` ascending).
fn nearest(centres: &[f32], weight: f32) -> u8 {
    let above = centres.partition_point(|&c| c < weight);
    let code = match above {
        0 => 0,
        n if n == centres.len() => n - 1,
        n if weight - centres[n - 1] <= centres[n] - weight => n - 1,
        n => n,
    };
    code as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_stay_close_to_the_trained_weights() {
        let classes = 3;
        let trained: Vec<f32> = (0..3000)
            .map(|i| ((i * 7919 % 1000) as f32 / 100.0 - 5.0).powi(3) / 25.0)
            .collect();
        let coded = Weights::code(&trained, classes);
        let scaled = Weights::scale(&trained, classes);
        let error = |weights: &Weights| {
            let dense = weights.dense();
            trained
                .iter()
                .zip(&dense)
                .map(|(&w, &d)| (d - w).powi(2))
                .sum::<f32>()
                / trained.len() as f32
        };
        // Placed values beat sixteen even steps over the same range.
        let max = trained.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let even = trained
            .iter()
            .map(|&w| ((w / max * 7.5).round() / 7.5 * max - w).powi(2))
            .sum::<f32>()
            / trained.len() as f32;
        assert!(error(&coded) < even, "{} against {even}", error(&coded));
        assert!(error(&scaled) < error(&coded));
        let mut bytes = Vec::new();
        coded.write(&[0.5, 0.25, 0.0], &mut bytes);
        assert_eq!(
            bytes.len(),
            4 * (classes * CODES + classes) + trained.len() / 2
        );
        let mut reader = Reader {
            bytes: &bytes,
            at: 0,
        };
        let (read, bias) = Weights::read(&mut reader, 3, 1000, classes).unwrap();
        assert_eq!(read, coded);
        assert_eq!(bias, vec![0.5, 0.25, 0.0]);
    }

    #[test]
    fn nearest_picks_the_closer_centre() {
        let centres = [-1.0, 0.0, 2.0];
        assert_eq!(nearest(&centres, -5.0), 0);
        assert_eq!(nearest(&centres, -0.4), 1);
        assert_eq!(nearest(&centres, 1.2), 2);
        assert_eq!(nearest(&centres, 9.0), 2);
    }
}
