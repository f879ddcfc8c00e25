//! The first sentence of a review: what a list of similar wines shows of each note.

use std::borrow::Cow;

/// Longest first sentence shown, in characters; a longer one is cut at a word
/// boundary and ends in "…".
pub const MAX_SENTENCE_CHARS: usize = 200;

/// Words that end in a full stop without ending a sentence ("St. Emilion",
/// "Mt. Veeder"), lower-case and sorted. Single letters (initials, as in
/// "J. Lohr") are handled apart.
const ABBREVIATIONS: &[&str] = &[
    "approx", "ave", "co", "dr", "e.g", "etc", "i.e", "jr", "mr", "mrs", "ms", "mt", "no", "nos",
    "sr", "st", "ste", "vol", "vs",
];

/// The first sentence of `description`, trimmed: up to the first `.`, `!` or `?`
/// followed by a space or the end (a closing quote or bracket may stand between),
/// not counting decimals ("13.5%") or abbreviations ("St. Emilion"). A sentence
/// longer than [`MAX_SENTENCE_CHARS`] is cut at the last word boundary before the
/// limit and ends in "…".
pub fn first_sentence(description: &str) -> Cow<'_, str> {
    let text = description.trim();
    let sentence = &text[..sentence_end(text)];
    cap_length(sentence)
}

/// Byte offset just past the first sentence of `text` (its length when none ends).
fn sentence_end(text: &str) -> usize {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // a closing quote or bracket belongs to the sentence it ends
        let mut end = at + c.len_utf8();
        while let Some(&(next_at, next)) = chars.peek() {
            if matches!(next, '"' | '\'' | ')' | '”' | '’' | '.' | '!' | '?') {
                end = next_at + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let followed_by_space = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if followed_by_space && !(c == '.' && is_abbreviation(&text[..at])) {
            return end;
        }
    }
    text.len()
}

/// True when the word just before a full stop ending `before` is an abbreviation
/// or a single letter, so the full stop does not end the sentence.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '"' | '\''))
        .next()
        .unwrap_or_default();
    let mut letters = word.chars();
    if let (Some(first), None) = (letters.next(), letters.next()) {
        return first.is_alphabetic();
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.binary_search(&lower.as_str()).is_ok()
}

/// `sentence` when it is short enough; else its words up to the limit and "…".
fn cap_length(sentence: &str) -> Cow<'_, str> {
    let Some((limit, _)) = sentence.char_indices().nth(MAX_SENTENCE_CHARS) else {
        return Cow::Borrowed(sentence);
    };
    // keep whole words: cut at the last space before the limit (or at the limit
    // itself for a single word that long)
    let head = &sentence[..limit];
    let cut = match sentence[limit..].chars().next() {
        Some(next) if next.is_whitespace() => head,
        _ => head
            .rfind(char::is_whitespace)
            .map_or(head, |at| &head[..at]),
    };
    let cut =
        cut.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-'));
    Cow::Owned(format!("{cut}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_sorted() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn cuts_at_the_first_sentence_end() {
        assert_eq!(first_sentence("Ripe plum. Then oak."), "Ripe plum.");
        assert_eq!(first_sentence("  Wow! Such fruit."), "Wow!");
        assert_eq!(first_sentence("Is it ripe? Yes."), "Is it ripe?");
        assert_eq!(first_sentence("No end here"), "No end here");
        assert_eq!(first_sentence("Ends at the end."), "Ends at the end.");
        assert_eq!(first_sentence(""), "");
        assert_eq!(first_sentence("Wait... then fruit."), "Wait...");
    }

    #[test]
    fn decimals_abbreviations_and_initials_do_not_end_a_sentence() {
        assert_eq!(
            first_sentence("At 13.5% alcohol it is light. More."),
            "At 13.5% alcohol it is light."
        );
        assert_eq!(
            first_sentence("A St. Emilion from Mt. Veeder? No, a blend. More."),
            "A St. Emilion from Mt. Veeder?"
        );
        assert_eq!(
            first_sentence("J. Lohr makes it. More."),
            "J. Lohr makes it."
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            first_sentence("It says \"drink now.\" Then more."),
            "It says \"drink now.\""
        );
        assert_eq!(first_sentence("Fresh (really.) Then."), "Fresh (really.)");
    }

    #[test]
    fn long_sentences_are_cut_at_a_word_boundary() {
        let long = "cherry, ".repeat(60);
        let cut = first_sentence(&long);
        assert!(cut.ends_with("cherry…"), "{cut}");
        assert!(cut.chars().count() <= MAX_SENTENCE_CHARS + 1);
        let one_word = "é".repeat(500);
        let cut = first_sentence(&one_word);
        assert_eq!(cut.chars().count(), MAX_SENTENCE_CHARS + 1);
        let exact = "a".repeat(MAX_SENTENCE_CHARS);
        assert_eq!(first_sentence(&exact), exact.as_str());
    }
}
