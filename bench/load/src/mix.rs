//! One load client: a thread that sends a mix of pipeline pages, progress writes,
//! enrollments and certificate reads to its workspace until the clock runs out,
//! recording each acknowledged write in its ledger and each request in its tally.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fixture::{owned_user, ClientStart, Workspace};
use crate::http::{Answer, Http};
use crate::ledger::Ledger;
use crate::stats::Tally;

/// The statuses a progress write sets.
const STATUSES: [&str; 6] = [
    "in_progress",
    "completed",
    "not_started",
    "did_not_finish",
    "no_response",
    "missed",
];

/// The mix, in parts of 100: (operation, weight).
const MIX: [(Op, u32); 6] = [
    (Op::Pipeline, 20),
    (Op::Progress, 35),
    (Op::Enroll, 10),
    (Op::Certificate, 15),
    (Op::Verify, 10),
    (Op::Registry, 10),
];

#[derive(Debug, Clone, Copy)]
enum Op {
    Pipeline,
    Progress,
    Enroll,
    Certificate,
    Verify,
    Registry,
}

/// Where the clients send requests: the server's URL, which changes when it is
/// restarted, and whether it is down (killed and not yet back).
pub struct Target {
    url: RwLock<String>,
    generation: AtomicU64,
    down: AtomicBool,
}

impl Target {
    pub fn new(url: String) -> Target {
        Target {
            url: RwLock::new(url),
            generation: AtomicU64::new(0),
            down: AtomicBool::new(false),
        }
    }

    /// The URL to use now and the server generation it belongs to.
    fn current(&self) -> (String, u64) {
        let url = self.url.read().map(|u| u.clone()).unwrap_or_default();
        (url, self.generation.load(Ordering::SeqCst))
    }

    /// Marks the server down; set before it is killed, so that every request the kill
    /// cuts off is known to belong to the gap.
    pub fn going_down(&self) {
        self.down.store(true, Ordering::SeqCst);
    }

    /// The restarted server's URL: clients re-point to it.
    pub fn back_up(&self, url: String) {
        if let Ok(mut current) = self.url.write() {
            *current = url;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.down.store(false, Ordering::SeqCst);
    }

    fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }

    /// Whether a request started on `generation` that got no answer fell in the gap.
    fn in_gap(&self, generation: u64) -> bool {
        self.is_down() || self.generation.load(Ordering::SeqCst) != generation
    }
}

/// One client's state while it runs.
pub struct Client {
    pub id: usize,
    pub http: Http,
    pub target: Arc<Target>,
    pub workspace: Workspace,
    pub start: ClientStart,
    /// The next user number it enrolls.
    next_user: usize,
    rng: u64,
    pub tally: Tally,
}

impl Client {
    pub fn new(id: usize, target: Arc<Target>, workspace: Workspace, start: ClientStart) -> Client {
        Client {
            id,
            http: Http::new(),
            target,
            next_user: start.owned.len(),
            workspace,
            start,
            rng: 0x9E37_79B9_7F4A_7C15 ^ (id as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            tally: Tally::default(),
        }
    }

    /// Sends requests until `until`; answers its tally and ledger.
    pub fn run(mut self, until: Instant) -> (Tally, Ledger) {
        while Instant::now() < until {
            if self.target.is_down() {
                thread::sleep(Duration::from_millis(20));
                continue;
            }
            let op = self.pick();
            self.one(op);
        }
        (self.tally, self.start.ledger)
    }

    fn pick(&mut self) -> Op {
        let mut roll = (self.next_random() % 100) as u32;
        for (op, weight) in MIX {
            if roll < weight {
                return op;
            }
            roll -= weight;
        }
        Op::Pipeline
    }

    /// xorshift64*: a fixed sequence per client, so runs are alike.
    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn choose<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[(self.next_random() % from.len() as u64) as usize]
    }

    fn one(&mut self, op: Op) {
        let ws = self.workspace.clone();
        let program = ws.programs[self.start.program].clone();
        let (base, generation) = self.target.current();
        let admin = ws.admin.as_str();
        let started = Instant::now();
        match op {
            Op::Pipeline => {
                let sort = ["name", "status", "expected", "program"][(self.next_random() % 4) as usize];
                let path = format!("/certifications/{}/pipeline?limit=50&sort={sort}", ws.certification);
                let answer = self.http.get(&base, &path, Some(admin));
                self.read(started, generation, "pipeline", answer);
            }
            Op::Certificate | Op::Verify | Op::Registry => {
                let certificate = self.choose(&ws.certificates).to_string();
                let (what, path, token) = match op {
                    Op::Certificate => ("certificate", format!("/certificates/{certificate}"), Some(admin)),
                    Op::Verify => ("verify", format!("/verify/{certificate}"), None),
                    _ => (
                        "registry",
                        format!("/certifications/{}/certificates", ws.certification),
                        Some(admin),
                    ),
                };
                let answer = self.http.get(&base, &path, token);
                self.read(started, generation, what, answer);
            }
            Op::Enroll => {
                let user = owned_user(self.id, self.next_user);
                self.next_user += 1;
                let body =
                    json!({"user_id": user, "name": format!("Load {user}"), "email": format!("{user}@example.com")});
                let path = format!("/programs/{}/participants", program.id);
                let answer = self.http.post(&base, &path, admin, &body);
                match self.settle(started, generation, "enroll", answer, 201) {
                    Some(_) => {
                        self.start.ledger.enrolled(&program.id, &user);
                        self.start.owned.push(user);
                    }
                    None => self.start.ledger.enroll_unanswered(&program.id, &user),
                }
            }
            Op::Progress => {
                let user = self.choose(&self.start.owned.clone()).to_string();
                let component = self.choose(&program.components).to_string();
                let status = STATUSES[(self.next_random() % STATUSES.len() as u64) as usize];
                let path = format!("/programs/{}/participants/{user}/progress/{component}", program.id);
                let answer = self.http.put(&base, &path, admin, &json!({ "status": status }));
                match self.settle(started, generation, "progress", answer, 200) {
                    Some(answer) if answer.json()["status"] == status => {
                        self.start.ledger.progressed(&program.id, &user, &component, status);
                    }
                    Some(answer) => {
                        self.tally
                            .error(format!("progress: answered 200 with {:?}", answer.json()));
                        self.start
                            .ledger
                            .progress_unanswered(&program.id, &user, &component, status);
                    }
                    None => self
                        .start
                        .ledger
                        .progress_unanswered(&program.id, &user, &component, status),
                }
            }
        }
    }

    /// A read: any 2xx or 3xx will do.
    fn read(&mut self, started: Instant, generation: u64, what: &'static str, answer: Result<Answer, ureq::Error>) {
        if let Some(answer) = self.answered(started, generation, what, answer) {
            if !answer.is_success() {
                self.tally.error(format!("{what}: {}", answer.describe()));
            }
        }
    }

    /// A write: the answer when it is `expected` (acknowledged), else `None` (an error
    /// or a request cut off by the kill, counted as such).
    fn settle(
        &mut self,
        started: Instant,
        generation: u64,
        what: &'static str,
        answer: Result<Answer, ureq::Error>,
        expected: u16,
    ) -> Option<Answer> {
        let answer = self.answered(started, generation, what, answer)?;
        if answer.status == expected {
            return Some(answer);
        }
        self.tally.error(format!("{what}: {}", answer.describe()));
        None
    }

    /// Counts the request: its latency when answered; otherwise a gap failure when the
    /// server was being killed, an error when it was up.
    fn answered(
        &mut self,
        started: Instant,
        generation: u64,
        what: &'static str,
        answer: Result<Answer, ureq::Error>,
    ) -> Option<Answer> {
        match answer {
            Ok(answer) => {
                self.tally.answered(what, started.elapsed());
                Some(answer)
            }
            Err(_) if self.target.in_gap(generation) => {
                self.tally.gap_failures += 1;
                None
            }
            Err(e) => {
                self.tally.error(format!("{what}: no answer: {e}"));
                None
            }
        }
    }
}
