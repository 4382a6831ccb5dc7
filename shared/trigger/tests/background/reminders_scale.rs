//! Expiry reminders at scale (SPEC 1.14, 1.8.8), on the embedded store with the local
//! files folder and outbox: 10,000 certificates whose 30-day reminder falls due on one
//! day are all reminded once across sweeps, no sweep doing more than its bound, and
//! another workspace's program due that day ends in the first of those sweeps.

use std::sync::{Arc, Mutex};

use certify_blobs::FsBlobs;
use certify_fixtures::{sample, Seed};
use certify_mail::OutboxMailer;
use certify_rules::{
    Actor, Certificate, Certification, CertificationFields, CertificationSnapshot, Clock, Program, ProgramState,
    Validity, ValidityUnit,
};
use certify_store::{AppStore, EmbeddedStore, EmbeddedTable};
use certify_trigger::{Settings, Trigger};
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;

const HOLDERS: usize = 10_000;
const PER_SWEEP: usize = 500;

fn certification(id: &str, now: DateTime<Utc>) -> Certification {
    let fields = CertificationFields {
        name: "Safety Basics".into(),
        description: String::new(),
        validity: Some(Validity::new(1, ValidityUnit::Years).unwrap()),
        ..sample::certification_fields()
    };
    Certification::create(id.into(), fields, now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_reminders_due_on_one_day_go_across_bounded_sweeps_and_never_delay_a_program_end() {
    let data = tempfile::tempdir().unwrap();
    let store: Arc<dyn AppStore> = Arc::new(EmbeddedStore::new(
        EmbeddedTable::open(&data.path().join("certify.redb")).unwrap(),
    ));
    let outbox = data.path().join("outbox");
    let start = sample::now();
    let now = Arc::new(Mutex::new(start));
    let (big, other) = (Seed::new(&*store, "big"), Seed::new(&*store, "other"));
    for seed in [&big, &other] {
        seed.certifications_on().await.unwrap();
    }
    let c = certification("c1", start);
    big.certification(&c).await.unwrap();
    let expires_on = start.date_naive() + Duration::days(30);
    let t0 = std::time::Instant::now();
    futures::stream::iter(0..HOLDERS)
        .for_each_concurrent(16, |i| {
            let store = store.clone();
            let c = &c;
            async move {
                let certificate = Certificate {
                    id: format!("x{i:05}"),
                    user_id: format!("u{i:05}"),
                    holder_name: format!("Holder {i}"),
                    certification: CertificationSnapshot::of(c, certify_rules::Locale::En),
                    program: None,
                    issued_on: expires_on - Duration::days(365),
                    expires_on: Some(expires_on),
                    holder_email: Some(format!("u{i:05}@example.com")),
                    ..sample::certificate()
                };
                assert!(store
                    .issue_certificate("big", &certificate, start, &Actor::System)
                    .await
                    .unwrap());
            }
        })
        .await;
    // Another workspace's program, due in the middle of the reminders.
    other.certification(&certification("c9", start)).await.unwrap();
    let program = Program {
        name: "Winter Cohort".into(),
        ends_at: start + Duration::minutes(3),
        ..sample::program("q1", Some("c9"), start)
    };
    assert!(other.program(&program, &[]).await.unwrap());

    let clock = now.clone();
    let clock: Clock = Arc::new(move || *clock.lock().unwrap());
    let trigger = Trigger::new(
        store.clone(),
        Arc::new(FsBlobs::new(data.path().join("files"), "http://127.0.0.1:9")),
        Arc::new(OutboxMailer::new(&outbox, "certificates@certify.local")),
        Arc::new(certify_render::Renderer::new()),
        Settings {
            send_rate: 0.0,
            reminders_per_sweep: PER_SWEEP,
            ..Settings::default()
        },
        clock,
    );
    eprintln!("issued in {:?}", t0.elapsed());
    let (mut sent, mut sweeps) = (0, 0);
    while sent < HOLDERS {
        *now.lock().unwrap() += Duration::minutes(1);
        let report = trigger.sweep(None).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.reminders_sent <= PER_SWEEP, "bounded: {}", report.reminders_sent);
        sent += report.reminders_sent;
        sweeps += 1;
        if *now.lock().unwrap() >= program.ends_at {
            let q1 = store.program("other", "q1").await.unwrap().unwrap();
            assert_eq!(q1.state, ProgramState::Ended, "ended in the first sweep it was due");
        }
        assert!(sweeps <= HOLDERS / PER_SWEEP + 1, "{sent} sent after {sweeps} sweeps");
    }
    eprintln!("reminded in {:?}", t0.elapsed());
    assert_eq!(sent, HOLDERS);
    assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), HOLDERS, "one email each");
    // Nothing more that day.
    *now.lock().unwrap() += Duration::minutes(1);
    assert_eq!(trigger.sweep(None).await.unwrap().reminders_sent, 0);
}
