//! History entries (SPEC 1.15): written in the same transaction as the change they
//! record, read oldest first and paged, never written by a refused change.

use certify_rules::{Change, HistoryEntry};
use certify_store::Page;

use super::*;

/// Every entry of a history, a page of `limit` at a time, checking that the pages
/// concatenate without a repeat.
async fn all<F, Fut>(limit: usize, read: F) -> Vec<HistoryEntry>
where
    F: Fn(PageRequest) -> Fut,
    Fut: std::future::Future<Output = Result<Page<HistoryEntry>, StoreError>>,
{
    let (mut entries, mut cursor) = (Vec::new(), None);
    loop {
        let got = read(page(limit, cursor)).await.unwrap();
        assert!(got.items.len() <= limit);
        entries.extend(got.items);
        match got.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let ids: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), entries.len(), "no entry twice");
    entries
}

fn types(entries: &[HistoryEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| serde_json::to_value(e).unwrap()["type"].as_str().unwrap().to_string())
        .collect()
}

pub async fn changes_are_recorded_with_their_history_oldest_first<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    let renamed = CertificationFields {
        name: "Leadership Essentials".into(),
        ..c.fields.clone()
    };
    let later = now() + Duration::minutes(1);
    let c = s
        .update_certification("ws1", &c, &renamed, later, &admin())
        .await
        .unwrap();
    s.archive_certification("ws1", "c1", Some(c.version), later + Duration::minutes(1), &admin())
        .await
        .unwrap();
    let history = all(1, |p| {
        let s = &s;
        async move { s.certification_history("ws1", "c1", &p).await }
    })
    .await;
    assert_eq!(types(&history), ["created", "updated", "archived"]);
    assert!(history.iter().all(|e| e.actor == admin()));
    let updated = serde_json::to_value(&history[1]).unwrap();
    assert_eq!(
        updated["details"],
        json!({"fields": {"name": {"old": "Certification c1", "new": "Leadership Essentials"}}})
    );
    not_found(s.certification_history("ws2", "c1", &page(10, None)).await);
    not_found(s.certification_history("ws1", "missing", &page(10, None)).await);

    // Issued by a run, emailed, replaced by a newer one; the newer one revoked.
    let run = Actor::System;
    assert!(s
        .issue_certificate("ws1", &certificate("a", "p1"), now(), &run)
        .await
        .unwrap());
    let mark = NotifyMark {
        user_id: "u1".into(),
        error: None,
        certificate_id: Some("a".into()),
    };
    s.create_program("ws1", &program("p1", None)).await.unwrap();
    s.enroll("ws1", "p1", &[participant("u1")]).await.unwrap();
    assert_eq!(
        s.mark_notified("ws1", "p1", std::slice::from_ref(&mark), later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.mark_notified("ws1", "p1", &[mark], later).await.unwrap(),
        0,
        "a mark set before records nothing again"
    );
    let at = later + Duration::minutes(1);
    assert!(s
        .issue_certificate("ws1", &certificate("b", "p2"), at, &run)
        .await
        .unwrap());
    s.revoke_certificate("ws1", "b", "fraud", at + Duration::minutes(1), &admin())
        .await
        .unwrap();
    let read = |id: &'static str| {
        let s = &s;
        move |p: PageRequest| async move { s.certificate_history("ws1", id, &p).await }
    };
    let a = all(2, read("a")).await;
    assert_eq!(types(&a), ["issued", "emailed", "replaced"]);
    assert_eq!(
        a.iter().map(|e| e.actor.clone()).collect::<Vec<_>>(),
        [Actor::System, Actor::System, Actor::System]
    );
    assert_eq!(
        a[0].change,
        Change::Issued {
            program: Some(ProgramRef {
                id: "p1".into(),
                name: "P".into()
            })
        }
    );
    assert_eq!(a[2].change, Change::Replaced { by: "b".into() });
    let b = all(10, read("b")).await;
    assert_eq!(types(&b), ["issued", "revoked"]);
    assert_eq!(b[1].actor, admin());
    assert_eq!(b[1].change, Change::Revoked { reason: "fraud".into() });
    assert!(b[0].at < b[1].at);
    not_found(s.certificate_history("ws2", "a", &page(10, None)).await);
    not_found(s.certificate_history("ws1", "missing", &page(10, None)).await);
}

pub async fn a_refused_change_records_nothing<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    assert_eq!(
        conflict(s.create_certification("ws1", &c, &admin()).await),
        Conflict::AlreadyExists
    );
    let stale = Certification {
        version: 7,
        ..c.clone()
    };
    let fields = CertificationFields {
        name: "Other".into(),
        ..c.fields.clone()
    };
    assert_eq!(
        conflict(s.update_certification("ws1", &stale, &fields, now(), &admin()).await),
        Conflict::StaleVersion
    );
    assert_eq!(
        conflict(s.archive_certification("ws1", "c1", Some(7), now(), &admin()).await),
        Conflict::StaleVersion
    );
    let history = s.certification_history("ws1", "c1", &page(10, None)).await.unwrap();
    assert_eq!(types(&history.items), ["created"]);

    assert!(s
        .issue_certificate("ws1", &certificate("a", "p1"), now(), &Actor::System)
        .await
        .unwrap());
    assert!(
        !s.issue_certificate("ws1", &certificate("a", "p1"), now(), &Actor::System)
            .await
            .unwrap(),
        "issued once"
    );
    s.revoke_certificate("ws1", "a", "fraud", now(), &admin())
        .await
        .unwrap();
    assert_eq!(
        conflict(s.revoke_certificate("ws1", "a", "again", now(), &admin()).await),
        Conflict::AlreadyRevoked
    );
    let history = s.certificate_history("ws1", "a", &page(10, None)).await.unwrap();
    assert_eq!(types(&history.items), ["issued", "revoked"]);
}
