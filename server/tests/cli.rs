//! The command line as a shell user meets it: results alone on standard output, logs
//! on standard error, usage errors with exit code 2, no secret in `--help`.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

fn vinovoyant(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vinovoyant"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("VINOVOYANT_MODEL")
        .env("VINOVOYANT_LOG_FORMAT", "json")
        .env("VINOVOYANT_METRICS_TOKEN", "hunter2-secret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the binary");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn predict_json_writes_one_result_per_note_and_nothing_else() {
    let one = vinovoyant(
        &[
            "predict",
            "--json",
            "Tar, roses and firm tannins from Barolo in Piedmont",
        ],
        None,
    );
    assert!(one.status.success(), "{}", text(&one.stderr));
    let lines: Vec<String> = text(&one.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let answer: serde_json::Value = serde_json::from_str(&lines[0]).expect("JSON");
    assert_eq!(answer["countries"][0]["label"], "Italy", "{answer}");
    assert_eq!(answer["varieties"][0]["label"], "Nebbiolo", "{answer}");
    assert_eq!(answer["varieties"].as_array().map(Vec::len), Some(3));

    let notes = "Tar, roses and firm tannins from Barolo in Piedmont\n\n\
        {\"description\": \"Cassis and cedar from a Napa Valley Cabernet Sauvignon\"}\n";
    let many = vinovoyant(&["predict", "--json", "-"], Some(notes));
    assert!(many.status.success(), "{}", text(&many.stderr));
    let answers: Vec<serde_json::Value> = text(&many.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1]["countries"][0]["label"], "US", "{}", answers[1]);
}

#[test]
fn eval_json_reports_the_grape_beside_the_country() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../trainer/tests/fixtures/reviews_small.csv"
    );
    let output = vinovoyant(&["eval", "--data", fixture, "--json"], None);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let summary: serde_json::Value = serde_json::from_str(text(&output.stdout).trim())
        .expect("one JSON document on standard output");
    assert_eq!(summary["n"], 90, "{summary}");
    let variety = &summary["variety"];
    // every fixture note names one of ten grapes; "Nerello" (7 notes) is no class of
    // the default bundle (its variety is "Nerello Mascalese"), so those are not scored
    assert_eq!(variety["n"], 83, "{summary}");
    let accuracy = variety["accuracy"].as_f64().expect("accuracy");
    let top3 = variety["top3"].as_f64().expect("top3");
    assert!(accuracy >= 0.8 && top3 >= accuracy, "{summary}");
}

#[test]
fn a_refused_note_fails_with_its_reason_and_the_others_are_answered() {
    let output = vinovoyant(&["predict", "--json", "-"], Some("Cassis from Napa\n!!!\n"));
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["countries"].is_array());
    assert!(lines[1]["error"].is_string(), "{}", lines[1]);
    let logs = text(&output.stderr);
    assert!(logs.contains("1 of 2 notes were refused"), "{logs}");
}

#[test]
fn usage_errors_exit_2_with_a_message_on_stderr() {
    for args in [
        &[
            "train",
            "--data",
            "r.csv",
            "--out",
            "b",
            "--validation-fraction",
            "1.5",
        ][..],
        &["train", "--data", "r.csv", "--out", "b", "--epochs", "-3"],
        &["serve", "--drain-secs", "NaN"],
        &["predict"],
        &["no-such-command"],
    ] {
        let output = vinovoyant(args, None);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: {}",
            text(&output.stdout)
        );
        let message = text(&output.stderr);
        assert!(message.contains("error"), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{args:?}: {message}");
    }
}

#[test]
fn help_never_shows_a_secret() {
    for args in [&["--help"][..], &["serve", "--help"]] {
        let output = vinovoyant(args, None);
        assert!(output.status.success());
        let help = text(&output.stdout);
        assert!(help.contains("--metrics-token"), "{help}");
        assert!(!help.contains("hunter2-secret"), "{args:?} shows the token");
    }
}
