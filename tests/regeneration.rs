//! Regeneration through the Lambda handler (SPEC 1.13): an admin asks for a
//! certification's certificates to be drawn again (202 with the record's location), one
//! at a time per certification; the trigger's sweep does the work. "Today" is
//! 2026-11-28.

use crate::common::{aimed, event, Api, Event, Reply};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A certification and the sample start request aimed at it.
async fn certification(api: &Api, name: &str) -> (String, impl Fn() -> Event) {
    let c = api.create(name).await.body["id"].as_str().unwrap().to_string();
    let path = c.clone();
    (c, move || {
        aimed("regeneration-start.json", "/c1/", &format!("/{path}/"))
    })
}

/// The sample read request aimed at `location` (`/certifications/{id}/regenerations/{rid}`).
fn read(location: &str) -> Event {
    aimed("regeneration-get.json", "/certifications/c1/regenerations/r1", location)
}

/// The fields of a regeneration's view, sorted: never the worker's snapshot or cursor.
const FIELDS: [&str; 11] = [
    "certification_id",
    "done",
    "errors",
    "failed",
    "finished_at",
    "id",
    "refresh_snapshot",
    "requested_at",
    "requested_by",
    "state",
    "total",
];

fn started(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    reply.header("location").to_string()
}

#[tokio::test]
async fn a_regeneration_is_accepted_readable_at_its_location_and_one_runs_at_a_time() {
    let api = Api::enabled().await;
    let (c, start) = certification(&api, "Leadership Essentials").await;
    let reply = api.send(start()).await;
    let location = started(&reply);
    let rid = reply.body["id"].as_str().unwrap();
    assert_eq!(location, format!("/certifications/{c}/regenerations/{rid}"));
    let mut keys: Vec<&str> = reply.body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, FIELDS);
    assert_eq!(
        reply.body,
        json!({
            "id": rid,
            "certification_id": c,
            "refresh_snapshot": true,
            "state": "running",
            "requested_at": "2026-11-28T19:00:00Z",
            "requested_by": {"kind": "admin", "user_id": "u-admin"},
            "finished_at": null,
            "total": null,
            "done": 0,
            "failed": 0,
            "errors": [],
        })
    );
    let read_back = api.send(read(&location)).await;
    assert_eq!((read_back.status, &read_back.body), (StatusCode::OK, &reply.body));

    // While it runs, no other of the same certification starts; another
    // certification's does.
    let again = api.send(start().body("{}")).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "regeneration_running")
    );
    assert!(again.body["error"]["message"].as_str().unwrap().contains(rid));
    let (_, other) = certification(&api, "Coaching Basics").await;
    started(&api.send(other()).await);
    let unchanged = api.send(read(&location)).await;
    assert_eq!(unchanged.body, reply.body, "the refused request changed nothing");
}

#[tokio::test]
async fn bad_bodies_name_the_field_and_start_nothing() {
    let api = Api::enabled().await;
    let (_, start) = certification(&api, "Leadership Essentials").await;
    for (body, field) in [
        (r#"{"refresh_snapshot": null}"#, "refresh_snapshot"),
        (r#"{"refresh_snapshot": "yes"}"#, "refresh_snapshot"),
        (r#"{"refresh_snapshot": true, "refresh": true}"#, "refresh"),
        (r#"{"refresh_snapshot": "#, "body"),
        ("", "body"),
    ] {
        let reply = api.send(start().body(body)).await;
        assert_eq!(
            (reply.status, reply.code(), reply.fields()),
            (StatusCode::BAD_REQUEST, "invalid_input", vec![field]),
            "{body:?}: {:?}",
            reply.body
        );
    }
    // Nothing started: a good request is not refused as `regeneration_running`.
    let reply = api.send(start().body("{}")).await;
    started(&reply);
    assert_eq!(reply.body["refresh_snapshot"], false, "omitted means false");
}

#[tokio::test]
async fn unknown_or_other_workspaces_ones_are_404_and_only_admins_may_ask() {
    let api = Api::enabled().await;
    let enable_other = event("settings-put.json").as_("ws-other", "operator");
    assert_eq!(api.send(enable_other).await.status, StatusCode::OK);
    let (c, start) = certification(&api, "Leadership Essentials").await;
    let location = started(&api.send(start()).await);
    let rid = location.rsplit('/').next().unwrap().to_string();
    let (other_c, _) = certification(&api, "Coaching Basics").await;

    let not_found = [
        api.send(aimed("regeneration-start.json", "/c1/", "/nope/")).await,
        api.send(start().as_("ws-other", "admin")).await,
        api.send(read(&location).as_("ws-other", "admin")).await,
        api.send(read(&format!("/certifications/{c}/regenerations/nope"))).await,
        api.send(read(&format!("/certifications/{other_c}/regenerations/{rid}")))
            .await,
        api.send(read(&format!("/certifications/nope/regenerations/{rid}")))
            .await,
    ];
    for (n, reply) in not_found.iter().enumerate() {
        assert_eq!(
            (reply.status, &reply.body),
            (
                StatusCode::NOT_FOUND,
                &json!({"error": {"code": "not_found", "message": "no such resource", "details": []}})
            ),
            "case {n}"
        );
    }
    for role in ["participant", "operator"] {
        let posted = api.send(start().as_("ws-acme", role)).await;
        let read_ = api.send(read(&location).as_("ws-acme", role)).await;
        assert_eq!(
            (posted.status, read_.status),
            (StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
            "{role}"
        );
    }
    let mut anonymous = read(&location);
    anonymous.0["requestContext"]
        .as_object_mut()
        .unwrap()
        .remove("authorizer");
    assert_eq!(api.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_archived_certification_may_be_regenerated() {
    let api = Api::enabled().await;
    let (c, start) = certification(&api, "Leadership Essentials").await;
    let archive = aimed("certifications-delete.json", "/c1", &format!("/{c}")).header("if-match", "*");
    assert_eq!(api.send(archive).await.status, StatusCode::NO_CONTENT);
    started(&api.send(start()).await);
}

/// Issues a certificate of `c` by hand to `user`; answers its id.
async fn by_hand(api: &Api, c: &str, user: &str) -> String {
    let body = json!({"user_id": user, "name": format!("Holder {user}"), "email": format!("{user}@example.com"), "notify": false});
    let request = aimed("certify-by-hand.json", "/c1/", &format!("/{c}/"))
        .header("idempotency-key", user)
        .body(&body.to_string());
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

/// The certificate as an admin sees it.
async fn certificate(api: &Api, id: &str) -> Value {
    let request = aimed("certificates-get.json", "/x1", &format!("/{id}"))
        .as_("ws-acme", "admin")
        .claim("sub", "u-admin");
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn history(api: &Api, id: &str) -> Vec<Value> {
    let reply = api
        .send(aimed("certificates-history.json", "/x1/", &format!("/{id}/")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_sweep_redraws_every_non_revoked_certificate_under_the_new_name() {
    let api = Api::enabled().await;
    let (c, start) = certification(&api, "Leadership Essentials").await;
    let kept = [by_hand(&api, &c, "u-ana").await, by_hand(&api, &c, "u-ben").await];
    let revoked = by_hand(&api, &c, "u-cy").await;
    let revoke = aimed("certificates-revoke.json", "/x1/", &format!("/{revoked}/"));
    assert_eq!(api.send(revoke).await.status, StatusCode::OK);
    let rename = aimed("certifications-patch.json", "/c1", &format!("/{c}"));
    assert_eq!(api.send(rename).await.status, StatusCode::OK);
    assert_eq!(
        certificate(&api, &kept[0]).await["certification"]["name"],
        "Leadership Essentials",
        "a certificate keeps its snapshot until regenerated"
    );

    let reply = api.send(start()).await;
    let location = started(&reply);
    let rid = reply.body["id"].as_str().unwrap().to_string();
    let mut record = reply.body;
    for _ in 0..20 {
        if record["state"] == "completed" {
            break;
        }
        api.trigger.sweep(None).await.unwrap();
        record = api.send(read(&location)).await.body;
    }
    assert_eq!(record["state"], "completed", "{record}");
    assert_eq!(
        (&record["total"], &record["done"], &record["failed"], &record["errors"]),
        (&json!(2), &json!(2), &json!(0), &json!([]))
    );
    assert_eq!(record["finished_at"], "2026-11-28T19:00:00Z");

    for id in &kept {
        let view = certificate(&api, id).await;
        assert_eq!(view["certification"]["name"], "Leadership Essentials II", "{id}");
        assert_eq!(
            (view["status"].as_str(), view["id"].as_str()),
            (Some("active"), Some(id.as_str()))
        );
        let entries = history(&api, id).await;
        let regenerated: Vec<&Value> = entries.iter().filter(|e| e["type"] == "regenerated").collect();
        assert_eq!(regenerated.len(), 1, "{id}: {entries:?}");
        assert_eq!(
            regenerated[0]["details"],
            json!({"regeneration_id": rid, "snapshot_changed": true})
        );
        assert_eq!(regenerated[0]["actor"], json!({"kind": "admin", "user_id": "u-admin"}));
        for kind in certify_blobs::FileKind::CERTIFICATE {
            let key = certify_blobs::certificate_key("ws-acme", id, kind);
            assert!(api.blobs.exists(&key).await.unwrap(), "{key}: under the same key");
        }
    }
    let left = certificate(&api, &revoked).await;
    assert_eq!(
        (left["status"].as_str(), left["certification"]["name"].as_str()),
        (Some("revoked"), Some("Leadership Essentials")),
        "a revoked certificate is left as it is"
    );
    assert!(history(&api, &revoked).await.iter().all(|e| e["type"] != "regenerated"));

    // Completed: another may start, and sweeping again changes nothing.
    started(&api.send(start().body("{}")).await);
    api.trigger.sweep(None).await.unwrap();
    assert_eq!(api.send(read(&location)).await.body, record);
}
