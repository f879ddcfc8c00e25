//! What the index keeps of each review to show it: its title and first sentence in
//! one shared text buffer, its country, province and variety as numbers into a
//! table of the few distinct names, its points and price.

use std::collections::HashMap;
use std::mem::size_of;
use std::ops::Range;

use vinovoyant_reviews::Review;

use crate::sentence::first_sentence;

/// A stretch of [`Shown::text`]: start and end byte offsets.
type Span = (u32, u32);

/// The shown fields of one review, 36 bytes: a missing title is an empty span
/// (reviews never have an empty one), a missing name is [`NO_NAME`], a missing
/// number is NaN (reviews only have finite ones).
#[derive(Debug, Clone, Copy)]
struct Entry {
    title: Span,
    sentence: Span,
    country: u32,
    province: u32,
    variety: u32,
    points: f32,
    price: f32,
}

/// The name number of a missing province or variety.
const NO_NAME: u32 = u32::MAX;

/// The shown fields of every indexed review, in index order. Titles and sentences
/// share one buffer and names are stored once each, so that a review costs its
/// text and a few numbers rather than six separate allocations.
#[derive(Debug, Default)]
pub(crate) struct Shown {
    text: String,
    names: Names,
    entries: Vec<Entry>,
}

/// The shown fields of one review, borrowed from [`Shown`].
pub(crate) struct ShownReview<'a> {
    pub title: Option<&'a str>,
    pub sentence: &'a str,
    pub country: &'a str,
    pub province: Option<&'a str>,
    pub variety: Option<&'a str>,
    pub points: Option<f64>,
    pub price: Option<f64>,
}

impl Shown {
    /// Adds `review`; returns false (adding nothing) when the text buffer would
    /// outgrow the `u32` offsets, some four gigabytes.
    pub fn push(&mut self, review: &Review) -> bool {
        let sentence = first_sentence(&review.description);
        let title_bytes = review.title.as_ref().map_or(0, String::len);
        if self.text.len() + title_bytes + sentence.len() > u32::MAX as usize {
            return false;
        }
        let title = self.append(review.title.as_deref().unwrap_or_default());
        let sentence = self.append(&sentence);
        let mut name =
            |name: &Option<String>| name.as_deref().map_or(NO_NAME, |name| self.names.id(name));
        let entry = Entry {
            title,
            sentence,
            province: name(&review.province),
            variety: name(&review.variety),
            country: self.names.id(&review.country),
            points: review.points.map_or(f32::NAN, |points| points as f32),
            price: review.price.map_or(f32::NAN, |price| price as f32),
        };
        self.entries.push(entry);
        true
    }

    /// Drops what only adding needs and gives back spare capacity, once every
    /// review is in.
    pub fn finish(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.names.finish();
    }

    /// Reviews added.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The shown fields of review `at`, when there is one.
    pub fn get(&self, at: usize) -> Option<ShownReview<'_>> {
        let entry = self.entries.get(at)?;
        let number = |value: f32| (!value.is_nan()).then_some(f64::from(value));
        Some(ShownReview {
            title: Some(self.slice(entry.title)).filter(|title| !title.is_empty()),
            sentence: self.slice(entry.sentence),
            country: self.names.name(entry.country).unwrap_or_default(),
            province: self.names.name(entry.province),
            variety: self.names.name(entry.variety),
            points: number(entry.points),
            price: number(entry.price),
        })
    }

    /// Bytes held on the heap: the capacities of the buffer, the entries and the
    /// name table.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.entries.capacity() * size_of::<Entry>()
            + self.names.heap_bytes()
    }

    fn append(&mut self, text: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        (start, self.text.len() as u32)
    }

    fn slice(&self, (start, end): Span) -> &str {
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

/// Country, province and variety names, each stored once: a few thousand
/// distinct names among all reviews.
#[derive(Debug, Default)]
struct Names {
    text: String,
    spans: Vec<Range<u32>>,
    ids: HashMap<Box<str>, u32>,
}

impl Names {
    /// The number of `name`, added when new.
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.spans.len() as u32;
        let start = self.text.len() as u32;
        self.text.push_str(name);
        self.spans.push(start..self.text.len() as u32);
        self.ids.insert(name.into(), id);
        id
    }

    /// The name numbered `id`; none for [`NO_NAME`].
    fn name(&self, id: u32) -> Option<&str> {
        self.spans
            .get(id as usize)
            .and_then(|span| self.text.get(span.start as usize..span.end as usize))
    }

    /// Drops the lookup table, which only adding needs.
    fn finish(&mut self) {
        self.text.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.ids = HashMap::new();
    }

    /// The buffer, the spans, and the lookup table while adding: its slots (key,
    /// value and one control byte each) and its keys' own bytes.
    fn heap_bytes(&self) -> usize {
        let slots = self.ids.capacity() * (size_of::<(Box<str>, u32)>() + 1);
        let keys: usize = self.ids.keys().map(|key| key.len()).sum();
        self.text.capacity() + self.spans.capacity() * size_of::<Range<u32>>() + slots + keys
    }
}
