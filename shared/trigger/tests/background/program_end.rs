//! The program-ended trigger end to end, over DynamoDB, S3 and SES on moto.

use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;

use crate::common::{person, sample, Harness, Person, STEPS};
use certify_blobs::BlobStore;
use certify_rules::{CertificateStatus, ProgramState, RunErrorCode, RunState, RunStep};
use certify_store::{CertificateStore, ProgramStore, RunStore, SettingsStore, WorkspaceSettings};
use certify_trigger::{Opened, Run, Settings, Step};
use chrono::Duration;
use serde_json::json;

const PEOPLE: [Person; 4] = [
    person("u-ana", "Ana Ávila", true),
    person("u-ben", "Ben Okafor", false),
    person("u-alex", "Αλέξανδρος Παπαδόπουλος", true),
    person("u-nastya", "Анастасия Иванова", true),
];

fn direct(h: &Harness, program_id: &str) -> serde_json::Value {
    json!({"workspace_id": h.ws, "program_id": program_id})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_and_failing_participants_get_the_right_certificates_files_and_emails() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    let report = h.trigger().handle(direct(&h, "p1"), None).await.unwrap();
    assert_eq!(report.programs[0].state, ProgramState::Ended);
    h.assert_clean_end("p1", &PEOPLE, 0).await;
    let program = h.store.program(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!(program.ended_at, Some(h.now()), "an early end is dated now");

    for p in PEOPLE.iter().filter(|p| p.passes) {
        let certificate = &h.certificates(p.user_id, "p1").await[0];
        assert_eq!(certificate.status(h.now().date_naive()), CertificateStatus::Active);
        assert_eq!(certificate.issued_on, h.now().date_naive());
        assert_eq!(certificate.expires_on, None);
        let key = certify_blobs::certificate_key(&h.ws, &certificate.id, certify_blobs::FileKind::Pdf);
        let pdf = h.blobs.get(&key).await.unwrap().unwrap();
        let text = certify_fixtures::pdf::text(&pdf);
        // pdftotext breaks lines and columns its own way: compare without whitespace.
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        let flat = squeeze(&text);
        assert!(
            flat.contains(&squeeze(p.name)),
            "{}: the PDF's text holds the name: {flat}",
            p.user_id
        );
        assert!(flat.contains("Doesnotexpire"), "{flat}");
        let emails = h.emails_to(p.user_id);
        assert_eq!(emails[0]["subject"], "You earned Leadership Essentials c1");
        let body = emails[0]["body"].as_str().unwrap();
        assert!(
            body.contains(&format!("https://certify.example/verify/{}", certificate.id)),
            "{body}"
        );
        // Links that open without signing in (SPEC 1.12): the public PDF and LinkedIn.
        assert!(body.contains(&format!(
            "https://certify.example/verify/{}/certificate.pdf",
            certificate.id
        )));
        assert!(body.contains("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"));
        assert!(!body.contains("/download"), "{body}");
    }
    let ben = h.emails_to("u-ben");
    assert!(ben[0]["subject"].as_str().unwrap().contains("was not earned"));
    let body = ben[0]["body"].as_str().unwrap();
    assert!(
        body.contains("<li><bdi>Final quiz</bdi></li>") && !body.contains("Module 1"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_program_of_the_same_certification_replaces_the_first_certificate() {
    let h = Harness::new().await;
    let ana = [person("u-ana", "Ana Ávila", true)];
    h.seed("p1", Some("c1"), &ana).await;
    h.trigger().end_program(&h.ws, "p1", None).await.unwrap();
    let first = h.certificates("u-ana", "p1").await.remove(0);
    h.seed("p2", Some("c1"), &ana).await;
    h.trigger().end_program(&h.ws, "p2", None).await.unwrap();
    let second = h.certificates("u-ana", "p2").await.remove(0);
    let (_, old) = h.store.certificate(&first.id).await.unwrap().unwrap();
    assert_eq!(old.replaced_by.as_deref(), Some(second.id.as_str()));
    assert!(old.revoked_at.is_some());
    assert_eq!(
        h.store.active_certificate(&h.ws, "u-ana", "c1").await.unwrap(),
        Some(second.id.clone()),
        "one active: the new one"
    );
    assert_eq!(h.emails_to("u-ana").len(), 2, "one email per program");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_and_a_sweep_after_the_end_double_nothing() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    h.trigger().handle(direct(&h, "p1"), None).await.unwrap();
    let before = h.store.run(&h.ws, "p1").await.unwrap();
    let requests = h.faults.requests.load(Ordering::SeqCst);
    h.trigger().handle(direct(&h, "p1"), None).await.unwrap();
    h.trigger().handle(sample("trigger-sweep.json"), None).await.unwrap();
    assert_eq!(
        h.store.run(&h.ws, "p1").await.unwrap(),
        before,
        "the record is untouched"
    );
    assert!(
        h.faults.requests.load(Ordering::SeqCst) - requests <= 9,
        "an ended program costs a few reads (the sweep: its five partitions)"
    );
    h.assert_clean_end("p1", &PEOPLE, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_racing_on_one_program_end_as_one_run() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    let (a, b) = (h.trigger(), h.trigger());
    let (ra, rb) = tokio::join!(a.end_program(&h.ws, "p1", None), b.end_program(&h.ws, "p1", None));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    // One held the run; the other found it held (or finished) and stood aside.
    if ra.state != ProgramState::Ended || rb.state != ProgramState::Ended {
        h.advance(Duration::minutes(5));
        h.trigger().sweep(None).await.unwrap();
    }
    h.assert_clean_end("p1", &PEOPLE, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_ends_due_programs_dated_at_their_end_and_leaves_others() {
    let h = Harness::new().await;
    h.seed("due", Some("c1"), &PEOPLE[..2]).await;
    h.seed("later", Some("c1"), &PEOPLE[2..]).await;
    h.advance(Duration::days(1) + Duration::hours(3));
    let report = h.trigger().handle(sample("trigger-sweep.json"), None).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // `later` was seeded a moment after `due`, with the same clock: both are due now.
    for id in ["due", "later"] {
        let program = h.store.program(&h.ws, id).await.unwrap().unwrap();
        assert_eq!(program.state, ProgramState::Ended, "{id}");
        assert_eq!(
            program.ended_at,
            Some(program.ends_at),
            "{id}: dated at ends_at, not the late sweep"
        );
    }
    h.assert_clean_end("due", &PEOPLE[..2], 0).await;
    let fresh = h.seed("fresh", Some("c1"), &PEOPLE[..1]).await;
    h.trigger().sweep(None).await.unwrap();
    let program = h.store.program(&h.ws, &fresh.id).await.unwrap().unwrap();
    assert_eq!(program.state, ProgramState::Active, "not due yet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_certifications_skip_and_no_certification_just_ends() {
    let h = Harness::new().await;
    h.seed("linked", Some("c1"), &PEOPLE[..1]).await;
    h.seed("plain", None, &PEOPLE[..1]).await;
    let off = WorkspaceSettings {
        certifications_enabled: false,
        ..Default::default()
    };
    h.store.put_settings(&h.ws, &off).await.unwrap();
    h.trigger().end_program(&h.ws, "linked", None).await.unwrap();
    let on = WorkspaceSettings {
        certifications_enabled: true,
        ..Default::default()
    };
    h.store.put_settings(&h.ws, &on).await.unwrap();
    h.trigger().end_program(&h.ws, "plain", None).await.unwrap();
    for (id, reason) in [("linked", "certifications_disabled"), ("plain", "no_certification")] {
        let program = h.store.program(&h.ws, id).await.unwrap().unwrap();
        assert_eq!(program.state, ProgramState::Ended, "{id}");
        let run = h.store.run(&h.ws, id).await.unwrap().unwrap();
        assert_eq!((run.state, run.reason.as_deref()), (RunState::Skipped, Some(reason)));
        assert!(h.certificates("u-ana", id).await.is_empty());
    }
    assert!(h.emails_to("u-ana").is_empty(), "a skipped run sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_event_is_refused_naming_the_problem_and_changes_nothing() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE[..1]).await;
    let writes = |h: &Harness| {
        ["PutItem", "UpdateItem", "TransactWriteItems", "DeleteItem"]
            .iter()
            .map(|op| h.faults.count(op))
            .sum::<usize>()
    };
    let before = writes(&h);
    for (name, says) in [
        ("bad-trigger-s3-event.json", "aws.s3"),
        ("bad-trigger-missing-program.json", "program_id"),
        ("bad-trigger-unknown-field.json", "force"),
    ] {
        let err = h.trigger().handle(sample(name), None).await.unwrap_err().to_string();
        assert!(
            err.contains(says) && err.contains("not a trigger event"),
            "{name}: {err}"
        );
    }
    let ghost = json!({"workspace_id": h.ws, "program_id": "ghost"});
    let err = h.trigger().handle(ghost, None).await.unwrap_err().to_string();
    assert!(err.contains("no program ghost"), "{err}");
    let sample_program = sample("trigger-program.json");
    assert_eq!(
        sample_program["program_id"], "p1",
        "the sample names a program of another workspace"
    );
    assert!(h.trigger().handle(sample_program, None).await.is_err());
    // The nudge sample (what the nudge route sends) names a job of another workspace:
    // nothing to send, nothing written.
    let report = h.trigger().handle(sample("trigger-nudges.json"), None).await.unwrap();
    assert_eq!((report.nudges_sent, report.errors.len()), (0, 0));
    assert_eq!(writes(&h), before, "nothing was written");
    let program = h.store.program(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!(program.state, ProgramState::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_participant_is_counted_and_retried_while_the_others_go_on() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    // S3 refuses every PDF: every passed participant fails; the one who did not pass
    // is notified all the same.
    h.faults.arm_lasting(STEPS[1]);
    let report = h.trigger().end_program(&h.ws, "p1", None).await.unwrap();
    let run = report.run.unwrap();
    assert_eq!(report.state, ProgramState::Ending, "the run stays open");
    assert_eq!(
        (run.state, run.failed, run.notified),
        (RunState::Running, 3, 1),
        "{run:?}"
    );
    let stored = run.errors.iter().find(|e| e.user_id == "u-ana").unwrap();
    assert_eq!(
        (stored.step, stored.code),
        (RunStep::Certificate, RunErrorCode::StorageFailed),
        "{:?}",
        run.errors
    );
    for e in &run.errors {
        // Stable codes and plain words: no keys, buckets or error types of ours.
        assert_eq!(e.message, e.code.message(), "{e:?}");
        let bucket = h.blobs.bucket();
        for internal in ["certificates/", h.ws.as_str(), bucket, "Error", "Stale"] {
            assert!(!e.message.contains(internal), "{e:?} shows {internal}");
        }
    }
    assert_eq!(h.emails_to("u-ben").len(), 1);
    assert!(h.emails_to("u-ana").is_empty());
    // The run backs off a minute (SPEC 1.8.8): a sweep before then leaves it alone.
    assert_eq!(
        (run.failed_attempts, run.next_attempt_at),
        (1, Some(h.now() + Duration::minutes(1)))
    );
    h.faults.disarm();
    h.trigger().sweep(None).await.unwrap();
    let waiting = h.store.run(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!((waiting.state, waiting.notified), (RunState::Running, 1));
    h.advance(Duration::minutes(1));
    h.trigger().sweep(None).await.unwrap();
    h.assert_clean_end("p1", &PEOPLE, 0).await;
    let run = h.store.run(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!((run.failed_attempts, run.next_attempt_at), (0, None), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stops_before_its_deadline_and_the_next_sweep_finishes_it() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    let trigger = h.trigger_with(Settings {
        margin: StdDuration::from_secs(60),
        ..h.trigger().settings.clone()
    });
    let soon = h.now() + Duration::seconds(30);
    let report = trigger.end_program(&h.ws, "p1", Some(soon)).await.unwrap();
    let run = report.run.unwrap();
    assert_eq!((run.state, run.notified), (RunState::Running, 0), "no chunk started");
    h.trigger().sweep(None).await.unwrap();
    h.assert_clean_end("p1", &PEOPLE, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_works_one_chunk_per_step_and_closes_completed() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    let program = h.store.begin_end(&h.ws, "p1", h.now()).await.unwrap();
    let trigger = h.trigger();
    assert_eq!(trigger.settings.chunk, 2, "four people make two chunks");
    let Opened::Ready(mut run) = Run::open(&trigger, &h.ws, &program).await.unwrap() else {
        panic!("a fresh run is ready to step");
    };
    let emailed = |h: &Harness| PEOPLE.iter().filter(|p| !h.emails_to(p.user_id).is_empty()).count();
    assert_eq!(run.step().await.unwrap(), Step::Progressed);
    assert_eq!(emailed(&h), 2, "the first chunk is emailed");
    let checkpoint = h.store.run(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!(checkpoint.state, RunState::Running);
    assert!(matches!(
        Run::open(&trigger, &h.ws, &program).await.unwrap(),
        Opened::HeldElsewhere
    ));
    assert_eq!(run.step().await.unwrap(), Step::Done);
    assert_eq!(emailed(&h), 4);
    let record = run.close().await.unwrap().unwrap();
    assert_eq!((record.state, record.notified), (RunState::Completed, 4));
    h.assert_clean_end("p1", &PEOPLE, 0).await;
}

/// SES asking to slow down `left` more times, then SES itself.
struct Throttling {
    ses: std::sync::Arc<certify_mail::SesMailer>,
    left: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl certify_mail::Mailer for Throttling {
    async fn send(&self, email: &certify_mail::Email) -> Result<certify_mail::SentId, certify_mail::MailError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.left.load(Ordering::SeqCst) > 0 {
            self.left.fetch_sub(1, Ordering::SeqCst);
            return Err(certify_mail::MailError::Throttled(anyhow::anyhow!(
                "Maximum sending rate exceeded"
            )));
        }
        self.ses.send(email).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_sends_are_retried_with_backoff_at_the_configured_rate() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE[..2]).await;
    let mailer = std::sync::Arc::new(Throttling {
        ses: h.ses(),
        left: 3.into(),
        calls: 0.into(),
    });
    let settings = Settings {
        send_rate: 20.0,
        concurrency: 1,
        ..h.trigger().settings.clone()
    };
    h.trigger_mailing(settings, mailer.clone())
        .end_program(&h.ws, "p1", None)
        .await
        .unwrap();
    // Three refusals (each followed by a backoff), then each email once.
    assert_eq!(mailer.calls.load(Ordering::SeqCst), 5);
    h.assert_clean_end("p1", &PEOPLE[..2], 0).await;

    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE[..1]).await;
    let stubborn = std::sync::Arc::new(Throttling {
        ses: h.ses(),
        left: 100.into(),
        calls: 0.into(),
    });
    let settings = Settings {
        send_attempts: 2,
        ..h.trigger().settings.clone()
    };
    let report = h
        .trigger_mailing(settings, stubborn)
        .end_program(&h.ws, "p1", None)
        .await
        .unwrap();
    let run = report.run.unwrap();
    assert_eq!(
        (run.state, run.failed),
        (RunState::Running, 1),
        "left for the next sweep: {run:?}"
    );
    assert_eq!(
        (run.errors[0].step, run.errors[0].code),
        (RunStep::Email, RunErrorCode::EmailFailed),
        "{:?}",
        run.errors
    );
}

/// A run another invocation holds costs no roster read: the lease is taken before the
/// roster is read. The program is read once, and the run record twice (to try its lease,
/// then to tell a held run from a finished one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_held_elsewhere_is_left_without_reading_its_roster() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    h.store.begin_end(&h.ws, "p1", h.now()).await.unwrap();
    h.store
        .start_run(&h.ws, &certify_rules::RunRecord::start("p1", h.now()))
        .await
        .unwrap();
    let theirs = certify_store::Lease {
        owner: "another invocation".into(),
        until: h.now() + Duration::minutes(2),
    };
    assert!(h.store.take_run(&h.ws, "p1", &theirs, h.now()).await.unwrap().is_some());
    let (queries, gets) = (h.faults.count("Query"), h.faults.count("GetItem"));

    let report = h.trigger().end_program(&h.ws, "p1", None).await.unwrap();

    assert_eq!((report.state, report.run.is_none()), (ProgramState::Ending, true));
    assert_eq!(h.faults.count("Query"), queries, "no roster read for a held run");
    assert_eq!(
        h.faults.count("GetItem") - gets,
        3,
        "the program and the run record, nothing else"
    );
}
