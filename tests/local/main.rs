#![allow(clippy::unwrap_used)]
//! The local server as someone runs it, the walkthrough (docs/walkthrough.md) among it:
//! the real binary, on a port of its own choosing on 127.0.0.1 (`--listen 127.0.0.1:0`;
//! it logs the address), over a fresh data folder, with tokens minted by its `token`
//! command and requests over HTTP.

mod browser;
mod hard_kill;
mod open_badges;
mod server;

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};
use server::*;

#[test]
fn the_readme_path_certifies_downloads_verifies_and_emails() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, cert) = acme_with_certification(data.path());
    let http = server.http();
    let program = created(http.post(
        "/programs",
        &admin,
        json!({"name": "Spring Cohort", "starts_at": days(-30), "ends_at": days(30), "certification_id": cert}),
    ));
    let components = format!("/programs/{program}/components");
    let lesson = created(http.post(
        &components,
        &admin,
        json!({"title": "Module 1", "kind": "lesson", "ends_at": days(-1)}),
    ));
    let task = created(http.post(
        &components,
        &admin,
        json!({"title": "Assignment", "kind": "assignment", "ends_at": days(20)}),
    ));
    created(http.post(&components, &admin, json!({"title": "Welcome", "kind": "announcement"})));
    let enrolled = http.post(
        &format!("/programs/{program}/participants"),
        &admin,
        json!({"participants": [
            {"user_id": "u-ana", "name": "Ana Ávila", "email": "ana@example.com", "group": "Alpha"},
            {"user_id": "u-boris", "name": "Boris Zhukov", "email": "boris@example.com"}]}),
    );
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    for (user, component, status) in [
        ("u-ana", &lesson, "completed"),
        ("u-ana", &task, "completed"),
        ("u-boris", &lesson, "in_progress"),
    ] {
        let path = format!("/programs/{program}/participants/{user}/progress/{component}");
        let reply = http.put(&path, &admin, json!({ "status": status }));
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }

    let pipeline = http.get(&format!("/certifications/{cert}/pipeline"), Some(&admin));
    assert_eq!(pipeline.status, 200, "{:?}", pipeline.body);
    assert_eq!(pipeline.body["stats"]["total"], 2);
    assert_eq!(pipeline.body["stats"]["by_status"]["on_track"], 1);
    assert_eq!(pipeline.body["stats"]["by_status"]["off_track"], 1);
    // The export is a file behind a signed link, as on S3.
    let export = http.get(&format!("/certifications/{cert}/pipeline.csv"), Some(&admin));
    assert_eq!(export.status, 303, "{:?}", export.body);
    let export_link = export.location.unwrap();
    let file = http.get(&export_link, None);
    assert_eq!(file.content_type.as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(String::from_utf8(file.bytes).unwrap().lines().count(), 3);
    assert_link_expires(data.path(), &server.url, &export_link, "exports/acme/");

    let ended = http.send("POST", &format!("/programs/{program}/end"), &admin, None);
    assert_eq!(ended.status, 202, "{:?}", ended.body);
    let run = poll_run(&http, &program, &admin);
    assert_eq!(
        (run["certified"].as_u64(), run["did_not_pass"].as_u64()),
        (Some(1), Some(1)),
        "{run}"
    );

    let ana = token(data.path(), "acme", "u-ana", "participant");
    let mine = http.get("/me/certificates", Some(&ana));
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let certificate = mine.body[0]["id"].as_str().unwrap().to_string();
    assert_eq!(mine.body[0]["status"], "active");

    let download = http.get(&format!("/certificates/{certificate}/download"), Some(&ana));
    assert_eq!(download.status, 302, "{:?}", download.body);
    let link = download.location.unwrap();
    assert!(link.starts_with(&format!("{}/files/", server.url)), "{link}");
    let pdf = http.get(&link, None);
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type.as_deref(), Some("application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let preview = http.get(&format!("/certificates/{certificate}/preview"), Some(&ana));
    let png = http.get(&preview.location.unwrap(), None);
    assert_eq!(png.content_type.as_deref(), Some("image/png"));

    // A link that was not signed here, or was changed, is refused in the API's shape.
    let forged = link.replace("sig=", "sig=00");
    let refused = http.get(&forged, None);
    assert_eq!((refused.status, refused.code()), (403, "link_refused"));
    let unsigned = http.get(link.split('?').next().unwrap(), None);
    assert_eq!((unsigned.status, unsigned.code()), (403, "link_refused"));

    let verified = http.get(&format!("/verify/{certificate}"), None);
    assert_eq!(verified.status, 200);
    assert_eq!(verified.body["status"], "active");
    assert_eq!(verified.body["holder_name"], "Ana Ávila");

    assert_eq!(emails(data.path()), 2, "one result email per participant");

    // Every link of Ana's result email opens without a token (SPEC 1.12); LinkedIn's is
    // checked for what it carries, not followed (no traffic beyond 127.0.0.1).
    let links = hrefs(&email_html(data.path(), "ana@example.com"));
    assert_eq!(links.len(), 3, "{links:?}");
    for link in links {
        if link.starts_with("https://www.linkedin.com/profile/add?") {
            assert!(link.contains(&format!("certId={certificate}")), "{link}");
            continue;
        }
        assert!(link.starts_with(&server.url), "{link}");
        let reply = http.get(&link, None);
        let reply = match reply.status {
            302 => http.get(&reply.location.unwrap(), None),
            _ => reply,
        };
        assert_eq!(reply.status, 200, "{link}: {:?}", reply.body);
    }

    // The sweep publishes what happened to events.jsonl in the data folder (SPEC 1.15).
    let kinds = |data: &std::path::Path| -> Vec<String> {
        let text = std::fs::read_to_string(data.join("events.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["detail-type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !kinds(data.path()).iter().any(|k| k == "run.completed") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let kinds = kinds(data.path());
    for kind in [
        "certification.created",
        "program.ended",
        "certificate.issued",
        "certificate.emailed",
        "run.completed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let text = std::fs::read_to_string(data.path().join("events.jsonl")).unwrap();
    assert!(!text.contains("@example.com"), "no email address in an event");
}

#[test]
fn identity_comes_only_from_a_good_token() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, cert) = acme_with_certification(data.path());
    let http = server.http();
    enable(&http, data.path(), "globex");
    let path = format!("/certifications/{cert}");
    assert_eq!(http.get(&path, Some(&admin)).status, 200);

    let stranger = token(data.path(), "globex", "u-admin", "admin");
    let other = http.get(&path, Some(&stranger));
    assert_eq!((other.status, other.code()), (404, "not_found"));

    let anonymous = http.get(&path, None);
    assert_eq!((anonymous.status, anonymous.code()), (401, "unauthenticated"));

    // The payload says another workspace; the signature no longer matches.
    let mut parts: Vec<String> = stranger.split('.').map(String::from).collect();
    parts[1] = admin.split('.').nth(1).unwrap().to_string();
    let tampered = parts.join(".");
    let refused = http.get(&path, Some(&tampered));
    assert_eq!((refused.status, refused.code()), (401, "unauthenticated"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("signature"));

    let garbage = http.get(&path, Some("not-a-token"));
    assert_eq!(garbage.status, 401);

    // Public routes need no token and look at none.
    assert_eq!(http.get("/health", Some("not-a-token")).status, 200);

    let participant = token(data.path(), "acme", "u-ana", "participant");
    assert_eq!(http.get(&path, Some(&participant)).status, 403);
}

#[test]
fn tokens_minted_at_once_on_a_fresh_folder_share_one_key() {
    let data = tempfile::tempdir().unwrap();
    let minting: Vec<_> = (0..4)
        .map(|i| {
            Command::new(bin())
                .args([
                    "token",
                    "--workspace",
                    "acme",
                    "--user",
                    &format!("u-{i}"),
                    "--role",
                    "operator",
                ])
                .arg("--data-dir")
                .arg(data.path())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens: Vec<String> = minting
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success());
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
        .collect();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.path().join("token.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let server = Server::start(data.path(), &[]);
    for token in tokens {
        assert_eq!(server.http().get("/workspace/settings", Some(&token)).status, 200);
    }
}

#[test]
fn the_sweep_ends_a_program_when_it_is_due() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, cert) = acme_with_certification(data.path());
    let http = server.http();
    let ends_at = (Utc::now() + chrono::Duration::seconds(2)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let program = created(http.post(
        "/programs",
        &admin,
        json!({"name": "Short", "starts_at": days(-1), "ends_at": ends_at, "certification_id": cert}),
    ));
    let run = poll_run(&http, &program, &admin);
    assert_eq!(run["participants"], 0, "{run}");
}

#[test]
fn the_data_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, cert) = acme_with_certification(data.path());
    server.stop();

    let server = Server::start(data.path(), &[]);
    let listed = server.http().get("/certifications", Some(&admin));
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["items"][0]["id"], cert.as_str());
}

#[test]
fn the_demo_is_seeded_once() {
    let data = tempfile::tempdir().unwrap();
    let first = Server::start(data.path(), &["--demo"]);
    let admin = token(data.path(), "demo", "u-admin", "admin");
    let counts = |server: &Server| {
        let http = server.http();
        let programs = http.get("/programs", Some(&admin));
        let pipeline = http.get("/certifications/leadership/pipeline", Some(&admin));
        (
            programs.body["items"].as_array().unwrap().len(),
            pipeline.body["stats"].clone(),
        )
    };
    let (programs, stats) = counts(&first);
    assert_eq!(programs, 2);
    assert!(stats["total"].as_u64().unwrap() >= 30, "{stats}");
    for status in ["enrolled", "on_track", "off_track", "did_not_pass", "certified"] {
        assert!(stats["by_status"][status].as_u64().unwrap() > 0, "no {status}: {stats}");
    }
    let banner = first.stdout();
    assert!(banner.contains("ADMIN='") && banner.contains("curl -s"), "{banner}");
    let sent = emails(data.path());
    assert!(sent > 0);
    first.stop();

    let second = Server::start(data.path(), &["--demo"]);
    assert_eq!(counts(&second), (programs, stats));
    assert_eq!(emails(data.path()), sent);
    assert!(second.stderr().contains("seeded already"), "{}", second.stderr());
    assert!(second.stdout().contains("ADMIN='"));
}

#[test]
fn the_walkthrough_script_works_against_a_fresh_server() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &[]);
    let mut script = Command::new("bash")
        .arg(WALKTHROUGH)
        .arg(&server.url)
        .arg(data.path())
        .env("CERTIFY_LOCAL", bin())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = Arc::new(Mutex::new(String::new()));
    let readers = [
        drain(script.stdout.take().unwrap(), output.clone(), None),
        drain(script.stderr.take().unwrap(), output.clone(), None),
    ];
    let status = wait(&mut script, Duration::from_secs(180));
    if status.is_none() {
        let _ = script.kill();
        let _ = script.wait();
    }
    for reader in readers {
        reader.join().unwrap();
    }
    let output = output.lock().unwrap().clone();
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}\n{output}\nserver:\n{}",
        server.stderr()
    );
    assert!(output.contains("the walkthrough works"), "{output}");
}

/// The walkthrough's requests are the script's, character for character, so the
/// script proves what the reader pastes.
#[test]
fn every_request_of_the_walkthrough_is_in_the_script() {
    let doc = include_str!("../../docs/walkthrough.md");
    let script = std::fs::read_to_string(WALKTHROUGH).unwrap();
    let script: Vec<&str> = script.lines().collect();
    let requests: Vec<&str> = doc.lines().filter(|l| l.contains("curl ")).collect();
    assert!(requests.len() >= 15, "{requests:?}");
    for line in requests {
        assert!(
            script.contains(&line),
            "docs/walkthrough.md has a request scripts/walkthrough lacks:\n{line}"
        );
    }
}

/// A files link the server signed is good now and refused once its five minutes are
/// over (checked with the server's own secret at a later time, not by waiting).
fn assert_link_expires(data: &std::path::Path, base: &str, link: &str, under: &str) {
    let (path, query) = link.split_once('?').unwrap();
    let key = path.strip_prefix(&format!("{base}/files/")).unwrap();
    assert!(key.starts_with(under), "{link}");
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .unwrap()
            .to_string()
    };
    let expires: i64 = param("expires").parse().unwrap();
    let sig = param("sig");
    let files = certify_blobs::FsBlobs::new(data.join("files"), base);
    let now = Utc::now();
    assert!(files.verify(key, expires, &sig, now), "good now: {link}");
    let later = now + chrono::Duration::minutes(5) + chrono::Duration::seconds(2);
    assert!(
        !files.verify(key, expires, &sig, later),
        "refused after five minutes: {link}"
    );
}
