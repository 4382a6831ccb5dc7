//! One tenant never stalls another (SPEC 1.8.8): runs that fail every time wait in a
//! partition of their own, backing off 1, 2, 4 ... minutes, so another workspace's due
//! program ends in the first sweep after it is due; a participant still failing a day
//! after the first failure is given up and the run completes. DynamoDB, S3 and SES on
//! moto; the clock is the test's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::common::{person, Harness};
use certify_mail::{Email, MailError, Mailer, SentId};
use certify_rules::{retry_delay, Certificate, ProgramState, RunErrorCode, RunState};
use certify_store::{ProgramStore, RosterStore, RunStore};
use certify_trigger::{Render, Settings};
use chrono::{DateTime, Duration, Utc};

/// The real renderer, except that a participant whose user id starts with `stuck`
/// fails every time; records when each program rendered for them.
#[derive(Default)]
struct Stuck {
    real: certify_render::Renderer,
    now: Mutex<Option<DateTime<Utc>>>,
    attempts: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl Stuck {
    fn set_now(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap() = Some(now);
    }

    fn attempts(&self) -> HashMap<String, Vec<DateTime<Utc>>> {
        self.attempts.lock().unwrap().clone()
    }

    fn total(&self) -> usize {
        self.attempts.lock().unwrap().values().map(Vec::len).sum()
    }
}

impl Render for Stuck {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        if certificate.user_id.starts_with("stuck") {
            let now = self.now.lock().unwrap().unwrap();
            let mut attempts = self.attempts.lock().unwrap();
            attempts
                .entry(certificate.program.clone().unwrap().id)
                .or_default()
                .push(now);
            anyhow::bail!("this certificate never renders");
        }
        Ok(self.real.pdf(certificate, verify_url)?)
    }

    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(self.real.png(certificate, verify_url)?)
    }

    fn uncovered(&self, certificate: &Certificate, verify_url: &str) -> Vec<char> {
        self.real.uncovered(certificate, verify_url)
    }
}

/// The real mail service, except for addresses starting with `unreachable`, whose every
/// send fails (not for good: the run keeps trying).
struct Unreachable(Arc<dyn Mailer>);

#[async_trait::async_trait]
impl Mailer for Unreachable {
    async fn send(&self, email: &Email) -> Result<SentId, MailError> {
        if email.to.starts_with("unreachable") {
            return Err(MailError::Unexpected(anyhow::anyhow!("the mail service timed out")));
        }
        self.0.send(email).await
    }
}

fn settings() -> Settings {
    Settings {
        public_url: "https://certify.example".into(),
        send_rate: 0.0,
        ..Settings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_failing_runs_neither_stall_another_workspace_nor_retry_every_sweep() {
    let h = Harness::new().await;
    let stuck = Arc::new(Stuck::default());
    let trigger = h.trigger_of(settings(), h.ses(), stuck.clone());
    assert_eq!(
        settings().sweep_limit,
        50,
        "the scenario fills one sweep with failing runs"
    );

    let start = h.now();
    let programs: Vec<String> = (0..60).map(|i| format!("p{i:02}")).collect();
    for id in &programs {
        let people = [person("stuck", "Stuck Participant", true)];
        h.seed_in(&h.ws, id, Some("c1"), &people, start - Duration::hours(1))
            .await;
    }
    let other_ws = certify_testkit::unique("other");
    let due_at = start + Duration::minutes(30);
    h.seed_in(&other_ws, "q1", Some("c1"), &[person("ana", "Ana Lima", true)], due_at)
        .await;

    // Minute by minute for two hours, as the schedule sweeps.
    let minutes = 120;
    for minute in 0..=minutes {
        let now = h.now();
        stuck.set_now(now);
        let report = trigger.sweep(None).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        if minute == 0 {
            // The 50 oldest due programs, then the other 10: every one ended and tried.
            let report = trigger.sweep(None).await.unwrap();
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            assert_eq!(stuck.total(), 60, "each failing run was tried once at the start");
        }
        let other = h.store.program(&other_ws, "q1").await.unwrap().unwrap();
        if now >= due_at {
            // Due now, it ends in this sweep, failing runs or not.
            assert_eq!(other.state, ProgramState::Ended, "minute {minute}: {other:?}");
            let run = h.store.run(&other_ws, "q1").await.unwrap().unwrap();
            assert_eq!((run.state, run.certified, run.notified), (RunState::Completed, 1, 1));
        } else {
            assert_eq!(other.state, ProgramState::Active, "minute {minute}");
        }
        h.advance(Duration::minutes(1));
    }

    // Each failing run was tried after 1, 2, 4 ... minutes (give or take the minute a
    // full sweep may hold it back), not every sweep.
    let attempts = stuck.attempts();
    assert_eq!(attempts.len(), 60, "every failing run was tried");
    for (program, times) in &attempts {
        assert!(
            (6..=7).contains(&times.len()),
            "{program}: {} tries in {minutes} minutes: {times:?}",
            times.len()
        );
        for (n, pair) in times.windows(2).enumerate() {
            let waited = pair[1] - pair[0];
            let delay = retry_delay(n as u32 + 1);
            assert!(
                waited >= delay && waited <= delay + Duration::minutes(2),
                "{program}: waited {waited} after failure {}, expected {delay}",
                n + 1
            );
        }
        let run = h.store.run(&h.ws, program).await.unwrap().unwrap();
        assert_eq!(
            run.state,
            RunState::Running,
            "{program}: still failing, not yet given up"
        );
        assert_eq!(run.failed_attempts as usize, times.len(), "{program}: {run:?}");
        let last = *times.last().unwrap();
        assert_eq!(run.next_attempt_at, Some(last + retry_delay(run.failed_attempts)));
        assert_eq!(run.failed, 1);
        assert_eq!(run.errors[0].code, RunErrorCode::RenderFailed, "{:?}", run.errors);
    }
    // A sweep every minute without backoff would have rendered 60 x 121 times.
    assert!(stuck.total() <= 60 * 7, "{} renders", stuck.total());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_failing_for_a_day_is_given_up_and_the_run_completes() {
    let h = Harness::new().await;
    let stuck = Arc::new(Stuck::default());
    let trigger = h.trigger_of(settings(), Arc::new(Unreachable(h.ses())), stuck.clone());
    let start = h.now();
    let people = [
        person("ana", "Ana Lima", true),
        person("stuck-bo", "Bo Chen", true),
        person("unreachable-cy", "Cy Okafor", true),
    ];
    h.seed_in(&h.ws, "p1", Some("c1"), &people, start - Duration::hours(1))
        .await;

    // Hourly sweeps for a day and an hour: every one tries the backed-off run again.
    for hour in 0..=25 {
        stuck.set_now(h.now());
        let report = trigger.sweep(None).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let run = h.store.run(&h.ws, "p1").await.unwrap().unwrap();
        let expected = if hour < 24 {
            RunState::Running
        } else {
            RunState::Completed
        };
        assert_eq!(run.state, expected, "hour {hour}: {run:?}");
        h.advance(Duration::hours(1));
    }
    let renders = stuck.total();
    assert_eq!(renders, 25, "tried hourly from the first failure until given up");

    let program = h.store.program(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!(program.state, ProgramState::Ended);
    let run = h.store.run(&h.ws, "p1").await.unwrap().unwrap();
    assert_eq!((run.certified, run.notified, run.failed), (2, 1, 2), "{run:?}");
    assert_eq!(run.next_attempt_at, None, "a completed run is not tried again");
    let given_up: Vec<(&str, RunErrorCode)> = run
        .errors
        .iter()
        .filter(|e| e.code == RunErrorCode::GivenUp)
        .map(|e| (e.user_id.as_str(), e.code))
        .collect();
    assert_eq!(given_up.len(), 2, "{:?}", run.errors);

    let roster = h.store.roster(&h.ws, "p1").await.unwrap().unwrap();
    let by_user = |id: &str| {
        roster
            .enrollments
            .iter()
            .find(|e| e.participant.user_id == id)
            .unwrap()
            .clone()
    };
    let first_failure = start;
    // Bo: no certificate, given up a day after the first failure.
    let bo = by_user("stuck-bo");
    assert_eq!(bo.failing_since, Some(first_failure));
    assert_eq!(bo.given_up_at, Some(first_failure + Duration::hours(24)));
    assert!(h.certificates("stuck-bo", "p1").await.is_empty());
    assert!(h.emails_to("stuck-bo").is_empty());
    // Cy: the certificate stands; no email will go, and the mark says so.
    let cy = by_user("unreachable-cy");
    assert_eq!(cy.failing_since, Some(first_failure));
    assert_eq!(h.certificates("unreachable-cy", "p1").await.len(), 1);
    assert_eq!(cy.notify_error.as_deref(), Some(RunErrorCode::GivenUp.message()));
    // Ana: certified and emailed once, never marked failing.
    let ana = by_user("ana");
    assert_eq!((ana.failing_since, ana.given_up_at), (None, None));
    assert_eq!(h.certificates("ana", "p1").await.len(), 1);
    assert_eq!(h.emails_to("ana").len(), 1);

    // A completed run is never tried again.
    h.advance(Duration::hours(2));
    stuck.set_now(h.now());
    trigger.sweep(None).await.unwrap();
    assert_eq!(stuck.total(), renders);
}
