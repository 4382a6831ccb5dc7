//! Certifying by hand through the Lambda handler (SPEC 1.13): the same rules as a run's
//! certificate, no program, an admin-only note, and an `Idempotency-Key` that makes a
//! retried or racing request issue one certificate. "Today" is 2026-11-28.

use crate::common::{aimed, Api, Event};
use axum::http::StatusCode;
use certify_blobs::{certificate_key, FileKind};
use serde_json::{json, Value};

/// A certification (valid 6 months) and the sample request aimed at it.
async fn certification(api: &Api) -> (String, impl Fn() -> Event) {
    let c = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = c.clone();
    (c, move || aimed("certify-by-hand.json", "/c1/", &format!("/{path}/")))
}

fn emails_to(api: &Api, address: &str) -> Vec<Value> {
    certify_testkit::moto_emails_from(&api.endpoint, &api.sender)
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"].to_string().contains(address))
        .collect()
}

fn types(history: &Value) -> Vec<&str> {
    history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_admin_certifies_by_hand_once_per_key_and_only_admins_see_the_note() {
    let api = Api::enabled().await;
    let (c, by_hand) = certification(&api).await;
    let issued = api.send(by_hand()).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    let id = issued.body["id"].as_str().unwrap().to_string();
    assert_eq!(issued.header("location"), format!("/certificates/{id}"));
    let body = &issued.body;
    assert_eq!(
        (
            &body["program"],
            &body["status"],
            &body["issued_on"],
            &body["expires_on"]
        ),
        (
            &Value::Null,
            &json!("active"),
            &json!("2026-11-20"),
            &json!("2027-05-20")
        )
    );
    assert_eq!(body["certification"]["id"], c.as_str());
    assert_eq!(
        body["note"],
        "Finished the 2025 cohort offline; records in the HR file."
    );
    let pdf = certificate_key("ws-acme", &id, FileKind::Pdf);
    assert!(
        api.blobs.exists(&pdf).await.unwrap(),
        "{pdf}: the PDF before the record"
    );
    let png = certificate_key("ws-acme", &id, FileKind::Png);
    assert!(
        !api.blobs.exists(&png).await.unwrap(),
        "{png}: drawn when first asked for"
    );
    let sent = emails_to(&api, "dana@example.com");
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["body"]
        .as_str()
        .unwrap()
        .contains("Congratulations: you earned"));
    assert!(!sent[0].to_string().contains("HR file"), "the note is not in the email");

    // A retry with the same key and body: the same answer, nothing issued or sent again.
    let again = api.send(by_hand()).await;
    assert_eq!((again.status, &again.body), (StatusCode::CREATED, &issued.body));
    assert_eq!(emails_to(&api, "dana@example.com").len(), 1);
    // The same key with another body is refused.
    let other = by_hand().body(&json!({"user_id": "u-eve", "name": "Eve", "email": "eve@example.com"}).to_string());
    let reused = api.send(other).await;
    assert_eq!(
        (reused.status, reused.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
    );

    let history = api
        .send(aimed("certificates-history.json", "/x1/", &format!("/{id}/")))
        .await;
    assert_eq!(types(&history.body), ["issued", "emailed"]);
    assert_eq!(
        history.body["items"][0]["actor"],
        json!({"kind": "admin", "user_id": "u-admin"})
    );
    assert_eq!(history.body["items"][0]["details"], json!({"program": null}));

    // The holder sees the certificate without the note; so does everyone verifying it.
    let holder = aimed("certificates-get.json", "/x1", &format!("/{id}"))
        .as_("ws-acme", "participant")
        .claim("sub", "u-dana");
    let seen = api.send(holder).await;
    assert_eq!(seen.status, StatusCode::OK, "{:?}", seen.body);
    assert!(seen.body.get("note").is_none(), "{:?}", seen.body);
    let verified = api.send(aimed("verify.json", "/x1", &format!("/{id}"))).await;
    assert!(!verified.body.to_string().contains("HR file"));
    let registry = api.send(aimed("registry-get.json", "/c1/", &format!("/{c}/"))).await;
    assert_eq!(registry.body["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_new_certificate_by_hand_replaces_the_active_one_and_bad_requests_change_nothing() {
    let api = Api::enabled().await;
    let (c, by_hand) = certification(&api).await;
    let first = api.send(by_hand()).await.body["id"].as_str().unwrap().to_string();
    let quiet = json!({"user_id": "u-dana", "name": "Dana Petrova", "email": "dana@example.com", "notify": false});
    let second = api
        .send(by_hand().header("idempotency-key", "second").body(&quiet.to_string()))
        .await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.body["issued_on"], "2026-11-28", "today by default");
    assert_eq!(
        emails_to(&api, "dana@example.com").len(),
        1,
        "notify: false sends nothing"
    );
    let old = api
        .send(aimed("certificates-history.json", "/x1/", &format!("/{first}/")))
        .await;
    assert_eq!(types(&old.body), ["issued", "emailed", "replaced"]);
    let active = api
        .send(aimed("registry-get.json", "/c1/", &format!("/{c}/")).query("status=active"))
        .await;
    assert_eq!(active.body["items"].as_array().unwrap().len(), 1);

    let before = api
        .send(aimed("registry-get.json", "/c1/", &format!("/{c}/")))
        .await
        .body;
    let bad = json!({"user_id": "u#1", "email": "nope", "issued_on": "2026-11-29", "note": "n".repeat(1001)});
    let refused = api
        .send(by_hand().header("idempotency-key", "bad").body(&bad.to_string()))
        .await;
    assert_eq!(
        (refused.status, refused.fields()),
        (
            StatusCode::BAD_REQUEST,
            vec!["user_id", "name", "email", "issued_on", "note"]
        )
    );
    let key = api.send(by_hand().header("idempotency-key", "not a key")).await;
    assert_eq!(
        (key.status, key.fields()),
        (StatusCode::BAD_REQUEST, vec!["Idempotency-Key"])
    );
    let participant = api.send(by_hand().as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
    let missing = api.send(aimed("certify-by-hand.json", "/c1/", "/nope/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let after = api
        .send(aimed("registry-get.json", "/c1/", &format!("/{c}/")))
        .await
        .body;
    assert_eq!(before, after, "refused requests issued nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_requests_issue_one_certificate_per_key_and_leave_one_active() {
    let api = Api::enabled().await;
    let (c, by_hand) = certification(&api).await;
    // The same key twice at once: one certificate, the same answer to both.
    let (a, b) = tokio::join!(api.send(by_hand()), api.send(by_hand()));
    assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(emails_to(&api, "dana@example.com").len(), 1);
    // Two keys for the same holder at once: both issued, one left active, the other
    // replaced by it.
    let (x, y) = tokio::join!(
        api.send(by_hand().header("idempotency-key", "x")),
        api.send(by_hand().header("idempotency-key", "y"))
    );
    assert_eq!((x.status, y.status), (StatusCode::CREATED, StatusCode::CREATED));
    let all = api
        .send(aimed("registry-get.json", "/c1/", &format!("/{c}/")))
        .await
        .body;
    let statuses: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == "active").count(), 1, "{statuses:?}");
    for reply in [&x, &y] {
        let id = reply.body["id"].as_str().unwrap();
        let history = api
            .send(aimed("certificates-history.json", "/x1/", &format!("/{id}/")))
            .await;
        assert_eq!(types(&history.body)[0], "issued", "{id}");
    }
}

/// SPEC 1.17: a character no bundled font has is drawn all the same, and the answer
/// names it; a name every font covers answers no warnings.
#[tokio::test]
async fn a_character_no_font_has_is_issued_with_a_warning_naming_it() {
    let api = Api::enabled().await;
    let (_, by_hand) = certification(&api).await;
    let covered = api.send(by_hand()).await;
    assert_eq!(covered.status, StatusCode::CREATED, "{:?}", covered.body);
    assert!(covered.body.get("warnings").is_none(), "{:?}", covered.body);
    let odd = json!({"user_id": "u-odd", "name": "Ana \u{F0000}", "email": "odd@example.com", "notify": false});
    let warned = api
        .send(by_hand().header("idempotency-key", "odd").body(&odd.to_string()))
        .await;
    assert_eq!(warned.status, StatusCode::CREATED, "{:?}", warned.body);
    assert_eq!(warned.body["holder_name"], "Ana \u{F0000}");
    assert_eq!(warned.body["warnings"][0]["code"], "uncovered_characters");
    assert_eq!(warned.body["warnings"][0]["characters"], json!(["U+F0000"]));
}
