//! Certificates, verification, the completion banner, the run record and the end route
//! through the Lambda handler (see `common`).

use crate::common::fixtures::{ana_and_ben, ana_completes_a_lesson};
use crate::common::{aimed, event, Api};
use axum::http::StatusCode;
use certify_fixtures::sample;
use certify_rules::{Certificate, CertificationSnapshot, Outcome, ProgramRef, RunRecord, RunState};
use certify_store::Claim;
use serde_json::{json, Value};

/// A linked program that ended with Ana certified and Ben not, written through the
/// store (fixed ids, no rendering); Ana's certificate `x-ana` has its PDF and PNG in the
/// bucket. The trigger itself is tested in `certify-trigger` and by the end route below.
pub(crate) async fn ended(api: &Api) -> String {
    let (c, p) = ana_and_ben(api, "2026-11-20T17:00:00Z").await;
    let s = &api.store;
    let program = s.begin_end("ws-acme", &p, crate::common::now()).await.unwrap();
    let mut run = s
        .start_run("ws-acme", &RunRecord::start(&p, crate::common::now()))
        .await
        .unwrap();
    let certificate = Certificate {
        id: "x-ana".into(),
        certification: CertificationSnapshot {
            id: c.clone(),
            description: "".into(),
            ..sample::snapshot()
        },
        program: Some(ProgramRef {
            id: p.clone(),
            name: program.name.clone(),
        }),
        issued_on: "2026-11-20".parse().unwrap(),
        expires_on: Some("2027-05-20".parse().unwrap()),
        ..sample::certificate()
    };
    let passed = Claim {
        outcome: Outcome::Passed,
        certificate: Some(certificate.clone()),
    };
    s.claim_outcome("ws-acme", &p, "u-ana", &passed).await.unwrap();
    let failed = Claim {
        outcome: Outcome::DidNotPass { not_completed: vec![] },
        certificate: None,
    };
    s.claim_outcome("ws-acme", &p, "u-ben", &failed).await.unwrap();
    // As a run leaves it: the PDF, and no preview until one is asked for.
    api.blobs
        .put(
            "certificates/ws-acme/x-ana.pdf",
            b"%PDF-1.7 ana".to_vec(),
            "application/pdf",
        )
        .await
        .unwrap();
    assert!(s
        .issue_certificate(
            "ws-acme",
            &certificate,
            crate::common::now(),
            &certify_rules::Actor::admin("u-admin")
        )
        .await
        .unwrap());
    run.evaluated = 2;
    run.certified = 1;
    run.did_not_pass = 1;
    run.state = RunState::Completed;
    s.save_run("ws-acme", &run, None).await.unwrap();
    s.finish_end("ws-acme", &p).await.unwrap();
    p
}

#[tokio::test]
async fn a_participant_sees_and_downloads_only_their_own_certificates() {
    let api = Api::enabled().await;
    ended(&api).await;
    let mine = api.send(event("me-certificates.json")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(
        (mine.body[0]["id"].as_str(), mine.body[0]["status"].as_str()),
        (Some("x-ana"), Some("active"))
    );
    let ben = api
        .send(
            event("me-certificates.json")
                .as_("ws-acme", "participant")
                .claim("sub", "u-ben"),
        )
        .await;
    assert_eq!(ben.body, json!([]));
    let one = api.send(aimed("certificates-get.json", "/x1", "/x-ana")).await;
    assert_eq!(
        (one.status, one.body["holder_name"].as_str()),
        (StatusCode::OK, Some("Ana Ávila"))
    );
    let not_hers = api
        .send(aimed("certificates-get.json", "/x1", "/x-ana").claim("sub", "u-ben"))
        .await;
    assert_eq!(
        not_hers.status,
        StatusCode::NOT_FOUND,
        "another participant's certificate reads as missing"
    );
    let admin = api
        .send(aimed("certificates-get.json", "/x1", "/x-ana").as_("ws-acme", "admin"))
        .await;
    assert_eq!(admin.status, StatusCode::OK);
    let theirs = api
        .send(aimed("certificates-get.json", "/x1", "/x-ana").as_("ws-other", "admin"))
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::FORBIDDEN,
        "ws-other has certifications disabled"
    );

    // The preview is drawn when first asked for.
    for (name, expected) in [
        ("certificates-download.json", &b"%PDF-1.7 ana"[..]),
        ("certificates-preview.json", &b"\x89PNG"[..]),
    ] {
        let reply = api.send(aimed(name, "/x1/", "/x-ana/")).await;
        assert_eq!(reply.status, StatusCode::FOUND);
        let url = reply.header("location").to_string();
        assert!(url.contains("X-Amz-Expires=300"), "a five-minute link: {url}");
        assert!(fetched(&url).starts_with(expected), "{name}");
    }
}

#[tokio::test]
async fn verification_is_public_and_tells_no_contact_details() {
    let api = Api::enabled().await;
    ended(&api).await;
    let reply = api.send(aimed("verify.json", "/x1", "/x-ana")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body,
        json!({"certificate_id": "x-ana", "status": "active", "holder_name": "Ana Ávila",
               "certification_name": "Leadership Essentials", "issuer_name": "Exec Coaching",
               "issued_on": "2026-11-20", "expires_on": "2027-05-20"})
    );
    assert!(!reply.body.to_string().contains("example.com"));
    assert_eq!(
        api.send(aimed("verify.json", "/x1", "/nope")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_admin_revokes_with_a_reason_once() {
    let api = Api::enabled().await;
    ended(&api).await;
    let revoke = || aimed("certificates-revoke.json", "/x1/", "/x-ana/");
    let participant = api.send(revoke().as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
    let no_reason = api.send(revoke().body(r#"{"reason": " "}"#)).await;
    assert_eq!(
        (no_reason.status, no_reason.fields()),
        (StatusCode::BAD_REQUEST, vec!["reason"])
    );
    let revoked = api.send(revoke()).await;
    assert_eq!(
        (revoked.status, revoked.body["status"].as_str()),
        (StatusCode::OK, Some("revoked"))
    );
    assert_eq!(revoked.body["revoked_reason"], "Issued in error");
    let again = api.send(revoke()).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "already_revoked"));
    let verified = api.send(aimed("verify.json", "/x1", "/x-ana")).await;
    assert_eq!(verified.body["status"], "revoked");
}

#[tokio::test]
async fn the_banner_and_the_run_record_after_the_end() {
    let api = Api::enabled().await;
    let p = ended(&api).await;
    let banner = api.send(aimed("me-completion.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(banner.status, StatusCode::OK, "{:?}", banner.body);
    assert_eq!(banner.body["status"], "passed");
    assert_eq!(banner.body["certification"]["name"], "Leadership Essentials");
    assert_eq!(banner.body["certificate"]["id"], "x-ana");
    assert_eq!(
        banner.body["certificate"]["download_url"],
        "/certificates/x-ana/download"
    );
    let ben = api
        .send(aimed("me-completion.json", "/p1/", &format!("/{p}/")).claim("sub", "u-ben"))
        .await;
    assert_eq!(
        (ben.body["status"].as_str(), &ben.body["certificate"]),
        (Some("did_not_pass"), &Value::Null)
    );
    let stranger = api
        .send(aimed("me-completion.json", "/p1/", &format!("/{p}/")).claim("sub", "u-zed"))
        .await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let run = api.send(aimed("programs-run.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(
        (run.status, run.body["state"].as_str(), run.body["certified"].as_u64()),
        (StatusCode::OK, Some("completed"), Some(1))
    );
    let active = api.send(event("programs-create.json")).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let early = api
        .send(aimed("me-completion.json", "/p1/", &format!("/{active}/")))
        .await;
    assert_eq!(early.status, StatusCode::NOT_FOUND, "not enrolled there");
    let no_run = api
        .send(aimed("programs-run.json", "/p1/", &format!("/{active}/")))
        .await;
    assert_eq!(no_run.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ending_a_program_answers_202_and_the_trigger_certifies_in_the_background() {
    let api = Api::enabled().await;
    let (_, p) = ana_and_ben(&api, "2026-12-20T17:00:00Z").await;
    ana_completes_a_lesson(&api, &p).await;

    let participant = aimed("programs-end.json", "/p1/", &format!("/{p}/")).as_("ws-acme", "participant");
    assert_eq!(api.send(participant).await.status, StatusCode::FORBIDDEN);
    let elsewhere = aimed("programs-end.json", "/p1/", &format!("/{p}/")).claim("workspace_id", "ws-other");
    assert_eq!(api.send(elsewhere).await.status, StatusCode::NOT_FOUND);
    let end = api.send(aimed("programs-end.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(end.status, StatusCode::ACCEPTED, "{:?}", end.body);
    assert_eq!(end.header("location"), format!("/programs/{p}/run"));
    assert_eq!(end.body["state"], "ending");
    assert_eq!(end.body["ended_at"], "2026-11-28T19:00:00Z", "ended now");
    let again = api.send(aimed("programs-end.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "program_ended"));

    api.starter.settle().await;
    let run = api.send(aimed("programs-run.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(
        (
            run.body["state"].as_str(),
            run.body["certified"].as_u64(),
            run.body["did_not_pass"].as_u64()
        ),
        (Some("completed"), Some(1), Some(1)),
        "{:?}",
        run.body
    );
    let banner = api.send(aimed("me-completion.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(banner.body["status"], "passed", "{:?}", banner.body);
    let id = banner.body["certificate"]["id"].as_str().unwrap();
    let verified = api
        .send(aimed("verify.json", "/verify/", "/verify/").path(&format!("/verify/{id}")))
        .await;
    assert_eq!(
        (verified.status, verified.body["holder_name"].as_str()),
        (StatusCode::OK, Some("Ana Ávila"))
    );
    let emails: Vec<Value> = certify_testkit::moto_emails_from(&api.endpoint, &api.sender)
        .into_iter()
        .collect();
    assert_eq!(emails.len(), 2, "one result email each");
}

#[tokio::test]
async fn the_run_record_answers_403_while_certifications_are_disabled() {
    let api = Api::enabled().await;
    let (_, p) = ana_and_ben(&api, "2026-12-20T17:00:00Z").await;
    let off = json!({"certifications_enabled": false}).to_string();
    assert_eq!(
        api.send(event("settings-put.json").body(&off)).await.status,
        StatusCode::OK
    );
    let run = api.send(aimed("programs-run.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(
        (run.status, run.code()),
        (StatusCode::FORBIDDEN, "certifications_disabled"),
        "{:?}",
        run.body
    );
}

/// Follows a presigned link (S3 on moto) and answers the file's bytes.
pub(crate) fn fetched(url: &str) -> Vec<u8> {
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut ureq::get(url).call().unwrap().into_body().into_reader(), &mut body).unwrap();
    body
}
