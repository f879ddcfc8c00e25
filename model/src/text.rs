//! Validating descriptions and splitting them into normalised tokens.

use crate::decompose::decompose;

/// Longest description accepted, in Unicode scalar values.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;

/// Why a description cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing but whitespace was given.
    #[error("the description is empty")]
    Empty,
    /// More than [`MAX_DESCRIPTION_CHARS`] characters were given.
    #[error("the description has {chars} characters; at most {max} are accepted")]
    TooLong {
        /// Characters in the description.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// There is text, but no letter or digit in it to read.
    #[error("the description contains no words")]
    NoWords,
    /// There are words, but too few that wine writing uses: no grape, place, aroma,
    /// flavour or structure to go on (the rule is in [`crate::lexicon`]).
    #[error("{}", not_a_note(*words, *wine_words))]
    NotATastingNote {
        /// Content words in the description (function words left out).
        words: usize,
        /// How many of them are known from wine writing.
        wine_words: usize,
    },
}

/// The message of [`InputError::NotATastingNote`]: says what was missing.
fn not_a_note(words: usize, wine_words: usize) -> String {
    let found = match (words, wine_words) {
        (0, _) => "it has no words of substance".to_string(),
        (_, 0) => "none of its words are ones wine writing uses".to_string(),
        (words, known) => format!("only {known} of its {words} words are ones wine writing uses"),
    };
    format!(
        "this does not read like a tasting note: {found}; describe the wine \
         (its colour, aromas, flavours, structure, grape or place)"
    )
}

/// Checks the limits every model applies before reading a description.
pub fn validate_description(text: &str) -> Result<(), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(InputError::TooLong {
            chars,
            max: MAX_DESCRIPTION_CHARS,
        });
    }
    Ok(())
}

/// One word of a description: its normalised form and where it stands in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-case text with diacritics removed ("Côtes" becomes "cotes"), so that
    /// writers who skip accents are read the same as those who type them.
    pub text: String,
    /// Byte offset of the first character in the original description.
    pub start: usize,
    /// Byte offset just past the last character in the original description.
    pub end: usize,
    /// Written with a capital inside a sentence ("a classic Pauillac"): most often
    /// a place, a grape or a producer, the words that tell where a wine is from.
    pub proper: bool,
}

/// Splits text into tokens: maximal runs of letters and digits after compatibility
/// decomposition, with combining marks dropped and everything lower-cased.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut splitter = Splitter::default();
    for (offset, original) in text.char_indices() {
        if matches!(original, '.' | '!' | '?' | '…') {
            splitter.opens_sentence = true;
        }
        let span = (offset, offset + original.len_utf8());
        if original.is_ascii() {
            // ASCII decomposes to itself and holds no combining mark: the common
            // case skips the table lookup
            splitter.read(original, original.is_ascii_alphanumeric(), original, span);
        } else {
            decompose(original).for_each(|c| splitter.read(c, c.is_alphanumeric(), original, span));
        }
    }
    splitter.tokens.extend(splitter.current);
    splitter.tokens
}

/// The state of [`tokenize`] between characters.
struct Splitter {
    tokens: Vec<Token>,
    current: Option<Token>,
    opens_sentence: bool,
}

impl Default for Splitter {
    fn default() -> Self {
        Self {
            tokens: Vec::new(),
            current: None,
            opens_sentence: true,
        }
    }
}

impl Splitter {
    /// Takes one normalised character `c`, read from `original` at byte `span`.
    fn read(&mut self, c: char, alphanumeric: bool, original: char, span: (usize, usize)) {
        if !alphanumeric {
            self.tokens.extend(self.current.take());
            return;
        }
        let opens_sentence = self.opens_sentence;
        let token = self.current.get_or_insert_with(|| Token {
            text: String::new(),
            start: span.0,
            end: span.1,
            proper: original.is_uppercase() && !opens_sentence,
        });
        self.opens_sentence = false;
        if c.is_ascii() {
            token.text.push(c.to_ascii_lowercase());
        } else {
            token.text.extend(c.to_lowercase());
        }
        token.end = span.1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents_and_keeps_spans() {
        let text = "Côtes-du-Rhône, GRÜNER!";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["cotes", "du", "rhone", "gruner"]);
        assert_eq!(&text[tokens[2].start..tokens[2].end], "Rhône");
        assert_eq!(&text[tokens[3].start..tokens[3].end], "GRÜNER");
    }

    #[test]
    fn capitals_inside_a_sentence_mark_proper_nouns() {
        let tokens = tokenize("Ripe cassis. A classic Pauillac from Château Latour… Drink now");
        let proper: Vec<&str> = tokens
            .iter()
            .filter(|t| t.proper)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(proper, ["pauillac", "chateau", "latour"]);
    }

    #[test]
    fn validation_limits() {
        assert_eq!(validate_description(" \n\t "), Err(InputError::Empty));
        assert!(validate_description(&"a".repeat(MAX_DESCRIPTION_CHARS)).is_ok());
        assert_eq!(
            validate_description(&"é".repeat(MAX_DESCRIPTION_CHARS + 1)),
            Err(InputError::TooLong {
                chars: MAX_DESCRIPTION_CHARS + 1,
                max: MAX_DESCRIPTION_CHARS
            })
        );
    }
}
