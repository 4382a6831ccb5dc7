//! Program, link, component, participant, progress and extension routes through the
//! Lambda handler (see `common`).

use crate::common::fixtures::{at, component, program, with_component};
use crate::common::{event, Api};
use axum::http::StatusCode;
use serde_json::{json, Value};

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
    api.store.begin_end("ws-acme", &id, crate::common::now()).await.unwrap();
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
