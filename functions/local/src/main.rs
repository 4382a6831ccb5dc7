//! `certify-local`: the whole product on one machine, with no AWS account (SPEC 6).
//! `serve` runs the API, the trigger and the sweep over local adapters; `token` mints
//! a bearer token for a workspace, user and role. Every failure to start is one line
//! on stderr and exit code 2.

mod demo;
mod serve;
mod token;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use certify_rules::Role;
use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "certify-local",
    about = "Certify on this machine: the API on 127.0.0.1, no AWS account."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the whole API, runs ended programs and sweeps for due ones.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        /// Where the database, certificate files, outbox and token key live.
        #[arg(long, default_value = ".certify")]
        data_dir: PathBuf,
        /// How often due programs are ended and unfinished runs resumed: 5s, 500ms, 1m.
        #[arg(long, default_value = "5s", value_parser = parse_every)]
        sweep_every: Duration,
        /// The base URL in links and emails [default: http:// and the --listen address].
        #[arg(long)]
        public_url: Option<String>,
        /// Seeds a demo workspace (once) and prints tokens and requests to try.
        #[arg(long)]
        demo: bool,
    },
    /// Prints a bearer token signed with the data folder's key.
    Token {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        user: String,
        /// admin, participant or operator.
        #[arg(long)]
        role: Role,
        #[arg(long, default_value = ".certify")]
        data_dir: PathBuf,
        /// How long the token is valid, in hours.
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
        hours: u32,
    },
}

/// `5s`, `500ms`, `2m`, or plain seconds; more than zero.
fn parse_every(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 5s"))?;
    let every = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("{text:?} is not a duration like 5s (units: ms, s, m)")),
    };
    if every.is_zero() {
        return Err("must be more than zero".into());
    }
    Ok(every)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => e.exit(),
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            // clap's first paragraph says what is wrong (and what would do); its usage
            // block is what --help shows.
            let text = e.to_string();
            let what = text.split("\n\n").next().unwrap_or_default();
            eprintln!(
                "certify-local: {} (see --help)",
                one_line(what.trim_start_matches("error: "))
            );
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Token {
            workspace,
            user,
            role,
            data_dir,
            hours,
        } => {
            let minted = token::Keys::load(&data_dir).and_then(|keys| {
                keys.mint(
                    &workspace,
                    &user,
                    role.as_str(),
                    chrono::Utc::now(),
                    chrono::Duration::hours(hours.into()),
                )
            });
            match minted {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e),
            }
        }
        Command::Serve {
            listen,
            data_dir,
            sweep_every,
            public_url,
            demo,
        } => {
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .init();
            let options = serve::Options {
                listen,
                data_dir,
                sweep_every,
                public_url,
                demo,
            };
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(e) => return fail(&anyhow::Error::new(e).context("starting the async runtime")),
            };
            runtime.block_on(serve(options))
        }
    }
}

async fn serve(options: serve::Options) -> ExitCode {
    let demo = options.demo;
    let (server, local) = match serve::prepare(options).await {
        Ok(ready) => ready,
        Err(e) => return fail(&e),
    };
    if demo {
        let seeded = demo::seed(&local).await;
        let banner = match seeded {
            Ok(fresh) => {
                if !fresh {
                    tracing::info!(workspace = demo::WORKSPACE, "the demo is seeded already");
                }
                demo::banner(&local, chrono::Duration::hours(24)).await
            }
            Err(e) => Err(e),
        };
        match banner {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(&e.context("seeding the demo")),
        }
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certify-local: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// One line on stderr, exit code 2.
fn fail(error: &anyhow::Error) -> ExitCode {
    eprintln!("certify-local: {}", one_line(&format!("{error:#}")));
    ExitCode::from(2)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_intervals_read_with_or_without_a_unit() {
        assert_eq!(parse_every("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_every("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_every("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_every("2m"), Ok(Duration::from_secs(120)));
        for bad in ["0s", "", "s", "5h", "-1s", "1.5s"] {
            assert!(parse_every(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
