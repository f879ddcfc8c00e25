//! Decomposing one character into the letters the tokenizer keeps: its
//! compatibility decomposition (NFKD) with the combining marks dropped, so `é`
//! reads as `e`, `ﬁ` as `fi` and a lone accent as nothing.
//!
//! The answer is looked up in `decompose_table.bin`, a compact table holding only the
//! characters that do not decompose to themselves. It replaces the general Unicode
//! normaliser, whose composition and decomposition tables were most of the
//! browser bundle's data. `model/examples/write_decompose_table.rs` writes the table
//! from that normaliser, and `model/tests/decompose_table.rs` checks every Unicode
//! scalar value against it, so the two cannot drift.
//!
//! Layout, all integers little-endian `u32`: the number of dropped ranges and of
//! decomposed characters; the dropped ranges as inclusive `(first, last)` pairs,
//! sorted; the decomposed characters as `(char, offset << 8 | length)` pairs, sorted,
//! where offset and length locate the UTF-8 of the letters in the pool of
//! bytes that ends the file. Hangul syllables are not in the table: they decompose to
//! their jamo by the arithmetic of the Unicode standard.

/// The decomposition table (see the module documentation for its layout).
static TABLE: &[u8] = include_bytes!("decompose_table.bin");

/// First precomposed Hangul syllable and the jamo counts that compose them.
const HANGUL_FIRST: u32 = 0xAC00;
const HANGUL_COUNT: u32 = 11_172;
const LEADING_FIRST: u32 = 0x1100;
const VOWEL_FIRST: u32 = 0x1161;
const TRAILING_FIRST: u32 = 0x11A7;
const VOWEL_COUNT: u32 = 21;
const TRAILING_COUNT: u32 = 28;

/// What one character decomposes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decomposed {
    /// The character itself: it has no decomposition and is not a mark.
    Itself(char),
    /// Nothing: a combining mark, or a character made of marks only.
    Dropped,
    /// The letters of its decomposition, marks removed (never empty).
    Letters(&'static str),
    /// A Hangul syllable's jamo: leading consonant, vowel and, when present,
    /// trailing consonant.
    Jamo([char; 3], usize),
}

impl Decomposed {
    /// Calls `each` with every letter, in order.
    pub fn for_each(&self, mut each: impl FnMut(char)) {
        match self {
            Decomposed::Itself(c) => each(*c),
            Decomposed::Dropped => {}
            Decomposed::Letters(letters) => letters.chars().for_each(each),
            Decomposed::Jamo(jamo, count) => jamo[..*count].iter().copied().for_each(each),
        }
    }
}

/// Decomposes `c`: its NFKD decomposition with every combining mark removed.
pub fn decompose(c: char) -> Decomposed {
    let code = u32::from(c);
    if code < 0x80 {
        return Decomposed::Itself(c);
    }
    if let Some(jamo) = hangul(code) {
        return jamo;
    }
    let table = Table::read();
    if table.is_dropped(code) {
        return Decomposed::Dropped;
    }
    match table.letters(code) {
        Some(letters) => Decomposed::Letters(letters),
        None => Decomposed::Itself(c),
    }
}

/// The jamo of a precomposed Hangul syllable.
fn hangul(code: u32) -> Option<Decomposed> {
    let index = code
        .checked_sub(HANGUL_FIRST)
        .filter(|&i| i < HANGUL_COUNT)?;
    let per_leading = VOWEL_COUNT * TRAILING_COUNT;
    let jamo = |code: u32| char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let leading = jamo(LEADING_FIRST + index / per_leading);
    let vowel = jamo(VOWEL_FIRST + (index % per_leading) / TRAILING_COUNT);
    let trailing = index % TRAILING_COUNT;
    Some(if trailing == 0 {
        Decomposed::Jamo([leading, vowel, vowel], 2)
    } else {
        Decomposed::Jamo([leading, vowel, jamo(TRAILING_FIRST + trailing)], 3)
    })
}

/// The three parts of [`TABLE`].
struct Table {
    dropped: &'static [u8],
    decomposed: &'static [u8],
    pool: &'static [u8],
}

impl Table {
    fn read() -> Self {
        let dropped_count = word(TABLE, 0) as usize;
        let decomposed_count = word(TABLE, 1) as usize;
        let (dropped, rest) = TABLE[8..].split_at(dropped_count * 8);
        let (decomposed, pool) = rest.split_at(decomposed_count * 8);
        Self {
            dropped,
            decomposed,
            pool,
        }
    }

    /// Whether `code` lies in one of the dropped ranges.
    fn is_dropped(&self, code: u32) -> bool {
        let ranges = self.dropped.len() / 8;
        // The first range starting after `code`; the one before it may hold it.
        let after = partition_point(ranges, |i| word(self.dropped, 2 * i) <= code);
        after > 0 && code <= word(self.dropped, 2 * (after - 1) + 1)
    }

    /// The letters of `code`, when it is in the table.
    fn letters(&self, code: u32) -> Option<&'static str> {
        let entries = self.decomposed.len() / 8;
        let at = partition_point(entries, |i| word(self.decomposed, 2 * i) < code);
        if at == entries || word(self.decomposed, 2 * at) != code {
            return None;
        }
        let packed = word(self.decomposed, 2 * at + 1) as usize;
        let (offset, length) = (packed >> 8, packed & 0xFF);
        let bytes = self.pool.get(offset..offset + length)?;
        std::str::from_utf8(bytes).ok()
    }
}

/// The `index`th little-endian `u32` of `bytes`.
fn word(bytes: &[u8], index: usize) -> u32 {
    let at = index * 4;
    let mut le = [0; 4];
    le.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(le)
}

/// The first index in `0..len` for which `is_before` is false (it must be true
/// for a prefix and false after it).
fn partition_point(len: usize, is_before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low + (high - low) / 2;
        if is_before(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letters(c: char) -> String {
        let mut out = String::new();
        decompose(c).for_each(|c| out.push(c));
        out
    }

    #[test]
    fn accents_ligatures_and_marks() {
        assert_eq!(letters('é'), "e");
        assert_eq!(letters('Å'), "A");
        assert_eq!(letters('ﬁ'), "fi");
        assert_eq!(letters('²'), "2");
        assert_eq!(letters('\u{0301}'), "");
        assert_eq!(letters('ß'), "ß");
        assert_eq!(letters('a'), "a");
    }

    #[test]
    fn hangul_syllables_decompose_to_their_jamo() {
        assert_eq!(letters('가'), "\u{1100}\u{1161}");
        assert_eq!(letters('각'), "\u{1100}\u{1161}\u{11A8}");
    }
}
