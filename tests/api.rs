//! Settings and certification routes through the Lambda handler (see `common`).

use crate::common::{event, Api, EVENTS};
use axum::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn health_answers_without_identity() {
    let reply = Api::new().await.send(event("health.json")).await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn no_identity_is_401_and_a_participant_on_an_admin_route_is_403() {
    let api = Api::enabled().await;
    let reply = api.send(event("bad-no-identity.json")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let reply = api.send(event("bad-participant-on-admin-route.json")).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let reply = api
        .send(event("certifications-list.json").as_("ws-acme", "superuser"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "an unknown role is no role");
}

#[tokio::test]
async fn only_an_operator_changes_settings_and_certifications_start_disabled() {
    let api = Api::new().await;
    let reply = api.send(event("settings-get.json")).await;
    assert_eq!(
        (reply.status, &reply.body),
        (
            StatusCode::OK,
            &json!({"certifications_enabled": false, "locale": "en"})
        )
    );
    let reply = api.send(event("certifications-create.json")).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "certifications_disabled")
    );
    let reply = api.send(event("settings-put.json").as_("ws-acme", "admin")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = api
        .send(event("settings-put.json").body(r#"{"certifications_enabled": "yes"}"#))
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (StatusCode::BAD_REQUEST, vec!["certifications_enabled"])
    );
    let reply = api.send(event("settings-put.json").body("{}")).await;
    assert_eq!(
        (reply.status, reply.fields()),
        (StatusCode::BAD_REQUEST, vec!["certifications_enabled"])
    );
    assert_eq!(api.send(event("settings-put.json")).await.status, StatusCode::OK);
    assert_eq!(
        api.send(event("certifications-create.json")).await.status,
        StatusCode::CREATED
    );
    let other = api
        .send(event("certifications-create.json").as_("ws-other", "admin"))
        .await;
    assert_eq!(other.code(), "certifications_disabled", "settings are per workspace");
}

#[tokio::test]
async fn creating_answers_201_with_location_and_etag() {
    let api = Api::enabled().await;
    let reply = api.send(event("certifications-create.json")).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_str().unwrap();
    assert_eq!(reply.header("location"), format!("/certifications/{id}"));
    assert_eq!(reply.header("etag"), "\"1\"");
    assert_eq!(reply.body["name"], "Leadership Essentials");
    assert_eq!(reply.body["validity"], json!({"count": 1, "unit": "years"}));
    assert_eq!(reply.body["created_at"], "2026-11-28T19:00:00Z");
    let read = api
        .send(event("certifications-get.json").path(&format!("/certifications/{id}")))
        .await;
    assert_eq!((read.status, read.header("etag")), (StatusCode::OK, "\"1\""));
    assert_eq!(read.body, reply.body);
}

#[tokio::test]
async fn bad_bodies_name_every_problem_and_write_nothing() {
    let api = Api::enabled().await;
    let reply = api.send(event("bad-certifications-create-invalid.json")).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::BAD_REQUEST, "invalid_input"));
    assert_eq!(reply.fields(), ["name", "issuer_name", "validity.unit"]);
    let reply = api.send(event("bad-certifications-create-unknown-field.json")).await;
    assert_eq!(
        (reply.status, reply.fields()),
        (StatusCode::BAD_REQUEST, vec!["colour"])
    );
    let reply = api
        .send(event("certifications-create.json").body(r#"{"name": 7}"#))
        .await;
    assert_eq!((reply.status, reply.fields()), (StatusCode::BAD_REQUEST, vec!["name"]));
    let reply = api.send(event("certifications-create.json").body(r#"{"name": "#)).await;
    assert_eq!((reply.status, reply.fields()), (StatusCode::BAD_REQUEST, vec!["body"]));
    let reply = api.send(event("certifications-create.json").body("")).await;
    assert_eq!((reply.status, reply.fields()), (StatusCode::BAD_REQUEST, vec!["body"]));
    let huge = json!({"name": "A", "description": "x".repeat(300 * 1024)}).to_string();
    let reply = api.send(event("certifications-create.json").body(&huge)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    let list = api.send(event("certifications-list.json")).await;
    assert_eq!(list.body["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn patch_and_delete_honour_if_match_and_archived_ones_leave_the_list() {
    let api = Api::enabled().await;
    let id = api.create("Coaching Basics").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/certifications/{id}");
    let patched = api.send(event("certifications-patch.json").path(&path)).await;
    assert_eq!((patched.status, patched.header("etag")), (StatusCode::OK, "\"2\""));
    assert_eq!(
        (patched.body["name"].as_str(), &patched.body["validity"]),
        (Some("Leadership Essentials II"), &Value::Null)
    );
    let stale = api.send(event("certifications-patch.json").path(&path)).await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::PRECONDITION_FAILED, "precondition_failed")
    );
    let bad = api
        .send(
            event("certifications-patch.json")
                .path(&path)
                .body(r#"{"validity": {"count": 121, "unit": "months"}}"#)
                .header("if-match", "\"2\""),
        )
        .await;
    assert_eq!(
        (bad.status, bad.fields()),
        (StatusCode::BAD_REQUEST, vec!["validity.count"])
    );
    let stale = api.send(event("certifications-delete.json").path(&path)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let deleted = api
        .send(
            event("certifications-delete.json")
                .path(&path)
                .header("if-match", "\"2\""),
        )
        .await;
    assert_eq!((deleted.status, &deleted.body), (StatusCode::NO_CONTENT, &Value::Null));
    assert_eq!(
        api.send(event("certifications-list.json")).await.body["items"],
        json!([])
    );
    let all = api
        .send(event("certifications-list.json").query("include_archived=true"))
        .await;
    assert_eq!(all.body["items"][0]["id"], id.as_str());
    let again = api
        .send(event("certifications-delete.json").path(&path).header("if-match", "*"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let patch_archived = api
        .send(event("certifications-patch.json").path(&path).header("if-match", "*"))
        .await;
    assert_eq!(patch_archived.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_workspace_sees_404_exactly_as_a_missing_one() {
    let api = Api::enabled().await;
    assert_eq!(
        api.send(event("settings-put.json").as_("ws-other", "operator"))
            .await
            .status,
        StatusCode::OK
    );
    let id = api.create("Private").await.body["id"].as_str().unwrap().to_string();
    let path = format!("/certifications/{id}");
    for e in [
        event("certifications-get.json"),
        event("certifications-patch.json"),
        event("certifications-delete.json"),
    ] {
        let theirs = api.send(e.path(&path).as_("ws-other", "admin")).await;
        assert_eq!((theirs.status, theirs.code()), (StatusCode::NOT_FOUND, "not_found"));
    }
    let missing = api
        .send(event("certifications-get.json").path("/certifications/nope"))
        .await;
    assert_eq!(
        (missing.status, &missing.body),
        (
            StatusCode::NOT_FOUND,
            &json!({"error": {"code": "not_found", "message": "no such resource", "details": []}})
        )
    );
    assert_eq!(
        api.send(event("certifications-get.json").path(&path)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn lists_page_with_limit_and_cursor() {
    let api = Api::enabled().await;
    for name in ["A", "B", "C"] {
        api.create(name).await;
    }
    let first = api.send(event("certifications-list.json").query("limit=2")).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = api
        .send(event("certifications-list.json").query(&format!("limit=2&cursor={cursor}")))
        .await;
    assert_eq!(
        (
            second.body["items"].as_array().unwrap().len(),
            &second.body["next_cursor"]
        ),
        (1, &Value::Null)
    );
    for bad in ["limit=0", "limit=501", "limit=x"] {
        let reply = api.send(event("certifications-list.json").query(bad)).await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec!["limit"]),
            "{bad}"
        );
    }
    let reply = api
        .send(event("certifications-list.json").query("cursor=garbage!"))
        .await;
    assert_eq!(
        (reply.status, reply.fields()),
        (StatusCode::BAD_REQUEST, vec!["cursor"])
    );
    let reply = api
        .send(event("certifications-list.json").query("include_archived=maybe"))
        .await;
    assert_eq!(reply.fields(), ["include_archived"]);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let api = Api::enabled().await;
    let reply = api.send(event("health.json").path("/nowhere")).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::NOT_FOUND, "not_found"));
    let mut put = event("certifications-list.json");
    put.0["requestContext"]["http"]["method"] = "PUT".into();
    let reply = api.send(put).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[tokio::test]
async fn every_area_router_builds_and_serves_only_its_own_routes() {
    use certify_http::{area_router_of, Area};
    use tower::ServiceExt;
    let api = Api::enabled().await;
    let probes = [
        (Area::Certifications, "certifications-list.json"),
        (Area::Programs, "programs-list.json"),
        (Area::Pipeline, "pipeline-get.json"),
        (Area::Certificates, "me-certificates.json"),
        (Area::Credentials, "did-document.json"),
    ];
    // As the Lambda functions build them: the area a constant.
    let deps = || api.deps.clone();
    let routers = [
        (
            Area::Certifications,
            area_router_of::<{ Area::Certifications as u8 }>(deps()),
        ),
        (Area::Programs, area_router_of::<{ Area::Programs as u8 }>(deps())),
        (Area::Pipeline, area_router_of::<{ Area::Pipeline as u8 }>(deps())),
        (
            Area::Certificates,
            area_router_of::<{ Area::Certificates as u8 }>(deps()),
        ),
        (Area::Credentials, area_router_of::<{ Area::Credentials as u8 }>(deps())),
    ];
    assert_eq!(routers.each_ref().map(|(area, _)| *area), Area::ALL);
    for (area, router) in routers {
        assert_eq!(Area::numbered(area as u8), area);
        for (owner, name) in probes {
            let request = lambda_http::request::from_str(&event(name).0.to_string()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes();
            let unrouted = String::from_utf8_lossy(&bytes).contains("no such route");
            assert_eq!(unrouted, owner != area, "{area:?} serving {name}");
        }
    }
}

#[test]
fn every_sample_event_is_used_by_a_test() {
    let this = [
        include_str!("api.rs"),
        include_str!("programs.rs"),
        include_str!("pipeline.rs"),
        include_str!("nudges.rs"),
        include_str!("inputs.rs"),
        include_str!("common/fixtures.rs"),
        include_str!("certificates.rs"),
        include_str!("verification.rs"),
        include_str!("history.rs"),
        include_str!("registry.rs"),
        include_str!("by_hand.rs"),
        include_str!("regeneration.rs"),
        include_str!("../shared/trigger/tests/background/program_end.rs"),
        include_str!("../shared/trigger/tests/background/events.rs"),
        include_str!("route_set.rs"),
        include_str!("credentials.rs"),
        include_str!("locale.rs"),
    ]
    .concat();
    for entry in std::fs::read_dir(EVENTS).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            this.contains(&format!("\"{name}\"")),
            "events/{name} is used by no test"
        );
    }
}

#[tokio::test]
async fn a_token_outside_the_identity_rule_is_401_invalid_identity_and_stores_nothing() {
    let api = Api::new().await;
    let cases = [
        event("settings-put.json").claim("workspace_id", ".acme"),
        event("settings-put.json").claim("workspace_id", "ws/acme"),
        event("settings-put.json").claim("workspace_id", &"w".repeat(129)),
        event("settings-put.json").claim("sub", "u#1"),
        event("settings-put.json").claim("sub", "u 1"),
    ];
    for e in cases {
        let claims = e.0["requestContext"]["authorizer"]["jwt"]["claims"].clone();
        let reply = api.send(e).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "invalid_identity"),
            "{claims}: {:?}",
            reply.body
        );
    }
    let stored = api.store.settings(".acme").await.unwrap();
    assert!(!stored.certifications_enabled, "nothing was stored");
}

#[tokio::test]
async fn null_for_a_certification_field_that_cannot_be_null_is_refused() {
    let api = Api::enabled().await;
    let created = api.create("Coaching Basics").await.body;
    let path = format!("/certifications/{}", created["id"].as_str().unwrap());
    for field in ["name", "description", "issuer_name"] {
        let body = json!({ field: null }).to_string();
        let reply = api
            .send(event("certifications-patch.json").path(&path).body(&body))
            .await;
        assert_eq!(
            (reply.status, reply.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            reply.body
        );
    }
    let read = api.send(event("certifications-get.json").path(&path)).await;
    assert_eq!(read.body, created, "nothing changed");
    let never = api
        .send(
            event("certifications-patch.json")
                .path(&path)
                .body(r#"{"validity": null}"#),
        )
        .await;
    assert_eq!(
        (never.status, &never.body["validity"]),
        (StatusCode::OK, &Value::Null),
        "null validity still means never expires"
    );
}

/// Every route with a path parameter, once per parameter, that parameter not UTF-8
/// once decoded (`%FF`), and a query string that is not one.
#[tokio::test]
async fn framework_rejections_answer_in_the_error_shape() {
    let api = Api::enabled().await;
    let routes = [
        ("GET", "/certifications/%FF"),
        ("PATCH", "/certifications/%FF"),
        ("GET", "/certifications/%FF/pipeline"),
        ("POST", "/certifications/%FF/nudges"),
        ("POST", "/certifications/%FF/regenerations"),
        ("GET", "/certifications/c1/regenerations/%FF"),
        ("GET", "/programs/%FF"),
        ("POST", "/programs/%FF/components"),
        ("PATCH", "/programs/p1/components/%FF"),
        ("DELETE", "/programs/p1/participants/%FF"),
        ("PUT", "/programs/%FF/participants/u-ana/progress/k1"),
        ("PUT", "/programs/p1/participants/u-ana/progress/%FF"),
        ("GET", "/programs/%FF/run"),
        ("GET", "/me/programs/%FF/completion"),
        ("GET", "/certificates/%FF"),
        ("GET", "/verify/%FF"),
    ];
    for (method, path) in routes {
        let mut e = event("certifications-get.json").path(path).body("{}");
        e.0["requestContext"]["http"]["method"] = method.into();
        let reply = api.send(e).await;
        assert_eq!(
            (reply.status, reply.code(), reply.header("content-type")),
            (StatusCode::BAD_REQUEST, "invalid_input", "application/json"),
            "{method} {path}: {:?}",
            reply.body
        );
        assert_eq!(reply.fields(), ["path"], "{method} {path}");
    }
    for (name, query) in [
        ("certifications-list.json", "include_archived=%FF"),
        ("pipeline-get.json", "status=%FF"),
        ("certifications-list.json", "limit=%FF"),
    ] {
        let reply = api.send(event(name).query(query)).await;
        assert_eq!(
            (reply.status, reply.code(), reply.header("content-type")),
            (StatusCode::BAD_REQUEST, "invalid_input", "application/json"),
            "{name}?{query}: {:?}",
            reply.body
        );
    }
}
