//! Value parsers of the numeric options: a value out of range or not a finite
//! number is a usage error (exit code 2) that says which rule it broke.

/// A finite number, for the value parsers below.
fn finite(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

/// A number in `range`, described by `rule` when it is not.
fn number_in(
    text: &str,
    range: impl std::ops::RangeBounds<f32>,
    rule: &str,
) -> Result<f32, String> {
    let value = finite(text)?;
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is out of range: {rule}"))
    }
}

/// Value parser: above 0 and below 1.
pub(super) fn open_fraction(text: &str) -> Result<f32, String> {
    let value = number_in(text, 0.0..1.0, "it must be above 0 and below 1")?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and below 1"
        ))
    }
}

/// Value parser: 0 to 1.
pub(super) fn closed_fraction(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..=1.0, "it must be between 0 and 1")
}

/// Value parser: 0 or more, below 1.
pub(super) fn dropout(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..1.0, "it must be 0 or more and below 1")
}

/// Value parser: 0 to 1,000.
pub(super) fn non_negative(text: &str) -> Result<f32, String> {
    number_in(text, 0.0..=1_000.0, "it must be 0 to 1000")
}

/// Value parser: above 0, at most 1,000.
pub(super) fn positive(text: &str) -> Result<f32, String> {
    let value = non_negative(text)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and at most 1000"
        ))
    }
}

/// Value parser: above 0, at most 10.
pub(super) fn learning_rate(text: &str) -> Result<f32, String> {
    let value = positive(text)?;
    if value <= 10.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: it must be above 0 and at most 10"
        ))
    }
}

/// A whole number in `low..=high`.
fn count_in(text: &str, low: usize, high: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(value) if (low..=high).contains(&value) => Ok(value),
        Ok(value) => Err(format!(
            "{value} is out of range: it must be {low} to {high}"
        )),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// Value parser: 1 to 10,000,000 features.
pub(super) fn feature_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 10_000_000)
}

/// Value parser: 0 to 50 writer folds.
pub(super) fn fold_count(text: &str) -> Result<usize, String> {
    count_in(text, 0, 50)
}

/// Value parser: 0 to 100 copies.
pub(super) fn knowledge_copies(text: &str) -> Result<usize, String> {
    count_in(text, 0, 100)
}

/// Value parser: 1 to 1,000,000 reviews.
pub(super) fn review_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 1_000_000)
}

/// Value parser: 1 to 10,000 epochs.
pub(super) fn epoch_count(text: &str) -> Result<usize, String> {
    count_in(text, 1, 10_000)
}
