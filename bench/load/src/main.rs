//! `certify-load`: a bounded load test of a release `certify-local` on 127.0.0.1, and a
//! hard kill in the middle of it (see the library). It builds nothing: build the server
//! first (`cargo build --release -p certify-local`). Exit code 1 when the run found a
//! problem (errors, lost writes, half-written state, a run the kill broke), 2 when it
//! could not be made.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "certify-load",
    about = "Load on a local certify-local for a fixed time; optionally kill -9 it mid-way and check what survived."
)]
struct Cli {
    /// Concurrent clients (threads), spread over 4 workspaces.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    clients: u32,
    /// How long the clients send requests.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// About this many seconds into the load, end a program and SIGKILL the server as
    /// soon as its run writes a first PDF; restart it on the same data folder and check
    /// what survived.
    #[arg(long)]
    kill_after: Option<u64>,
    /// Participants of the program ended just before the kill.
    #[arg(long, default_value_t = 30)]
    end_participants: usize,
    /// How many milliseconds before second `--kill-after` that program is ended.
    #[arg(long, default_value_t = 300)]
    end_lead_ms: u64,
    /// The server binary.
    #[arg(long, default_value = "target/release/certify-local")]
    bin: PathBuf,
    /// The server's RUST_LOG.
    #[arg(long, default_value = "warn,certify_local=info")]
    server_log: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let kill_after = cli.kill_after.map(Duration::from_secs);
    let mut options = certify_load::Options::new(
        cli.bin,
        cli.clients as usize,
        Duration::from_secs(cli.seconds),
        kill_after,
    );
    options.end_lead = Duration::from_millis(cli.end_lead_ms);
    options.server_log = cli.server_log;
    if kill_after.is_some() {
        options.plan.end_participants = Some(cli.end_participants);
    }
    match certify_load::run(&options) {
        Ok(report) => {
            print!("{report}");
            if report.problems().is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("certify-load: {e:#}");
            ExitCode::from(2)
        }
    }
}
