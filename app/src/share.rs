//! Links that share a note: `/?note=<text>` renders the predict page with the
//! full model's answer for that note, with or without JavaScript. The page's
//! share line is `pages::predict`'s `ShareNote`; the server reads the links with
//! [`shared_note`].

/// The query parameter of a shared note.
pub const NOTE_PARAM: &str = "note";

/// Longest shared link (path and query, in bytes) the page offers. Load balancers
/// refuse request lines much longer than this (the AWS ALB at 16 KiB), so a note
/// whose encoding would exceed it is said to be too long to share by link. A
/// 5,000-character note in Latin script stays well under it.
pub const MAX_SHARE_PATH_BYTES: usize = 12_000;

/// The relative link that shares `note`, or why there is none.
pub fn share_path(note: &str) -> Result<String, NotShareable> {
    if note.trim().is_empty() {
        return Err(NotShareable::Empty);
    }
    let encoded: String = form_urlencoded::byte_serialize(note.as_bytes()).collect();
    let path = format!("{}?{NOTE_PARAM}={encoded}", crate::routes::PREDICT);
    if path.len() > MAX_SHARE_PATH_BYTES {
        return Err(NotShareable::TooLong {
            bytes: path.len(),
            max: MAX_SHARE_PATH_BYTES,
        });
    }
    Ok(path)
}

/// The shared note in a request's query string, if it has one that is not blank.
pub fn shared_note(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == NOTE_PARAM)
        .map(|(_, value)| value.into_owned())
        .filter(|note| !note.trim().is_empty())
}

/// Why a note has no share link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotShareable {
    /// Nothing typed yet.
    Empty,
    /// The link would be longer than [`MAX_SHARE_PATH_BYTES`].
    TooLong {
        /// Bytes the link would take.
        bytes: usize,
        /// The limit.
        max: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_round_trips_through_its_link() {
        let note = "Rosé & \"cherry\" — 100% <Syrah>?\nnext line + more";
        let path = share_path(note).expect("shareable");
        let query = path.strip_prefix("/?").expect("a query");
        assert!(!path.contains(' ') && !path.contains('<') && !path.contains('\n'));
        assert_eq!(shared_note(query).as_deref(), Some(note));
    }

    #[test]
    fn blank_notes_have_no_link_and_are_not_read_from_one() {
        assert_eq!(share_path("  \n"), Err(NotShareable::Empty));
        assert_eq!(shared_note("note=+%20+"), None);
        assert_eq!(shared_note("other=x"), None);
        assert_eq!(shared_note(""), None);
    }

    #[test]
    fn a_full_length_latin_note_fits_and_a_longer_encoding_is_refused() {
        let latin = "Ripe cherry, dusty tannins and a long finish. ".repeat(200);
        let latin: String = latin
            .chars()
            .take(vinovoyant_model::MAX_DESCRIPTION_CHARS)
            .collect();
        let path = share_path(&latin).expect("5,000 Latin characters fit");
        assert!(path.len() <= MAX_SHARE_PATH_BYTES);
        let accented = "é".repeat(vinovoyant_model::MAX_DESCRIPTION_CHARS);
        assert!(matches!(
            share_path(&accented),
            Err(NotShareable::TooLong {
                max: MAX_SHARE_PATH_BYTES,
                ..
            })
        ));
    }

    #[test]
    fn invalid_utf8_in_a_query_is_read_lossily_not_refused() {
        assert_eq!(shared_note("note=caf%E9").as_deref(), Some("caf\u{fffd}"));
    }
}
