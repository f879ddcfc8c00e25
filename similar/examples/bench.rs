//! Measures `SimilarIndex` on a review CSV: build time, memory (the index's own
//! estimate and the process's resident set before and after) and query latency
//! over notes made from the reviews, first on the file as read, then on the file
//! grown to a target size by copies of its reviews with words dropped and swapped
//! in, so that the word lists grow as with more real reviews.
//!
//! Usage: cargo run --release -p vinovoyant-similar --example bench -- CSV [TARGET]
//! (TARGET reviews for the grown run, 130000 by default; 0 skips it).
//! `bench/similar/run.sh` runs it and says where the figures go.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vinovoyant_reviews::{ReadOptions, Review, read_reviews_with};
use vinovoyant_similar::SimilarIndex;

/// Notes made from the start of other reviews.
const NOTE_QUERIES: usize = 1_000;
/// Words kept from the start of a review to make a note.
const NOTE_WORDS: usize = 20;
/// Notes of about this many characters, made from consecutive reviews: the
/// longest input the server accepts.
const LONG_NOTE_CHARS: usize = 5_000;
const LONG_QUERIES: usize = 50;
/// Short notes a person might type; each is run [`PLAIN_REPEATS`] times.
const PLAIN_NOTES: &[&str] = &[
    "cherry and oak",
    "Pinotage from Stellenbosch",
    "crisp citrus, green apple and minerality",
    "jammy blackberry with vanilla and sweet tannins",
    "tar and roses",
    "buttery Chardonnay with toasty oak",
    "earthy, leathery, dried cherry and tobacco",
    "peach, apricot and honeysuckle; off-dry",
    "grassy, gooseberry, passion fruit",
    "smooth red wine",
];
const PLAIN_REPEATS: usize = 10;
/// Results asked of each query, as the product shows.
const K: usize = 5;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: bench CSV [TARGET_REVIEWS]");
        return ExitCode::from(2);
    };
    let target: usize = match args.get(1).map(|arg| arg.parse()) {
        None => 130_000,
        Some(Ok(target)) => target,
        Some(Err(_)) => {
            eprintln!("bench: TARGET_REVIEWS must be a number");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("bench: cannot read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let options = ReadOptions {
        aggregates: true,
        by: None,
    };
    let reviews = match read_reviews_with(&bytes, &options) {
        Ok((dataset, _)) => dataset.reviews,
        Err(error) => {
            eprintln!("bench: {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    drop(bytes);
    println!(
        "profile: {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let queries = Queries::from(&reviews);
    measure("as read", &reviews, &queries);
    if target > reviews.len() {
        let grown = grow(&reviews, target);
        measure("grown", &grown, &queries);
    }
    ExitCode::SUCCESS
}

/// The notes a run asks for, by kind, and the review each 20-word note came from.
struct Queries {
    notes: Vec<(String, Option<String>)>,
    plain: Vec<String>,
    long: Vec<String>,
}

impl Queries {
    fn from(reviews: &[Review]) -> Self {
        let step = (reviews.len() / NOTE_QUERIES).max(1);
        let notes = reviews
            .iter()
            .skip(step / 2)
            .step_by(step)
            .take(NOTE_QUERIES)
            .map(|review| {
                let words: Vec<&str> = review
                    .description
                    .split_whitespace()
                    .take(NOTE_WORDS)
                    .collect();
                (words.join(" "), review.title.clone())
            })
            .collect();
        let plain = PLAIN_NOTES
            .iter()
            .flat_map(|note| std::iter::repeat_n(note.to_string(), PLAIN_REPEATS))
            .collect();
        let mut long = Vec::new();
        let mut current = String::new();
        for review in reviews.iter().rev() {
            if current.len() + review.description.len() + 1 > LONG_NOTE_CHARS {
                long.push(std::mem::take(&mut current));
                if long.len() == LONG_QUERIES {
                    break;
                }
            }
            current.push_str(&review.description);
            current.push(' ');
        }
        Self { notes, plain, long }
    }
}

/// Builds an index over `reviews` and prints what it cost and how fast it answers.
fn measure(label: &str, reviews: &[Review], queries: &Queries) {
    let before = memory();
    let started = Instant::now();
    let index = SimilarIndex::build(reviews);
    let build = started.elapsed();
    let after = memory();
    println!(
        "\n## {label}: {} reviews given, {} indexed, {} words, {} postings",
        reviews.len(),
        index.len(),
        index.terms(),
        index.postings()
    );
    println!("build time: {:.2} s", build.as_secs_f64());
    println!("heap_bytes: {:.1} MB", index.heap_bytes() as f64 / 1e6);
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "RSS delta: {:.1} MB (VmRSS {:.1} -> {:.1} MB; peak VmHWM {:.1} -> {:.1} MB)",
            (after.rss as f64 - before.rss as f64) / 1e6,
            before.rss as f64 / 1e6,
            after.rss as f64 / 1e6,
            before.peak as f64 / 1e6,
            after.peak as f64 / 1e6
        ),
        _ => println!("RSS delta: n/a (no /proc/self/status)"),
    }
    // warm the caches once, as a server that has answered a few notes would be
    for (note, _) in queries.notes.iter().take(50) {
        black_box(index.query(note, K));
    }
    println!("| notes | queries | p50 ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    let mut all = Vec::new();
    let mut found_source = 0;
    let mut times = Vec::new();
    for (note, title) in &queries.notes {
        let (found, time) = timed(&index, note);
        found_source += usize::from(found.iter().any(|wine| wine.title == *title));
        times.push(time);
    }
    report(
        &format!("first {NOTE_WORDS} words of a review"),
        &mut times,
        &mut all,
    );
    let mut times: Vec<Duration> = queries
        .plain
        .iter()
        .map(|note| timed(&index, note).1)
        .collect();
    report("short plain notes", &mut times, &mut all);
    let mut times: Vec<Duration> = queries
        .long
        .iter()
        .map(|note| timed(&index, note).1)
        .collect();
    report(
        &format!("~{LONG_NOTE_CHARS}-character notes"),
        &mut times,
        &mut all,
    );
    report("all", &mut all, &mut Vec::new());
    println!(
        "the review a {NOTE_WORDS}-word note came from is in its top {K}: {found_source} of {}",
        queries.notes.len()
    );
}

fn timed(index: &SimilarIndex, note: &str) -> (Vec<vinovoyant_similar::SimilarWine>, Duration) {
    let started = Instant::now();
    let found = black_box(index.query(black_box(note), K));
    (found, started.elapsed())
}

/// Prints one row of percentiles and adds the times to `all`.
fn report(label: &str, times: &mut [Duration], all: &mut Vec<Duration>) {
    all.extend_from_slice(times);
    times.sort_unstable();
    let at = |fraction: f64| {
        let rank = ((times.len() as f64 * fraction).ceil() as usize).clamp(1, times.len().max(1));
        times
            .get(rank - 1)
            .map_or(0.0, |time| time.as_secs_f64() * 1e3)
    };
    println!(
        "| {label} | {} | {:.3} | {:.3} | {:.3} |",
        times.len(),
        at(0.50),
        at(0.95),
        at(1.0)
    );
}

/// The process's resident set and its peak, in bytes.
struct Memory {
    rss: u64,
    peak: u64,
}

fn memory() -> Option<Memory> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kilobytes * 1024)
    };
    Some(Memory {
        rss: field("VmRSS:")?,
        peak: field("VmHWM:")?,
    })
}

/// `reviews` followed by altered copies of them up to `target` reviews: each copy
/// drops about one word in six and takes about one in ten from another review, so
/// that lists grow, words mix and no copy repeats a review exactly.
fn grow(reviews: &[Review], target: usize) -> Vec<Review> {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut grown = reviews.to_vec();
    let mut copy = 0;
    while grown.len() < target && !reviews.is_empty() {
        copy += 1;
        for review in reviews.iter().take(target - grown.len()) {
            let other = &reviews[random.below(reviews.len())];
            let borrowed: Vec<&str> = other.description.split_whitespace().collect();
            let mut words: Vec<&str> = Vec::new();
            for word in review.description.split_whitespace() {
                match random.below(60) {
                    0..10 => {}
                    10..16 if !borrowed.is_empty() => {
                        words.push(borrowed[random.below(borrowed.len())])
                    }
                    _ => words.push(word),
                }
            }
            let mut altered = review.clone();
            altered.description = words.join(" ");
            altered.title = review
                .title
                .as_ref()
                .map(|title| format!("{title} (copy {copy})"));
            grown.push(altered);
        }
    }
    grown
}

/// A small seeded generator: the same grown data on every run.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }
}
