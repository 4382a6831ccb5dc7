//! Ends a program of 2,000 participants against DynamoDB, S3 and SES on moto's server,
//! and reports participants per second and AWS requests per certified participant
//! (counted by an SDK interceptor on every client). Target: at most 5 requests per
//! certified participant.
//!
//! `cargo bench --workspace --bench end_program` (`-- 500` for another size; with
//! `--workspace`, the AWS features its test harness needs are the workspace's; the
//! certify-local bench of the same name runs after it).
//! moto is a slow peer (a few hundred writes a second, one request at a time), so the
//! rate says what moto sustains; the request count is what a real run costs.

#![allow(clippy::unwrap_used)] // a bench says what broke by its panic

use std::sync::atomic::Ordering;
use std::time::Instant;

use certify_fixtures::trigger::Harness;
use certify_fixtures::{sample, Seed};
use certify_store::{CertificationStore, ProgramStore, RunStore};
use certify_trigger::Settings;

#[tokio::main]
async fn main() {
    let size: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let h = Harness::new().await;
    // One certification and a program of `size`, 90% of whom completed both counted
    // components, imported in BatchWriteItem requests.
    let seed = Seed::new(&*h.store, &h.ws);
    let now = h.now();
    seed.certification(&sample::certification("c1", now)).await.unwrap();
    let program = sample::program("big", Some("c1"), now);
    let components = &sample::components(now)[..2];
    let enrollments: Vec<_> = (0..size)
        .map(|i| {
            let completed: &[&str] = if i % 10 != 0 { &["k1", "k2"] } else { &["k1"] };
            sample::record(sample::numbered(i), completed)
        })
        .collect();
    seed.import(&program, components, &enrollments).await.unwrap();
    let certification = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let program = h.store.program(&h.ws, "big").await.unwrap().unwrap();
    assert_eq!(program.certification_id.as_deref(), Some(certification.id.as_str()));

    let trigger = h.trigger_with(Settings {
        public_url: "https://certify.example".into(),
        send_rate: 0.0,
        ..Settings::default()
    });
    let before = h.faults.requests.load(Ordering::SeqCst);
    h.faults.by_operation.lock().unwrap().clear();
    let started = Instant::now();
    let report = trigger.end_program(&h.ws, "big", None).await.unwrap();
    let elapsed = started.elapsed();
    let requests = h.faults.requests.load(Ordering::SeqCst) - before;
    let run = h.store.run(&h.ws, "big").await.unwrap().unwrap();
    assert_eq!(run.notified, size as u64, "every participant notified: {run:?}");
    assert_eq!(report.run.map(|r| r.certified), Some(run.certified));
    println!(
        "ended a program of {size} participants: {} certified, {} did not pass, in {:.1} s",
        run.certified,
        run.did_not_pass,
        elapsed.as_secs_f64()
    );
    println!(
        "  {:.1} participants/s (moto-bound), {requests} AWS requests: {:.2} per certified participant (target <= 5)",
        size as f64 / elapsed.as_secs_f64(),
        requests as f64 / run.certified as f64
    );
    let mut by_operation: Vec<(String, usize)> = h.faults.by_operation.lock().unwrap().clone().into_iter().collect();
    by_operation.sort();
    for (operation, count) in by_operation {
        println!("  {operation:>20}: {count}");
    }
}
