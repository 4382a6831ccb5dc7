//! Program, link, component, participant, progress and extension routes through the
//! Lambda handler (see `common`).

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

mod common;

use axum::http::StatusCode;
use common::{event, Api, Event};
use serde_json::{json, Value};

/// `events/{name}` aimed at program `id` (and a component or user where the path has one).
fn at(name: &str, id: &str) -> Event {
    let mut e = event(name);
    let path = e.0["rawPath"].as_str().unwrap().replacen("/p1", &format!("/{id}"), 1);
    e.0["rawPath"] = path.clone().into();
    e.0["requestContext"]["http"]["path"] = path.into();
    e
}

fn with_component(mut e: Event, cid: &str) -> Event {
    let path = e.0["rawPath"].as_str().unwrap().replace("/k1", &format!("/{cid}"));
    e.0["rawPath"] = path.clone().into();
    e.0["requestContext"]["http"]["path"] = path.into();
    e
}

async fn program(api: &Api) -> String {
    let reply = api.send(event("programs-create.json")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn component(api: &Api, id: &str) -> String {
    let reply = api.send(at("components-add.json", id)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn programs_are_created_read_listed_and_renamed() {
    let api = Api::new().await;
    let id = program(&api).await;
    let bad = api.send(event("bad-programs-create-ends-before-start.json")).await;
    assert_eq!(
        (bad.status, bad.fields()),
        (StatusCode::BAD_REQUEST, vec!["name", "ends_at"])
    );
    let k = component(&api, &id).await;
    let read = api.send(at("programs-get.json", &id)).await;
    assert_eq!((read.status, read.header("etag")), (StatusCode::OK, "\"1\""));
    assert_eq!(
        (read.body["state"].as_str(), read.body["certification_id"].clone()),
        (Some("active"), Value::Null)
    );
    assert_eq!(read.body["components"][0]["id"], k.as_str());
    let listed = api.send(event("programs-list.json")).await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str());
    let renamed = api.send(at("programs-patch.json", &id)).await;
    assert_eq!(
        (renamed.status, renamed.body["name"].as_str()),
        (StatusCode::OK, Some("Spring Cohort 2027"))
    );
    let stale = api.send(at("programs-patch.json", &id)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let theirs = api.send(at("programs-get.json", &id).as_("ws-other", "admin")).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let participant = api
        .send(event("programs-list.json").as_("ws-acme", "participant"))
        .await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn linking_needs_certifications_enabled_and_a_live_certification() {
    let api = Api::new().await;
    let id = program(&api).await;
    let refused = api.send(at("programs-link.json", &id)).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::FORBIDDEN, "certifications_disabled")
    );
    let api = Api::enabled().await;
    let id = program(&api).await;
    let missing = api.send(at("programs-link.json", &id)).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::CONFLICT, "certification_unavailable")
    );
    let c = api.create("Leadership").await.body["id"].as_str().unwrap().to_string();
    let body = json!({"certification_id": c}).to_string();
    let linked = api.send(at("programs-link.json", &id).body(&body)).await;
    assert_eq!(
        (linked.status, linked.body["certification_id"].as_str()),
        (StatusCode::OK, Some(c.as_str()))
    );
    let in_use = api
        .send(
            event("certifications-delete.json")
                .path(&format!("/certifications/{c}"))
                .header("if-match", "*"),
        )
        .await;
    assert_eq!(
        (in_use.status, in_use.code()),
        (StatusCode::CONFLICT, "certification_in_use")
    );
    let unlinked = api.send(at("programs-unlink.json", &id)).await;
    assert_eq!(
        (unlinked.status, &unlinked.body["certification_id"]),
        (StatusCode::OK, &Value::Null)
    );
    let created_linked = api
        .send(event("programs-create.json").body(&json!({"name": "Linked", "starts_at": "2026-11-01T09:00:00Z", "ends_at": "2026-12-01T09:00:00Z", "certification_id": c}).to_string()))
        .await;
    assert_eq!(created_linked.status, StatusCode::CREATED);
    let empty = api.send(at("programs-link.json", &id).body("{}")).await;
    assert_eq!(empty.fields(), ["certification_id"]);
}

#[tokio::test]
async fn components_participants_progress_and_extensions() {
    let api = Api::new().await;
    let id = program(&api).await;
    let k1 = component(&api, &id).await;
    let k2 = component(&api, &id).await;
    let read = api.send(at("programs-get.json", &id)).await;
    let positions: Vec<i64> = read.body["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [0, 1], "each new component goes last");
    let patched = api.send(with_component(at("components-patch.json", &id), &k2)).await;
    assert_eq!(
        (patched.status, patched.body["optional"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let kind = api
        .send(with_component(at("components-patch.json", &id), &k2).body(r#"{"kind": "webinar"}"#))
        .await;
    assert_eq!((kind.status, kind.fields()), (StatusCode::BAD_REQUEST, vec!["kind"]));

    let one = api.send(at("participants-enroll.json", &id)).await;
    assert_eq!(
        (one.status, one.body["items"][0]["name"].as_str()),
        (StatusCode::CREATED, Some("Ana Ávila"))
    );
    let batch = api.send(at("participants-enroll-batch.json", &id)).await;
    assert_eq!(batch.status, StatusCode::CREATED);
    let again = api.send(at("participants-enroll.json", &id)).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "already_enrolled"));
    let bad = api.send(at("bad-participants-enroll-invalid.json", &id)).await;
    assert_eq!(
        (bad.status, bad.fields()),
        (
            StatusCode::BAD_REQUEST,
            vec!["participants[0].email", "participants[0].avatar_url"]
        )
    );

    let done = api.send(with_component(at("progress-put.json", &id), &k1)).await;
    assert_eq!(
        (done.status, done.body["status"].as_str()),
        (StatusCode::OK, Some("completed"))
    );
    let unknown = api
        .send(with_component(at("progress-put.json", &id), &k1).body(r#"{"status": "done"}"#))
        .await;
    assert_eq!(unknown.fields(), ["status"]);
    let nobody = api
        .send(
            with_component(at("progress-put.json", &id), &k1)
                .path(&format!("/programs/{id}/participants/ghost/progress/{k1}")),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let early = api
        .send(with_component(at("extensions-put.json", &id), &k1).body(r#"{"due_at": "2026-11-20T00:00:00Z"}"#))
        .await;
    assert_eq!(
        (early.status, early.fields()),
        (StatusCode::BAD_REQUEST, vec!["due_at"])
    );
    let extended = api.send(with_component(at("extensions-put.json", &id), &k1)).await;
    assert_eq!(
        (extended.status, extended.body["due_at"].as_str()),
        (StatusCode::OK, Some("2026-12-04T17:00:00Z"))
    );

    let listed = api.send(at("participants-list.json", &id).query("limit=2")).await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(
        (items.len(), items[0]["participant"]["user_id"].as_str()),
        (2, Some("u-ana"))
    );
    assert_eq!(items[0]["progress"][&k1], "completed");
    assert_eq!(items[0]["extensions"][&k1], "2026-12-04T17:00:00Z");
    let cursor = listed.body["next_cursor"].as_str().unwrap();
    let rest = api
        .send(at("participants-list.json", &id).query(&format!("limit=2&cursor={cursor}")))
        .await;
    assert_eq!(
        (
            rest.body["items"][0]["participant"]["user_id"].as_str(),
            &rest.body["next_cursor"]
        ),
        (Some("u-sokratis"), &Value::Null)
    );

    assert_eq!(
        api.send(with_component(at("extensions-delete.json", &id), &k1))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.send(at("participants-unenroll.json", &id)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.send(at("participants-unenroll.json", &id)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.send(with_component(at("components-delete.json", &id), &k2))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let left = api.send(at("participants-list.json", &id)).await;
    assert_eq!(left.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_ended_program_is_frozen() {
    let api = Api::new().await;
    let id = program(&api).await;
    let k1 = component(&api, &id).await;
    assert_eq!(
        api.send(at("participants-enroll.json", &id)).await.status,
        StatusCode::CREATED
    );
    api.store.begin_end("ws-acme", &id, common::now()).await.unwrap();
    let refused = [
        api.send(at("components-add.json", &id)).await,
        api.send(with_component(at("components-patch.json", &id), &k1)).await,
        api.send(with_component(at("progress-put.json", &id), &k1)).await,
        api.send(with_component(at("extensions-put.json", &id), &k1)).await,
        api.send(at("participants-enroll-batch.json", &id)).await,
        api.send(at("participants-unenroll.json", &id)).await,
        api.send(at("programs-patch.json", &id).header("if-match", "*")).await,
    ];
    for reply in refused {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "program_ended"),
            "{:?}",
            reply.body
        );
    }
}

/// The program as it reads now (to show a refused request changed nothing).
async fn read(api: &Api, id: &str) -> Value {
    let reply = api.send(at("programs-get.json", id)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

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
