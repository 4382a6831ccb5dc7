//! What the trigger tests share: the trigger over DynamoDB, S3 and SES on moto, with an
//! SDK interceptor on every client that counts requests and can fail one step (before
//! the request is sent, or after the service applied it) and crash the run there; a
//! clock the test moves; programs seeded through the store; and the invariants of SPEC
//! 1.8.6 checked against what the services hold.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use certify_blobs::{BlobStore, S3Blobs};
use certify_mail::SesMailer;
use certify_rules::{
    Certificate, Certification, CertificationFields, Component, ComponentFields, ComponentKind, Participant, Program,
    ProgramState, ProgressStatus, RunState,
};
use certify_store::{
    AppStore, CertificateStore, CertificationStore, DynamoStore, DynamoTable, ProgramStore, RosterStore, RunStore,
    SettingsStore, TableSchema, WorkspaceSettings,
};
use certify_trigger::{Render, Settings, Trigger};
use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;

const TEMPLATE: &str = include_str!("../../../../template.yaml");
pub const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../events");

pub fn start() -> DateTime<Utc> {
    "2026-11-28T19:00:00Z".parse().unwrap()
}

pub fn sample(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{EVENTS}/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// When a fault strikes relative to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The request never reaches the service.
    Before,
    /// The service applied it; the answer is lost.
    After,
}

/// One step of the per-participant pipeline, as the request it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    /// The operations that make it (one write alone is no transaction).
    pub operations: &'static [&'static str],
    /// A text the request's URI or body holds.
    pub holds: &'static str,
}

pub const STEPS: [Step; 7] = [
    Step {
        name: "claim outcomes",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "\"outcome\"",
    },
    Step {
        name: "put PDF",
        operations: &["PutObject"],
        holds: ".pdf",
    },
    Step {
        name: "put PNG",
        operations: &["PutObject"],
        holds: ".png",
    },
    Step {
        name: "issue certificate",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "CERTIFICATE#",
    },
    Step {
        name: "checkpoint",
        operations: &["PutItem"],
        holds: "lease_owner",
    },
    Step {
        name: "send email",
        operations: &["SendEmail"],
        holds: "",
    },
    Step {
        name: "mark notified",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "notified_at",
    },
];

/// Counts every AWS request, and strikes once at an armed step.
#[derive(Debug, Default)]
pub struct Faults {
    pub requests: AtomicUsize,
    pub by_operation: Mutex<HashMap<String, usize>>,
    /// The step, when it strikes, and at which of its requests (1: the first).
    armed: Mutex<Option<(Step, When, usize)>>,
    /// Fail the step every time (a lasting outage) rather than once, without crashing.
    lasting: AtomicBool,
    pub struck: AtomicBool,
    pub crash: Notify,
    /// SendEmail operations begun (each may take several HTTP attempts).
    pub sends: AtomicUsize,
}

impl Faults {
    /// Strikes at the `nth` request of `step`.
    pub fn arm(&self, step: Step, when: When, nth: usize) {
        *self.armed.lock().unwrap() = Some((step, when, nth));
    }

    pub fn arm_lasting(&self, step: Step) {
        self.lasting.store(true, Ordering::SeqCst);
        self.arm(step, When::Before, 1);
    }

    pub fn disarm(&self) {
        *self.armed.lock().unwrap() = None;
        self.lasting.store(false, Ordering::SeqCst);
    }

    pub fn count(&self, operation: &str) -> usize {
        self.by_operation.lock().unwrap().get(operation).copied().unwrap_or(0)
    }

    /// Whether the armed step is this request, and when it strikes.
    fn aimed(&self, operation: &str, uri: &str, body: &[u8]) -> Option<When> {
        let mut armed = self.armed.lock().unwrap();
        let (step, when, nth) = armed.as_mut()?;
        let holds =
            step.holds.is_empty() || uri.contains(step.holds) || String::from_utf8_lossy(body).contains(step.holds);
        if !step.operations.contains(&operation) || !holds {
            return None;
        }
        if *nth > 1 && !self.lasting.load(Ordering::SeqCst) {
            *nth -= 1;
            return None;
        }
        Some(*when)
    }

    fn strike(&self) -> Result<(), BoxError> {
        if !self.lasting.load(Ordering::SeqCst) {
            let step = self.armed.lock().unwrap().take();
            if step.is_none() {
                return Ok(()); // a concurrent request struck first
            }
            self.struck.store(true, Ordering::SeqCst);
            self.crash.notify_one();
        }
        Err("injected fault".into())
    }
}

/// Marks a request whose answer is to be lost.
#[derive(Debug, Clone)]
struct StrikeAfter;

impl Storable for StrikeAfter {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
pub struct Interceptor(pub Arc<Faults>);

impl Intercept for Interceptor {
    fn name(&self) -> &'static str {
        "fault-injection"
    }

    fn read_before_execution(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        if input
            .downcast_ref::<aws_sdk_sesv2::operation::send_email::SendEmailInput>()
            .is_some()
        {
            self.0.sends.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map(|m| m.name().to_string()).unwrap_or_default();
        self.0.requests.fetch_add(1, Ordering::SeqCst);
        *self
            .0
            .by_operation
            .lock()
            .unwrap()
            .entry(operation.clone())
            .or_default() += 1;
        let request = context.request();
        let body = request.body().bytes().unwrap_or_default();
        match self.0.aimed(&operation, request.uri(), body) {
            Some(When::Before) => self.0.strike(),
            Some(When::After) => {
                cfg.interceptor_state().store_put(StrikeAfter);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn read_after_transmit(
        &self,
        _: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<StrikeAfter>() {
            Some(_) => self.0.strike(),
            None => Ok(()),
        }
    }
}

/// The real renderer, or a failure at the render step (a crash there).
pub struct Renderer {
    real: certify_render::Renderer,
    pub fail: AtomicBool,
    pub faults: Arc<Faults>,
}

impl Render for Renderer {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        if self.fail.swap(false, Ordering::SeqCst) {
            self.faults.struck.store(true, Ordering::SeqCst);
            self.faults.crash.notify_one();
            anyhow::bail!("injected fault at render");
        }
        Ok(self.real.pdf(certificate, verify_url)?)
    }

    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(self.real.png(certificate, verify_url)?)
    }
}

/// A person of a seeded program, and whether they completed every counted component.
pub struct Person {
    pub user_id: &'static str,
    pub name: &'static str,
    pub passes: bool,
}

pub const fn person(user_id: &'static str, name: &'static str, passes: bool) -> Person {
    Person { user_id, name, passes }
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

    /// A certification, and a program of it (or of none) with two counted components and
    /// an optional one, whose passing people completed both counted ones.
    pub async fn seed(&self, program_id: &str, certification: Option<&str>, people: &[Person]) -> Program {
        let ends_at = self.now() + Duration::days(1);
        self.seed_in(&self.ws, program_id, certification, people, ends_at).await
    }

    /// As [`Harness::seed`], in workspace `ws` (certifications on) and ending at `ends_at`.
    pub async fn seed_in(
        &self,
        ws: &str,
        program_id: &str,
        certification: Option<&str>,
        people: &[Person],
        ends_at: DateTime<Utc>,
    ) -> Program {
        let now = self.now();
        let on = WorkspaceSettings {
            certifications_enabled: true,
            ..Default::default()
        };
        self.store.put_settings(ws, &on).await.unwrap();
        if let Some(id) = certification {
            let c = Certification {
                id: id.into(),
                fields: CertificationFields {
                    name: format!("Leadership Essentials {id}"),
                    description: "Leads teams through change, with care.".into(),
                    issuer_name: "Exec Coaching".into(),
                    validity: None,
                },
                created_at: now,
                updated_at: now,
                version: 1,
                archived_at: None,
            };
            match self
                .store
                .create_certification(ws, &c, &certify_rules::Actor::admin("u-admin"))
                .await
            {
                Ok(()) | Err(certify_store::StoreError::Conflict(_)) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        let program = Program {
            id: program_id.into(),
            name: format!("Spring Cohort {program_id}"),
            starts_at: now - Duration::days(30),
            ends_at,
            certification_id: certification.map(String::from),
            state: ProgramState::Active,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.store.create_program(ws, &program).await.unwrap();
        for (i, (id, title, optional)) in [
            ("k1", "Module 1", false),
            ("k2", "Final quiz", false),
            ("k3", "Bonus", true),
        ]
        .into_iter()
        .enumerate()
        {
            let fields = ComponentFields {
                title: title.into(),
                kind: ComponentKind::Lesson,
                optional,
                starts_at: None,
                ends_at: Some(now - Duration::days(1)),
                position: i as i64,
            };
            let component = Component::new(id.into(), fields);
            self.store.add_component(ws, program_id, &component).await.unwrap();
        }
        let participants: Vec<Participant> = people
            .iter()
            .map(|p| Participant {
                user_id: p.user_id.into(),
                name: p.name.into(),
                email: format!("{}.{ws}@example.com", p.user_id),
                avatar_url: None,
                group: None,
            })
            .collect();
        self.store.enroll(ws, program_id, &participants).await.unwrap();
        for p in people {
            self.store
                .set_progress(ws, program_id, p.user_id, "k1", ProgressStatus::Completed)
                .await
                .unwrap();
            if p.passes {
                self.store
                    .set_progress(ws, program_id, p.user_id, "k2", ProgressStatus::Completed)
                    .await
                    .unwrap();
            }
        }
        program
    }

    /// The emails moto accepted from this test's sender, to `user_id`.
    pub fn emails_to(&self, user_id: &str) -> Vec<serde_json::Value> {
        let to = self.email_of(user_id);
        certify_testkit::moto_sent_emails(&self.endpoint)
            .into_iter()
            .filter(|m| m["source"].as_str().is_some_and(|s| s.contains(&self.sender)))
            .filter(|m| m["destinations"]["ToAddresses"].to_string().contains(&to))
            .collect()
    }

    /// The certificates this program issued to `user_id`.
    pub async fn certificates(&self, user_id: &str, program_id: &str) -> Vec<Certificate> {
        let all = self.store.certificates_of(&self.ws, user_id).await.unwrap();
        all.into_iter().filter(|c| c.program.id == program_id).collect()
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
                for kind in certify_blobs::FileKind::CERTIFICATE {
                    let key = certify_blobs::certificate_key(&self.ws, &c.id, kind);
                    assert!(self.blobs.exists(&key).await.unwrap(), "{key} is stored");
                }
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
