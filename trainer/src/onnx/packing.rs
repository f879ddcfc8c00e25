//! Four-bit weights, two to a byte, with one float16 scale per feature row.
//!
//! A row of `C` weights becomes `⌈C/2⌉` bytes: byte `j` holds column `j` in its
//! high nibble and column `j + ⌈C/2⌉` in its low nibble, each stored as
//! `level + 8` for a level in `-7..=7` (a missing last column reads level 0).
//! The graph undoes this with integer arithmetic on constants (`high = b / 16`,
//! `low = b − 16·high`, then the two halves side by side), which a runtime folds at
//! load. Four-bit rows scored the same as int8 rows on the held-out reviews
//! (`bench/accuracy/RESULTS.md`, "Four-bit weights") at half the bytes.

/// Largest magnitude of a level: levels run `-LEVELS..=LEVELS`.
pub const LEVELS: f32 = 7.0;

/// Added to a level so that it fits an unsigned nibble.
pub const OFFSET: u8 = 8;

/// Largest block of packed rows stored as one tensor. tract folds a constant that
/// two nodes read (the unpacking reads each block twice) only up to 4 MiB; larger,
/// the unpacking would run at every prediction.
pub const FOLD_BLOCK_BYTES: usize = 4 << 20;

/// Rows of `packed_columns` bytes in one block of at most [`FOLD_BLOCK_BYTES`].
pub fn rows_per_block(packed_columns: usize) -> usize {
    (FOLD_BLOCK_BYTES / packed_columns.max(1)).max(1)
}

/// Weights packed two to a byte.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedRows {
    /// Row-major `rows × packed_columns` bytes.
    pub bytes: Vec<u8>,
    /// One scale per row, already rounded to float16.
    pub scales: Vec<f32>,
    /// Bytes per row: `⌈columns / 2⌉`.
    pub packed_columns: usize,
}

impl PackedRows {
    /// Appends a row of zeros: the row a head reads for a feature past its own.
    pub fn push_zero_row(&mut self) {
        let zero = OFFSET << 4 | OFFSET;
        self.bytes
            .extend(std::iter::repeat_n(zero, self.packed_columns));
        self.scales.push(1.0);
    }
}

/// Bytes per row for `columns` weights.
pub fn packed_columns(columns: usize) -> usize {
    columns.div_ceil(2)
}

/// Packs row-major `rows × columns` weights, each row scaled by its largest
/// magnitude over [`LEVELS`].
pub fn pack_rows(weights: &[f32], columns: usize) -> PackedRows {
    let columns = columns.max(1);
    let width = packed_columns(columns);
    let rows = weights.len() / columns;
    let mut bytes = Vec::with_capacity(rows * width);
    let mut scales = Vec::with_capacity(rows);
    for row in weights.chunks(columns) {
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        // the scale is stored as float16: round it first so the steps use it exactly
        let scale = half::f16::from_f32(if max > 0.0 { max / LEVELS } else { 1.0 }).to_f32();
        scales.push(scale);
        let nibble = |column: usize| -> u8 {
            let level = row
                .get(column)
                .map_or(0.0, |w| (w / scale).round().clamp(-LEVELS, LEVELS));
            (level as i8 + OFFSET as i8) as u8
        };
        bytes.extend((0..width).map(|j| nibble(j) << 4 | nibble(j + width)));
    }
    PackedRows {
        bytes,
        scales,
        packed_columns: width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weight a packed row holds in `column`, as the graph computes it.
    fn unpack(packed: &PackedRows, row: usize, column: usize) -> f32 {
        let width = packed.packed_columns;
        let byte = packed.bytes[row * width + column % width];
        let nibble = if column < width {
            byte >> 4
        } else {
            byte & 0x0f
        };
        (f32::from(nibble) - f32::from(OFFSET)) * packed.scales[row]
    }

    #[test]
    fn every_weight_comes_back_within_half_a_step() {
        let weights = [
            0.5, -2.0, 0.01, // a row with one large weight
            0.0, 0.0, 0.0, // an empty row
            1e-3, 3e-4, -2e-4, // a row of tiny weights
        ];
        let packed = pack_rows(&weights, 3);
        assert_eq!(packed.packed_columns, 2);
        assert_eq!(packed.bytes.len(), 6);
        assert_eq!(packed.scales.len(), 3);
        for (i, &w) in weights.iter().enumerate() {
            let (row, column) = (i / 3, i % 3);
            let got = unpack(&packed, row, column);
            let step = packed.scales[row];
            assert!(
                (got - w).abs() <= step * 0.51,
                "{i}: {got} vs {w} (step {step})"
            );
        }
    }

    #[test]
    fn a_zero_row_reads_zero_in_every_column() {
        let mut packed = pack_rows(&[1.0, -2.0, 3.0], 3);
        packed.push_zero_row();
        assert_eq!(packed.scales.len(), 2);
        assert!((0..3).all(|column| unpack(&packed, 1, column) == 0.0));
    }

    #[test]
    fn the_high_nibble_holds_the_first_half_and_a_missing_column_is_zero() {
        // three columns: byte 0 = (col 0, col 2), byte 1 = (col 1, nothing)
        let packed = pack_rows(&[7.0, -7.0, 1.0], 3);
        assert_eq!(packed.scales, vec![1.0]);
        assert_eq!(packed.bytes, vec![(7 + 8) << 4 | (1 + 8), (8 - 7) << 4 | 8]);
    }
}
