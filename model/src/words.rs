//! Words as a reader sees them: which ones carry no meaning of their own, and where
//! the last finished word of a text being typed ends.

use crate::text::tokenize;

/// English function words: articles, conjunctions, prepositions, pronouns,
/// auxiliaries and the like, lower-case and sorted. They glue a note together but
/// say nothing about a wine, so an explanation never shows them as evidence and the
/// wine-evidence rule ([`crate::lexicon`]) does not count them. This is about what a
/// person is shown and what counts as a word of substance; the models still read
/// every word.
#[rustfmt::skip]
pub const FUNCTION_WORDS: &[&str] = &[
    "about", "above", "across", "after", "again", "against", "all", "almost", "along",
    "alongside", "also", "although", "am", "among", "an", "and", "another", "any", "are",
    "around", "as", "at", "be", "because", "been", "before", "being", "below", "beneath",
    "beside", "besides", "between", "beyond", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "done", "down", "during", "each", "either", "else", "enough",
    "etc", "even", "ever", "every", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "however", "if", "in", "inside", "into", "is", "isn", "it", "its", "itself", "just",
    "least", "less", "let", "many", "may", "me", "might", "mine", "more", "most", "much",
    "must", "my", "myself", "neither", "no", "nor", "not", "now", "of", "off", "often",
    "on", "once", "one", "only", "onto", "or", "other", "others", "our", "ours",
    "ourselves", "out", "over", "own", "per", "quite", "rather", "same", "shall", "she",
    "should", "since", "so", "some", "such", "than", "that", "the", "their", "theirs",
    "them", "themselves", "then", "there", "these", "they", "this", "those", "though",
    "through", "throughout", "thus", "till", "to", "too", "toward", "towards", "under",
    "underneath", "unless", "until", "up", "upon", "us", "very", "via", "was", "we", "were",
    "what", "whatever", "when", "where", "whereas", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you",
    "your", "yours", "yourself", "yourselves",
];

/// True for a normalised token (lower-case, no accents; see [`crate::tokenize`])
/// that is one of the [`FUNCTION_WORDS`].
pub fn is_function_word(token: &str) -> bool {
    FUNCTION_WORDS.binary_search(&token).is_ok()
}

/// True for a normalised token that says something of its own: two characters or
/// more and not a function word. Only these count as evidence, for explanations,
/// for the wine-evidence rule and for how certain a short note's answer can be.
pub fn is_content_word(token: &str) -> bool {
    token.chars().nth(1).is_some() && !is_function_word(token)
}

/// The number of content words in `text` (see [`is_content_word`]).
pub fn content_words(text: &str) -> usize {
    tokenize(text)
        .iter()
        .filter(|token| is_content_word(&token.text))
        .count()
}

/// The text up to the end of its last finished word: what the instant guess reads
/// while a person types, so that a half-typed word never swings it ("Ea" and "Ear"
/// add nothing; "Earthy " does). A word is finished by anything that is not a letter
/// or digit after it (a space, punctuation, a line break). A pause in typing finishes
/// the last word too: the page then reads the whole text instead.
pub fn complete_words(text: &str) -> &str {
    match text.char_indices().next_back() {
        Some((_, last)) if !last.is_alphanumeric() => text,
        Some(_) => {
            let cut = text
                .char_indices()
                .rev()
                .find(|(_, c)| !c.is_alphanumeric())
                .map_or(0, |(at, c)| at + c.len_utf8());
            &text[..cut]
        }
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_lower_case_and_unique() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            FUNCTION_WORDS
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        );
        for word in ["with", "and", "of", "then", "the", "an", "is", "this", "it"] {
            assert!(is_function_word(word), "{word}");
        }
        for word in ["cherry", "tannic", "malbec", "oak", "a"] {
            assert!(!is_function_word(word), "{word}");
        }
        assert_eq!(content_words("Nebbiolo with tar and roses"), 3);
        assert_eq!(content_words("It is a wine, isn't it?"), 1);
    }

    #[test]
    fn a_half_typed_word_is_left_out() {
        assert_eq!(complete_words(""), "");
        assert_eq!(complete_words("Ea"), "");
        assert_eq!(complete_words("Ear"), "");
        assert_eq!(complete_words("Earthy "), "Earthy ");
        assert_eq!(complete_words("Earthy and sp"), "Earthy and ");
        assert_eq!(complete_words("Earthy, spicy"), "Earthy, ");
        assert_eq!(complete_words("Earthy, spicy."), "Earthy, spicy.");
        assert_eq!(complete_words("Ripe fruit\nCôt"), "Ripe fruit\n");
        assert_eq!(complete_words("Côtes-du-Rhô"), "Côtes-du-");
        assert_eq!(complete_words("2015 "), "2015 ");
        assert_eq!(complete_words("vintage 201"), "vintage ");
    }
}
