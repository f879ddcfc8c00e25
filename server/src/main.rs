//! `vinovoyant`: serves the site and the API (the default), and hosts the other
//! command-line tools as subcommands.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use vinovoyant_server::config::{LogConfig, ServeConfig};
use vinovoyant_server::telemetry;

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
    Train(vinovoyant_trainer::cli::TrainArgs),
    /// Score a model bundle on a CSV of labelled reviews.
    Eval(vinovoyant_trainer::cli::EvalArgs),
    /// Say where the wine of one tasting note comes from.
    Predict(vinovoyant_trainer::cli::PredictArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (writer, _guard) = match telemetry::init_logging(&cli.log) {
        Ok(logging) => logging,
        Err(e) => {
            eprintln!("vinovoyant: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(config) => serve(config, writer),
        Command::Train(args) => vinovoyant_trainer::cli::train(args),
        Command::Eval(args) => vinovoyant_trainer::cli::eval(args),
        Command::Predict(args) => vinovoyant_trainer::cli::predict(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "vinovoyant failed");
            ExitCode::FAILURE
        }
    }
}

fn serve(
    config: ServeConfig,
    writer: tracing_appender::non_blocking::NonBlocking,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        vinovoyant_server::serve(
            config,
            listener,
            Some(writer),
            vinovoyant_server::shutdown_signal(),
        )
        .await
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
}
