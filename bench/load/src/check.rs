//! The checks once the load is over, through the API of the server as it now runs (the
//! restarted one after a kill): every acknowledged write read back, every listed
//! certificate's PDF downloadable, and the program ended at the kill finished as one
//! clean run would (SPEC 1.8.6).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::fixture::PendingEnd;
use crate::http::Http;
use crate::ledger::Readback;
use crate::server::outbox_recipients;

/// How long the run ended at the kill may take to complete after the restart before
/// it is reported as not completed. Generous: a debug server on a busy machine renders
/// slowly; this is a bound on waiting, not a figure asserted on.
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// What the program ended at the kill came to.
#[derive(Debug, Clone, Default)]
pub struct EndOutcome {
    /// The run record's state (`completed` is the only good one) and counts.
    pub run_state: String,
    pub run: Value,
    /// Participants who completed every counted component.
    pub passing: usize,
    /// Certificates the certification's registry lists.
    pub certificates: usize,
    /// Passed participants with no certificate, or with more than one; holders who did
    /// not pass.
    pub wrong_certificates: Vec<String>,
    /// Certificates whose PDF cannot be downloaded (the link fails or is not a PDF).
    pub missing_pdfs: Vec<String>,
    /// Emails per participant: the fewest and the most any one got, and who got none
    /// or more than two.
    pub emails_min: usize,
    pub emails_max: usize,
    pub wrong_emails: Vec<String>,
}

/// Every item of a paged list (`list` is its path with its query, `limit` included),
/// following `next_cursor` to the end. A page that is not the JSON the API promises is
/// an error (half-written state showing).
fn every_page(http: &Http, base: &str, admin: &str, list: &str) -> anyhow::Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("{list}&cursor={}", query_escaped(cursor)),
            None => list.to_string(),
        };
        let answer = http.get(base, &path, Some(admin))?;
        if answer.status != 200 {
            bail!("GET {path}: {}", answer.describe());
        }
        let page: Value = serde_json::from_slice(&answer.bytes).with_context(|| format!("GET {path}: not JSON"))?;
        let items = page["items"]
            .as_array()
            .with_context(|| format!("GET {path}: no items"))?;
        all.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return Ok(all),
        }
    }
}

/// The server's view of one program's participants, every page of it.
pub fn read_program(http: &Http, base: &str, admin: &str, program: &str) -> anyhow::Result<Readback> {
    let mut read = Readback::new();
    for item in every_page(
        http,
        base,
        admin,
        &format!("/programs/{program}/participants?limit=500"),
    )? {
        let user = item["participant"]["user_id"]
            .as_str()
            .with_context(|| format!("participants of {program}: an item without a user id: {item}"))?;
        let progress = item["progress"]
            .as_object()
            .map(|p| {
                p.iter()
                    .filter_map(|(c, s)| s.as_str().map(|s| (c.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        read.insert(user.to_string(), progress);
    }
    Ok(read)
}

/// Every certificate of a certification, every page of the registry.
pub fn registry(http: &Http, base: &str, admin: &str, certification: &str) -> anyhow::Result<Vec<Value>> {
    every_page(
        http,
        base,
        admin,
        &format!("/certifications/{certification}/certificates?limit=500"),
    )
}

/// Whether the certificate's PDF downloads: `GET /certificates/{id}/download` answers
/// 302 and its link answers a PDF. `Err` says what failed.
pub fn pdf_downloads(http: &Http, base: &str, admin: &str, certificate: &str) -> Result<(), String> {
    let link = http
        .get(base, &format!("/certificates/{certificate}/download"), Some(admin))
        .map_err(|e| format!("{certificate}: download: {e}"))?;
    let location = match (link.status, link.location) {
        (302, Some(location)) => location,
        (status, _) => return Err(format!("{certificate}: download answered {status}")),
    };
    let file = http
        .get(base, &location, None)
        .map_err(|e| format!("{certificate}: the link: {e}"))?;
    if file.status != 200 || !file.bytes.starts_with(b"%PDF") {
        return Err(format!(
            "{certificate}: the link answered {} {:?} ({} bytes)",
            file.status,
            file.content_type,
            file.bytes.len()
        ));
    }
    Ok(())
}

/// Waits for the run of the program ended at the kill, then checks its certificates,
/// their PDFs and the emails against what its participants did.
pub fn pending_end(http: &Http, base: &str, admin: &str, data: &Path, end: &PendingEnd) -> anyhow::Result<EndOutcome> {
    let until = Instant::now() + RUN_LIMIT;
    let mut outcome = EndOutcome {
        passing: end.passing.len(),
        ..EndOutcome::default()
    };
    loop {
        let run = http.get(base, &format!("/programs/{}/run", end.program), Some(admin))?;
        outcome.run = run.json();
        outcome.run_state = outcome.run["state"].as_str().unwrap_or("none").to_string();
        if outcome.run_state == "completed" || Instant::now() >= until {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let certificates = registry(http, base, admin, &end.certification)?;
    outcome.certificates = certificates.len();
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for certificate in &certificates {
        let user = certificate["user_id"].as_str().unwrap_or("?").to_string();
        let id = certificate["id"].as_str().unwrap_or("?").to_string();
        held.entry(user).or_default().push(id);
    }
    for user in &end.passing {
        match held.get(user).map_or(0, Vec::len) {
            1 => {}
            n => outcome
                .wrong_certificates
                .push(format!("{user} passed and holds {n} certificates")),
        }
    }
    for (user, ids) in &held {
        if !end.passing.contains(user) {
            outcome
                .wrong_certificates
                .push(format!("{user} did not pass and holds {ids:?}"));
        }
    }
    for certificate in certificates.iter().filter_map(|c| c["id"].as_str()) {
        if let Err(problem) = pdf_downloads(http, base, admin, certificate) {
            outcome.missing_pdfs.push(problem);
        }
    }

    let mut sent: HashMap<String, usize> = HashMap::new();
    for to in outbox_recipients(data)? {
        *sent.entry(to).or_default() += 1;
    }
    let counts: Vec<(&str, usize)> = end
        .participants
        .iter()
        .map(|(user, email)| (user.as_str(), sent.get(email).copied().unwrap_or(0)))
        .collect();
    outcome.emails_min = counts.iter().map(|c| c.1).min().unwrap_or(0);
    outcome.emails_max = counts.iter().map(|c| c.1).max().unwrap_or(0);
    outcome.wrong_emails = counts
        .iter()
        .filter(|(_, n)| !(1..=2).contains(n))
        .map(|(user, n)| format!("{user} got {n} emails"))
        .collect();
    Ok(outcome)
}

/// A query value with everything but unreserved characters percent-encoded (cursors are
/// opaque: nothing says they are URL-safe).
fn query_escaped(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
