//! Reading review CSVs: columns found by name, quoted multi-line fields, and an
//! honest count of the rows that could not be used; and writing reviews back.

use std::io::Read;

use vinovoyant_model::bundle::sha256_hex;

use crate::{Dataset, ReadError, ReadOptions, Rejected, Review};

/// Position of a column, found by name whatever its case or surrounding spaces.
pub fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Positions of the `description` and `country` columns every review CSV needs, or
/// the names of those missing.
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

/// Reads reviews from CSV bytes. Needs `description` and `country` columns;
/// `province`, `variety`, `taster_name` and `title` are used when present; other
/// columns are ignored.
pub fn read_reviews(bytes: &[u8]) -> Result<Dataset, ReadError> {
    read_reviews_with(bytes, &ReadOptions::default()).map(|(dataset, _)| dataset)
}

/// Reads reviews from any reader (a file, a download).
pub fn read_reviews_from(mut source: impl Read) -> Result<Dataset, ReadError> {
    let mut bytes = Vec::new();
    source.read_to_end(&mut bytes)?;
    read_reviews(&bytes)
}

/// Where each column a review is made of sits in the file.
struct Columns {
    description: usize,
    country: usize,
    province: Option<usize>,
    taster: Option<usize>,
    title: Option<usize>,
    variety: Option<usize>,
    /// `points` and `price`, when [`ReadOptions::aggregates`] asks for them.
    aggregates: Option<[Option<usize>; 2]>,
    by: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord, options: &ReadOptions) -> Result<Self, ReadError> {
        let (description, country) =
            required_columns(headers).map_err(ReadError::MissingColumns)?;
        let at = |name| column(headers, name);
        let by = match options.by {
            Some(name) => {
                Some(at(name).ok_or_else(|| ReadError::MissingColumns(vec![name.to_string()]))?)
            }
            None => None,
        };
        Ok(Self {
            description,
            country,
            province: at("province"),
            taster: at("taster_name"),
            title: at("title"),
            variety: at("variety"),
            aggregates: options.aggregates.then(|| [at("points"), at("price")]),
            by,
        })
    }

    /// The review in `record`, or why it is set aside.
    fn review(&self, record: &csv::StringRecord) -> Result<Review, Rejection> {
        let text = record.get(self.description).unwrap_or_default().trim();
        let origin = record.get(self.country).unwrap_or_default().trim();
        if text.is_empty() {
            return Err(Rejection::EmptyDescription);
        }
        if origin.is_empty() {
            return Err(Rejection::EmptyCountry);
        }
        let [points, price] = self.aggregates.unwrap_or_default();
        let number = |at: Option<usize>| {
            field(record, at)
                .and_then(|s| s.parse::<f64>().ok())
                .filter(|v| v.is_finite())
        };
        Ok(Review {
            description: text.to_string(),
            country: origin.to_string(),
            province: field(record, self.province).map(str::to_string),
            taster: field(record, self.taster).map(str::to_string),
            title: field(record, self.title).map(str::to_string),
            points: number(points),
            price: number(price).filter(|p| *p > 0.0),
            variety: field(record, self.variety).map(str::to_string),
        })
    }
}

/// Why a well-formed row is set aside.
enum Rejection {
    EmptyDescription,
    EmptyCountry,
}

/// The trimmed, non-empty value of column `at`.
fn field(record: &csv::StringRecord, at: Option<usize>) -> Option<&str> {
    at.and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// [`read_reviews`], keeping what `options` ask for besides; the second value holds
/// the `by` column's value for each usable review (in the order of
/// [`Dataset::reviews`]; `None` where it is empty), empty when no column is asked.
pub fn read_reviews_with(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(Dataset, Vec<Option<String>>), ReadError> {
    let sha256 = sha256_hex(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers()?.clone();
    let columns = Columns::find(&headers, options)?;
    let mut groups = Vec::new();
    let mut dataset = Dataset {
        reviews: Vec::new(),
        rejected: Rejected::default(),
        rows: 0,
        sha256,
        has_province: columns.province.is_some(),
    };
    for record in reader.records() {
        dataset.rows += 1;
        let record = match record {
            Ok(record) if record.len() == headers.len() => record,
            _ => {
                dataset.rejected.malformed += 1;
                continue;
            }
        };
        match columns.review(&record) {
            Ok(review) => {
                dataset.reviews.push(review);
                if options.by.is_some() {
                    groups.push(field(&record, columns.by).map(str::to_string));
                }
            }
            Err(Rejection::EmptyDescription) => dataset.rejected.empty_description += 1,
            Err(Rejection::EmptyCountry) => dataset.rejected.empty_country += 1,
        }
    }
    Ok((dataset, groups))
}

/// Writes reviews as a CSV that [`read_reviews`] reads back unchanged: the columns
/// `description,country,province,variety,taster_name,title`, absent values empty.
pub fn write_reviews<'a>(
    writer: impl std::io::Write,
    reviews: impl IntoIterator<Item = &'a Review>,
) -> Result<(), ReadError> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record([
        "description",
        "country",
        "province",
        "variety",
        "taster_name",
        "title",
    ])?;
    let optional = |value: &'a Option<String>| value.as_deref().unwrap_or_default();
    for review in reviews {
        out.write_record([
            review.description.as_str(),
            review.country.as_str(),
            optional(&review.province),
            optional(&review.variety),
            optional(&review.taster),
            optional(&review.title),
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_multiline_fields_and_ignores_extra_columns() {
        let csv = "points,description,country,province,title\n\
                   90,\"Line one,\nline \"\"two\"\"\",France,Burgundy,Domaine X 2015 Pommard\n\
                   88,Crisp and dry,Italy,,\n";
        let data = read_reviews(csv.as_bytes()).unwrap();
        assert_eq!(data.rows, 2);
        assert_eq!(data.reviews.len(), 2);
        assert_eq!(data.reviews[0].description, "Line one,\nline \"two\"");
        assert_eq!(data.reviews[0].province.as_deref(), Some("Burgundy"));
        assert_eq!(data.reviews[1].province, None);
        assert_eq!(
            data.reviews[0].title.as_deref(),
            Some("Domaine X 2015 Pommard")
        );
        assert_eq!(data.reviews[1].title, None);
        assert!(data.has_province);
    }

    #[test]
    fn written_reviews_read_back_unchanged() {
        let csv = "description,country,province,variety,taster_name,title\n\
                   \"Ripe, round\nand \"\"plush\"\"\",US,California,Merlot,Virginie Boone,X 2016 Merlot (Napa)\n\
                   Crisp and dry,Italy,,,,\n";
        let read = read_reviews(csv.as_bytes()).unwrap();
        let mut written = Vec::new();
        write_reviews(&mut written, &read.reviews).unwrap();
        assert_eq!(String::from_utf8(written.clone()).unwrap(), csv);
        assert_eq!(read_reviews(&written).unwrap().reviews, read.reviews);
        assert_eq!(read.reviews[0].variety.as_deref(), Some("Merlot"));
    }

    #[test]
    fn names_missing_columns() {
        let err = read_reviews(b"text,points\nhello,90\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the CSV lacks required column(s): description, country"
        );
    }

    #[test]
    fn counts_rejected_rows() {
        let csv =
            "description,country\nGood,France\n,Italy\nFine,\ntoo,many,fields\n\"unclosed,Spain\n";
        let data = read_reviews(csv.as_bytes()).unwrap();
        assert_eq!(data.reviews.len(), 1);
        assert_eq!(data.rejected.empty_description, 1);
        assert_eq!(data.rejected.empty_country, 1);
        assert!(data.rejected.malformed >= 1, "{:?}", data.rejected);
        assert_eq!(data.rows, data.reviews.len() + data.rejected.total());
    }

    #[test]
    fn reads_the_aggregated_columns_and_skips_unusable_rows() {
        let csv = "description,country,variety,points,price\n\
                   \"Ripe, round\",France,Merlot,90,25.0\n\
                   Lean,Italy,,eighty,\n\
                   ,Spain,Tempranillo,85,10\n\
                   Fine,Chile,Carmenère,88,-3\n\
                   too,many,fields,here,now,extra\n";
        let aggregates = ReadOptions {
            aggregates: true,
            by: None,
        };
        let (read, _) = read_reviews_with(csv.as_bytes(), &aggregates).expect("readable");
        assert_eq!(read.rejected.total(), 2);
        assert_eq!(read.reviews.len(), 3);
        assert_eq!(read.reviews[0].description, "Ripe, round");
        assert_eq!(read.reviews[0].points, Some(90.0));
        assert_eq!(read.reviews[0].price, Some(25.0));
        assert_eq!(read.reviews[1].variety, None);
        assert_eq!(read.reviews[1].points, None);
        assert_eq!(read.reviews[2].price, None);
    }

    #[test]
    fn the_aggregated_columns_are_read_only_when_asked() {
        let csv = "description,country,variety,points,price\nRipe,France,Merlot,90,25\n";
        let plain = read_reviews(csv.as_bytes()).expect("readable");
        assert_eq!(plain.reviews[0].points, None);
        assert_eq!(plain.reviews[0].price, None);
        // the variety is a class the models learn, so it is always read
        assert_eq!(plain.reviews[0].variety.as_deref(), Some("Merlot"));
    }

    #[test]
    fn names_a_missing_group_column() {
        let by = ReadOptions {
            aggregates: false,
            by: Some("taster_name"),
        };
        let error = read_reviews_with(b"description,country\nRipe,France\n", &by)
            .expect_err("no such column");
        assert_eq!(
            error.to_string(),
            "the CSV lacks required column(s): taster_name"
        );
    }
}
