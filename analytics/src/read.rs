//! Reading the review CSV for the aggregates: the same file the trainer reads,
//! with the columns the trainer ignores (points, price, variety).

use crate::Review;

/// Why a CSV could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file lacks columns every review needs.
    #[error("the CSV lacks required column(s): {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// The header cannot be parsed as CSV.
    #[error("the CSV cannot be read: {0}")]
    Csv(#[from] csv::Error),
}

/// Position of a column, found by name whatever its case or surrounding spaces.
pub fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Positions of the `description` and `country` columns every review CSV needs
/// (the trainer's reader uses this too), or the names of those missing.
pub fn required_columns(headers: &csv::StringRecord) -> Result<(usize, usize), Vec<String>> {
    match (column(headers, "description"), column(headers, "country")) {
        (Some(description), Some(country)) => Ok((description, country)),
        (description, country) => Err([("description", description), ("country", country)]
            .into_iter()
            .filter(|(_, at)| at.is_none())
            .map(|(name, _)| name.to_string())
            .collect()),
    }
}

/// The usable reviews of a CSV and how many rows were set aside.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadReviews {
    /// Rows with a description and a country, in file order.
    pub reviews: Vec<Review>,
    /// Rows that were malformed or lacked a description or a country.
    pub skipped: usize,
}

/// Reads reviews from CSV bytes. Needs `description` and `country` columns;
/// `points`, `price` and `variety` are used when present. A value that does not
/// parse (or a price that is not positive) counts as missing.
pub fn read_reviews(bytes: &[u8]) -> Result<ReadReviews, ReadError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers()?.clone();
    let (description, country) = required_columns(&headers).map_err(ReadError::MissingColumns)?;
    let column = |name| column(&headers, name);
    let (points, price, variety) = (column("points"), column("price"), column("variety"));
    let mut read = ReadReviews {
        reviews: Vec::new(),
        skipped: 0,
    };
    for record in reader.records() {
        let record = match record {
            Ok(record) if record.len() == headers.len() => record,
            _ => {
                read.skipped += 1;
                continue;
            }
        };
        let field = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let number = |at: Option<usize>| {
            field(at)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        match (field(Some(description)), field(Some(country))) {
            (Some(text), Some(origin)) => read.reviews.push(Review {
                country: origin.to_string(),
                points: number(points),
                price: number(price).filter(|p| *p > 0.0),
                variety: field(variety).map(str::to_string),
                description: text.to_string(),
            }),
            _ => read.skipped += 1,
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_aggregated_columns_and_skips_unusable_rows() {
        let csv = "description,country,variety,points,price\n\
                   \"Ripe, round\",France,Merlot,90,25.0\n\
                   Lean,Italy,,eighty,\n\
                   ,Spain,Tempranillo,85,10\n\
                   Fine,Chile,Carmenère,88,-3\n\
                   too,many,fields,here,now,extra\n";
        let read = read_reviews(csv.as_bytes()).expect("readable");
        assert_eq!(read.skipped, 2);
        assert_eq!(read.reviews.len(), 3);
        assert_eq!(read.reviews[0].description, "Ripe, round");
        assert_eq!(read.reviews[0].points, Some(90.0));
        assert_eq!(read.reviews[0].price, Some(25.0));
        assert_eq!(read.reviews[1].variety, None);
        assert_eq!(read.reviews[1].points, None);
        assert_eq!(read.reviews[2].price, None);
    }

    #[test]
    fn names_missing_columns() {
        let error = read_reviews(b"points,price\n90,10\n").expect_err("no description");
        assert_eq!(
            error.to_string(),
            "the CSV lacks required column(s): description, country"
        );
    }
}
