//! Regeneration (SPEC 1.13) on DynamoDB and S3 (moto): every non-revoked certificate of
//! the certification is drawn again under the same keys, with the certification's
//! current name when the snapshot is refreshed; ids, dates and the revoked one are
//! kept. The sweep works it a few pages at a time after every due program. A crash at
//! every step, then the next sweeps, leave every file matching its record and each
//! certificate regenerated once.

use std::sync::atomic::Ordering;

use crate::common::{person, Harness, Person, Step, When};
use certify_blobs::{certificate_key, BlobStore, FileKind};
use certify_rules::{Actor, Certificate, Change, Regeneration, RegenerationState};
use certify_store::{CertificateStore, CertificationStore, ProgramStore, RegenerationStore};
use certify_trigger::{Settings, Trigger};
use chrono::Duration;

const RENAMED: &str = "Leadership Essentials (2026 edition)";

const PEOPLE: [Person; 5] = [
    person("u-ana", "Ana Ávila", true),
    person("u-ben", "Ben Okafor", true),
    person("u-cleo", "Cleo Martin", true),
    person("u-dev", "Dev Patel", true),
    person("u-eve", "Eve Adams", false),
];

/// Certificates of one program's end (one of them revoked since), the certification
/// renamed, and a regeneration asked for with `refresh`.
async fn issued_then_renamed(h: &Harness, refresh: bool) -> (Regeneration, Vec<Certificate>) {
    h.seed("p1", Some("c1"), &PEOPLE).await;
    h.trigger().end_program(&h.ws, "p1", None).await.unwrap();
    let admin = Actor::admin("u-admin");
    let revoked = h.certificates("u-dev", "p1").await.remove(0);
    h.store
        .revoke_certificate(&h.ws, &revoked.id, "left the company", h.now(), &admin)
        .await
        .unwrap();
    let c = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let fields = certify_rules::CertificationFields {
        name: RENAMED.into(),
        ..c.fields.clone()
    };
    let c = h
        .store
        .update_certification(&h.ws, &c, &fields, h.now(), &admin)
        .await
        .unwrap();
    let regeneration = Regeneration::request("r1".into(), &c, certify_rules::Locale::En, refresh, admin, h.now());
    h.store.start_regeneration(&h.ws, &regeneration).await.unwrap();
    let mut all = Vec::new();
    for p in &PEOPLE[..4] {
        all.extend(h.certificates(p.user_id, "p1").await);
    }
    (regeneration, all)
}

/// Pages of two certificates, one page per sweep: the work spans several sweeps.
fn trigger(h: &Harness) -> Trigger {
    h.trigger_with(Settings {
        public_url: "https://certify.example".into(),
        send_rate: 0.0,
        chunk: 2,
        regeneration_pages: 1,
        ..Settings::default()
    })
}

/// Sweeps until regeneration `id` completes (each sweep one page; `every` apart, so
/// that a failing page's next try comes).
async fn sweep_until_done(h: &Harness, id: &str, every: Duration) -> Regeneration {
    for _ in 0..8 {
        let report = trigger(h).sweep(None).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let record = h.store.regeneration(&h.ws, "c1", id).await.unwrap().unwrap();
        if record.state == RegenerationState::Completed {
            return record;
        }
        h.advance(every);
    }
    panic!("regeneration {id} did not complete in eight sweeps");
}

async fn sweep_to_the_end(h: &Harness) -> Regeneration {
    sweep_until_done(h, "r1", Duration::minutes(5)).await
}

/// Every certificate's files are what its record draws, the non-revoked ones carry
/// `name` and `times` `regenerated` entries, and ids, holders and dates are as issued.
async fn assert_files_match_records(h: &Harness, issued: &[Certificate], name: &str, times: usize) {
    let renderer = certify_render::Renderer::new();
    for before in issued {
        let (_, now) = h.store.certificate(&before.id).await.unwrap().unwrap();
        let url = certify_rules::verify_url("https://certify.example", &now.id);
        for (kind, drawn) in [
            (FileKind::Pdf, renderer.pdf(&now, &url).unwrap()),
            (FileKind::Png, renderer.png(&now, &url).unwrap()),
        ] {
            let stored = h.blobs.get(&certificate_key(&h.ws, &now.id, kind)).await.unwrap();
            // A run draws no preview, and a revoked certificate is not regenerated
            // (nor ever handed out): its preview may never have been drawn.
            if kind == FileKind::Png && stored.is_none() && now.revoked_at.is_some() {
                continue;
            }
            assert!(
                stored == Some(drawn),
                "{} {kind:?}: the file matches its record",
                now.id
            );
        }
        assert_eq!(
            (&now.user_id, now.issued_on, now.expires_on, &now.program),
            (&before.user_id, before.issued_on, before.expires_on, &before.program)
        );
        let history = h.store.certificate_history(&h.ws, &now.id, &page()).await.unwrap();
        let regenerated = history
            .items
            .iter()
            .filter(|e| matches!(e.change, Change::Regenerated { .. }))
            .count();
        if before.revoked_at.is_some() || now.revoked_reason.is_some() {
            assert_eq!(
                now.certification, before.certification,
                "a revoked one is left as it was"
            );
            assert_eq!(regenerated, 0);
        } else {
            assert_eq!(now.certification.name, name, "{}", now.id);
            assert_eq!(regenerated, times, "{}: regenerated {times} times", now.id);
        }
    }
}

fn page() -> certify_store::PageRequest {
    certify_store::PageRequest {
        limit: 50,
        cursor: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_regeneration_redraws_every_non_revoked_certificate_under_the_same_keys() {
    let h = Harness::new().await;
    let (_, issued) = issued_then_renamed(&h, true).await;
    let revoked: Vec<_> = issued.iter().filter(|c| c.revoked_at.is_some()).collect();
    assert_eq!((issued.len(), revoked.len()), (4, 1));
    let puts_before = h.faults.count("PutObject");
    let record = sweep_to_the_end(&h).await;
    assert_eq!(
        (record.total, record.done, record.failed, record.errors.len()),
        (Some(3), 3, 0, 0),
        "{record:?}"
    );
    assert_eq!(
        h.faults.count("PutObject") - puts_before,
        6,
        "a PDF and a PNG each, once"
    );
    assert_files_match_records(&h, &issued, RENAMED, 1).await;
    // Nobody is emailed about it.
    assert_eq!(h.emails_to("u-ana").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_refresh_the_snapshot_is_kept() {
    let h = Harness::new().await;
    let (_, issued) = issued_then_renamed(&h, false).await;
    let record = sweep_to_the_end(&h).await;
    assert_eq!((record.done, record.failed), (3, 0));
    let name = issued[0].certification.name.clone();
    assert_files_match_records(&h, &issued, &name, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regeneration_goes_a_page_a_sweep_after_every_due_program() {
    let h = Harness::new().await;
    issued_then_renamed(&h, true).await;
    // Another workspace's program falls due meanwhile.
    let other = certify_testkit::unique("ws");
    h.seed_in(&other, "q1", Some("c9"), &[person("u-zoe", "Zoe Kim", true)], h.now())
        .await;
    h.advance(Duration::minutes(1));
    let report = trigger(&h).sweep(None).await.unwrap();
    let q1 = h.store.program(&other, "q1").await.unwrap().unwrap();
    assert_eq!(q1.state, certify_rules::ProgramState::Ended, "{report:?}");
    let record = h.store.regeneration(&h.ws, "c1", "r1").await.unwrap().unwrap();
    assert_eq!((record.state, record.total), (RegenerationState::Running, Some(3)));
    // One page of two, the revoked one among them or not.
    assert!((1..=2).contains(&record.done), "{record:?}");
    assert_eq!(report.regenerated, record.done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_counted_and_a_second_regeneration_draws_what_they_left() {
    let h = Harness::new().await;
    let (_, issued) = issued_then_renamed(&h, true).await;
    h.faults.arm_lasting(PUT_PNG);
    // Each failing page is tried again, then given up a day after its first failure.
    trigger(&h).sweep(None).await.unwrap();
    let trying = h.store.regeneration(&h.ws, "c1", "r1").await.unwrap().unwrap();
    assert_eq!(
        (trying.done, trying.failed, trying.state),
        (0, 0, RegenerationState::Running)
    );
    assert!(!trying.errors.is_empty(), "the failures are shown while tried again");
    let record = sweep_until_done(&h, "r1", Duration::hours(25)).await;
    assert_eq!((record.done, record.failed), (0, 3), "{record:?}");
    let codes: Vec<_> = record.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, [certify_rules::RegenerationErrorCode::StorageFailed; 3]);
    assert!(record
        .errors
        .iter()
        .all(|e| !e.message.contains("png") && !e.message.contains("files-")));
    h.faults.disarm();
    // The records took the new name; their PNGs did not: the next regeneration draws
    // them again (and records it again).
    let c = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let again = Regeneration::request(
        "r2".into(),
        &c,
        certify_rules::Locale::En,
        true,
        Actor::admin("u-admin"),
        h.now(),
    );
    h.store.start_regeneration(&h.ws, &again).await.unwrap();
    let r2 = sweep_until_done(&h, "r2", Duration::minutes(1)).await;
    assert_eq!((r2.done, r2.failed), (3, 0));
    assert_files_match_records(&h, &issued, RENAMED, 2).await;
}

/// The regeneration's requests, by step.
const CLAIM: Step = Step {
    name: "claim",
    operations: &["TransactWriteItems"],
    holds: "regenerated",
};
const PUT_PDF: Step = Step {
    name: "put PDF",
    operations: &["PutObject"],
    holds: ".pdf",
};
const PUT_PNG: Step = Step {
    name: "put PNG",
    operations: &["PutObject"],
    holds: ".png",
};
const FINISH: Step = Step {
    name: "finish",
    operations: &["UpdateItem"],
    holds: "regeneration_pending",
};
const TAKE: Step = Step {
    name: "take",
    operations: &["UpdateItem"],
    holds: "lease_owner",
};
const CHECKPOINT: Step = Step {
    name: "checkpoint",
    operations: &["PutItem"],
    holds: "REGEN#",
};
const COMPLETE: Step = Step {
    name: "complete",
    operations: &["TransactWriteItems"],
    holds: "REGENRUN#",
};

/// Crashes the sweep at the `nth` request of `step` (or at rendering, for `None`),
/// then sweeps to the end once the dead one's lease ran out.
async fn crash_then_resume(step: Option<Step>, when: When, nth: usize) {
    let h = Harness::new().await;
    let (_, issued) = issued_then_renamed(&h, true).await;
    match step {
        Some(step) => h.faults.arm(step, when, nth),
        None => h.renderer.fail.store(true, Ordering::SeqCst),
    }
    for _ in 0..4 {
        let trigger = trigger(&h);
        tokio::select! {
            biased;
            _ = h.faults.crash.notified() => {}
            _ = trigger.sweep(None) => {}
        }
        if h.faults.struck.load(Ordering::SeqCst) {
            break;
        }
    }
    assert!(
        h.faults.struck.load(Ordering::SeqCst),
        "the regeneration never reached the step"
    );
    h.faults.disarm();
    h.advance(Duration::minutes(3));
    let record = sweep_to_the_end(&h).await;
    assert_eq!(
        (record.total, record.done, record.failed),
        (Some(3), 3, 0),
        "{record:?}"
    );
    assert_files_match_records(&h, &issued, RENAMED, 1).await;
}

macro_rules! crashes {
    ($($name:ident: $step:expr, $when:expr, $nth:expr;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                crash_then_resume($step, $when, $nth).await;
            }
        )*
    };
}

crashes! {
    crash_before_taking: Some(TAKE), When::Before, 1;
    crash_after_taking: Some(TAKE), When::After, 1;
    crash_before_a_claim: Some(CLAIM), When::Before, 3;
    crash_after_a_claim: Some(CLAIM), When::After, 3;
    crash_while_rendering: None, When::Before, 1;
    crash_before_putting_a_pdf: Some(PUT_PDF), When::Before, 3;
    crash_after_putting_a_pdf: Some(PUT_PDF), When::After, 3;
    crash_before_putting_a_png: Some(PUT_PNG), When::Before, 3;
    crash_after_putting_a_png: Some(PUT_PNG), When::After, 3;
    crash_before_finishing: Some(FINISH), When::Before, 3;
    crash_after_finishing: Some(FINISH), When::After, 3;
    crash_before_the_checkpoint: Some(CHECKPOINT), When::Before, 1;
    crash_after_the_checkpoint: Some(CHECKPOINT), When::After, 1;
    crash_before_completing: Some(COMPLETE), When::Before, 1;
    crash_after_completing: Some(COMPLETE), When::After, 1;
}
