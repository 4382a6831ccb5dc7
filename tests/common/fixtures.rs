//! Fixtures the API tests share: programs and components made through the sample
//! events, and the pipeline of a certification across two programs.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{aimed, event, Api, Event};

/// `events/{name}` aimed at program `id` (and a component or user where the path has one).
pub fn at(name: &str, id: &str) -> Event {
    let mut e = event(name);
    let path = e.0["rawPath"].as_str().unwrap().replacen("/p1", &format!("/{id}"), 1);
    e.0["rawPath"] = path.clone().into();
    e.0["requestContext"]["http"]["path"] = path.into();
    e
}

pub fn with_component(mut e: Event, cid: &str) -> Event {
    let path = e.0["rawPath"].as_str().unwrap().replace("/k1", &format!("/{cid}"));
    e.0["rawPath"] = path.clone().into();
    e.0["requestContext"]["http"]["path"] = path.into();
    e
}

pub async fn program(api: &Api) -> String {
    let reply = api.send(event("programs-create.json")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

pub async fn component(api: &Api, id: &str) -> String {
    let reply = api.send(at("components-add.json", id)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

/// The program as it reads now (to show a refused request changed nothing).
pub async fn read(api: &Api, id: &str) -> Value {
    let reply = api.send(at("programs-get.json", id)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

pub async fn post(api: &Api, name: &str, path: &str, body: Value) -> Value {
    let mut e = event(name).body(&body.to_string());
    e.0["rawPath"] = path.into();
    e.0["requestContext"]["http"]["path"] = path.into();
    let reply = api.send(e).await;
    assert!(reply.status.is_success(), "{path}: {:?}", reply.body);
    reply.body
}

/// Certification `c` linked to two programs: Spring (a lesson due yesterday, an
/// assignment due next week, a group meeting) with four people, Autumn (one lesson due
/// next month) with two.
pub async fn pipeline(api: &Api) -> (String, String, String) {
    let c = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let program = |name: &str, ends: &str| json!({"name": name, "starts_at": "2026-11-01T09:00:00Z", "ends_at": ends, "certification_id": c});
    let spring = post(
        api,
        "programs-create.json",
        "/programs",
        program("Spring", "2026-12-20T17:00:00Z"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let autumn = post(
        api,
        "programs-create.json",
        "/programs",
        program("Autumn", "2027-01-20T17:00:00Z"),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = |p: &str| format!("/programs/{p}/components");
    let lesson = post(
        api,
        "components-add.json",
        &add(&spring),
        json!({"title": "Lesson", "kind": "lesson", "ends_at": "2026-11-27T17:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = post(
        api,
        "components-add.json",
        &add(&spring),
        json!({"title": "Task", "kind": "assignment", "ends_at": "2026-12-05T17:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        api,
        "components-add.json",
        &add(&spring),
        json!({"title": "Kickoff", "kind": "group_meeting"}),
    )
    .await;
    let later = post(
        api,
        "components-add.json",
        &add(&autumn),
        json!({"title": "Lesson", "kind": "lesson", "ends_at": "2026-12-24T17:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = |id: &str, name: &str, group: &str| json!({"user_id": id, "name": name, "email": format!("{id}@example.com"), "group": group});
    post(
        api,
        "participants-enroll-batch.json",
        &format!("/programs/{spring}/participants"),
        json!({"participants": [
        person("u-ana", "Ana Ávila", "Alpha"), person("u-ben", "Ben Okafor", "Alpha"),
        person("u-cy", "Cy Müller", "Beta"), person("u-dee", "=Dee", "Beta")]}),
    )
    .await;
    post(
        api,
        "participants-enroll-batch.json",
        &format!("/programs/{autumn}/participants"),
        json!({"participants": [
        person("u-ana", "Ana Ávila", "Alpha"), person("u-eve", "Eve Ng", "Beta")]}),
    )
    .await;
    let set = |p: &str, u: &str, k: &str, status: &str| {
        let path = format!("/programs/{p}/participants/{u}/progress/{k}");
        (path, json!({"status": status}))
    };
    for (path, body) in [
        set(&spring, "u-ana", &lesson, "completed"),
        set(&spring, "u-ana", &task, "in_progress"),
        set(&spring, "u-ben", &lesson, "in_progress"),
        set(&spring, "u-cy", &lesson, "completed"),
        set(&spring, "u-cy", &task, "missed"),
        set(&autumn, "u-eve", &later, "in_progress"),
    ] {
        let mut e = event("progress-put.json").body(&body.to_string());
        e.0["rawPath"] = path.clone().into();
        e.0["requestContext"]["http"]["path"] = path.into();
        assert_eq!(api.send(e).await.status, StatusCode::OK);
    }
    (c, spring, autumn)
}

/// A certification, and a program ending at `ends_at` linked to it with Ana and Ben
/// enrolled; answers (certification id, program id).
pub async fn ana_and_ben(api: &Api, ends_at: &str) -> (String, String) {
    let c = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body =
        json!({"name": "Spring", "starts_at": "2026-11-01T09:00:00Z", "ends_at": ends_at, "certification_id": c});
    let p = api
        .send(event("programs-create.json").body(&body.to_string()))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let enroll = json!({"participants": [
        {"user_id": "u-ana", "name": "Ana Ávila", "email": "ana@example.com"},
        {"user_id": "u-ben", "name": "Ben Okafor", "email": "ben@example.com"}]});
    let e = aimed("participants-enroll-batch.json", "/p1/", &format!("/{p}/")).body(&enroll.to_string());
    assert_eq!(api.send(e).await.status, StatusCode::CREATED);
    (c, p)
}

/// The CSV an export answer links to (SPEC 1.16: 303 to a short-lived link to a file
/// under `exports/`, served as CSV).
pub fn exported(reply: &super::Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{:?}", reply.body);
    let link = reply.header("location");
    assert!(
        link.contains("/exports/ws-acme/") && link.contains("X-Amz-Expires=300"),
        "{link}"
    );
    let response = ureq::get(link).call().unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "text/csv; charset=utf-8");
    response.into_body().read_to_string().unwrap()
}

/// Adds a lesson to program `p` and records Ana as having completed it (so she passes).
pub async fn ana_completes_a_lesson(api: &Api, p: &str) {
    let k = api
        .send(aimed("components-add.json", "/p1/", &format!("/{p}/")))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = aimed("progress-put.json", "/p1/", &format!("/{p}/"))
        .path(&format!("/programs/{p}/participants/u-ana/progress/{k}"));
    assert_eq!(api.send(done).await.status, StatusCode::OK);
}
