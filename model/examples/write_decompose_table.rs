//! Writes `model/src/decompose_table.bin`, the table behind `vinovoyant_model::decompose`,
//! from the general Unicode normaliser. Run it after raising the
//! `unicode-normalization` dev-dependency:
//! `cargo run -p vinovoyant-model --example write_decompose_table`.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Hangul syllables decompose by arithmetic, not by the table.
const HANGUL: std::ops::Range<u32> = 0xAC00..0xAC00 + 11_172;

fn main() -> std::io::Result<()> {
    let mut dropped: Vec<(u32, u32)> = Vec::new();
    let mut decomposed: Vec<(u32, u32)> = Vec::new();
    let mut pool: Vec<u8> = Vec::new();
    let mut offsets: HashMap<String, usize> = HashMap::new();
    for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
        let code = u32::from(c);
        if HANGUL.contains(&code) {
            continue;
        }
        let letters: String = std::iter::once(c)
            .nfkd()
            .filter(|&c| !is_combining_mark(c))
            .collect();
        if letters.is_empty() {
            match dropped.last_mut() {
                Some((_, last)) if *last + 1 == code => *last = code,
                _ => dropped.push((code, code)),
            }
        } else if letters.chars().ne(std::iter::once(c)) {
            let offset = *offsets.entry(letters.clone()).or_insert_with(|| {
                pool.extend_from_slice(letters.as_bytes());
                pool.len() - letters.len()
            });
            let length = u32::try_from(letters.len()).expect("a decomposition is short");
            assert!(length < 256, "a decomposition longer than 255 bytes");
            let offset = u32::try_from(offset).expect("the pool is small");
            decomposed.push((code, offset << 8 | length));
        }
    }
    let mut table = Vec::new();
    for n in [dropped.len(), decomposed.len()] {
        table.extend(u32::try_from(n).expect("few entries").to_le_bytes());
    }
    for (a, b) in dropped.iter().chain(&decomposed) {
        table.extend(a.to_le_bytes());
        table.extend(b.to_le_bytes());
    }
    table.extend(&pool);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/decompose_table.bin");
    std::fs::write(path, &table)?;
    println!(
        "{path}: {} bytes ({} dropped ranges, {} decomposed characters, {} pool bytes)",
        table.len(),
        dropped.len(),
        decomposed.len(),
        pool.len()
    );
    Ok(())
}
