//! The Open Badges 3.0 credential checked by a verifier Certify did not write
//! (scripts/ob3-verify: did-jwt-vc, did-jwt, did-resolver and Digital Bazaar's
//! Bitstring Status List, pinned; the test command installs them): it resolves the
//! issuer's `did:web` to this local server's DID document and reads its status list. An
//! active credential is accepted, a revoked one is reported revoked, one with a changed
//! byte is refused; `jose`, a plain JOSE library, checks the signature against the DID
//! document's key on its own.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Value};

use super::server::*;

fn verifier() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/ob3-verify"));
    assert!(
        dir.join("node_modules/did-jwt-vc").is_dir(),
        "the Open Badges verifier is not installed: npm ci --prefix scripts/ob3-verify (scripts/test does it)"
    );
    dir.join("verify.mjs")
}

/// What the independent verifier says of `jwt`, fetching from `base`.
fn verify(base: &str, jwt: &str) -> Value {
    let mut child = Command::new("node")
        .arg(verifier())
        .arg(base)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test installs it with npm)");
    child.stdin.take().unwrap().write_all(jwt.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn credential(server: &Server, id: &str) -> String {
    let reply = server.http().get(&format!("/verify/{id}/credential"), None);
    if reply.status != 200 {
        std::thread::sleep(std::time::Duration::from_millis(500)); // the server's log of it
        panic!("{}: {:?}\n{}", reply.status, reply.body, server.stderr());
    }
    assert_eq!(reply.content_type.as_deref(), Some("application/vc+jwt"));
    String::from_utf8(reply.bytes).unwrap()
}

#[test]
fn an_independent_verifier_accepts_refuses_and_sees_revocation() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path(), &[]);
    let http = server.http();
    enable(&http, data.path(), "acme");
    let admin = token(data.path(), "acme", "u-admin", "admin");
    // A long, non-ASCII description: the signing input is over KMS's 4096-byte RAW limit.
    let description = "Führt Teams sicher durch Veränderungen. ".repeat(95);
    let cert = created(http.post(
        "/certifications",
        &admin,
        json!({"name": "Leadership Essentials", "description": description,
               "issuer_name": "Exec Coaching", "validity": {"count": 1, "unit": "years"}}),
    ));
    let ids = certified(
        data.path(),
        &http,
        &admin,
        &cert,
        &[("u-ana", "Ana Ávila"), ("u-bo", "Bo O'Neil")],
        &days(30),
    );
    let (active, revoked) = (&ids[0], &ids[1]);
    let reply = http.post(
        &format!("/certificates/{revoked}/revoke"),
        &admin,
        json!({"reason": "Issued in error"}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    let did = format!(
        "did:web:{}",
        server.url.trim_start_matches("http://").replace(':', "%3A")
    );
    let jwt = credential(&server, active);
    assert!(jwt.len() > 4096, "{} bytes", jwt.len());
    let seen = verify(&server.url, &jwt);
    assert_eq!(
        (&seen["verified"], &seen["jose"], &seen["revoked"]),
        (&json!(true), &json!(true), &json!(false)),
        "{seen}"
    );
    assert_eq!(seen["issuer"], did.as_str(), "{seen}");
    assert_eq!(seen["name"], "Leadership Essentials", "{seen}");
    assert_eq!(seen["errors"], json!([]), "{seen}");

    let seen = verify(&server.url, &credential(&server, revoked));
    assert_eq!(
        (&seen["verified"], &seen["jose"], &seen["revoked"]),
        (&json!(true), &json!(true), &json!(true)),
        "{seen}"
    );

    // KMS leaves S as it comes, high or low: the same signature with S = n - S (as
    // valid in ECDSA) is accepted too.
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature = p256::ecdsa::Signature::from_slice(&B64.decode(signature).unwrap()).unwrap();
    let (r, s) = signature.split_scalars();
    let other = p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    let high_or_low = format!("{input}.{}", B64.encode(other.to_bytes()));
    let seen = verify(&server.url, &high_or_low);
    assert_eq!(
        (&seen["verified"], &seen["jose"]),
        (&json!(true), &json!(true)),
        "{seen}"
    );

    // One byte of the payload changed (still valid JSON, so only the signature tells).
    let mut parts: Vec<String> = jwt.split('.').map(String::from).collect();
    let payload = String::from_utf8(B64.decode(&parts[1]).unwrap()).unwrap();
    let changed = payload.replacen("Essentials", "Essentialz", 1);
    assert_ne!(changed, payload);
    parts[1] = B64.encode(changed);
    let seen = verify(&server.url, &parts.join("."));
    assert_eq!(
        (&seen["verified"], &seen["jose"]),
        (&json!(false), &json!(false)),
        "{seen}"
    );
}
