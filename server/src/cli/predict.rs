//! `vinovoyant predict`: the full model's answer for notes given on the command
//! line, in a file or on standard input, refused as the server refuses them.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use vinovoyant_inference::{PredictError, Prediction};
use vinovoyant_model::Certainty;

use super::ModelArgs;

/// Options of `vinovoyant predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The tasting note; `-` reads notes from standard input instead, one per line
    /// (plain text, or JSON lines with a `description`).
    #[arg(required_unless_present = "file")]
    pub text: Option<String>,
    /// Reads notes from this file, one per line (plain text, or JSON lines with a
    /// `description`).
    #[arg(long, conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// Writes one JSON object per note on stdout.
    #[arg(long)]
    pub json: bool,
    /// The model to ask.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Runs `vinovoyant predict`: one note from the command line, or one per line of a
/// file or of standard input. Fails (exit 1) when any note was refused, after
/// answering all the others.
pub fn predict(args: PredictArgs) -> anyhow::Result<()> {
    let bundle = args.model.load()?;
    let notes: Vec<String> = match (&args.text, &args.file) {
        (Some(text), None) if text != "-" => vec![text.clone()],
        (_, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            notes_of(&text)?
        }
        _ => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("cannot read standard input")?;
            notes_of(&text)?
        }
    };
    let mut refused = 0;
    let mut out = std::io::stdout().lock();
    for note in &notes {
        // The server's refusals too: text that is not a tasting note gets no country.
        let outcome = bundle
            .distilled()
            .check_note(note)
            .map_err(PredictError::Input)
            .and_then(|()| bundle.predict(note));
        if outcome.is_err() {
            refused += 1;
        }
        if args.json {
            writeln!(out, "{}", prediction_json(bundle.version(), note, &outcome))?;
        } else {
            write_prediction(&mut out, bundle.version(), note, &outcome)?;
        }
    }
    anyhow::ensure!(
        refused == 0,
        "{refused} of {} notes were refused",
        notes.len()
    );
    Ok(())
}

/// The notes in `text`, one per non-empty line: a JSON object's `description`, or
/// the line itself.
fn notes_of(text: &str) -> anyhow::Result<Vec<String>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            if !line.trim_start().starts_with('{') {
                return Ok(line.to_string());
            }
            let value: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("line {} is not valid JSON", index + 1))?;
            value["description"]
                .as_str()
                .map(str::to_string)
                .with_context(|| format!("line {} has no \"description\" string", index + 1))
        })
        .collect()
}

/// One note's answer as a line of JSON: the top countries, provinces and grape
/// varieties with the
/// words behind them, or the reason it was refused.
fn prediction_json(
    version: &str,
    note: &str,
    outcome: &Result<Prediction, PredictError>,
) -> serde_json::Value {
    match outcome {
        Ok(prediction) => serde_json::json!({
            "description": note,
            "model_version": version,
            "certainty": prediction
                .top_country()
                .map(|top| Certainty::of_note(top.probability, note).as_str()),
            "countries": prediction.countries.iter().take(3).collect::<Vec<_>>(),
            "provinces": prediction.provinces.iter().take(3).collect::<Vec<_>>(),
            "varieties": prediction.varieties.iter().take(3).collect::<Vec<_>>(),
            "explanation": prediction.explanation,
        }),
        Err(error) => serde_json::json!({
            "description": note,
            "model_version": version,
            "error": error.to_string(),
        }),
    }
}

/// One note's answer for a person to read.
fn write_prediction(
    out: &mut impl Write,
    version: &str,
    note: &str,
    outcome: &Result<Prediction, PredictError>,
) -> anyhow::Result<()> {
    let prediction = match outcome {
        Ok(prediction) => prediction,
        Err(error) => {
            writeln!(out, "refused: {error}")?;
            return Ok(());
        }
    };
    writeln!(out, "model {version}")?;
    if let Some(top) = prediction.top_country() {
        let certainty = Certainty::of_note(top.probability, note);
        writeln!(out, "certainty: {}", certainty.as_str())?;
    }
    for score in prediction.countries.iter().take(3) {
        writeln!(
            out,
            "  {:<16} {:>5.1}%",
            score.label,
            score.probability * 100.0
        )?;
    }
    if let Some(province) = prediction.top_province() {
        writeln!(
            out,
            "province: {} ({:.1}%)",
            province.label,
            province.probability * 100.0
        )?;
    }
    if !prediction.varieties.is_empty() {
        let grapes: Vec<String> = prediction
            .varieties
            .iter()
            .take(3)
            .map(|v| format!("{} ({:.1}%)", v.label, v.probability * 100.0))
            .collect();
        writeln!(out, "grape: {}", grapes.join(", "))?;
    }
    if let Some(top) = prediction.top_country() {
        let words: Vec<String> = prediction
            .explanation
            .iter()
            .filter(|c| c.label == top.label && c.weight > 0.0)
            .take(8)
            .map(|c| format!("{} (+{:.2})", c.token, c.weight))
            .collect();
        writeln!(out, "words pointing to {}: {}", top.label, words.join(", "))?;
    }
    Ok(())
}
