//! Reading review CSVs: required columns, quoted multi-line fields, and an honest
//! count of the rows that could not be used.

use std::io::Read;

use sha2::{Digest, Sha256};

/// Why a CSV could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file lacks columns every review needs.
    #[error("the CSV lacks required column(s): {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    /// The file cannot be parsed as CSV.
    #[error("the CSV cannot be read: {0}")]
    Csv(#[from] csv::Error),
    /// The file cannot be read.
    #[error("cannot read the data: {0}")]
    Io(#[from] std::io::Error),
}

/// One usable review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The tasting note.
    pub description: String,
    /// Country of origin.
    pub country: String,
    /// Province or state, when given.
    pub province: Option<String>,
    /// The reviewer, when given; used to hold out whole writers.
    pub taster: Option<String>,
    /// The wine's name (producer, vintage, cuvée, grape, appellation), when given;
    /// training reads it as a second short text about the same wine.
    pub title: Option<String>,
}

/// Rows set aside, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rejected {
    /// Rows with a different number of fields than the header, or broken quoting.
    pub malformed: usize,
    /// Rows with no description.
    pub empty_description: usize,
    /// Rows with no country.
    pub empty_country: usize,
}

impl Rejected {
    /// All rows set aside.
    pub fn total(&self) -> usize {
        self.malformed + self.empty_description + self.empty_country
    }
}

/// A data set as read, with what identifies it.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Usable reviews, in file order.
    pub reviews: Vec<Review>,
    /// Rows set aside.
    pub rejected: Rejected,
    /// Data rows in the file.
    pub rows: usize,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// Whether the file has a province column.
    pub has_province: bool,
}

/// Reads reviews from CSV bytes. Needs `description` and `country` columns;
/// `province`, `taster_name` and `title` are used when present; other columns are
/// ignored.
pub fn read_reviews(bytes: &[u8]) -> Result<Dataset, DataError> {
    read_reviews_by(bytes, None).map(|(dataset, _)| dataset)
}

/// [`read_reviews`], with the value of column `by` for each usable review (in the
/// order of [`Dataset::reviews`]; `None` where it is empty), so that figures can be
/// broken down by any column. An error when the file has no such column.
pub fn read_reviews_by(
    bytes: &[u8],
    by: Option<&str>,
) -> Result<(Dataset, Vec<Option<String>>), DataError> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers()?.clone();
    let (description, country) =
        vinovoyant_analytics::required_columns(&headers).map_err(DataError::MissingColumns)?;
    let column = |name| vinovoyant_analytics::column(&headers, name);
    let province = column("province");
    let taster = column("taster_name");
    let title = column("title");
    let group = match by {
        Some(name) => {
            Some(column(name).ok_or_else(|| DataError::MissingColumns(vec![name.to_string()]))?)
        }
        None => None,
    };
    let mut groups = Vec::new();
    let mut dataset = Dataset {
        reviews: Vec::new(),
        rejected: Rejected::default(),
        rows: 0,
        sha256,
        has_province: province.is_some(),
    };
    let optional = |record: &csv::StringRecord, at: Option<usize>| {
        at.and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
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
        let text = record.get(description).unwrap_or_default().trim();
        let origin = record.get(country).unwrap_or_default().trim();
        if text.is_empty() {
            dataset.rejected.empty_description += 1;
        } else if origin.is_empty() {
            dataset.rejected.empty_country += 1;
        } else {
            dataset.reviews.push(Review {
                description: text.to_string(),
                country: origin.to_string(),
                province: optional(&record, province),
                taster: optional(&record, taster),
                title: optional(&record, title),
            });
            if by.is_some() {
                groups.push(optional(&record, group));
            }
        }
    }
    Ok((dataset, groups))
}

/// Writes reviews as a CSV that [`read_reviews`] reads back unchanged: the columns
/// `description,country,province,taster_name,title`, absent values empty.
pub fn write_reviews<'a>(
    writer: impl std::io::Write,
    reviews: impl IntoIterator<Item = &'a Review>,
) -> Result<(), DataError> {
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(["description", "country", "province", "taster_name", "title"])?;
    let optional = |value: &'a Option<String>| value.as_deref().unwrap_or_default();
    for review in reviews {
        out.write_record([
            review.description.as_str(),
            review.country.as_str(),
            optional(&review.province),
            optional(&review.taster),
            optional(&review.title),
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// Reads reviews from any reader (a file, a download).
pub fn read_reviews_from(mut source: impl Read) -> Result<Dataset, DataError> {
    let mut bytes = Vec::new();
    source.read_to_end(&mut bytes)?;
    read_reviews(&bytes)
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
        let csv = "description,country,province,taster_name,title\n\
                   \"Ripe, round\nand \"\"plush\"\"\",US,California,Virginie Boone,X 2016 Merlot (Napa)\n\
                   Crisp and dry,Italy,,,\n";
        let read = read_reviews(csv.as_bytes()).unwrap();
        let mut written = Vec::new();
        write_reviews(&mut written, &read.reviews).unwrap();
        assert_eq!(String::from_utf8(written.clone()).unwrap(), csv);
        assert_eq!(read_reviews(&written).unwrap().reviews, read.reviews);
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
}
