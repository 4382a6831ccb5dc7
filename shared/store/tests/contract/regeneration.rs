//! Regenerations (SPEC 1.13): one running per certification, found by the sweep while
//! running, worked under one lease; and per certificate a claim that takes the new
//! snapshot with its `regenerated` entry in one transaction, is kept once, and leaves
//! the files to draw until they are.

use certify_rules::{Change, PageOutcome, Regeneration, RegenerationErrorCode, RegenerationState};
use certify_store::{RegenerationClaim, RegenerationStore};

use super::*;

fn request(id: &str, c: &Certification, refresh: bool) -> Regeneration {
    Regeneration::request(id.into(), c, certify_rules::Locale::En, refresh, admin(), now())
}

fn lease(owner: &str, minutes: i64) -> Lease {
    Lease {
        owner: owner.into(),
        until: now() + Duration::minutes(minutes),
    }
}

async fn regenerated_entries<T: Table>(s: &Store<T>, id: &str) -> Vec<Change> {
    let history = s.certificate_history("ws1", id, &page(50, None)).await.unwrap();
    history
        .items
        .into_iter()
        .map(|e| e.change)
        .filter(|c| matches!(c, Change::Regenerated { .. }))
        .collect()
}

pub async fn one_regeneration_runs_at_a_time_under_one_lease<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    let first = request("r1", &c, false);
    s.start_regeneration("ws1", &first).await.unwrap();
    assert_eq!(
        conflict(s.start_regeneration("ws1", &request("r2", &c, true)).await),
        Conflict::RegenerationRunning("r1".into())
    );
    assert_eq!(
        s.regeneration("ws1", "c1", "r2").await.unwrap(),
        None,
        "the refused one left nothing"
    );
    assert_eq!(
        s.regeneration("ws2", "c1", "r1").await.unwrap(),
        None,
        "another workspace's is not found"
    );
    assert_eq!(s.regeneration("ws1", "c1", "r1").await.unwrap(), Some(first.clone()));

    let due = s.due_regenerations(now(), 10).await.unwrap();
    assert_eq!(due, vec![("ws1".to_string(), first.clone())]);
    assert!(s
        .due_regenerations(now() - Duration::minutes(1), 10)
        .await
        .unwrap()
        .is_empty());

    let mut job = s
        .take_regeneration("ws1", "c1", "r1", &lease("a", 2), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.take_regeneration("ws1", "c1", "r1", &lease("b", 2), now())
            .await
            .unwrap(),
        None,
        "held by a"
    );
    job.done = 3;
    job.cursor = Some("next".into());
    assert_eq!(
        conflict(s.save_regeneration("ws1", &job, &lease("b", 2)).await),
        Conflict::StaleVersion
    );
    s.save_regeneration("ws1", &job, &lease("a", 0)).await.unwrap();
    // Released: another takes it over, from the checkpoint.
    let taken = s
        .take_regeneration("ws1", "c1", "r1", &lease("b", 2), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((taken.done, taken.cursor.as_deref()), (3, Some("next")));

    let mut done = taken;
    assert!(done.page(PageOutcome::default(), now()), "the last page");
    s.save_regeneration("ws1", &done, &lease("b", 2)).await.unwrap();
    assert!(
        s.due_regenerations(now(), 10).await.unwrap().is_empty(),
        "a completed one leaves the sweep"
    );
    let stored = s.regeneration("ws1", "c1", "r1").await.unwrap().unwrap();
    assert_eq!(stored.state, RegenerationState::Completed);
    assert_eq!(
        s.take_regeneration("ws1", "c1", "r1", &lease("c", 2), now() + Duration::hours(1))
            .await
            .unwrap(),
        None,
        "a completed one is not worked again"
    );
    // The certification is free for the next one.
    let mut failing = request("r2", &c, true);
    s.start_regeneration("ws1", &failing).await.unwrap();
    // A page that failed is found again only when its next try is due.
    let page = PageOutcome {
        done: 0,
        failures: vec![("x1".into(), RegenerationErrorCode::RenderFailed)],
        next_cursor: None,
    };
    assert!(!failing.page(page, now()));
    s.take_regeneration("ws1", "c1", "r2", &lease("a", 2), now())
        .await
        .unwrap()
        .unwrap();
    s.save_regeneration("ws1", &failing, &lease("a", 0)).await.unwrap();
    assert!(s.due_regenerations(now(), 10).await.unwrap().is_empty(), "backing off");
    let due = s.due_regenerations(now() + Duration::minutes(1), 10).await.unwrap();
    assert_eq!(due, vec![("ws1".to_string(), failing)]);
}

pub async fn a_claim_takes_the_snapshot_with_its_history_once<T: Table>(s: Store<T>) {
    let mut c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    for id in ["x1", "x2"] {
        let issued = Certificate {
            user_id: format!("u-{id}"),
            certification: CertificationSnapshot::of(&c, certify_rules::Locale::En),
            ..certificate(id, "p1")
        };
        assert!(s
            .issue_certificate("ws1", &issued, now(), &Actor::System)
            .await
            .unwrap());
    }
    s.revoke_certificate("ws1", "x2", "fraud", now(), &admin())
        .await
        .unwrap();
    assert_eq!(
        s.count_regenerable("ws1", "c1").await.unwrap(),
        1,
        "revoked ones are not counted"
    );
    assert_eq!(s.count_regenerable("ws1", "c2").await.unwrap(), 0);

    c.fields.name = "Leadership, Spelled Right".into();
    let r1 = request("r1", &c, true);
    let RegenerationClaim::Draw(drawn) = s.claim_regeneration("x1", &r1, now()).await.unwrap() else {
        panic!("x1 is to draw")
    };
    assert_eq!(drawn.certification.name, "Leadership, Spelled Right");
    let (_, stored) = s.certificate("x1").await.unwrap().unwrap();
    assert_eq!(stored, *drawn, "the record holds what is drawn");
    // Claimed again before its files were stored (a crash): drawn again as claimed,
    // with no second entry.
    assert_eq!(
        s.claim_regeneration("x1", &r1, now()).await.unwrap(),
        RegenerationClaim::Draw(drawn.clone())
    );
    s.finish_regeneration("x1", "r1").await.unwrap();
    assert_eq!(
        s.claim_regeneration("x1", &r1, now()).await.unwrap(),
        RegenerationClaim::Done
    );
    assert_eq!(
        regenerated_entries(&s, "x1").await,
        vec![Change::Regenerated {
            regeneration_id: "r1".into(),
            snapshot_changed: true
        }]
    );
    let history = s.certificate_history("ws1", "x1", &page(50, None)).await.unwrap();
    assert_eq!(history.items.last().unwrap().actor, admin(), "by the admin who asked");

    assert_eq!(
        s.claim_regeneration("x2", &r1, now()).await.unwrap(),
        RegenerationClaim::Revoked
    );
    let (_, revoked) = s.certificate("x2").await.unwrap().unwrap();
    assert_eq!(
        revoked.certification.name, "Certification c1",
        "a revoked one keeps its snapshot"
    );
    assert!(matches!(
        s.claim_regeneration("nope", &r1, now()).await,
        Err(StoreError::NotFound)
    ));

    // A later regeneration without a refresh keeps the snapshot and says so.
    let r2 = request("r2", &c, false);
    let later = now() + Duration::minutes(1);
    assert_eq!(
        s.claim_regeneration("x1", &r2, later).await.unwrap(),
        RegenerationClaim::Draw(drawn)
    );
    assert_eq!(
        regenerated_entries(&s, "x1").await[1],
        Change::Regenerated {
            regeneration_id: "r2".into(),
            snapshot_changed: false
        }
    );
    // Finishing an older claim does not clear the newer one's.
    s.finish_regeneration("x1", "r1").await.unwrap();
    assert!(matches!(
        s.claim_regeneration("x1", &r2, now()).await.unwrap(),
        RegenerationClaim::Draw(_)
    ));
}

pub async fn a_certificate_revoked_before_its_files_were_drawn_is_still_drawn<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    let issued = Certificate {
        certification: CertificationSnapshot::of(&c, certify_rules::Locale::En),
        ..certificate("x1", "p1")
    };
    s.issue_certificate("ws1", &issued, now(), &Actor::System)
        .await
        .unwrap();
    let mut renamed = c.clone();
    renamed.fields.name = "Renamed".into();
    let r1 = request("r1", &renamed, true);
    assert!(matches!(
        s.claim_regeneration("x1", &r1, now()).await.unwrap(),
        RegenerationClaim::Draw(_)
    ));
    // Revoked between the claim and its files: the files must still match the record.
    s.revoke_certificate("ws1", "x1", "fraud", now(), &admin())
        .await
        .unwrap();
    let RegenerationClaim::Draw(again) = s.claim_regeneration("x1", &r1, now()).await.unwrap() else {
        panic!("still to draw")
    };
    assert_eq!(again.certification.name, "Renamed");
    assert!(again.revoked_at.is_some());
    s.finish_regeneration("x1", "r1").await.unwrap();
    // A later one leaves it alone, and so does a new regeneration once drawn.
    let r2 = request("r2", &c, true);
    assert_eq!(
        s.claim_regeneration("x1", &r2, now()).await.unwrap(),
        RegenerationClaim::Revoked
    );
    assert_eq!(regenerated_entries(&s, "x1").await.len(), 1);
}
