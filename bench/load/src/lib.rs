//! A bounded load test of `certify-local`, and a hard kill in the middle of it.
//!
//! [`run`] starts the server binary it is given on 127.0.0.1 over a fresh data folder,
//! makes a fixture through the API (workspaces, certifications, programs, participants,
//! certificates from a program end), then lets `clients` threads send a mix of pipeline
//! pages, progress writes, enrollments and certificate reads for a fixed time, and
//! stops. Every acknowledged write is recorded and read back through the API at the
//! end: a missing one is a lost write. Every answer that is not 2xx or 3xx is an error.
//!
//! With `kill_after`, a program of participants is ended just before the server is
//! killed with SIGKILL mid-load, as soon as its run has written a first PDF; the server is started again on the same folder and the
//! clients re-point to it. Requests that got no answer across the gap are counted
//! apart. Then: every write acknowledged before the kill must be there, no listed
//! certificate may lack its PDF, and the ended program's run must complete as one clean
//! run would (SPEC 1.8.6): one certificate per passed participant, each PDF
//! downloadable, each participant emailed once or, where the crash fell between
//! sending and recording, twice.
//!
//! Nothing leaves 127.0.0.1, nothing is built here (the binary is an argument), and a
//! run stops by itself.

pub mod check;
pub mod fixture;
pub mod http;
pub mod ledger;
pub mod mix;
pub mod report;
pub mod server;
pub mod stats;

use std::path::PathBuf;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::fixture::Plan;
use crate::http::Http;
use crate::ledger::Ledger;
use crate::mix::{Client, Target};
pub use crate::report::{KillReport, Report};
use crate::server::{Server, ServerConfig};
use crate::stats::{quantile_ms, Tally};

/// One run's shape.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `certify-local` binary.
    pub bin: PathBuf,
    pub clients: usize,
    pub duration: Duration,
    /// Kill the server (SIGKILL) this long after the clients start, and start it again.
    pub kill_after: Option<Duration>,
    /// How long before `kill_after` the program is ended; the kill then falls at its
    /// run's first PDF.
    pub end_lead: Duration,
    pub plan: Plan,
    /// `RUST_LOG` of the server.
    pub server_log: String,
}

impl Options {
    /// The load of issue 16: 64 clients for 60 s over 4 workspaces; with a kill, a
    /// program of 30 participants is ended just before it.
    pub fn new(bin: PathBuf, clients: usize, duration: Duration, kill_after: Option<Duration>) -> Options {
        Options {
            bin,
            clients,
            duration,
            kill_after,
            end_lead: Duration::from_millis(300),
            plan: Plan {
                workspaces: 4,
                programs: 2,
                owned_per_client: 3,
                certified_per_workspace: 4,
                end_participants: kill_after.map(|_| 30),
            },
            server_log: "warn,certify_local=info".into(),
        }
    }
}

/// Runs the load over a fresh data folder (deleted afterwards) and reports it; `Err`
/// only when the run could not be made (the server would not start, the setup was
/// refused), never for what the checks found: those are in [`Report::problems`].
pub fn run(options: &Options) -> anyhow::Result<Report> {
    let data = tempfile::Builder::new().prefix("certify-load-").tempdir()?;
    let config = ServerConfig {
        bin: options.bin.clone(),
        data: data.path().to_path_buf(),
        log: options.server_log.clone(),
    };
    let server = Server::start(&config)?;
    let http = Http::new();
    let fixture = fixture::prepare(&http, &server.url, &config, &options.plan, options.clients)
        .with_context(|| format!("making the fixture; the server's log:\n{}", server.log()))?;
    let target = Arc::new(Target::new(server.url.clone()));

    let started = Instant::now();
    let until = started + options.duration;
    let workers: Vec<_> = fixture
        .clients
        .into_iter()
        .enumerate()
        .map(|(id, start)| {
            let client = Client::new(id, target.clone(), fixture.workspaces[start.workspace].clone(), start);
            thread::spawn(move || client.run(until))
        })
        .collect();

    let (server, kill) = match (options.kill_after, &fixture.pending_end) {
        (Some(after), Some(end)) => {
            let admin = &fixture.workspaces[end.workspace].admin;
            sleep_until(started + after.saturating_sub(options.end_lead));
            let pdfs_before = server::pdfs(data.path());
            let ended = http.post(
                &server.url,
                &format!("/programs/{}/end", end.program),
                admin,
                &serde_json::json!({}),
            )?;
            anyhow::ensure!(ended.status == 202, "ending the program: {}", ended.describe());
            // The kill is to fall inside the run: as soon as its first certificate's PDF is
            // written (or 30 s on), so a restart has a half-done run to finish.
            let limit = Instant::now() + Duration::from_secs(30);
            while server::pdfs(data.path()) <= pdfs_before && Instant::now() < limit {
                thread::sleep(Duration::from_millis(2));
            }
            target.going_down();
            server.kill()?;
            let killed = Instant::now();
            let pdfs_at_kill = server::pdfs(data.path()).saturating_sub(pdfs_before);
            let emails_at_kill = server::outbox_recipients(data.path())?
                .iter()
                .filter(|to| end.participants.iter().any(|(_, email)| email == *to))
                .count();
            let restarted = Server::start(&config)?;
            let downtime = killed.elapsed();
            target.back_up(restarted.url.clone());
            let kill = KillReport {
                downtime,
                pdfs_at_kill,
                emails_at_kill,
                ..KillReport::default()
            };
            (restarted, Some(kill))
        }
        _ => (server, None),
    };

    let mut tally = Tally::default();
    let mut ledger = Ledger::default();
    for worker in workers {
        let (t, l) = worker.join().map_err(|_| anyhow::anyhow!("a load client panicked"))?;
        tally.merge(t);
        ledger.merge(l);
    }
    let elapsed = started.elapsed();
    let (latencies, by_kind) = tally.sorted();
    let mut report = Report {
        clients: options.clients,
        elapsed,
        requests: tally.answered,
        p50_ms: quantile_ms(&latencies, 0.5),
        p99_ms: quantile_ms(&latencies, 0.99),
        max_ms: quantile_ms(&latencies, 1.0),
        by_kind: by_kind
            .iter()
            .map(|(kind, l)| (kind.to_string(), l.len(), quantile_ms(l, 0.5), quantile_ms(l, 0.99)))
            .collect(),
        errors: tally.errors,
        error_samples: tally.error_samples,
        gap_failures: tally.gap_failures,
        acknowledged_writes: ledger.acknowledged(),
        ..Report::default()
    };

    read_back(&http, &server.url, &fixture.workspaces, &ledger, &mut report);
    if let (Some(mut kill), Some(end)) = (kill, &fixture.pending_end) {
        let admin = &fixture.workspaces[end.workspace].admin;
        kill.end = check::pending_end(&http, &server.url, admin, data.path(), end).with_context(|| {
            format!(
                "checking the program ended at the kill; the server's log:\n{}",
                server.log()
            )
        })?;
        report.pdfs_checked += kill.end.certificates;
        report.kill = Some(kill);
    }
    Ok(report)
}

/// Reads every program written to back through the API into `report`: acknowledged
/// writes missing, lists that do not parse, certificates whose PDF does not download.
fn read_back(http: &Http, base: &str, workspaces: &[fixture::Workspace], ledger: &Ledger, report: &mut Report) {
    let written = ledger.programs();
    for ws in workspaces {
        for program in ws.programs.iter().filter(|p| written.contains(&p.id)) {
            match check::read_program(http, base, &ws.admin, &program.id) {
                Ok(read) => report.lost_writes.extend(ledger.lost(&program.id, &read)),
                Err(e) => report.half_written.push(format!("{}: {e:#}", ws.name)),
            }
        }
        match check::registry(http, base, &ws.admin, &ws.certification) {
            Ok(certificates) => {
                for id in certificates.iter().filter_map(|c| c["id"].as_str()) {
                    report.pdfs_checked += 1;
                    if let Err(problem) = check::pdf_downloads(http, base, &ws.admin, id) {
                        report.half_written.push(problem);
                    }
                }
            }
            Err(e) => report.half_written.push(format!("{}: {e:#}", ws.name)),
        }
    }
}

fn sleep_until(at: Instant) {
    let now = Instant::now();
    if at > now {
        thread::sleep(at - now);
    }
}
