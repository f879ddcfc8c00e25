//! The model card's words for people: how often the model is right, for whom, what
//! it cannot do, and what each figure means.

use std::fmt::Write as _;

use vinovoyant_analytics::insights::count;
use vinovoyant_analytics::render::svg::escape;
use vinovoyant_model::Manifest;

use super::percent;

/// "About 9 times in 10" for a share.
fn times_in_ten(share: f64) -> String {
    let tenths = (share * 10.0).round() as u32;
    match tenths {
        10 => "nearly every time".to_string(),
        0 => "almost never".to_string(),
        n => format!("about {n} times in 10"),
    }
}

/// The card's opening: how often the model is right, for whom, and what it cannot
/// do, in sentences a wine-shop owner reads without a glossary.
pub(super) fn in_plain_words(manifest: &Manifest, out: &mut String) {
    let random = &manifest.metrics.random_split;
    let _ = write!(
        out,
        r#"<section class="plain-words" aria-labelledby="plain-title" data-testid="plain-words"><h2 id="plain-title">In plain words</h2><p>On tasting notes by the writers it learned from, the model names the right country {} ({}), and the right country is among its first three answers {}.</p>"#,
        times_in_ten(random.full.accuracy),
        percent(random.full.accuracy),
        percent(random.full.top3),
    );
    new_writer_words(manifest, out);
    grape_words(manifest, out);
    let _ = write!(
        out,
        "<p>It knows only the {} countries of its training reviews and reads words, not wine: a note that names no grape, place or style gives it little to go on, and countries with few reviews are where it errs most.</p></section>",
        manifest.labels.countries.len(),
    );
}

/// What a writer the model never read can expect: from the writer folds when the
/// bundle has them, else from the single new-writer check.
/// The variety head's figures in a sentence, when the bundle has one.
fn grape_words(manifest: &Manifest, out: &mut String) {
    let metrics = &manifest.metrics;
    let Some(known) = &metrics.random_split.variety else {
        return;
    };
    let _ = write!(
        out,
        "<p>It also names the likely grape, among the {} varieties it knows: right {} ({}) on notes by the writers it learned from",
        manifest.labels.varieties.len(),
        times_in_ten(known.accuracy),
        percent(known.accuracy),
    );
    match metrics
        .writer_folds
        .as_ref()
        .and_then(|f| f.variety.as_ref())
    {
        Some(folds) => {
            let _ = write!(
                out,
                " and {} ({}) on notes by writers it never read.",
                times_in_ten(folds.scores.accuracy),
                percent(folds.scores.accuracy),
            );
        }
        None => out.push('.'),
    }
    if let Some(pair) = known.confused.first() {
        let _ = write!(
            out,
            " Its commonest mistake is to take {} for {}.",
            escape(&pair.truth),
            escape(&pair.predicted)
        );
    }
    out.push_str("</p>");
}

fn new_writer_words(manifest: &Manifest, out: &mut String) {
    let metrics = &manifest.metrics;
    if let Some(folds) = &metrics.writer_folds {
        let _ = write!(
            out,
            "<p>On notes by writers it never read, which is what your own notes are, it is right {} on average ({} over {} writers, each held out of training in turn), and {} for the writer it suits least. Treat its answer as a well-read guess, not a certificate.</p>",
            times_in_ten(folds.full.mean_writer_accuracy),
            percent(folds.full.mean_writer_accuracy),
            folds.writers.len(),
            folds
                .worst_writer()
                .map_or_else(|| "less".to_string(), |w| percent(w.full_accuracy)),
        );
        if let Some(high) = folds.certainty.iter().find(|b| b.level == "high") {
            let _ = write!(
                out,
                "<p>Its percentages were calibrated on those writers' notes: when it says 80 %, it is right about 8 times in 10. Answers it calls likely ({} or more) were right {} of the time for them.</p>",
                percent(f64::from(high.from)),
                percent(high.right),
            );
        }
        return;
    }
    match &metrics.new_writers {
        Some(writers) => {
            let _ = write!(
                out,
                "<p>On notes by writers it never read, which is what your own notes are, it is right {} ({} of {} such reviews). Treat its answer as a well-read guess, not a certificate.</p>",
                times_in_ten(writers.full.accuracy),
                percent(writers.full.accuracy),
                count(writers.n),
            );
        }
        None => out.push_str(
            "<p>It was not measured on notes by writers it never read; expect it to do worse on your own notes than the figure above.</p>",
        ),
    }
}

/// One line on each figure of the scores table.
pub(super) fn what_the_figures_mean(out: &mut String) {
    const MEANINGS: [(&str, &str); 6] = [
        (
            "Top-1 accuracy",
            "how often the first answer is the right country.",
        ),
        (
            "Top-3 accuracy",
            "how often the right country is among the first three answers.",
        ),
        (
            "Macro F1",
            "the average over countries of how well each is found and not mistaken for another, so a rare country counts as much as a common one (1 is perfect).",
        ),
        (
            "Log loss",
            "how surprised the model is by the right answers; lower is better, and confident mistakes cost the most.",
        ),
        (
            "Full and distilled agree",
            "how often the quick model in your browser names the same country as the full model on the server.",
        ),
        (
            "Calibration",
            "whether a confidence of 80 % is right about 8 times in 10 (the chart below).",
        ),
    ];
    out.push_str(
        r#"<details class="glossary" open><summary>What these figures mean</summary><dl>"#,
    );
    for (term, meaning) in MEANINGS {
        let _ = write!(out, "<div><dt>{term}</dt><dd>{meaning}</dd></div>");
    }
    out.push_str("</dl></details>");
}
