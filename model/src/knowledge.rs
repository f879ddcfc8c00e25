//! Knowledge the reviews do not spell out, as the models use it: names (grapes,
//! styles, places) that say which country a wine comes from whoever writes the
//! note, and how much a name found in a note adds to its country's answer.
//!
//! Both heads learn the names' features from the reviews, but from writers they
//! read: a new writer's other words pull harder against a name than training
//! let them. The trainer therefore fits one weight per model on the writer folds'
//! out-of-fold answers, and both models apply it alike, after the softmax and
//! before the top-label calibration: each country named in a note has its
//! probability multiplied by `exp(weight)` and the answer is renormalised. A
//! country counts once however many of its names appear, so a note listing
//! places is not ranked by how many it lists. This is the same as adding the
//! weight to the country's logit over the temperature.
//!
//! Names are matched as whole runs of normalised tokens ([`crate::text::tokenize`]),
//! so "Malbec", "malbec" and "MALBEC," are one name and "Barossa Valley" needs
//! both words.

use crate::format::FormatError;
use crate::text::Token;

/// Most tokens a name may have; longer names are refused when the knowledge is built.
pub const MAX_NAME_TOKENS: usize = 6;
/// Largest weight accepted: a name may multiply its country's probability by at
/// most `exp(MAX_WEIGHT)` before the renormalisation.
pub const MAX_WEIGHT: f32 = 20.0;

/// Names with their countries, and the weight a named country gets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Knowledge {
    /// `(name, country)`: the name's normalised tokens joined by one space, and the
    /// country's class index; sorted, without repeats.
    names: Vec<(String, u16)>,
    /// Added to the log-probability of every country a note names.
    weight: f32,
}

/// A country a note names, and where (byte offsets of the first name found).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// The country's class index.
    pub country: usize,
    /// Byte offset of the name's first character in the note.
    pub start: usize,
    /// Byte offset just past the name's last character.
    pub end: usize,
}

impl Knowledge {
    /// Knowledge of `names`, each `(name as written, country index)`, applied at
    /// `weight`. A name is normalised as notes are; names without letters or digits
    /// are skipped.
    pub fn new<'a>(
        names: impl IntoIterator<Item = (&'a str, usize)>,
        weight: f32,
    ) -> Result<Self, FormatError> {
        let mut normalised = Vec::new();
        for (name, country) in names {
            let tokens: Vec<String> = crate::text::tokenize(name)
                .into_iter()
                .map(|t| t.text)
                .collect();
            if tokens.is_empty() {
                continue;
            }
            if tokens.len() > MAX_NAME_TOKENS {
                return Err(FormatError::Invalid("a knowledge name has too many words"));
            }
            let country = u16::try_from(country)
                .map_err(|_| FormatError::Invalid("a knowledge country is out of range"))?;
            normalised.push((tokens.join(" "), country));
        }
        Self::from_parts(normalised, weight)
    }

    /// Knowledge from names already normalised (as stored in a model file).
    pub(crate) fn from_parts(
        mut names: Vec<(String, u16)>,
        weight: f32,
    ) -> Result<Self, FormatError> {
        if !(weight.is_finite() && (0.0..=MAX_WEIGHT).contains(&weight)) {
            return Err(FormatError::Invalid("knowledge weight out of range"));
        }
        names.sort();
        names.dedup();
        let longest = names
            .iter()
            .map(|(name, _)| name.split(' ').count())
            .max()
            .unwrap_or(0);
        let unfit = |name: &String| name.is_empty() || name.len() > usize::from(u8::MAX);
        if longest > MAX_NAME_TOKENS || names.iter().any(|(name, _)| unfit(name)) {
            return Err(FormatError::Invalid(
                "a knowledge name is empty or too long",
            ));
        }
        Ok(Self { names, weight })
    }

    /// The same names at another weight.
    pub fn with_weight(&self, weight: f32) -> Result<Self, FormatError> {
        Self::from_parts(self.names.clone(), weight)
    }

    /// Whether there are no names (older model files, or training without knowledge).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// How many `(name, country)` pairs there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// The weight added to a named country's log-probability.
    pub fn weight(&self) -> f32 {
        self.weight
    }

    /// The `(name, country)` pairs, names normalised, sorted.
    pub fn names(&self) -> &[(String, u16)] {
        &self.names
    }

    /// The countries `tokens` name, each once, in the order first named.
    ///
    /// Names are sorted, so those that begin with a token's word (the word alone,
    /// or the word and a space) lie together where a binary search finds them; a
    /// token that begins no name costs that one search and no allocation.
    pub fn named(&self, tokens: &[Token]) -> Vec<Named> {
        let mut found: Vec<Named> = Vec::new();
        for (start, token) in tokens.iter().enumerate() {
            let word = token.text.as_str();
            let begins_with_word = |(name, _): &&(String, u16)| {
                name.strip_prefix(word)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
            };
            let from = self.names.partition_point(|(name, _)| name.as_str() < word);
            for (name, country) in self.names[from..].iter().take_while(begins_with_word) {
                let country = usize::from(*country);
                if found.iter().any(|n| n.country == country) {
                    continue;
                }
                if let Some(end) = match_at(name, &tokens[start..]) {
                    found.push(Named {
                        country,
                        start: token.start,
                        end,
                    });
                }
            }
        }
        found
    }

    /// Multiplies the probability of each country in `named` by `exp(weight)` and
    /// renormalises `probabilities`.
    pub fn reweigh(&self, named: &[Named], probabilities: &mut [f32]) {
        if named.is_empty() || self.weight == 0.0 {
            return;
        }
        let boost = libm::expf(self.weight);
        for n in named {
            if let Some(p) = probabilities.get_mut(n.country) {
                *p *= boost;
            }
        }
        let total: f32 = probabilities.iter().sum();
        if total.is_finite() && total > 0.0 {
            for p in probabilities.iter_mut() {
                *p /= total;
            }
        }
    }
}

/// Where the name's last word ends in the note, when `tokens` begin with every
/// word of `name` (normalised, joined by single spaces).
fn match_at(name: &str, tokens: &[Token]) -> Option<usize> {
    let mut end = None;
    let mut rest = tokens.iter();
    for word in name.split(' ') {
        let token = rest.next().filter(|t| t.text == word)?;
        end = Some(token.end);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn knowledge(weight: f32) -> Knowledge {
        Knowledge::new(
            [
                ("Malbec", 0),
                ("Uco Valley", 0),
                ("Barossa Valley", 1),
                ("Shiraz", 1),
                ("Côte-Rôtie", 2),
                ("Macedonia", 3),
                ("Macedonia", 4),
                ("Malbec", 0),
                ("…", 2),
            ],
            weight,
        )
        .unwrap()
    }

    fn countries(k: &Knowledge, text: &str) -> Vec<usize> {
        k.named(&tokenize(text)).iter().map(|n| n.country).collect()
    }

    #[test]
    fn names_match_whole_runs_of_tokens_whatever_their_case_and_accents() {
        let k = knowledge(1.0);
        assert_eq!(k.len(), 7, "repeats and names without words are dropped");
        assert_eq!(countries(&k, "MALBEC, plush; from the uco valley"), [0]);
        assert_eq!(
            countries(&k, "Cote Rotie and a Barossa Valley Shiraz"),
            [2, 1]
        );
        assert_eq!(
            countries(&k, "Barossa alone, a valley, malbecs"),
            Vec::<usize>::new()
        );
        assert_eq!(
            countries(&k, "Macedonia"),
            [3, 4],
            "a name of two countries names both"
        );
        let text = "Dark and savoury: Uco Valley";
        let named = k.named(&tokenize(text));
        assert_eq!(&text[named[0].start..named[0].end], "Uco Valley");
    }

    #[test]
    fn a_named_country_gains_its_weight_in_log_odds_and_the_rest_keep_their_ratios() {
        let k = knowledge(1.0);
        let mut p = vec![0.1, 0.6, 0.3, 0.0, 0.0];
        let named = k.named(&tokenize("Malbec, Malbec and more Malbec"));
        k.reweigh(&named, &mut p);
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6);
        let odds = |p: &[f32]| p[0] / p[1];
        assert!(
            (odds(&p) / (0.1 / 0.6) - 1f32.exp()).abs() < 1e-4,
            "once, not three times"
        );
        assert!((p[2] / p[1] - 0.5).abs() < 1e-6);
        let mut unchanged = vec![0.1, 0.6, 0.3, 0.0, 0.0];
        knowledge(0.0).reweigh(&named, &mut unchanged);
        assert_eq!(unchanged, [0.1, 0.6, 0.3, 0.0, 0.0]);
        k.reweigh(&[], &mut unchanged);
        assert_eq!(unchanged, [0.1, 0.6, 0.3, 0.0, 0.0]);
    }

    #[test]
    fn bad_weights_and_names_are_refused() {
        for weight in [-0.1, f32::NAN, MAX_WEIGHT + 1.0] {
            assert!(Knowledge::new([("Malbec", 0)], weight).is_err(), "{weight}");
        }
        assert!(Knowledge::new([("one two three four five six seven", 0)], 1.0).is_err());
        assert!(Knowledge::new([("Malbec", 70_000)], 1.0).is_err());
        assert!(Knowledge::from_parts(vec![(String::new(), 0)], 1.0).is_err());
    }
}
