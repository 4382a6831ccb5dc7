//! Nudges through the Lambda handler (see `common`): queued by the request, sent once by
//! the trigger the request starts, or by its sweep (SPEC 1.9). "Now" is
//! 2026-11-28T19:00:00Z.

use crate::common::fixtures::{pipeline, post};
use crate::common::{aimed, Api};
use axum::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn nudges_reach_off_track_participants_once_a_day_by_email() {
    let api = Api::enabled().await;
    let (c, spring, _) = pipeline(&api).await;
    let nudge = |body: Value| aimed("nudges-post.json", "/c1/", &format!("/{c}/")).body(&body.to_string());
    let first = api.send(nudge(json!({}))).await;
    assert_eq!(
        (first.status, &first.body),
        (StatusCode::ACCEPTED, &json!({"queued": 2, "skipped": []})),
        "Ben and Dee are off track"
    );
    let to_ben = || -> Vec<Value> {
        certify_testkit::moto_emails_from(&api.endpoint, &api.sender)
            .into_iter()
            .filter(|m| m.to_string().contains("ben@example.com"))
            .collect()
    };
    // The request started the trigger, which sends them (the sweep finds nothing left).
    api.starter.settle().await;
    let sent = to_ben();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["subject"], "Reminder: Spring has work past due");
    assert!(
        sent[0]["body"]
            .as_str()
            .unwrap()
            .contains("<li><bdi>Lesson</bdi> (due November 27, 2026 17:00 UTC)</li>"),
        "{}",
        sent[0]
    );
    assert_eq!(
        api.trigger.sweep(None).await.unwrap().nudges_sent,
        0,
        "the queue is empty"
    );
    let row = api
        .send(aimed("pipeline-get.json", "/c1/", &format!("/{c}/")).query("name=ben"))
        .await;
    assert_eq!(
        row.body["items"][0]["last_nudged_at"], "2026-11-28T19:00:00Z",
        "{:?}",
        row.body
    );
    let again = api.send(nudge(json!({}))).await;
    assert_eq!(again.body["queued"], 0);
    let reasons: Vec<&str> = again.body["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["nudged_recently", "nudged_recently"]);
    let named = api
        .send(nudge(json!({"program_id": spring, "user_ids": ["u-ana", "u-ghost"]})))
        .await;
    let reasons: Vec<(&str, &str)> = named.body["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["user_id"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(reasons, [("u-ana", "not_off_track"), ("u-ghost", "not_enrolled")]);
    let unknown = api.send(nudge(json!({"program_id": "elsewhere"}))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = api.send(nudge(json!({"user_ids": []}))).await;
    assert_eq!((bad.status, bad.fields()), (StatusCode::BAD_REQUEST, vec!["user_ids"]));
    for (body, field) in [
        (json!({"program_id": null}), "program_id"),
        (json!({"user_ids": null}), "user_ids"),
        (json!({"user_ids": ["u-ana", "u#ben"]}), "user_ids[1]"),
    ] {
        let bad = api.send(nudge(body.clone())).await;
        assert_eq!(
            (bad.status, bad.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{body}: {:?}",
            bad.body
        );
    }
    let participant = api.send(nudge(json!({})).as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_nudge_asked_twice_is_queued_in_a_few_writes_and_each_person_is_emailed_once() {
    // No trigger started by the requests: both are queued before anything is sent, and
    // the sweep sends what the start would have.
    let api = Api::enabled().await.sweep_only();
    let c = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"name": "Big", "starts_at": "2026-11-01T09:00:00Z", "ends_at": "2026-12-20T17:00:00Z", "certification_id": c});
    let p = post(&api, "programs-create.json", "/programs", body).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lesson = json!({"title": "Lesson", "kind": "lesson", "ends_at": "2026-11-27T17:00:00Z"});
    post(
        &api,
        "components-add.json",
        &format!("/programs/{p}/components"),
        lesson,
    )
    .await;
    const PEOPLE: usize = 450;
    for batch in 0..PEOPLE / 90 {
        let people: Vec<Value> = (0..90)
            .map(|i| {
                let n = batch * 90 + i;
                json!({"user_id": format!("u{n:03}"), "name": format!("Person {n:03}"), "email": format!("p{n:03}@example.com")})
            })
            .collect();
        let e = aimed("participants-enroll-batch.json", "/p1/", &format!("/{p}/"))
            .body(&json!({ "participants": people }).to_string());
        assert_eq!(api.send(e).await.status, StatusCode::CREATED);
    }
    for _ in 0..2 {
        let nudge = aimed("nudges-post.json", "/c1/", &format!("/{c}/")).body("{}");
        api.dynamo_requests.take();
        let queued = api.send(nudge).await;
        assert_eq!(
            (queued.status, queued.body["queued"].as_u64()),
            (StatusCode::ACCEPTED, Some(PEOPLE as u64))
        );
        // Bounded work, whatever the number of recipients: the settings, the
        // certification and its programs, the roster's one Query, and a write per job
        // of 200 (3 here), counted rather than timed.
        let requests = api.dynamo_requests.take();
        assert!(requests <= 8, "{requests} DynamoDB requests for {PEOPLE} recipients");
    }
    // Each request wrote one job per 200 people, not one item per person.
    let jobs = api.store.due_nudge_jobs(crate::common::now(), 100).await.unwrap();
    let sizes: Vec<usize> = jobs.iter().map(|(_, j)| j.targets.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 2 * PEOPLE);
    assert_eq!(
        sizes.len(),
        2 * PEOPLE.div_ceil(certify_rules::NUDGE_JOB_MAX),
        "{sizes:?}"
    );

    let report = api.trigger.sweep(None).await.unwrap();
    assert_eq!((report.nudges_sent, report.errors.len()), (PEOPLE, 0));
    let mut to: Vec<String> = certify_testkit::moto_emails_from(&api.endpoint, &api.sender)
        .into_iter()
        .map(|m| m["destinations"]["ToAddresses"][0].as_str().unwrap().to_string())
        .collect();
    to.sort();
    let expected: Vec<String> = (0..PEOPLE)
        .map(|n| format!("\"Person {n:03}\" <p{n:03}@example.com>"))
        .collect();
    assert!(to == expected, "each person emailed once: {} emails", to.len());
}
