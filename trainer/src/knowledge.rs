//! Knowledge the reviews do not spell out, written as data: which grapes, styles,
//! places and producers belong to which country (`trainer/knowledge/origins.txt`).
//!
//! A country's few reviews often come from one writer, so the model learns that
//! writer's words for it; a new writer who names the country's grape or region
//! in other company gets another country. Each name becomes a short training
//! document labelled with its country, so both models' country heads learn the
//! name itself, whoever writes around it. The file ships inside the trainer, so a
//! bundle trained anywhere reads the same knowledge; the manifest records which
//! ([`record`]).

use std::collections::{HashMap, HashSet};

use vinovoyant_model::manifest::KnowledgeRecord;

use crate::data::Review;

/// The knowledge file as written, compiled into the trainer.
pub const ORIGINS: &str = include_str!("../knowledge/origins.txt");

/// What a name says about a wine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A grape grown mostly in one country.
    Grape,
    /// A country's own word for a style or a grade.
    Style,
    /// A region, appellation or village.
    Place,
    /// A winery, estate or house.
    Producer,
}

/// One name and the country it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The name as a note would write it.
    pub name: String,
    /// The country, spelt as the reviews spell it.
    pub country: String,
    /// What kind of name it is.
    pub kind: Kind,
}

/// A line of the knowledge file that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("knowledge line {line}: {reason}")]
pub struct KnowledgeError {
    /// One-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Reads `Country | kind | name, name, ...` lines; `#` starts a comment and blank
/// lines are skipped. A name listed twice for one country counts once.
pub fn parse(text: &str) -> Result<Vec<Origin>, KnowledgeError> {
    let mut origins: Vec<Origin> = Vec::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let error = |reason| KnowledgeError {
            line: index + 1,
            reason,
        };
        let mut fields = line.split('|').map(str::trim);
        let (Some(country), Some(kind), Some(names), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(error("expected `Country | kind | names`"));
        };
        if country.is_empty() {
            return Err(error("the country is empty"));
        }
        let kind = match kind {
            "grape" => Kind::Grape,
            "style" => Kind::Style,
            "place" => Kind::Place,
            "producer" => Kind::Producer,
            _ => return Err(error("the kind is not grape, style, place or producer")),
        };
        for name in names.split(',').map(str::trim) {
            if name.is_empty() {
                return Err(error("an empty name"));
            }
            if seen.insert((name, country)) {
                origins.push(Origin {
                    name: name.to_owned(),
                    country: country.to_owned(),
                    kind,
                });
            }
        }
    }
    Ok(origins)
}

/// The shipped knowledge file, parsed.
pub fn origins() -> Result<Vec<Origin>, KnowledgeError> {
    parse(ORIGINS)
}

/// Hex SHA-256 of the shipped knowledge file, for the manifest.
pub fn checksum() -> String {
    vinovoyant_model::bundle::sha256_hex(ORIGINS.as_bytes())
}

/// What the manifest records of a run that makes `copies` documents of each
/// name; `None` when it reads no knowledge.
pub fn record(copies: usize) -> Result<Option<KnowledgeRecord>, KnowledgeError> {
    if copies == 0 {
        return Ok(None);
    }
    Ok(Some(KnowledgeRecord {
        sha256: checksum(),
        names: origins()?.len(),
        copies,
        weights: Default::default(),
        trusted_names: None,
    }))
}

/// When the training reviews let a name raise its country: among the reviews
/// that name it (if there are at least `min_mentions`), the odds of its country
/// must be at least `min_odds_ratio` times its odds among all the reviews. Some
/// names are also words of the trade ("cassis" is a Provence village and the
/// blackcurrant of countless notes; "Bordeaux blend" and "Rhône-style" are
/// written of Californian wines); the reviews say which, and such a name is a
/// word like any other. A grape grown far from home still counts where it makes
/// its country likelier: Malbec is written of Californian wines more than of
/// Argentine ones here, yet a note naming it is Argentine eleven times as often
/// as a note is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trust {
    /// Fewer mentions than this and the reviews cannot judge the name: it is kept.
    pub min_mentions: usize,
    /// How much a name must raise the odds of its country.
    pub min_odds_ratio: f64,
}

/// The names of a knowledge file, parted by what the training reviews say of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted<'o> {
    /// Names that raise their country, in the file's order.
    pub raising: Vec<&'o Origin>,
    /// Names the reviews give to other countries (see [`Trust`]), in the file's order.
    pub contradicted: Vec<&'o Origin>,
}

/// Parts the names of `origins` into those `reviews` do not contradict and those
/// they do (see [`Trust`]).
pub fn trusted<'o>(
    origins: &'o [Origin],
    reviews: &[&Review],
    trust: Trust,
) -> Result<Trusted<'o>, vinovoyant_model::FormatError> {
    // Each name as its own class, so a match says which name was found.
    let each_name =
        vinovoyant_model::Knowledge::new(origins.iter().map(|o| o.name.as_str()).zip(0..), 0.0)?;
    let mut mentions = vec![0_usize; origins.len()];
    let mut own = vec![0_usize; origins.len()];
    let mut of_country: HashMap<&str, usize> = HashMap::new();
    for review in reviews {
        *of_country.entry(review.country.as_str()).or_default() += 1;
        let tokens = vinovoyant_model::tokenize(&review.description);
        for found in each_name.named(&tokens) {
            mentions[found.country] += 1;
            own[found.country] += usize::from(review.country == origins[found.country].country);
        }
    }
    let share = |country: &str| {
        of_country.get(country).copied().unwrap_or(0) as f64 / reviews.len().max(1) as f64
    };
    // own / (mentions - own) >= ratio * base / (1 - base), without dividing.
    let raises_odds = |origin: &Origin, mentions: usize, own: usize| {
        let base = share(&origin.country);
        own as f64 * (1.0 - base) >= trust.min_odds_ratio * base * (mentions - own) as f64
    };
    let (raising, contradicted): (Vec<_>, Vec<_>) = origins
        .iter()
        .zip(mentions.into_iter().zip(own))
        .partition(|&(origin, (mentions, own))| {
            mentions < trust.min_mentions || raises_odds(origin, mentions, own)
        });
    let names = |parted: Vec<(&'o Origin, _)>| parted.into_iter().map(|(o, _)| o).collect();
    Ok(Trusted {
        raising: names(raising),
        contradicted: names(contradicted),
    })
}

/// The models' knowledge of `origins` (see [`vinovoyant_model::knowledge`]): each
/// name of a country among `countries` with that country's class, at weight 0
/// until the writer folds fit one.
pub fn knowledge_of(
    origins: &[&Origin],
    countries: &[String],
) -> Result<vinovoyant_model::Knowledge, vinovoyant_model::FormatError> {
    vinovoyant_model::Knowledge::new(
        origins.iter().filter_map(|origin| {
            let class = countries.iter().position(|c| *c == origin.country)?;
            Some((origin.name.as_str(), class))
        }),
        0.0,
    )
}

/// Each name as a training document of its own, `copies` times, labelled with
/// its country alone (a name says nothing of the province or grape here).
pub fn documents(origins: &[Origin], copies: usize) -> Vec<Review> {
    origins
        .iter()
        .flat_map(|origin| {
            std::iter::repeat_with(|| Review {
                description: origin.name.clone(),
                country: origin.country.clone(),
                ..Review::default()
            })
            .take(copies)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses_and_names_known_grapes() {
        let origins = origins().unwrap();
        assert!(origins.len() > 500, "{} names", origins.len());
        let country_of = |name: &str| {
            origins
                .iter()
                .find(|o| o.name == name)
                .map(|o| o.country.as_str())
        };
        assert_eq!(country_of("Pinotage"), Some("South Africa"));
        assert_eq!(country_of("Stellenbosch"), Some("South Africa"));
        assert_eq!(country_of("Nebbiolo"), Some("Italy"));
        assert_eq!(country_of("Tempranillo"), Some("Spain"));
    }

    #[test]
    fn comments_blank_lines_and_repeats_are_skipped() {
        let origins = parse(
            "# note\n\nChile | grape | Carmenère, País # two\nChile | place | Maipo, Carmenère\n",
        )
        .unwrap();
        let names: Vec<_> = origins.iter().map(|o| (o.name.as_str(), o.kind)).collect();
        assert_eq!(
            names,
            [
                ("Carmenère", Kind::Grape),
                ("País", Kind::Grape),
                ("Maipo", Kind::Place)
            ]
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(
            parse("Chile | grape\n").unwrap_err(),
            KnowledgeError {
                line: 1,
                reason: "expected `Country | kind | names`"
            }
        );
        assert_eq!(parse("\nChile | wine | Maipo").unwrap_err().line, 2);
        assert_eq!(
            parse("Chile | place | Maipo,,Leyda").unwrap_err().reason,
            "an empty name"
        );
        assert_eq!(
            parse(" | place | Maipo").unwrap_err().reason,
            "the country is empty"
        );
    }

    #[test]
    fn names_their_reviews_give_to_other_countries_are_not_trusted() {
        let origins =
            parse("France | place | Cassis, Bandol\nSouth Africa | grape | Pinotage").unwrap();
        let review = |description: &str, country: &str| Review {
            description: description.to_owned(),
            country: country.to_owned(),
            ..Review::default()
        };
        let reviews = [
            review("Cassis and cedar.", "US"),
            review("Ripe cassis, firm tannins.", "Australia"),
            review("CASSIS; mint.", "Chile"),
            review("Bandol rosé from Cassis.", "France"),
            review("Bandol Mourvèdre.", "France"),
            review("A Pinotage of smoke.", "US"),
            review("Pinotage, tar.", "US"),
            review("Pinotage and banana.", "South Africa"),
        ];
        let refs: Vec<&Review> = reviews.iter().collect();
        let kept = |min_odds_ratio| -> Vec<String> {
            let trust = Trust {
                min_mentions: 3,
                min_odds_ratio,
            };
            let parted = trusted(&origins, &refs, trust).unwrap();
            assert_eq!(
                parted.raising.len() + parted.contradicted.len(),
                origins.len()
            );
            parted.raising.iter().map(|o| o.name.clone()).collect()
        };
        // Cassis: 1 of 4 mentions French (odds 1:3) where 2 of 8 reviews are
        // (1:3): no raise. Pinotage: 1 of 3 South African (1:2) where 1 of 8 are
        // (1:7): odds 3.5 times. Bandol: too few mentions to judge.
        assert_eq!(kept(2.0), ["Bandol", "Pinotage"]);
        assert_eq!(kept(1.0), ["Cassis", "Bandol", "Pinotage"]);
        assert_eq!(kept(4.0), ["Bandol"]);
    }

    #[test]
    fn each_name_becomes_copies_documents_of_its_country() {
        let origins = parse("Greece | grape | Assyrtiko, Xinomavro").unwrap();
        let documents = documents(&origins, 2);
        assert_eq!(documents.len(), 4);
        assert!(documents.iter().all(|d| d.country == "Greece"));
        assert_eq!(documents[0].description, "Assyrtiko");
        assert_eq!(documents[2].description, "Xinomavro");
        assert!(documents.iter().all(|d| d.province.is_none()));
    }
}
