//! The pipeline's HTTP answers at 100,000 enrollments (issue 13): a certification linked
//! to 10 programs x 10,000 enrollments x 20 components with progress, on the embedded
//! store, through the same router the Lambda functions and the local server run; times
//! the first pipeline page, a filtered page, a card page and the CSV export.
//!
//! `cargo bench -p certify-tests --bench pipeline_http`

use std::sync::Arc;

use certify_store::{EmbeddedStore, EmbeddedTable};
use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

use common::{app, request, seed, COMPONENTS, PROGRAMS};

const PER_PROGRAM: usize = 10_000;

fn pipeline_http(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let now: DateTime<Utc> = Utc::now();
    let table = EmbeddedTable::open(&dir.path().join("certify.redb")).expect("the embedded table");
    let store = Arc::new(EmbeddedStore::new(table));
    let started = std::time::Instant::now();
    let programs = runtime.block_on(seed(store.as_ref(), PER_PROGRAM, now));
    println!(
        "seeded {} enrollments x {COMPONENTS} components in {:.1?}",
        PROGRAMS * PER_PROGRAM,
        started.elapsed()
    );
    let app = app(store, dir.path());
    let answer = |path: String, query: &'static str| {
        let app = app.clone();
        async move {
            let response = app.oneshot(request(&path, query)).await.expect("an answer");
            let status = response.status();
            let bytes = response.into_body().collect().await.expect("a body").to_bytes();
            assert!(
                status.is_success() || status.is_redirection(),
                "{path}?{query}: {status}"
            );
            bytes.len()
        }
    };
    let cases: [(&str, String, &'static str); 4] = [
        ("first_page", "/certifications/c1/pipeline".into(), ""),
        (
            "filtered_page",
            "/certifications/c1/pipeline".into(),
            "name=an&status=off_track&sort=expected",
        ),
        ("card_page", format!("/programs/{}/pipeline", programs[0]), "limit=100"),
        ("csv_export", "/certifications/c1/pipeline.csv".into(), ""),
    ];
    for (label, path, query) in &cases {
        let before = memory::reset_peak();
        let bytes = runtime.block_on(answer(path.clone(), query));
        match (before, memory::peak()) {
            (Some(before), Some(peak)) => println!(
                "{label}: {bytes} bytes; the process's peak resident memory rose {:.0} MiB above its {:.0} MiB",
                (peak.saturating_sub(before)) as f64 / 1024.0,
                before as f64 / 1024.0
            ),
            _ => println!("{label}: {bytes} bytes"),
        }
    }
    let mut group = c.benchmark_group("pipeline_http_100k");
    group.sample_size(10);
    for (label, path, query) in cases {
        group.bench_function(label, |b| b.iter(|| runtime.block_on(answer(path.clone(), query))));
    }
    group.finish();
}

/// The process's resident memory from `/proc/self` (Linux), in KiB: what one answer
/// holds at its peak, measured by resetting the peak before it.
mod memory {
    fn status(field: &str) -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Resets the peak (`VmHWM`) to the current resident size, which it answers.
    pub fn reset_peak() -> Option<u64> {
        std::fs::write("/proc/self/clear_refs", "5").ok()?;
        status("VmRSS:")
    }

    pub fn peak() -> Option<u64> {
        status("VmHWM:")
    }
}

criterion_group!(benches, pipeline_http);
criterion_main!(benches);
