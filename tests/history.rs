//! The history of certifications and certificates through the Lambda handler (SPEC
//! 1.15): every change recorded with who made it, oldest first, paged; admins only.

use crate::common::fixtures::{ana_and_ben, ana_completes_a_lesson};
use crate::common::{aimed, event, Api, Event};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Every entry a history route answers, `limit` at a time.
async fn entries(api: &Api, request: impl Fn() -> Event, limit: usize) -> Vec<Value> {
    let (mut all, mut cursor) = (Vec::new(), String::new());
    loop {
        let reply = api
            .send(request().query(&format!("limit={limit}&cursor={cursor}")))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        all.extend(reply.body["items"].as_array().unwrap().iter().cloned());
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => return all,
        }
    }
}

fn types(entries: &[Value]) -> Vec<&str> {
    entries.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_certification_records_who_created_changed_and_archived_it() {
    let api = Api::enabled().await;
    let id = api.create("Coaching Basics").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/certifications/{id}");
    assert_eq!(
        api.send(event("certifications-patch.json").path(&path)).await.status,
        StatusCode::OK
    );
    let archive = event("certifications-delete.json")
        .path(&path)
        .header("if-match", "\"2\"");
    assert_eq!(api.send(archive).await.status, StatusCode::NO_CONTENT);
    let history = || aimed("certifications-history.json", "/c1/", &format!("/{id}/"));
    let all = entries(&api, history, 1).await;
    assert_eq!(types(&all), ["created", "updated", "archived"]);
    for entry in &all {
        assert_eq!(entry["actor"], json!({"kind": "admin", "user_id": "u-admin"}));
    }
    assert_eq!(
        all[1]["details"]["fields"]["name"],
        json!({"old": "Coaching Basics", "new": "Leadership Essentials II"})
    );
    let participant = api.send(history().as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
    let elsewhere = api.send(history().claim("workspace_id", "ws-other")).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "certifications are off there");
    let missing = api.send(aimed("certifications-history.json", "/c1/", "/nope/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = api.send(history().query("limit=0")).await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::BAD_REQUEST, vec!["limit"]));
}

#[tokio::test]
async fn a_certificate_records_its_issue_email_and_revocation() {
    let api = Api::enabled().await;
    let (_, p) = ana_and_ben(&api, "2026-12-20T17:00:00Z").await;
    ana_completes_a_lesson(&api, &p).await;
    let end = api.send(aimed("programs-end.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(end.status, StatusCode::ACCEPTED, "{:?}", end.body);
    api.starter.settle().await;
    let banner = api.send(aimed("me-completion.json", "/p1/", &format!("/{p}/"))).await;
    let id = banner.body["certificate"]["id"].as_str().unwrap().to_string();

    let history = || aimed("certificates-history.json", "/x1/", &format!("/{id}/"));
    let by_the_run = entries(&api, history, 10).await;
    assert_eq!(types(&by_the_run), ["issued", "emailed"]);
    for entry in &by_the_run {
        assert_eq!(entry["actor"], json!({"kind": "system"}));
    }
    assert_eq!(by_the_run[0]["details"]["program"]["id"], p.as_str());

    let revoke = aimed("certificates-revoke.json", "/x1/", &format!("/{id}/"));
    assert_eq!(api.send(revoke).await.status, StatusCode::OK);
    let all = entries(&api, history, 1).await;
    assert_eq!(types(&all), ["issued", "emailed", "revoked"]);
    assert_eq!(all[..2], by_the_run[..], "earlier entries never change");
    assert_eq!(all[2]["actor"], json!({"kind": "admin", "user_id": "u-admin"}));
    assert_eq!(all[2]["details"], json!({"reason": "Issued in error"}));

    let participant = api.send(history().as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN, "admins only, the holder too");
    let missing = api.send(aimed("certificates-history.json", "/x1/", "/nope/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let forged = api.send(history().query("cursor=forged")).await;
    assert_eq!(
        (forged.status, forged.fields()),
        (StatusCode::BAD_REQUEST, vec!["cursor"])
    );
}
