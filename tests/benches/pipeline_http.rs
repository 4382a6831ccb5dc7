//! The pipeline's HTTP answers at 100,000 enrollments (issue 13): a certification linked
//! to 10 programs x 10,000 enrollments x 20 components with progress, on the embedded
//! store, through the same router the Lambda functions and the local server run; times
//! the first pipeline page, a filtered page, a card page and the CSV export.
//!
//! `cargo bench -p certify-tests --bench pipeline_http`

use std::sync::Arc;

use axum::http::Request;
use certify_app::Ports;
use certify_http::{router, Background, ClaimNames};
use certify_rules::component::{Component, ComponentKind};
use certify_rules::participant::Participant;
use certify_rules::program::{Program, ProgramState};
use certify_rules::progress::ProgressStatus;
use certify_rules::{Certification, CertificationFields, EnrollmentRecord};
use certify_store::{CertificationStore, EmbeddedStore, EmbeddedTable, ProgramStore, SettingsStore, WorkspaceSettings};
use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt;
use tower::ServiceExt;

const PROGRAMS: usize = 10;
const PER_PROGRAM: usize = 10_000;
const COMPONENTS: usize = 20;
const WS: &str = "ws-acme";
const EVENT: &str = include_str!("../../events/pipeline-get.json");

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const SYLLABLES: [&str; 16] = [
    "an", "bo", "ca", "dé", "el", "fi", "go", "há", "iv", "jo", "ka", "lu", "mi", "nö", "ol", "pa",
];

fn name(rng: &mut Lcg) -> String {
    let mut word = |n: usize| (0..n).map(|_| SYLLABLES[rng.below(16)]).collect::<String>();
    format!("{} {}", word(2), word(3))
}

/// Seeds the certification and its programs through the store's import.
async fn seed(store: &EmbeddedStore, now: DateTime<Utc>) -> Vec<String> {
    let on = WorkspaceSettings {
        certifications_enabled: true,
        ..Default::default()
    };
    store.put_settings(WS, &on).await.expect("settings");
    let certification = Certification {
        id: "c1".into(),
        fields: CertificationFields {
            name: "Leadership Essentials".into(),
            description: String::new(),
            issuer_name: "Exec Coaching".into(),
            validity: None,
        },
        created_at: now,
        updated_at: now,
        version: 1,
        archived_at: None,
    };
    store
        .create_certification(WS, &certification)
        .await
        .expect("certification");
    let mut rng = Lcg(42);
    let mut ids = Vec::new();
    for p in 0..PROGRAMS {
        let program = Program {
            id: format!("program-{p:02}"),
            name: format!("Cohort {p}"),
            starts_at: now - Duration::days(60),
            ends_at: now + Duration::days(30),
            certification_id: Some("c1".into()),
            state: ProgramState::Active,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let components: Vec<Component> = (0..COMPONENTS)
            .map(|k| Component {
                id: format!("component-{k:02}"),
                title: format!("Module {k}"),
                kind: ComponentKind::ALL[k % ComponentKind::ALL.len()],
                optional: k % 7 == 6,
                starts_at: None,
                ends_at: (k % 5 != 4).then(|| now + Duration::days(k as i64 * 3 - 30)),
                position: k as i64,
            })
            .collect();
        let enrollments: Vec<EnrollmentRecord> = (0..PER_PROGRAM)
            .map(|u| {
                let mut r = EnrollmentRecord::new(Participant {
                    user_id: format!("user-{u:06}"),
                    name: name(&mut rng),
                    email: format!("user-{u:06}@example.com"),
                    avatar_url: None,
                    group: Some(format!("group-{}", rng.below(8))),
                });
                for c in &components {
                    let roll = rng.below(20);
                    if roll < 12 {
                        r.progress.insert(c.id.clone(), ProgressStatus::ALL[roll % 3]);
                    }
                }
                r
            })
            .collect();
        store
            .import_program(WS, &program, &components, &enrollments)
            .await
            .expect("import");
        ids.push(program.id);
    }
    ids
}

/// A request as API Gateway hands the sample event over, at `path?query`.
fn request(path: &str, query: &str) -> Request<lambda_http::Body> {
    let mut event: serde_json::Value = serde_json::from_str(EVENT).expect("the sample event");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["rawQueryString"] = query.into();
    lambda_http::request::from_str(&event.to_string()).expect("a request")
}

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
    let programs = runtime.block_on(seed(&store, now));
    println!(
        "seeded {} enrollments x {COMPONENTS} components in {:.1?}",
        PROGRAMS * PER_PROGRAM,
        started.elapsed()
    );
    let ports = Ports {
        store,
        blobs: Arc::new(certify_blobs::FsBlobs::new(
            dir.path().join("files"),
            "http://127.0.0.1:3000",
        )),
        mailer: Arc::new(certify_mail::OutboxMailer::new(
            dir.path().join("outbox"),
            "bench@certify.local",
        )),
        clock: Arc::new(Utc::now),
    };
    let ender = Arc::new(Background::new(|_, _| async {}));
    let app = router(Arc::new(ports.deps(
        ClaimNames::default(),
        "http://127.0.0.1:3000",
        ender,
    )));
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
        let bytes = runtime.block_on(answer(path.clone(), query));
        println!("{label}: {bytes} bytes");
    }
    let mut group = c.benchmark_group("pipeline_http_100k");
    group.sample_size(10);
    for (label, path, query) in cases {
        group.bench_function(label, |b| b.iter(|| runtime.block_on(answer(path.clone(), query))));
    }
    group.finish();
}

criterion_group!(benches, pipeline_http);
criterion_main!(benches);
