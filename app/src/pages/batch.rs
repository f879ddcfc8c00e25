//! `/batch`: a shop's whole list of tasting notes at once.
//!
//! The page is server-drawn markup and loads no WASM: a small script
//! (`frontend/js/batch.js`) reads the chosen file (or the pasted text) in the
//! browser, checks all of it before anything is sent, sends the notes to the JSON
//! API's batch endpoint in chunks while a progress bar counts them, and draws the
//! answers in a table with a CSV download. Reading a file needs JavaScript, so
//! without it the form is hidden (by `noscript.css`) and a `<noscript>` line points
//! to the API and to the single-note form, which both work without the script.

use leptos::prelude::*;

use crate::routes;

/// Most notes one upload may hold. The script enforces it (`MAX_NOTES` in
/// `frontend/js/batch.js`, kept equal by a test); the page states it.
pub const MAX_NOTES: usize = 1000;

/// Largest file the page accepts, in megabytes (`MAX_FILE_BYTES` in the script,
/// kept equal by a test).
pub const MAX_FILE_MEGABYTES: usize = 5;

/// `/batch`: the upload form, its progress bar and messages, and the place where
/// the results table and its download appear.
#[component]
pub fn BatchPage() -> impl IntoView {
    view! {
        <section class="intro">
            <h1>"Place a whole list of wines"</h1>
            <p class="lede">
                {format!(
                    "Upload a shop's list of up to {} tasting notes and get the country, \
                     province and grape of each in one table, ready to download as CSV.",
                    grouped(MAX_NOTES),
                )}
            </p>
        </section>
        <noscript>
            <p class="notice warn" data-testid="batch-noscript">
                "Uploading a list needs JavaScript, which is off. Without it, send the notes to the "
                <a href=routes::API_DOCS>"JSON API"</a>
                " (its batch endpoint takes many notes per request), or place one note at a time with the "
                <a href=routes::PREDICT>"single-note form"</a> "."
            </p>
        </noscript>
        <BatchForm />
        <div class="batch-progress" data-testid="batch-progress" hidden=true>
            <label for="batch-progress-bar">"Sending the notes"</label>
            <progress id="batch-progress-bar" max="1" value="0"></progress>
            <p class="batch-progress-text" data-testid="batch-progress-text" aria-live="polite">
                "0 of 0 notes"
            </p>
        </div>
        <p class="notice error" role="alert" data-testid="batch-alert"></p>
        <p class="batch-status" role="status" data-testid="batch-status"></p>
        <section class="batch-results" aria-labelledby="batch-results-title" hidden=true>
            <h2 id="batch-results-title">"Results"</h2>
            <p class="batch-summary" data-testid="batch-summary"></p>
            <p>
                <a
                    class="secondary download"
                    download="vinovoyant-results.csv"
                    data-testid="batch-download"
                >
                    "Download the results (CSV)"
                </a>
            </p>
            <div
                class="table-scroll"
                tabindex="0"
                role="region"
                aria-label="Results, one row per note (scrolls sideways on narrow screens)"
            >
                <table class="batch-table" data-testid="batch-table">
                    <thead>
                        <tr>
                            <th scope="col">"Row"</th>
                            <th scope="col">"Note"</th>
                            <th scope="col">"Country"</th>
                            <th scope="col">"Province"</th>
                            <th scope="col">"Grape"</th>
                            <th scope="col">"Certainty"</th>
                        </tr>
                    </thead>
                    <tbody></tbody>
                </table>
            </div>
        </section>
    }
}

/// The upload form: a file, or pasted text, and the button that sends them. The
/// endpoint is a data attribute, so the script posts where the routes say.
#[component]
fn BatchForm() -> impl IntoView {
    view! {
        <form
            class="batch-form needs-js"
            data-testid="batch-form"
            data-endpoint=routes::API_PREDICT_BATCH
        >
            <label for="batch-file" class="field-label">
                "A file of tasting notes"
            </label>
            <p class="field-hint" id="batch-file-hint">
                {format!(
                    "CSV with a header row and a description column (other columns are ignored), \
                     or plain text with one note per line. UTF-8, at most {} notes \
                     and {MAX_FILE_MEGABYTES} MB.",
                    grouped(MAX_NOTES),
                )}
            </p>
            <input
                type="file"
                id="batch-file"
                name="file"
                accept=".csv,.txt,text/csv,text/plain"
                aria-describedby="batch-file-hint"
                data-testid="batch-file"
            />
            <details class="batch-paste">
                <summary>"Or paste the notes"</summary>
                <label for="batch-text" class="field-label">
                    "Notes, one per line (used when no file is chosen)"
                </label>
                <textarea id="batch-text" name="text" rows="6" data-testid="batch-text"></textarea>
            </details>
            <button type="submit" class="primary" data-testid="batch-submit">
                "Place the wines"
            </button>
        </form>
    }
}

/// `n` with its thousands grouped by commas, as the page writes counts: 1,000.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn the_script_enforces_the_limits_the_page_states() {
        let script = include_str!("../../../frontend/js/batch.js");
        assert!(script.contains(&format!("export const MAX_NOTES = {MAX_NOTES};")));
        assert!(script.contains(&format!(
            "export const MAX_FILE_BYTES = {MAX_FILE_MEGABYTES} * 1024 * 1024;"
        )));
        assert!(
            script.contains(routes::API_PREDICT_BATCH),
            "its fallback endpoint"
        );
    }
}
