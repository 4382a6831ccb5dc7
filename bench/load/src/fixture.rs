//! What the load runs against, made through the API before the clock starts: per
//! workspace (each with its own admin), certifications enabled, a certification,
//! programs with components for the clients to write to, and certificates already
//! issued by a program end so that the reads have something to read. For the hard
//! kill, one more program, filled and ready to be ended just before the kill.

use anyhow::{bail, ensure, Context};
use chrono::Utc;
use serde_json::{json, Value};

use crate::http::{Answer, Http};
use crate::ledger::Ledger;
use crate::server::{token, ServerConfig};

/// The counted component kinds of every program made here (an announcement is added
/// beside them, which never counts).
const COUNTED: [&str; 3] = ["lesson", "assignment", "reflection"];

/// How big the fixture is.
#[derive(Debug, Clone)]
pub struct Plan {
    pub workspaces: usize,
    /// Programs per workspace the clients write to.
    pub programs: usize,
    /// Participants each client owns before the clock starts.
    pub owned_per_client: usize,
    /// Participants of each workspace's ended program (one of them does not pass).
    pub certified_per_workspace: usize,
    /// Participants of the program ended just before the kill (`None`: no kill).
    pub end_participants: Option<usize>,
}

/// One workspace as the clients see it.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub name: String,
    pub admin: String,
    pub certification: String,
    pub programs: Vec<LoadProgram>,
    /// Certificates issued before the load, for the reads.
    pub certificates: Vec<String>,
}

/// A program the clients enroll into and write progress to; it never ends.
#[derive(Debug, Clone)]
pub struct LoadProgram {
    pub id: String,
    /// Every component a client writes progress to (the counted ones).
    pub components: Vec<String>,
}

/// The program ended just before the kill, with who must pass.
#[derive(Debug, Clone)]
pub struct PendingEnd {
    pub workspace: usize,
    pub certification: String,
    pub program: String,
    /// (user id, email) of every participant.
    pub participants: Vec<(String, String)>,
    /// The user ids that completed every counted component.
    pub passing: Vec<String>,
}

/// Everything made, and the writes acknowledged while making it (each client's own).
pub struct Fixture {
    pub workspaces: Vec<Workspace>,
    /// Per client: its workspace, program, the participants it owns, and its ledger.
    pub clients: Vec<ClientStart>,
    pub pending_end: Option<PendingEnd>,
}

/// What one client starts with.
pub struct ClientStart {
    pub workspace: usize,
    pub program: usize,
    pub owned: Vec<String>,
    pub ledger: Ledger,
}

/// The owner of a user id made here: client `c`'s users are `u-c{c}-{n}`, so no two
/// clients ever write the same key.
pub fn owned_user(client: usize, n: usize) -> String {
    format!("u-c{client}-{n}")
}

/// Makes the fixture on the server at `base`.
pub fn prepare(http: &Http, base: &str, config: &ServerConfig, plan: &Plan, clients: usize) -> anyhow::Result<Fixture> {
    let api = Api { http, base };
    let mut workspaces = Vec::new();
    let mut ended = Vec::new();
    for w in 0..plan.workspaces {
        let name = format!("load-{w}");
        let operator = token(&config.bin, &config.data, &name, "u-operator", "operator")?;
        let admin = token(&config.bin, &config.data, &name, "u-admin", "admin")?;
        api.expect(
            200,
            api.http.put(
                base,
                "/workspace/settings",
                &operator,
                &json!({"certifications_enabled": true}),
            ),
        )?;
        let certification = api.certification(&admin, &format!("Load Essentials {w}"))?;
        let programs = (0..plan.programs)
            .map(|p| api.program(&admin, &certification, &format!("Cohort {w}-{p}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let seed = api.program(&admin, &certification, &format!("Graduated {w}"))?;
        let people: Vec<(String, String)> = (0..plan.certified_per_workspace)
            .map(|i| (format!("u-grad-{i}"), format!("grad-{w}-{i}@example.com")))
            .collect();
        api.enroll(&admin, &seed.id, &people)?;
        // Everyone but the last completes everything: one did-not-pass email as well.
        let passing = people.len().saturating_sub(1);
        api.complete(&admin, &seed, people.iter().take(passing).map(|p| p.0.as_str()))?;
        api.expect(
            202,
            api.http
                .post(base, &format!("/programs/{}/end", seed.id), &admin, &json!({})),
        )?;
        ended.push(seed.id);
        workspaces.push(Workspace {
            name,
            admin,
            certification,
            programs,
            certificates: Vec::new(),
        });
    }

    let mut starts = Vec::new();
    for c in 0..clients {
        let workspace = c % plan.workspaces;
        let program = (c / plan.workspaces) % plan.programs;
        let ws = &workspaces[workspace];
        let program_id = &ws.programs[program].id;
        let owned: Vec<String> = (0..plan.owned_per_client).map(|n| owned_user(c, n)).collect();
        let people: Vec<(String, String)> = owned.iter().map(|u| (u.clone(), format!("{u}@example.com"))).collect();
        let mut ledger = Ledger::default();
        api.enroll(&ws.admin, program_id, &people)?;
        for user in &owned {
            ledger.enrolled(program_id, user);
        }
        starts.push(ClientStart {
            workspace,
            program,
            owned,
            ledger,
        });
    }

    let pending_end = match plan.end_participants {
        Some(n) => Some(api.pending_end(&workspaces[0], n)?),
        None => None,
    };

    for (ws, program) in workspaces.iter_mut().zip(&ended) {
        api.wait_completed(&ws.admin, program)?;
        let registry = api.expect(
            200,
            api.http.get(
                base,
                &format!("/certifications/{}/certificates?limit=500", ws.certification),
                Some(&ws.admin),
            ),
        )?;
        ws.certificates = ids(&registry.json()["items"]);
        ensure!(!ws.certificates.is_empty(), "no certificate was issued in {}", ws.name);
    }
    Ok(Fixture {
        workspaces,
        clients: starts,
        pending_end,
    })
}

/// The `id` of every item.
pub fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A date `days` from now, as the API takes it.
fn days(days: i64) -> String {
    (Utc::now() + chrono::Duration::days(days)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The setup's requests: each must get the answer it expects.
struct Api<'a> {
    http: &'a Http,
    base: &'a str,
}

impl Api<'_> {
    fn expect(&self, status: u16, answer: Result<Answer, ureq::Error>) -> anyhow::Result<Answer> {
        let answer = answer.context("a setup request got no answer")?;
        if answer.status != status {
            bail!(
                "setup: expected {status}, got {}: {}",
                answer.status,
                String::from_utf8_lossy(&answer.bytes)
            );
        }
        Ok(answer)
    }

    fn created(&self, admin: &str, path: &str, body: Value) -> anyhow::Result<String> {
        let answer = self.expect(201, self.http.post(self.base, path, admin, &body))?;
        answer.json()["id"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("POST {path} answered no id"))
    }

    fn certification(&self, admin: &str, name: &str) -> anyhow::Result<String> {
        self.created(
            admin,
            "/certifications",
            json!({"name": name, "description": "Made by the load test.", "issuer_name": "Certify Load",
                   "validity": {"count": 1, "unit": "years"}}),
        )
    }

    /// A program linked to `certification` with the counted components and an
    /// announcement, ending in a year (it never ends during the load).
    fn program(&self, admin: &str, certification: &str, name: &str) -> anyhow::Result<LoadProgram> {
        let id = self.created(
            admin,
            "/programs",
            json!({"name": name, "starts_at": days(-30), "ends_at": days(365), "certification_id": certification}),
        )?;
        let path = format!("/programs/{id}/components");
        let mut components = Vec::new();
        for (i, kind) in COUNTED.iter().enumerate() {
            let title = format!("{kind} {i}");
            components.push(self.created(
                admin,
                &path,
                json!({"title": title, "kind": kind, "ends_at": days(30 * (i as i64 + 1))}),
            )?);
        }
        self.created(admin, &path, json!({"title": "Welcome", "kind": "announcement"}))?;
        Ok(LoadProgram { id, components })
    }

    /// Enrolls (user id, email) pairs, up to 100 a request.
    fn enroll(&self, admin: &str, program: &str, people: &[(String, String)]) -> anyhow::Result<()> {
        for batch in people.chunks(100) {
            let participants: Vec<Value> = batch
                .iter()
                .map(|(user, email)| json!({"user_id": user, "name": format!("Load {user}"), "email": email}))
                .collect();
            self.expect(
                201,
                self.http.post(
                    self.base,
                    &format!("/programs/{program}/participants"),
                    admin,
                    &json!({ "participants": participants }),
                ),
            )?;
        }
        Ok(())
    }

    /// Every counted component `completed` for each user.
    fn complete<'u>(
        &self,
        admin: &str,
        program: &LoadProgram,
        users: impl Iterator<Item = &'u str>,
    ) -> anyhow::Result<()> {
        for user in users {
            for component in &program.components {
                let path = format!("/programs/{}/participants/{user}/progress/{component}", program.id);
                self.expect(
                    200,
                    self.http.put(self.base, &path, admin, &json!({"status": "completed"})),
                )?;
            }
        }
        Ok(())
    }

    /// Waits for a program's run to complete (the seed runs render a few certificates).
    fn wait_completed(&self, admin: &str, program: &str) -> anyhow::Result<()> {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(300);
        loop {
            let run = self
                .http
                .get(self.base, &format!("/programs/{program}/run"), Some(admin))?;
            if run.status == 200 && run.json()["state"] == "completed" {
                return Ok(());
            }
            ensure!(
                std::time::Instant::now() < until,
                "the run of {program} did not complete: {}",
                run.describe()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// A certification of its own and a program of `n` participants, two in three of
    /// whom complete every counted component: ended just before the kill.
    fn pending_end(&self, ws: &Workspace, n: usize) -> anyhow::Result<PendingEnd> {
        let certification = self.certification(&ws.admin, "Hard Kill Essentials")?;
        let program = self.program(&ws.admin, &certification, "Ended at the kill")?;
        let participants: Vec<(String, String)> = (0..n)
            .map(|i| (format!("u-end-{i}"), format!("end-{i}@example.com")))
            .collect();
        self.enroll(&ws.admin, &program.id, &participants)?;
        let passing: Vec<String> = participants
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 2)
            .map(|(_, p)| p.0.clone())
            .collect();
        self.complete(&ws.admin, &program, passing.iter().map(String::as_str))?;
        Ok(PendingEnd {
            workspace: 0,
            certification,
            program: program.id,
            participants,
            passing,
        })
    }
}
