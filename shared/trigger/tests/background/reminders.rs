//! Expiry reminders (SPEC 1.14) on DynamoDB and SES (moto), with the injected clock:
//! the sweep sends each window's reminder once, on its day (at once when issued inside
//! one), the expired notice the day after expiry, none for a revoked certificate, and
//! after a crash between SES and the mark at most the one allowed second email.

use std::sync::atomic::Ordering;

use crate::common::{person, Harness, Person, Step, When};
use certify_fixtures::sample;
use certify_rules::{
    Actor, Certificate, Certification, CertificationFields, Change, HistoryEntry, Validity, ValidityUnit,
};
use certify_store::{CertificateStore, CertificationStore, PageRequest};
use chrono::{DateTime, Duration, Utc};

const PEOPLE: [Person; 2] = [person("u-ana", "Ana Ávila", true), person("u-rev", "Rev Oked", true)];

/// A certification valid 40 days, reminding 30 and 7 days before expiry.
async fn forty_days(h: &Harness) {
    let fields = CertificationFields {
        name: "Safety Basics".into(),
        description: "Keeps the floor safe.".into(),
        validity: Some(Validity::new(40, ValidityUnit::Days).unwrap()),
        expiry_reminders_days: vec![30, 7],
        ..sample::certification_fields()
    };
    let c = Certification::create("c1".into(), fields, h.now());
    h.store
        .create_certification(&h.ws, &c, &Actor::admin("u-admin"))
        .await
        .unwrap();
}

/// The subjects of the emails `user_id` got, past the result email.
fn reminders_to(h: &Harness, user_id: &str) -> Vec<String> {
    let mut subjects: Vec<String> = h
        .emails_to(user_id)
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default().to_string())
        .filter(|s| s.contains(" expire"))
        .collect();
    subjects.sort();
    subjects
}

async fn history(h: &Harness, certificate: &Certificate) -> Vec<HistoryEntry> {
    let page = PageRequest {
        limit: 50,
        cursor: None,
    };
    h.store
        .certificate_history(&h.ws, &certificate.id, &page)
        .await
        .unwrap()
        .items
}

/// Noon of day `day` after the test's start.
fn noon(start: DateTime<Utc>, day: i64) -> DateTime<Utc> {
    start + Duration::days(day) + Duration::hours(2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_sixty_days_each_window_sends_once_on_its_day_and_a_revoked_one_none() {
    let h = Harness::new().await;
    let start = h.now();
    forty_days(&h).await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    h.trigger().end_program(&h.ws, "p1", None).await.unwrap();
    let ana = h.certificates("u-ana", "p1").await.remove(0);
    let rev = h.certificates("u-rev", "p1").await.remove(0);
    assert_eq!(ana.expires_on, Some(ana.issued_on + Duration::days(40)));
    h.store
        .revoke_certificate(&h.ws, &rev.id, "left", h.now(), &Actor::admin("u-admin"))
        .await
        .unwrap();
    let mut days_sent = Vec::new();
    for day in 0..=60 {
        h.advance(noon(start, day) - h.now());
        let report = h.trigger().sweep(None).await.unwrap();
        assert!(report.errors.is_empty(), "day {day}: {:?}", report.errors);
        if report.reminders_sent > 0 {
            days_sent.push((day, report.reminders_sent));
        }
    }
    assert_eq!(
        days_sent,
        [(10, 1), (33, 1), (41, 1)],
        "the 30-day, the 7-day and the expired one"
    );
    // The certificate's locale is English: CLDR's long date, "January 31, 2027".
    let expires = ana.expires_on.unwrap().format("%B %-d, %Y");
    assert_eq!(
        reminders_to(&h, "u-ana"),
        [
            format!("Safety Basics expired on {expires}"),
            format!("Safety Basics expires on {expires}"),
            format!("Safety Basics expires on {expires}"),
        ]
    );
    assert!(reminders_to(&h, "u-rev").is_empty(), "never for a revoked certificate");
    let changes: Vec<Change> = history(&h, &ana).await.into_iter().map(|e| e.change).collect();
    let reminded: Vec<&Change> = changes
        .iter()
        .filter(|c| matches!(c, Change::Reminded { .. } | Change::Expired {}))
        .collect();
    assert_eq!(
        reminded,
        [
            &Change::Reminded { offset_days: 30 },
            &Change::Reminded { offset_days: 7 },
            &Change::Expired {}
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_issued_inside_a_window_gets_that_reminder_at_once_and_an_edit_reaches_the_rest() {
    let h = Harness::new().await;
    forty_days(&h).await;
    h.seed("p1", Some("c1"), &PEOPLE[..1]).await;
    // Issued by hand 35 days ago: 5 days left.
    let c = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let ana = Certificate {
        id: "x-late".into(),
        certification: certify_rules::CertificationSnapshot::of(&c, certify_rules::Locale::En),
        program: None,
        issued_on: h.now().date_naive() - Duration::days(35),
        expires_on: Some(h.now().date_naive() + Duration::days(5)),
        holder_email: Some(h.email_of("u-ana")),
        ..sample::certificate()
    };
    h.store
        .issue_certificate(&h.ws, &ana, h.now(), &Actor::admin("u-admin"))
        .await
        .unwrap();
    let report = h.trigger().sweep(None).await.unwrap();
    assert_eq!(report.reminders_sent, 1, "{report:?}");
    let changes: Vec<Change> = history(&h, &ana).await.into_iter().map(|e| e.change).collect();
    assert!(changes.contains(&Change::Reminded { offset_days: 7 }), "{changes:?}");
    assert!(
        !changes.contains(&Change::Reminded { offset_days: 30 }),
        "a skipped window is never sent"
    );
    // The admin turns reminders off: the expired notice is not sent either.
    let silent = CertificationFields {
        expiry_reminders_days: vec![],
        ..c.fields.clone()
    };
    h.store
        .update_certification(&h.ws, &c, &silent, h.now(), &Actor::admin("u-admin"))
        .await
        .unwrap();
    for _ in 0..8 {
        h.advance(Duration::days(1));
        assert_eq!(h.trigger().sweep(None).await.unwrap().reminders_sent, 0);
    }
    assert_eq!(reminders_to(&h, "u-ana").len(), 1);
}

/// The settle of a sent reminder: its mark and history entry.
const SETTLE: Step = Step {
    name: "settle",
    operations: &["TransactWriteItems"],
    holds: "reminded",
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_ses_and_the_mark_sends_at_most_one_more_email() {
    let h = Harness::new().await;
    let start = h.now();
    forty_days(&h).await;
    h.seed("p1", Some("c1"), &PEOPLE[..1]).await;
    h.trigger().end_program(&h.ws, "p1", None).await.unwrap();
    let ana = h.certificates("u-ana", "p1").await.remove(0);
    h.trigger().sweep(None).await.unwrap(); // the first look keys the 30-day window
    h.advance(noon(start, 10) - h.now());
    h.faults.arm(SETTLE, When::Before, 1);
    let trigger = h.trigger();
    tokio::select! {
        biased;
        _ = h.faults.crash.notified() => {}
        _ = trigger.sweep(None) => {}
    }
    drop(trigger);
    assert!(
        h.faults.struck.load(Ordering::SeqCst),
        "the sweep never reached the mark"
    );
    h.faults.disarm();
    assert_eq!(reminders_to(&h, "u-ana").len(), 1, "SES took it");
    // Once the dead sweep's claim ran out, the next one sends it again and marks it.
    for minutes in [1, 3, 10] {
        h.advance(Duration::minutes(minutes));
        h.trigger().sweep(None).await.unwrap();
    }
    let sent = reminders_to(&h, "u-ana").len();
    assert_eq!(sent, 2, "the one allowed second email");
    let changes: Vec<Change> = history(&h, &ana).await.into_iter().map(|e| e.change).collect();
    let reminded = changes.iter().filter(|c| matches!(c, Change::Reminded { .. })).count();
    assert_eq!(reminded, 1, "recorded once");
    for day in 11..=20 {
        h.advance(noon(start, day) - h.now());
        h.trigger().sweep(None).await.unwrap();
    }
    assert_eq!(
        reminders_to(&h, "u-ana").len(),
        2,
        "nothing more before the 7-day window"
    );
}
