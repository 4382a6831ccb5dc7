//! Certificates per minute of one program's end on the local server's parts: the
//! embedded store, the files folder, the outbox (mail unpaced) and the same trigger, in
//! the bench profile. A bench binary, not a test: it prints the figure.
//!
//! `cargo bench -p certify-local --bench end_program [-- N]` (N participants, all
//! passing; default 2,000).

use std::sync::Arc;
use std::time::Instant;

use certify_app::Ports;
use certify_fixtures::{sample, Seed};
use certify_rules::{EnrollmentRecord, Program};
use certify_store::{AppStore, EmbeddedStore, EmbeddedTable};
use certify_trigger::Settings;
use chrono::{Duration, Utc};

const WS: &str = "ws-bench";

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(end(n));
}

async fn end(n: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let table = EmbeddedTable::open(&dir.path().join("certify.redb")).expect("the store");
    let store: Arc<dyn AppStore> = Arc::new(EmbeddedStore::new(table));
    let url = "http://127.0.0.1:3000";
    let ports = Ports {
        store: store.clone(),
        blobs: Arc::new(certify_blobs::FsBlobs::new(dir.path().join("files"), url)),
        mailer: Arc::new(certify_mail::OutboxMailer::new(
            dir.path().join("outbox"),
            "bench@certify.local",
        )),
        events: Some(Arc::new(certify_events::JsonlPublisher::new(
            dir.path().join("events.jsonl"),
        ))),
        clock: Arc::new(Utc::now),
        signer: Arc::new(certify_sign::KeyFile::open_or_create(&dir.path().join("signing-key.pem")).expect("a key")),
    };
    seed(store.as_ref(), n).await;
    let trigger = ports.trigger(Settings {
        public_url: url.into(),
        send_rate: 0.0,
        ..Settings::default()
    });
    let started = Instant::now();
    let report = trigger.end_program(WS, "p1", None).await.expect("the end");
    let seconds = started.elapsed().as_secs_f64();
    let run = report.run.expect("the run");
    assert_eq!(
        (run.certified, run.notified, run.failed),
        (n as u64, n as u64, 0),
        "{run:?}"
    );
    println!(
        "end_program (embedded store, files folder, outbox, unpaced): {n} certificates in {seconds:.1} s: {:.0} per minute",
        n as f64 / seconds * 60.0
    );
}

/// A certification, and a program past its end whose `n` participants all completed
/// its one lesson.
async fn seed(store: &dyn AppStore, n: usize) {
    let now = Utc::now();
    let seed = Seed::new(store, WS);
    seed.certifications_on().await.expect("settings");
    seed.certification(&sample::certification("c1", now))
        .await
        .expect("certification");
    let program = Program {
        starts_at: now - Duration::days(60),
        ends_at: now - Duration::minutes(1),
        ..sample::program("p1", Some("c1"), now)
    };
    let lesson = sample::lesson("k1", "Module 1", 0);
    let enrollments: Vec<EnrollmentRecord> = (0..n).map(|u| sample::record(sample::numbered(u), &["k1"])).collect();
    seed.import(&program, &[lesson], &enrollments).await.expect("import");
}
