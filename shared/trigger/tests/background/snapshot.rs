//! An issued certificate never changes (SPEC 1.8.6): a run retried after the
//! certification was renamed, re-issued and given another validity renders, stores and
//! emails what was claimed first, the certificate record's own snapshot. Run on both
//! stores: DynamoDB (with S3 and SES) on moto, and the embedded store with the local
//! files folder and outbox.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::Harness;
use certify_blobs::{certificate_key, BlobStore, FileKind, FsBlobs};
use certify_fixtures::{sample, Seed};
use certify_mail::{Email, MailError, Mailer, OutboxMailer, SentId};
use certify_rules::{Certification, CertificationFields, Clock, Participant, RunState, Validity, ValidityUnit};
use certify_store::{AppStore, EmbeddedStore, EmbeddedTable};
use certify_trigger::{Settings, Trigger};
use chrono::{DateTime, Duration, Utc};

const ISSUED_NAME: &str = "Leadership Essentials";
const ISSUED_BY: &str = "Exec Coaching";
const RENAMED: &str = "Renamed Certification";
const REISSUER: &str = "Another Issuer";

/// A mail service that fails while `down`, then is the real one.
struct Outage {
    real: Arc<dyn Mailer>,
    down: AtomicBool,
}

#[async_trait::async_trait]
impl Mailer for Outage {
    async fn send(&self, email: &Email) -> Result<SentId, MailError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(MailError::Unexpected(anyhow::anyhow!("the mail service is down")));
        }
        self.real.send(email).await
    }
}

/// What the scenario runs on.
struct Parts {
    ws: String,
    store: Arc<dyn AppStore>,
    blobs: Arc<dyn BlobStore>,
    mail: Arc<Outage>,
    email: String,
}

fn trigger(parts: &Parts, now: &Arc<Mutex<DateTime<Utc>>>) -> Trigger {
    let clock = now.clone();
    let clock: Clock = Arc::new(move || *clock.lock().unwrap());
    let settings = Settings {
        public_url: "https://certify.example".into(),
        send_rate: 0.0,
        ..Settings::default()
    };
    Trigger::new(
        parts.store.clone(),
        parts.blobs.clone(),
        parts.mail.clone(),
        Arc::new(certify_render::Renderer::new()),
        settings,
        clock,
    )
}

/// Ends a program of one passing participant while the mail service is down, changes
/// the certification, lets the mail come back and the next sweep finish the run; answers
/// the certificate's PDF text and the certificate.
async fn retried_across_a_certification_change(parts: &Parts) -> (String, certify_rules::Certificate) {
    let start = sample::now();
    let now = Arc::new(Mutex::new(start));
    let (ws, store) = (parts.ws.as_str(), &parts.store);
    let seed = Seed::new(&**store, ws);
    seed.certifications_on().await.unwrap();
    let fields = CertificationFields {
        name: ISSUED_NAME.into(),
        issuer_name: ISSUED_BY.into(),
        ..sample::certification_fields()
    };
    seed.certification(&Certification::create("c1".into(), fields, start))
        .await
        .unwrap();
    let program = sample::program("p1", Some("c1"), start);
    assert!(seed
        .program(&program, &[sample::lesson("k1", "Module 1", 0)])
        .await
        .unwrap());
    let ana = Participant {
        email: parts.email.clone(),
        ..sample::participant("u-ana", "Ana Ávila")
    };
    seed.people("p1", &[sample::record(ana, &["k1"])]).await.unwrap();

    parts.mail.down.store(true, Ordering::SeqCst);
    let report = trigger(parts, &now).end_program(ws, "p1", None).await.unwrap();
    let run = report.run.unwrap();
    assert_eq!(
        (run.state, run.certified, run.failed),
        (RunState::Running, 1, 1),
        "{run:?}"
    );

    let current = store.certification(ws, "c1").await.unwrap().unwrap();
    let changed = CertificationFields {
        name: RENAMED.into(),
        issuer_name: REISSUER.into(),
        validity: Some(Validity::new(5, ValidityUnit::Years).unwrap()),
        ..current.fields.clone()
    };
    store
        .update_certification(ws, &current, &changed, start, &certify_rules::Actor::admin("u-admin"))
        .await
        .unwrap();

    parts.mail.down.store(false, Ordering::SeqCst);
    // Past any backoff a failed run may have.
    *now.lock().unwrap() += Duration::hours(2);
    trigger(parts, &now).sweep(None).await.unwrap();
    let run = store.run(ws, "p1").await.unwrap().unwrap();
    assert_eq!(
        (run.state, run.notified, run.failed),
        (RunState::Completed, 1, 0),
        "{run:?}"
    );

    let certificates = store.certificates_of(ws, "u-ana").await.unwrap();
    assert_eq!(certificates.len(), 1, "{certificates:?}");
    let certificate = certificates.into_iter().next().unwrap();
    let pdf = parts
        .blobs
        .get(&certificate_key(ws, &certificate.id, FileKind::Pdf))
        .await
        .unwrap()
        .unwrap();
    let text = certify_fixtures::pdf::text(&pdf);
    (text, certificate)
}

/// The certificate record, its PDF and its email all say what was issued first.
fn assert_issued_as_claimed(pdf_text: &str, certificate: &certify_rules::Certificate, emails: &[String]) {
    assert_eq!(certificate.certification.name, ISSUED_NAME);
    assert_eq!(certificate.certification.issuer_name, ISSUED_BY);
    assert_eq!(certificate.expires_on, None, "issued without expiry");
    let issued_on = certificate.issued_on.format("%B %-d, %Y").to_string(); // CLDR English long dates
    for said in [ISSUED_NAME, ISSUED_BY, issued_on.as_str()] {
        assert!(pdf_text.contains(said), "the PDF says {said:?}: {pdf_text}");
    }
    for unsaid in [RENAMED, REISSUER, "2031"] {
        assert!(!pdf_text.contains(unsaid), "the PDF says {unsaid:?}: {pdf_text}");
    }
    assert_eq!(emails.len(), 1, "one result email: {emails:?}");
    let email = &emails[0];
    for said in [ISSUED_NAME, ISSUED_BY, "Does not expire", certificate.id.as_str()] {
        assert!(email.contains(said), "the email says {said:?}: {email}");
    }
    for unsaid in [RENAMED, REISSUER, "2031"] {
        assert!(!email.contains(unsaid), "the email says {unsaid:?}: {email}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_keeps_what_was_issued_on_dynamodb_s3_and_ses() {
    let h = Harness::new().await;
    let parts = Parts {
        ws: certify_testkit::unique("snapshot"),
        store: h.store.clone(),
        blobs: h.blobs.clone(),
        mail: Arc::new(Outage {
            real: h.ses(),
            down: AtomicBool::new(false),
        }),
        email: h.email_of("u-ana"),
    };
    let (text, certificate) = retried_across_a_certification_change(&parts).await;
    let emails: Vec<String> = h
        .emails_to("u-ana")
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect();
    assert_issued_as_claimed(&text, &certificate, &emails);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_keeps_what_was_issued_on_the_embedded_store_files_and_outbox() {
    let data = tempfile::tempdir().unwrap();
    let table = EmbeddedTable::open(&data.path().join("certify.redb")).unwrap();
    let outbox = data.path().join("outbox");
    let parts = Parts {
        ws: "acme".into(),
        store: Arc::new(EmbeddedStore::new(table)),
        blobs: Arc::new(FsBlobs::new(data.path().join("files"), "http://127.0.0.1:9")),
        mail: Arc::new(Outage {
            real: Arc::new(OutboxMailer::new(&outbox, "certificates@certify.local")),
            down: AtomicBool::new(false),
        }),
        email: "ana@example.com".into(),
    };
    let (text, certificate) = retried_across_a_certification_change(&parts).await;
    let emails: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|entry| {
            let raw = std::fs::read(entry.unwrap().path()).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            message.body_text(0).unwrap().into_owned()
        })
        .collect();
    assert_issued_as_claimed(&text, &certificate, &emails);
}
