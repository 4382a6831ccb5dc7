//! What both pipeline benches share: the seeded certification (10 programs x
//! `per_program` enrollments x 20 components, with progress, from a fixed seed) and the
//! request as API Gateway hands it over.

use axum::http::Request;
use certify_fixtures::{sample, Seed};
use certify_rules::program::component::{Component, ComponentKind};
use certify_rules::program::participant::Participant;
use certify_rules::program::progress::ProgressStatus;
use certify_rules::program::Program;
use certify_rules::{Certification, CertificationFields, EnrollmentRecord};
use std::sync::Arc;

use certify_app::Ports;
use certify_http::{router, Background, ClaimNames};
use certify_store::AppStore;
use chrono::{DateTime, Duration, Utc};

pub const PROGRAMS: usize = 10;
pub const COMPONENTS: usize = 20;
pub const WS: &str = "ws-acme";
const EVENT: &str = include_str!("../../../events/pipeline-get.json");

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
pub async fn seed(store: &dyn AppStore, per_program: usize, now: DateTime<Utc>) -> Vec<String> {
    let seed = Seed::new(store, WS);
    seed.certifications_on().await.expect("settings");
    let certification = Certification {
        fields: CertificationFields {
            description: String::new(),
            ..sample::certification_fields()
        },
        ..sample::certification("c1", now)
    };
    seed.certification(&certification).await.expect("certification");
    let mut rng = Lcg(42);
    let mut ids = Vec::new();
    for p in 0..PROGRAMS {
        let program = Program {
            name: format!("Cohort {p}"),
            starts_at: now - Duration::days(60),
            ends_at: now + Duration::days(30),
            ..sample::program(&format!("program-{p:02}"), Some("c1"), now)
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
        let enrollments: Vec<EnrollmentRecord> = (0..per_program)
            .map(|u| {
                let mut r = EnrollmentRecord::new(Participant {
                    name: name(&mut rng),
                    group: Some(format!("group-{}", rng.below(8))),
                    ..sample::numbered(u)
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
        seed.import(&program, &components, &enrollments).await.expect("import");
        ids.push(program.id);
    }
    ids
}

/// A request as API Gateway hands the sample event over, at `path?query`.
pub fn request(path: &str, query: &str) -> Request<lambda_http::Body> {
    let mut event: serde_json::Value = serde_json::from_str(EVENT).expect("the sample event");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["path"] = path.into();
    event["rawQueryString"] = query.into();
    lambda_http::request::from_str(&event.to_string()).expect("a request")
}

/// The API's router over `store`, as the Lambda functions run it, with files and mail
/// in `dir` and no trigger started.
pub fn app(store: Arc<dyn AppStore>, dir: &std::path::Path) -> axum::Router {
    let ports = Ports {
        store,
        blobs: Arc::new(certify_blobs::FsBlobs::new(dir.join("files"), "http://127.0.0.1:3000")),
        mailer: Arc::new(certify_mail::OutboxMailer::new(
            dir.join("outbox"),
            "bench@certify.local",
        )),
        events: Some(Arc::new(certify_events::JsonlPublisher::new(dir.join("events.jsonl")))),
        clock: Arc::new(Utc::now),
        signer: Arc::new(certify_sign::KeyFile::open_or_create(&dir.join("signing-key.pem")).expect("a key")),
    };
    let starter = Arc::new(Background::new(|_| async {}));
    router(Arc::new(ports.deps(
        ClaimNames::default(),
        "http://127.0.0.1:3000",
        starter,
    )))
}
