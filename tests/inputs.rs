//! Input bounds at the program and certification routes through the Lambda handler (see
//! `common`): dates, positions, user ids, addresses, body shapes, nulls and reminder offsets
//! are refused naming the field, and change nothing.

use crate::common::fixtures::{at, component, program, read, with_component};
use crate::common::{event, Api};
use axum::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn dates_outside_1970_to_9999_are_refused_naming_the_field_and_change_nothing() {
    let api = Api::new().await;
    let far = "+10000-01-01T00:00:00Z";
    let create = json!({"name": "Far", "starts_at": "2026-11-01T09:00:00Z", "ends_at": far}).to_string();
    let refused = api.send(event("programs-create.json").body(&create)).await;
    assert_eq!(
        (refused.status, refused.code(), refused.fields()),
        (StatusCode::BAD_REQUEST, "invalid_input", vec!["ends_at"])
    );
    let early = json!({"name": "Early", "starts_at": "1969-12-31T23:59:59Z", "ends_at": "2026-12-01T09:00:00Z"});
    let refused = api.send(event("programs-create.json").body(&early.to_string())).await;
    assert_eq!(refused.fields(), ["starts_at"]);
    let listed = api.send(event("programs-list.json")).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was stored");

    let id = program(&api).await;
    let k = component(&api, &id).await;
    let before = read(&api, &id).await;
    let patched = api
        .send(at("programs-patch.json", &id).body(&json!({"ends_at": far}).to_string()))
        .await;
    assert_eq!(
        (patched.status, patched.fields()),
        (StatusCode::BAD_REQUEST, vec!["ends_at"])
    );
    let added = api
        .send(at("components-add.json", &id).body(&json!({"title": "T", "kind": "lesson", "ends_at": far}).to_string()))
        .await;
    assert_eq!(
        (added.status, added.fields()),
        (StatusCode::BAD_REQUEST, vec!["ends_at"])
    );
    let moved = api
        .send(with_component(at("components-patch.json", &id), &k).body(r#"{"starts_at": "1969-01-01T00:00:00Z"}"#))
        .await;
    assert_eq!(
        (moved.status, moved.fields()),
        (StatusCode::BAD_REQUEST, vec!["starts_at"])
    );
    assert_eq!(
        read(&api, &id).await,
        before,
        "the program and its components are as they were"
    );
    assert_eq!(
        api.send(at("participants-enroll.json", &id)).await.status,
        StatusCode::CREATED
    );
    let extended = api
        .send(with_component(at("extensions-put.json", &id), &k).body(&json!({"due_at": far}).to_string()))
        .await;
    assert_eq!(
        (extended.status, extended.fields()),
        (StatusCode::BAD_REQUEST, vec!["due_at"])
    );
    let listed = api.send(at("participants-list.json", &id)).await;
    assert_eq!(
        listed.body["items"][0]["extensions"],
        json!({}),
        "no extension was stored"
    );
}

#[tokio::test]
async fn positions_are_0_to_10000_and_a_component_after_the_last_never_overflows() {
    let api = Api::new().await;
    let id = program(&api).await;
    let add = |body: Value| at("components-add.json", &id).body(&body.to_string());
    let huge = api
        .send(add(json!({"title": "T", "kind": "lesson", "position": i64::MAX})))
        .await;
    assert_eq!(
        (huge.status, huge.fields()),
        (StatusCode::BAD_REQUEST, vec!["position"])
    );
    let negative = api
        .send(add(json!({"title": "T", "kind": "lesson", "position": -1})))
        .await;
    assert_eq!(negative.fields(), ["position"]);
    let last = api
        .send(add(json!({"title": "Last", "kind": "lesson", "position": 10000})))
        .await;
    assert_eq!(last.status, StatusCode::CREATED, "{:?}", last.body);
    let after = api.send(add(json!({"title": "After", "kind": "lesson"}))).await;
    assert_eq!(
        (after.status, after.fields()),
        (StatusCode::BAD_REQUEST, vec!["position"])
    );
    let k = last.body["id"].as_str().unwrap();
    let patched = api
        .send(with_component(at("components-patch.json", &id), k).body(r#"{"position": 10001}"#))
        .await;
    assert_eq!(
        (patched.status, patched.fields()),
        (StatusCode::BAD_REQUEST, vec!["position"])
    );
    let components = read(&api, &id).await["components"].clone();
    assert_eq!(components.as_array().unwrap().len(), 1, "{components}");
    assert_eq!(components[0]["position"], 10000);
}

#[tokio::test]
async fn user_ids_outside_the_identity_rule_are_400_naming_the_field_and_nothing_is_stored() {
    let api = Api::new().await;
    let id = program(&api).await;
    let k = component(&api, &id).await;
    let one = json!({"user_id": "u#1", "name": "Hash", "email": "hash@example.com"});
    let refused = api
        .send(at("participants-enroll.json", &id).body(&one.to_string()))
        .await;
    assert_eq!(
        (refused.status, refused.code(), refused.fields()),
        (StatusCode::BAD_REQUEST, "invalid_input", vec!["user_id"])
    );
    let batch = json!({"participants": [{"user_id": ".dot", "name": "Dot", "email": "dot@example.com"}]});
    let refused = api
        .send(at("participants-enroll.json", &id).body(&batch.to_string()))
        .await;
    assert_eq!(refused.fields(), ["participants[0].user_id"]);
    let listed = api.send(at("participants-list.json", &id)).await;
    assert_eq!(listed.body["items"], json!([]), "nobody was enrolled");

    assert_eq!(
        api.send(at("participants-enroll.json", &id)).await.status,
        StatusCode::CREATED
    );
    let in_path = [
        at("participants-unenroll.json", &id),
        with_component(at("progress-put.json", &id), &k),
        with_component(at("extensions-put.json", &id), &k),
        with_component(at("extensions-delete.json", &id), &k),
    ];
    for e in in_path {
        let path = e.0["rawPath"].as_str().unwrap().replace("/u-ana", "/u%23ana");
        let reply = api.send(e.path(&path)).await;
        assert_eq!(
            (reply.status, reply.code(), reply.fields()),
            (StatusCode::BAD_REQUEST, "invalid_input", vec!["uid"]),
            "{path}: {:?}",
            reply.body
        );
    }
    let listed = api.send(at("participants-list.json", &id)).await;
    assert_eq!(listed.body["items"][0]["participant"]["user_id"], "u-ana");
    assert_eq!(
        (
            &listed.body["items"][0]["progress"],
            &listed.body["items"][0]["extensions"]
        ),
        (&json!({}), &json!({})),
        "nothing was stored"
    );
}

#[tokio::test]
async fn an_address_the_mailer_would_refuse_is_refused_at_enrollment() {
    let api = Api::new().await;
    let id = program(&api).await;
    let one = json!({"user_id": "u-paren", "name": "Paren", "email": "a(b)@example.com"});
    let refused = api
        .send(at("participants-enroll.json", &id).body(&one.to_string()))
        .await;
    assert_eq!(
        (refused.status, refused.fields()),
        (StatusCode::BAD_REQUEST, vec!["email"])
    );
    let listed = api.send(at("participants-list.json", &id)).await;
    assert_eq!(listed.body["items"], json!([]), "nobody was enrolled");
}

#[tokio::test]
async fn both_enroll_shapes_refuse_unknown_fields_and_name_a_wrong_type() {
    let api = Api::new().await;
    let id = program(&api).await;
    let ana = json!({"user_id": "u-ana", "name": "Ana", "email": "ana@example.com"});
    let cases = [
        (json!({"participants": [ana], "colour": "red"}), "colour"),
        (
            json!({"user_id": "u-ana", "name": "Ana", "email": "ana@example.com", "colour": "red"}),
            "colour",
        ),
        (
            json!({"participants": [{"user_id": 5, "name": "Ana", "email": "ana@example.com"}]}),
            "participants[0].user_id",
        ),
        (
            json!({"participants": [{"user_id": "u-ana", "name": "Ana", "email": "ana@example.com", "colour": 1}]}),
            "participants[0].colour",
        ),
        (
            json!({"user_id": 5, "name": "Ana", "email": "ana@example.com"}),
            "user_id",
        ),
        (json!({"participants": null}), "participants"),
        (json!({"participants": "u-ana"}), "participants"),
    ];
    for (body, field) in cases {
        let reply = api
            .send(at("participants-enroll.json", &id).body(&body.to_string()))
            .await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            reply.body
        );
        assert!(!reply.body.to_string().contains("untagged"), "{body}: {:?}", reply.body);
    }
    let listed = api.send(at("participants-list.json", &id)).await;
    assert_eq!(listed.body["items"], json!([]), "nobody was enrolled");
}

#[tokio::test]
async fn null_for_a_field_that_cannot_be_null_is_refused_in_every_patch() {
    let api = Api::new().await;
    let id = program(&api).await;
    let k = component(&api, &id).await;
    let before = read(&api, &id).await;
    for field in ["name", "starts_at", "ends_at"] {
        let body = json!({ field: null }).to_string();
        let reply = api.send(at("programs-patch.json", &id).body(&body)).await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            reply.body
        );
    }
    for field in ["title", "kind", "optional", "position"] {
        let body = json!({ field: null }).to_string();
        let reply = api
            .send(with_component(at("components-patch.json", &id), &k).body(&body))
            .await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            reply.body
        );
    }
    assert_eq!(read(&api, &id).await, before, "nothing changed");
    let unlinked = api
        .send(at("programs-patch.json", &id).body(r#"{"certification_id": null}"#))
        .await;
    assert_eq!(
        unlinked.status,
        StatusCode::OK,
        "null still unlinks: {:?}",
        unlinked.body
    );
}

#[tokio::test]
async fn reminder_offsets_are_checked_on_create_and_patch_and_recorded_when_changed() {
    let api = Api::enabled().await;
    let created = api.create("Coaching Basics").await.body;
    assert_eq!(created["expiry_reminders_days"], json!([30]), "the default");
    let id = created["id"].as_str().unwrap();
    let path = format!("/certifications/{id}");
    for (days, field) in [
        (json!([0]), "expiry_reminders_days[0]"),
        (json!([7, 7]), "expiry_reminders_days[1]"),
        (json!([1, 2, 3, 4]), "expiry_reminders_days"),
        (json!(null), "expiry_reminders_days"),
    ] {
        let body = json!({ "expiry_reminders_days": days }).to_string();
        let reply = api
            .send(event("certifications-patch.json").path(&path).body(&body))
            .await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            reply.body
        );
        let refused = api.send(event("certifications-create.json").body(&body)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let body = json!({ "expiry_reminders_days": [7, 60] }).to_string();
    let patched = api
        .send(event("certifications-patch.json").path(&path).body(&body))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    assert_eq!(patched.body["expiry_reminders_days"], json!([60, 7]), "largest first");
    let history = api
        .send(event("certifications-history.json").path(&format!("{path}/history")))
        .await;
    let updated = &history.body["items"][1];
    assert_eq!(updated["type"], "updated");
    assert_eq!(
        updated["details"]["fields"]["expiry_reminders_days"],
        json!({"old": [30], "new": [60, 7]})
    );
}
