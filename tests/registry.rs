//! The registry of a certification through the Lambda handler (SPEC 1.13): who holds it
//! and until when, filtered, sorted, paged, and as a CSV export. "Today" is 2026-11-28.

use crate::common::fixtures::exported;
use crate::common::{aimed, Api, Event};
use axum::http::StatusCode;
use certify_fixtures::sample;
use certify_rules::{Actor, Certificate, CertificationSnapshot, ProgramRef};
use serde_json::Value;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn certificate(n: usize, certification_id: &str, issued_on: &str, expires_on: Option<&str>) -> Certificate {
    Certificate {
        id: format!("{certification_id}-x{n:02}"),
        user_id: format!("u{n:02}"),
        holder_name: format!("Holder {n:02}"),
        certification: CertificationSnapshot {
            id: certification_id.into(),
            description: String::new(),
            ..sample::snapshot()
        },
        program: Some(ProgramRef {
            name: "Spring".into(),
            ..sample::program_ref()
        }),
        issued_on: day(issued_on),
        expires_on: expires_on.map(day),
        ..sample::certificate()
    }
}

/// Twelve certificates of `c`: issued a day apart from 2026-01-01; every third never
/// expires, the others expire a month apart from 2026-10-01 (so the first ones have
/// expired); u01 and u07 revoked. And three of another certification, never shown.
async fn seeded(api: &Api) -> (String, Vec<Certificate>) {
    let c = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = api.create("Coaching Basics").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut all = Vec::new();
    for n in 0..12 {
        let issued = format!("2026-01-{:02}", n + 1);
        let expires = (n % 3 != 2).then(|| {
            let month = 10 + n / 2;
            let (year, month) = if month > 12 { (2027, month - 12) } else { (2026, month) };
            format!("{year}-{month:02}-01")
        });
        let certificate = certificate(n, &c, &issued, expires.as_deref());
        let store = &api.store;
        assert!(store
            .issue_certificate("ws-acme", &certificate, crate::common::now(), &Actor::System)
            .await
            .unwrap());
        all.push(certificate);
    }
    for n in [1, 7] {
        let revoked = api
            .store
            .revoke_certificate(
                "ws-acme",
                &all[n].id,
                "Issued in error",
                crate::common::now(),
                &Actor::admin("u-admin"),
            )
            .await
            .unwrap();
        all[n] = revoked;
    }
    for n in 0..3 {
        let theirs = certificate(n, &other, "2026-02-01", None);
        assert!(api
            .store
            .issue_certificate("ws-acme", &theirs, crate::common::now(), &Actor::System)
            .await
            .unwrap());
    }
    (c, all)
}

/// Every certificate id a registry request lists, `limit` at a time.
async fn listed(api: &Api, request: impl Fn() -> Event, query: &str, limit: usize) -> Vec<String> {
    let (mut ids, mut cursor) = (Vec::new(), String::new());
    loop {
        let reply = api
            .send(request().query(&format!("{query}&limit={limit}&cursor={cursor}")))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {:?}", reply.body);
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{query}: no certificate twice");
    ids
}

#[tokio::test]
async fn the_registry_filters_sorts_and_pages_a_certifications_certificates() {
    let api = Api::enabled().await;
    let (c, all) = seeded(&api).await;
    let today = crate::common::now().date_naive();
    let registry = || aimed("registry-get.json", "/c1/", &format!("/{c}/"));
    let ids = |pick: &dyn Fn(&Certificate) -> bool| -> Vec<String> {
        all.iter().filter(|x| pick(x)).map(|x| x.id.clone()).collect()
    };
    let newest_first: Vec<String> = ids(&|_| true).into_iter().rev().collect();
    assert_eq!(listed(&api, registry, "", 5).await, newest_first, "newest issue first");
    let oldest_first = listed(&api, registry, "order=asc", 4).await;
    assert_eq!(oldest_first, ids(&|_| true));
    for (status, name) in [
        (certify_rules::CertificateStatus::Revoked, "revoked"),
        (certify_rules::CertificateStatus::Expired, "expired"),
        (certify_rules::CertificateStatus::Active, "active"),
    ] {
        let mut expected = ids(&|x| x.status(today) == status);
        assert!(!expected.is_empty(), "{name}: the seed has some");
        expected.reverse();
        assert_eq!(
            listed(&api, registry, &format!("status={name}"), 3).await,
            expected,
            "{name}"
        );
    }
    assert_eq!(
        listed(&api, registry, "user_id=u03", 5).await,
        ids(&|x| x.user_id == "u03")
    );
    // By expiry, soonest first; never-expiring ones last.
    let mut by_expiry = all.clone();
    by_expiry.sort_by_key(|x| (x.expires_on.is_none(), x.expires_on, x.issued_on));
    let by_expiry: Vec<String> = by_expiry.iter().map(|x| x.id.clone()).collect();
    assert_eq!(listed(&api, registry, "sort=expires_on&order=asc", 5).await, by_expiry);
    let before = listed(&api, registry, "sort=expires_on&order=asc&expires_before=2027-01-01", 2).await;
    let expected: Vec<String> = by_expiry
        .iter()
        .filter(|id| {
            let x = all.iter().find(|x| &&x.id == id).unwrap();
            x.expires_on.is_some_and(|d| d < day("2027-01-01"))
        })
        .cloned()
        .collect();
    assert_eq!(before, expected);

    let first = api.send(registry().query("limit=1")).await;
    let item = &first.body["items"][0];
    assert_eq!(item["certification"]["id"], c.as_str());
    assert!(item["verify_url"]
        .as_str()
        .unwrap()
        .ends_with(item["id"].as_str().unwrap()));

    let bad = api
        .send(registry().query("status=lapsed&sort=name&order=up&user_id=u%231&expires_before=soon"))
        .await;
    assert_eq!(
        (bad.status, bad.fields()),
        (
            StatusCode::BAD_REQUEST,
            vec!["status", "sort", "order", "user_id", "expires_before"]
        )
    );
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let other_sort = api
        .send(registry().query(&format!("sort=expires_on&cursor={cursor}")))
        .await;
    assert_eq!(
        (other_sort.status, other_sort.fields()),
        (StatusCode::BAD_REQUEST, vec!["cursor"]),
        "a cursor belongs to its sort"
    );
    let participant = api.send(registry().as_("ws-acme", "participant")).await;
    assert_eq!(participant.status, StatusCode::FORBIDDEN);
    let missing = api.send(aimed("registry-get.json", "/c1/", "/nope/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_registry_export_has_the_rows_of_the_list_with_the_same_filters() {
    let api = Api::enabled().await;
    let (c, _) = seeded(&api).await;
    let registry = || aimed("registry-get.json", "/c1/", &format!("/{c}/"));
    for query in ["", "status=active&sort=expires_on&order=asc", "status=revoked"] {
        let export = api
            .send(aimed("registry-csv.json", "/c1/", &format!("/{c}/")).query(query))
            .await;
        let text = exported(&export);
        let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
        assert_eq!(
            lines.next().unwrap(),
            "certificate_id,user_id,holder_name,status,issued_on,expires_on,program_id,program,revoked_reason,verify_url"
        );
        let rows: Vec<String> = lines.map(|l| l.split(',').next().unwrap().to_string()).collect();
        assert_eq!(rows, listed(&api, registry, query, 500).await, "{query}");
    }
    let statuses: Value = api.send(registry().query("status=revoked")).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].clone())
        .collect();
    assert_eq!(statuses, serde_json::json!(["revoked", "revoked"]));
}
