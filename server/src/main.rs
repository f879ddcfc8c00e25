//! `vinovoyant`: serves the site and the API (the default), and hosts the other
//! command-line tools as subcommands ([`cli`]).

mod cli;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use vinovoyant_server::config::{LogConfig, ServeConfig};
use vinovoyant_server::telemetry;

/// mimalloc instead of glibc's allocator: a prediction allocates and frees many
/// short-lived buffers on whichever worker thread runs it, and under load glibc's
/// allocator spent about a sixth of the server's CPU time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same in its v2 and v3); the sys
/// crate names the options on either side of it (14 and 16) but not this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process instead of handing it back to the system
/// after a delay: handing it back meant faulting fresh pages in again under load
/// (figures in `bench/load/RESULTS.md`). The heap then stays at its peak, which
/// the concurrency limit bounds. Only `serve` sets it: the other commands are
/// short runs.
#[allow(unsafe_code)]
fn keep_freed_memory() {
    // SAFETY: sets one integer option of the allocator; the option exists in the
    // bundled mimalloc, and mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Reads a wine's tasting note and says where the wine comes from.
#[derive(Parser)]
#[command(name = "vinovoyant", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Options of `serve`, accepted without the subcommand name.
    #[command(flatten)]
    serve: ServeConfig,

    #[command(flatten)]
    log: LogConfig,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and the JSON API (the default).
    Serve(ServeConfig),
    /// Train a model bundle from a CSV of reviews.
    Train(cli::train::TrainArgs),
    /// Write the reviews `train` trains on and holds out, as CSVs, to measure other
    /// models on the same split.
    Split(cli::train::SplitArgs),
    /// Score a model bundle on a CSV of labelled reviews.
    Eval(cli::eval::EvalArgs),
    /// Say where the wine of one tasting note comes from.
    Predict(cli::predict::PredictArgs),
    /// Ask a running server for /health: exit 0 on HTTP 200, 1 otherwise (for
    /// container health checks in an image without curl).
    Healthcheck(vinovoyant_server::healthcheck::HealthcheckArgs),
    /// Publish, list, promote, roll back and verify model versions in an S3 model store.
    Models(cli::store::ModelsArgs),
    /// Upload data sets to S3.
    Datasets(cli::store::DatasetsArgs),
    /// Copy a model store (every version and channel pointer) to a backup prefix.
    Backup(cli::store::CopyArgs),
    /// Copy a backup back to the production prefix.
    Restore(cli::store::CopyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = match telemetry::init_logging(&cli.log) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("vinovoyant: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(config) => serve(config),
        Command::Train(args) => cli::train::train(args),
        Command::Split(args) => cli::train::split(args),
        Command::Eval(args) => cli::eval::eval(args),
        Command::Predict(args) => cli::predict::predict(args),
        Command::Healthcheck(args) => {
            vinovoyant_server::healthcheck::run(&args).map_err(Into::into)
        }
        Command::Models(args) => cli::store::models(args),
        Command::Datasets(args) => cli::store::datasets(args),
        Command::Backup(args) => cli::store::backup(args),
        Command::Restore(args) => cli::store::restore(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "vinovoyant failed");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: ServeConfig) -> anyhow::Result<()> {
    keep_freed_memory();
    let (emf, _emf_guard) = if config.emf {
        let (writer, guard) = telemetry::emf_writer();
        (Some(writer), Some(guard))
    } else {
        (None, None)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        vinovoyant_server::serve(config, listener, emf, vinovoyant_server::shutdown_signal()).await
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default_and_flags_parse() {
        let cli = Cli::try_parse_from(["vinovoyant", "--addr", "127.0.0.1:0", "--drain-secs", "3"])
            .expect("flags without a subcommand");
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.drain_secs, 3);
        let cli = Cli::try_parse_from(["vinovoyant", "serve", "--max-concurrency", "7"])
            .expect("the serve subcommand");
        let Some(Command::Serve(config)) = cli.command else {
            panic!("serve parsed");
        };
        assert_eq!(config.max_concurrency, 7);
        assert!(Cli::try_parse_from(["vinovoyant", "serve", "--max-concurrency", "0"]).is_err());
    }

    /// `train` and `split` with the arguments they need besides.
    const TRAIN: &[&str] = &["train", "--data", "r.csv", "--out", "b"];
    const SPLIT: &[&str] = &["split", "--data", "r.csv", "--out", "b"];

    /// Every numeric option of every subcommand, with the arguments its subcommand
    /// needs besides.
    const NUMERIC_OPTIONS: &[(&[&str], &str)] = &[
        (&["serve"], "--max-concurrency"),
        (&["serve"], "--drain-secs"),
        (&["serve"], "--request-timeout-secs"),
        (&["serve"], "--first-byte-timeout-secs"),
        (&["serve"], "--header-read-timeout-secs"),
        (&["serve"], "--body-read-timeout-secs"),
        (&["serve"], "--canary-interval-secs"),
        (&["serve"], "--model-poll-secs"),
        (TRAIN, "--seed"),
        (TRAIN, "--validation-fraction"),
        (TRAIN, "--max-features"),
        (TRAIN, "--epochs"),
        (TRAIN, "--learning-rate"),
        (TRAIN, "--balance-power"),
        (TRAIN, "--dropout"),
        (TRAIN, "--l2"),
        (TRAIN, "--margin-weight"),
        (TRAIN, "--distillation-share"),
        (TRAIN, "--distillation-temperature"),
        (SPLIT, "--seed"),
        (SPLIT, "--validation-fraction"),
        (&["healthcheck"], "--timeout-secs"),
    ];

    #[test]
    fn every_numeric_option_refuses_bad_values_as_a_usage_error() {
        let bad = [
            "NaN",
            "nan",
            "inf",
            "-inf",
            "-1",
            "-0.5",
            "1e40",
            "1e300",
            "abc",
            "",
            "1.5x",
            "99999999999999999999999999",
        ];
        for (command, option) in NUMERIC_OPTIONS {
            for value in bad {
                // `--option=value`, so that negative values reach the parser.
                let pair = format!("{option}={value}");
                let args = [&["vinovoyant"][..], command, &[pair.as_str()]].concat();
                let Err(error) = Cli::try_parse_from(&args) else {
                    panic!("{args:?} was accepted");
                };
                assert_eq!(error.exit_code(), 2, "{args:?}: {error}");
                let message = error.to_string();
                assert!(
                    message.contains(option) && message.contains("invalid value"),
                    "{args:?}: {message}"
                );
            }
        }
        for (command, option, value) in [
            ("train", "--validation-fraction", "1.5"),
            ("train", "--validation-fraction", "0"),
            ("train", "--validation-fraction", "1"),
            ("train", "--dropout", "1"),
            ("train", "--distillation-share", "1.01"),
            ("train", "--distillation-temperature", "0"),
            ("train", "--learning-rate", "0"),
            ("train", "--learning-rate", "11"),
            ("train", "--max-features", "0"),
            ("train", "--epochs", "0"),
            ("train", "--epochs", "10001"),
        ] {
            let args = [
                "vinovoyant",
                command,
                "--data",
                "r.csv",
                "--out",
                "b",
                option,
                value,
            ];
            let Err(error) = Cli::try_parse_from(args) else {
                panic!("{args:?} was accepted");
            };
            assert_eq!(error.exit_code(), 2, "{args:?}");
            assert!(
                error.to_string().contains("out of range"),
                "{args:?}: {error}"
            );
        }
        for (option, value) in [
            ("--validation-fraction", "0.2"),
            ("--dropout", "0"),
            ("--l2", "0.001"),
            ("--learning-rate", "0.05"),
            ("--epochs", "3"),
        ] {
            let args = [
                "vinovoyant",
                "train",
                "--data",
                "r.csv",
                "--out",
                "b",
                option,
                value,
            ];
            assert!(Cli::try_parse_from(args).is_ok(), "{args:?} was refused");
        }
    }

    #[test]
    fn healthcheck_takes_a_url_and_a_timeout() {
        let cli = Cli::try_parse_from([
            "vinovoyant",
            "healthcheck",
            "--url",
            "http://127.0.0.1:8080/health",
            "--timeout-secs",
            "2",
        ])
        .expect("healthcheck flags");
        let Some(Command::Healthcheck(args)) = cli.command else {
            panic!("healthcheck parsed");
        };
        assert_eq!(args.url.as_deref(), Some("http://127.0.0.1:8080/health"));
        assert_eq!(args.timeout_secs, 2);
    }

    #[test]
    fn store_commands_and_a_store_model_parse() {
        let store = ["--store", "s3://vino-bucket/models"];
        for command in [
            &["models", "publish", "--bundle", "models"][..],
            &["models", "list", "--json"],
            &[
                "models",
                "promote",
                "20260101-000000-abc",
                "--channel",
                "prod",
            ],
            &["models", "rollback", "--channel", "prod"],
            &["models", "verify"],
        ] {
            let args = [&["vinovoyant"][..], command, &store].concat();
            assert!(Cli::try_parse_from(&args).is_ok(), "{args:?}");
        }
        assert!(
            Cli::try_parse_from(["vinovoyant", "models", "list", "--store", "not-s3"]).is_err()
        );
        for command in [
            &[
                "backup",
                "--from",
                "s3://vino-bucket/models",
                "--to",
                "s3://vino-backup/models",
            ][..],
            &[
                "restore",
                "--from",
                "s3://vino-backup/models",
                "--to",
                "s3://vino-bucket/models",
            ],
            &[
                "datasets",
                "upload",
                "--file",
                "reviews.csv",
                "--to",
                "s3://vino-bucket/data/reviews.csv",
            ],
        ] {
            let args = [&["vinovoyant"][..], command].concat();
            assert!(Cli::try_parse_from(&args).is_ok(), "{args:?}");
        }
        let cli = Cli::try_parse_from([
            "vinovoyant",
            "--model",
            "s3://vino-bucket/models?channel=blue",
            "--model-poll-secs",
            "30",
        ])
        .expect("a store model");
        assert_eq!(
            cli.serve.model.to_string(),
            "s3://vino-bucket/models?channel=blue"
        );
        assert_eq!(cli.serve.model_poll_secs, Some(30));
    }
}
