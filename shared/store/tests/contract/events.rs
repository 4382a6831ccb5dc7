//! The outbox (SPEC 1.15): every committed history entry, and each program's end and
//! its run's completion, waits to be published, oldest first across workspaces, until
//! it is marked published; a refused change leaves nothing to publish.

use certify_store::{EventStore, PendingEvent};

use super::*;

fn at(seconds: i64) -> DateTime<Utc> {
    now() + Duration::seconds(seconds)
}

fn described(pending: &[PendingEvent]) -> Vec<(String, String, String)> {
    pending
        .iter()
        .map(|p| {
            let d = &p.event.detail;
            let subject_id = d[p.event.subject.0.id_field()].as_str().unwrap().to_string();
            assert_eq!(subject_id, p.event.subject.1);
            assert_eq!(d["id"], p.event.id.as_str());
            assert_eq!(d["entry"]["id"], p.event.id.as_str());
            (
                d["workspace_id"].as_str().unwrap().to_string(),
                p.event.detail_type.clone(),
                subject_id,
            )
        })
        .collect()
}

fn row(ws: &str, detail_type: &str, id: &str) -> (String, String, String) {
    (ws.into(), detail_type.into(), id.into())
}

pub async fn committed_entries_wait_in_order_until_published<T: Table>(s: Store<T>) {
    let mut c1 = certification("c1");
    c1.created_at = at(0);
    s.create_certification("ws1", &c1, &admin()).await.unwrap();
    let mut c2 = certification("c2");
    c2.created_at = at(1);
    s.create_certification("ws2", &c2, &admin()).await.unwrap();
    let held = Certificate {
        holder_email: Some("ana@example.com".into()),
        ..certificate("a", "p1")
    };
    assert!(s.issue_certificate("ws1", &held, at(2), &Actor::System).await.unwrap());
    s.revoke_certificate("ws1", "a", "fraud", at(3), &admin())
        .await
        .unwrap();
    // A refused change publishes nothing.
    conflict(s.revoke_certificate("ws1", "a", "again", at(4), &admin()).await);
    s.create_program("ws1", &program("p1", Some("c1"))).await.unwrap();
    s.begin_end("ws1", "p1", at(5)).await.unwrap();
    let run = RunRecord {
        state: RunState::Completed,
        finished_at: Some(at(6)),
        participants: 3,
        certified: 2,
        ..RunRecord::start("p1", at(5))
    };
    s.start_run("ws1", &run).await.unwrap();
    s.finish_end("ws1", "p1").await.unwrap();
    conflict(s.finish_end("ws1", "p1").await);

    let pending = s.pending_events(at(60), 100).await.unwrap();
    assert_eq!(
        described(&pending),
        [
            row("ws1", "certification.created", "c1"),
            row("ws2", "certification.created", "c2"),
            row("ws1", "certificate.issued", "a"),
            row("ws1", "certificate.revoked", "a"),
            row("ws1", "program.ended", "p1"),
            row("ws1", "run.completed", "p1"),
        ]
    );
    for p in &pending {
        assert!(
            !p.event.detail.to_string().contains('@'),
            "no email address in {}",
            p.event.detail
        );
    }
    let completed = &pending[5].event.detail["entry"];
    assert_eq!(completed["details"]["certified"], 2);
    assert_eq!(completed["details"]["certification_id"], "c1");
    assert_eq!(completed["details"]["state"], "completed");
    assert_eq!(pending[4].event.detail["entry"]["at"], "2026-11-28T12:00:05Z");

    // Only what was committed by `until` (to the second), at most `limit`.
    assert_eq!(s.pending_events(at(2), 100).await.unwrap().len(), 3);
    assert_eq!(s.pending_events(at(60), 2).await.unwrap(), pending[..2]);

    s.mark_published(&pending[..3]).await.unwrap();
    assert_eq!(s.pending_events(at(60), 100).await.unwrap(), pending[3..]);
    // Marking again changes nothing.
    s.mark_published(&pending[..4]).await.unwrap();
    assert_eq!(s.pending_events(at(60), 100).await.unwrap(), pending[4..]);
    s.mark_published(&pending[4..]).await.unwrap();
    assert!(s.pending_events(at(60), 100).await.unwrap().is_empty());
    // The histories themselves are untouched.
    let history = s.certificate_history("ws1", "a", &page(10, None)).await.unwrap();
    assert_eq!(history.items.len(), 2);
}
