//! Running the real `certify-local` binary for a test: a server on a port of its own
//! choosing on 127.0.0.1 over a fresh data folder, tokens from its `token` command, and
//! requests over HTTP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{json, Value};

pub const WALKTHROUGH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/walkthrough");

/// The `certify-local` binary the workspace build made, beside this test's own folder
/// (`target/debug/deps/..` -> `target/debug/certify-local`): cargo builds it for the
/// binary's own tests (`functions/local/tests`), so `cargo test --workspace` has it.
pub fn bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let folder = exe.parent().and_then(Path::parent).unwrap();
    let bin = folder.join(format!("certify-local{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (or build it: cargo build -p certify-local)",
        bin.display()
    );
    bin
}

/// A running `certify-local serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--sweep-every", "1s", "--data-dir"])
            .arg(data)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        drop(drain(child.stdout.take().unwrap(), stdout.clone(), None));
        let (tx, rx) = mpsc::channel();
        drop(drain(child.stderr.take().unwrap(), stderr.clone(), Some(tx)));
        let mut server = Server {
            child,
            url: String::new(),
            stdout,
            stderr,
        };
        // The startup line names the URL; a server that dies first closes the channel.
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => server.url = url,
            Err(e) => panic!("the server did not start ({e}); stderr:\n{}", server.stderr()),
        }
        let health = Http::new(&server.url).get("/health", None);
        assert_eq!(health.status, 200, "{:?}", health.body);
        server
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn http(&self) -> Http {
        Http::new(&self.url)
    }

    /// SIGTERM, as a service manager stops it; it must stop cleanly and soon.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = wait(&mut self.child, Duration::from_secs(30)).expect("the server did not stop on SIGTERM");
        assert!(status.success(), "{status}; stderr:\n{}", self.stderr());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies a child's output into `into` line by line; the first line naming the URL
/// the server serves goes to `url`.
pub fn drain(
    pipe: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
    url: Option<mpsc::Sender<String>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut url = url;
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if line.contains("certify-local is serving") {
                let found = line.split_whitespace().find_map(|w| w.strip_prefix("url="));
                if let (Some(tx), Some(found)) = (url.take(), found) {
                    let _ = tx.send(found.to_string());
                }
            }
            let mut text = into.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    })
}

pub fn wait(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(50));
    }
    None
}

pub fn token(data: &Path, workspace: &str, user: &str, role: &str) -> String {
    certify_load::server::token(&bin(), data, workspace, user, role).unwrap()
}

pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// A plain HTTP client: 4xx are answers, redirects are not followed.
pub struct Http {
    pub agent: ureq::Agent,
    pub base: String,
}

impl Http {
    pub fn new(base: &str) -> Http {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Http {
            agent,
            base: base.to_string(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let request = self.agent.get(self.url(path));
        let request = match token {
            Some(t) => request.header("authorization", format!("Bearer {t}")),
            None => request,
        };
        reply(request.call())
    }

    /// The page a browser gets (`Accept: text/html`), as text.
    pub fn get_html(&self, path: &str) -> String {
        let reply = reply(self.agent.get(self.url(path)).header("accept", "text/html").call());
        assert_eq!(reply.content_type.as_deref(), Some("text/html; charset=utf-8"));
        String::from_utf8(reply.bytes).unwrap()
    }

    pub fn send(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
        let url = self.url(path);
        let request = match method {
            "POST" => self.agent.post(url),
            "PUT" => self.agent.put(url),
            _ => panic!("{method}"),
        };
        let request = request
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json");
        reply(request.send(body.map(|b| b.to_string()).unwrap_or_default()))
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("POST", path, token, Some(body))
    }

    pub fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("PUT", path, token, Some(body))
    }
}

pub fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = result.unwrap();
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    let location = header("location");
    let content_type = header("content-type");
    let bytes = response.body_mut().read_to_vec().unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status: response.status().as_u16(),
        location,
        content_type,
        bytes,
        body,
    }
}

pub fn created(reply: Reply) -> String {
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert!(reply.location.is_some());
    reply.body["id"].as_str().unwrap().to_string()
}

pub fn emails(data: &Path) -> usize {
    match std::fs::read_dir(data.join("outbox")) {
        Ok(dir) => dir
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "eml"))
            .count(),
        Err(_) => 0,
    }
}

/// The HTML part of the email in the outbox to `to`.
pub fn email_html(data: &Path, to: &str) -> String {
    let dir = std::fs::read_dir(data.join("outbox")).unwrap();
    for entry in dir {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let addressed = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .is_some_and(|a| a == to);
        if addressed {
            return message.body_html(0).unwrap().into_owned();
        }
    }
    panic!("no email to {to}")
}

/// Every `href` of an HTML text, unescaped.
pub fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

pub fn poll_run(http: &Http, program: &str, admin: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let run = http.get(&format!("/programs/{program}/run"), Some(admin));
        if run.status == 200 && run.body["state"] == "completed" {
            return run.body;
        }
        assert!(
            Instant::now() < until,
            "the run did not complete: {} {:?}",
            run.status,
            run.body
        );
        thread::sleep(Duration::from_millis(200));
    }
}

pub fn enable(http: &Http, data: &Path, workspace: &str) {
    let operator = token(data, workspace, "u-operator", "operator");
    let reply = http.put(
        "/workspace/settings",
        &operator,
        json!({"certifications_enabled": true}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

/// A server on `data` with workspace acme enabled, acme's admin token and one
/// certification's id.
pub fn acme_with_certification(data: &Path) -> (Server, String, String) {
    let server = Server::start(data, &[]);
    let http = server.http();
    enable(&http, data, "acme");
    let admin = token(data, "acme", "u-admin", "admin");
    let cert = certification(&http, &admin);
    (server, admin, cert)
}

pub fn certification(http: &Http, admin: &str) -> String {
    created(http.post(
        "/certifications",
        admin,
        json!({"name": "Leadership Essentials", "description": "Core leadership skills.",
               "issuer_name": "Exec Coaching", "validity": {"count": 1, "unit": "years"}}),
    ))
}

pub fn days(n: i64) -> String {
    (Utc::now() + chrono::Duration::days(n)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A program of `certification` whose `people` complete its one lesson, ended; answers
/// their certificate ids in the same order.
pub fn certified(
    data: &Path,
    http: &Http,
    admin: &str,
    certification: &str,
    people: &[(&str, &str)],
    ends_at: &str,
) -> Vec<String> {
    let program = created(http.post(
        "/programs",
        admin,
        json!({"name": "Browser Cohort", "starts_at": days(-60), "ends_at": ends_at, "certification_id": certification}),
    ));
    let lesson = created(http.post(
        &format!("/programs/{program}/components"),
        admin,
        json!({"title": "Module 1", "kind": "lesson", "ends_at": days(-50)}),
    ));
    let participants: Vec<_> = people
        .iter()
        .map(|(id, name)| json!({"user_id": id, "name": name, "email": format!("{id}@example.com")}))
        .collect();
    let enrolled = http.post(
        &format!("/programs/{program}/participants"),
        admin,
        json!({ "participants": participants }),
    );
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    for (id, _) in people {
        let path = format!("/programs/{program}/participants/{id}/progress/{lesson}");
        let reply = http.put(&path, admin, json!({"status": "completed"}));
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    let ended = http.send("POST", &format!("/programs/{program}/end"), admin, None);
    assert_eq!(ended.status, 202, "{:?}", ended.body);
    let run = poll_run(http, &program, admin);
    assert_eq!(run["certified"].as_u64(), Some(people.len() as u64), "{run}");
    people
        .iter()
        .map(|(id, _)| {
            let mine = http.get("/me/certificates", Some(&token(data, "acme", id, "participant")));
            assert_eq!(mine.status, 200, "{:?}", mine.body);
            let ours = mine
                .body
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["program"]["id"] == program.as_str());
            ours.unwrap_or_else(|| panic!("{id}: {}", mine.body))["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
