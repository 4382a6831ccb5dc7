//! What the trigger tests share: the trigger over DynamoDB, S3 and SES on moto, with an
//! SDK interceptor on every client that counts requests and can fail one step (before
//! the request is sent, or after the service applied it) and crash the run there; a
//! clock the test moves; programs seeded through the store; and the invariants of SPEC
//! 1.8.6 checked against what the services hold.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use certify_blobs::{BlobStore, S3Blobs};
use certify_mail::SesMailer;
use certify_rules::{Certificate, ProgramState, RunState};
use certify_store::{
    AppStore, CertificateStore, DynamoStore, DynamoTable, ProgramStore, RunStore, SettingsStore, TableSchema,
    WorkspaceSettings,
};
use certify_trigger::{Render, Settings, Trigger};
use chrono::{DateTime, Duration, Utc};

mod faults;
mod seed;

#[allow(unused_imports)] // each test binary uses part of them
pub use faults::{Faults, Interceptor, Renderer, Step, When, STEPS};
#[allow(unused_imports)]
pub use seed::{person, Person};

const TEMPLATE: &str = include_str!("../../../../../template.yaml");
pub const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");

pub fn start() -> DateTime<Utc> {
    "2026-11-28T19:00:00Z".parse().unwrap()
}

pub fn sample(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{EVENTS}/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub struct Harness {
    pub endpoint: String,
    pub ws: String,
    pub store: Arc<DynamoStore>,
    pub blobs: Arc<S3Blobs>,
    pub sender: String,
    pub faults: Arc<Faults>,
    pub renderer: Arc<Renderer>,
    clock: Arc<Mutex<DateTime<Utc>>>,
    mailer: Arc<SesMailer>,
}

impl Harness {
    pub async fn new() -> Harness {
        let endpoint = certify_testkit::moto().endpoint();
        let sdk = certify_testkit::sdk_config(&endpoint).await;
        let faults = Arc::new(Faults::default());
        let interceptor = Interceptor(faults.clone());
        let dynamo = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&sdk)
                .interceptor(interceptor.clone())
                .build(),
        );
        let table = certify_testkit::unique("trigger");
        TableSchema::from_template(TEMPLATE, "Table")
            .unwrap()
            .create(&dynamo, &table)
            .await
            .unwrap();
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .interceptor(interceptor.clone())
                .build(),
        );
        let bucket = certify_testkit::unique("files");
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let ses = aws_sdk_sesv2::Client::from_conf(
            aws_sdk_sesv2::config::Builder::from(&sdk)
                .interceptor(interceptor)
                .build(),
        );
        let sender = format!("{}@certify.example", certify_testkit::unique("results"));
        ses.create_email_identity()
            .email_identity(&sender)
            .send()
            .await
            .unwrap();
        let harness = Harness {
            endpoint,
            ws: certify_testkit::unique("ws"),
            store: Arc::new(DynamoStore::new(DynamoTable::new(dynamo, table))),
            blobs: Arc::new(S3Blobs::new(s3, bucket)),
            mailer: Arc::new(SesMailer::new(ses, sender.clone())),
            sender,
            renderer: Arc::new(Renderer {
                real: certify_render::Renderer::new(),
                fail: AtomicBool::new(false),
                faults: faults.clone(),
            }),
            faults,
            clock: Arc::new(Mutex::new(start())),
        };
        let on = WorkspaceSettings {
            certifications_enabled: true,
            ..Default::default()
        };
        harness.store.put_settings(&harness.ws, &on).await.unwrap();
        harness
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap()
    }

    pub fn advance(&self, by: Duration) {
        *self.clock.lock().unwrap() += by;
    }

    /// A trigger as a fresh invocation builds it.
    pub fn trigger(&self) -> Trigger {
        self.trigger_with(Settings {
            public_url: "https://certify.example".into(),
            send_rate: 0.0,
            chunk: 2,
            ..Settings::default()
        })
    }

    pub fn trigger_with(&self, settings: Settings) -> Trigger {
        self.trigger_mailing(settings, self.mailer.clone())
    }

    /// SES as it is here, behind `mailer` (a test's failing adapter).
    pub fn ses(&self) -> Arc<SesMailer> {
        self.mailer.clone()
    }

    pub fn trigger_mailing(&self, settings: Settings, mailer: Arc<dyn certify_mail::Mailer>) -> Trigger {
        self.trigger_of(settings, mailer, self.renderer.clone())
    }

    /// A trigger sending through `mailer` and rendering with `render`.
    pub fn trigger_of(
        &self,
        settings: Settings,
        mailer: Arc<dyn certify_mail::Mailer>,
        render: Arc<dyn Render>,
    ) -> Trigger {
        let clock = self.clock.clone();
        Trigger::new(
            self.store.clone() as Arc<dyn AppStore>,
            self.blobs.clone(),
            mailer,
            render,
            settings,
            Arc::new(move || *clock.lock().unwrap()),
        )
    }

    pub fn email_of(&self, user_id: &str) -> String {
        format!("{user_id}.{}@example.com", self.ws)
    }

    /// The emails moto accepted from this test's sender, to `user_id`.
    pub fn emails_to(&self, user_id: &str) -> Vec<serde_json::Value> {
        let to = self.email_of(user_id);
        certify_testkit::moto_emails_from(&self.endpoint, &self.sender)
            .into_iter()
            .filter(|m| m["destinations"]["ToAddresses"].to_string().contains(&to))
            .collect()
    }

    /// The certificates this program issued to `user_id`.
    pub async fn certificates(&self, user_id: &str, program_id: &str) -> Vec<Certificate> {
        let all = self.store.certificates_of(&self.ws, user_id).await.unwrap();
        all.into_iter()
            .filter(|c| c.program.as_ref().is_some_and(|p| p.id == program_id))
            .collect()
    }

    /// SPEC 1.8.6: the end state of one clean run. `resends`: how many people may have
    /// got a second email (a crash fell between SES accepting it and its record).
    pub async fn assert_clean_end(&self, program_id: &str, people: &[Person], resends: usize) {
        let program = self.store.program(&self.ws, program_id).await.unwrap().unwrap();
        assert_eq!(program.state, ProgramState::Ended, "the program ended");
        let run = self.store.run(&self.ws, program_id).await.unwrap().unwrap();
        assert_eq!(run.state, RunState::Completed, "{run:?}");
        let passed = people.iter().filter(|p| p.passes).count() as u64;
        assert_eq!(
            (
                run.participants,
                run.evaluated,
                run.certified,
                run.did_not_pass,
                run.notified,
                run.failed
            ),
            (
                people.len() as u64,
                people.len() as u64,
                passed,
                people.len() as u64 - passed,
                people.len() as u64,
                0
            ),
            "{run:?}"
        );
        let mut resent = 0;
        let mut twice = Vec::new();
        for p in people {
            let certificates = self.certificates(p.user_id, program_id).await;
            if p.passes {
                assert_eq!(certificates.len(), 1, "{}: one certificate of this program", p.user_id);
                let c = &certificates[0];
                assert_eq!(c.holder_name, p.name);
                let pdf = certify_blobs::certificate_key(&self.ws, &c.id, certify_blobs::FileKind::Pdf);
                assert!(self.blobs.exists(&pdf).await.unwrap(), "{pdf} is stored");
                // The preview is drawn when first asked for, not by the run.
                let png = certify_blobs::certificate_key(&self.ws, &c.id, certify_blobs::FileKind::Png);
                assert!(!self.blobs.exists(&png).await.unwrap(), "{png} waits to be asked for");
            } else {
                assert!(certificates.is_empty(), "{} did not pass", p.user_id);
            }
            let actives: Vec<Certificate> = self
                .store
                .certificates_of(&self.ws, p.user_id)
                .await
                .unwrap()
                .into_iter()
                .filter(|c| c.revoked_at.is_none())
                .collect();
            assert!(actives.len() <= 1, "{}: at most one active certificate", p.user_id);
            let emails = self.emails_to(p.user_id).len();
            assert!((1..=2).contains(&emails), "{}: {emails} emails", p.user_id);
            resent += emails - 1;
            if emails == 2 {
                twice.push(p.user_id);
            }
        }
        // An HTTP attempt the SDK sent again (its answer lost on the way back, as under
        // a loaded CI machine) may have been accepted twice: the same window as a crash
        // between SES accepting a message and its record.
        let sends = self.faults.sends.load(Ordering::SeqCst);
        assert!(sends >= people.len(), "{sends} SendEmail operations counted");
        let retried = self.faults.count("SendEmail") - sends;
        assert!(
            resent <= resends + retried,
            "{resent} people got a second email ({twice:?}); at most {resends} may (+{retried} SDK resends)"
        );
    }
}
