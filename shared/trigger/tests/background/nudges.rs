//! Queued nudges sent by the sweep (SPEC 1.9), on DynamoDB and SES on moto: the mark is
//! set only once SES accepted the email; a send that fails, or whose answer is lost,
//! leaves the participant nudgeable; a participant another sender holds is left to it.

use crate::common::{person, Harness, When, STEPS};
use certify_rules::{plan_nudges, NudgeJob, NudgeRequest};
use certify_store::{Lease, NudgeStore, RosterStore};
use chrono::{DateTime, Duration, Utc};

const SEND_EMAIL: usize = 4;

/// Plans a nudge of program p1 as the request does and queues it.
async fn queue(h: &Harness, id: &str) -> usize {
    let stored = h.store.roster(&h.ws, "p1").await.unwrap().unwrap();
    let roster = stored.into_roster();
    let plan = plan_nudges(&[roster], &NudgeRequest::default(), h.now());
    let mut n = 0;
    let jobs = NudgeJob::queue(plan.send, "Leadership Essentials", Default::default(), h.now(), || {
        n += 1;
        format!("{id}-{n}")
    });
    let queued = jobs.iter().map(|j| j.targets.len()).sum();
    for job in jobs {
        h.store.queue_nudges(&h.ws, &job).await.unwrap();
    }
    queued
}

async fn last_nudged(h: &Harness, user_id: &str) -> Option<DateTime<Utc>> {
    let stored = h.store.roster(&h.ws, "p1").await.unwrap().unwrap();
    let e = stored
        .enrollments
        .iter()
        .find(|e| e.participant.user_id == user_id)
        .unwrap();
    e.last_nudged_at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_or_unanswered_send_leaves_the_participant_nudgeable_and_the_mark_follows_the_send() {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &[person("u-ana", "Ana Ávila", false)]).await;
    let trigger = h.trigger();

    // SES is down: nothing goes, no mark, the job is done with.
    assert_eq!(queue(&h, "down").await, 1, "Ana is off track");
    h.faults.arm_lasting(STEPS[SEND_EMAIL]);
    let report = trigger.sweep(None).await.unwrap();
    h.faults.disarm();
    assert_eq!(report.nudges_sent, 0);
    assert_eq!(last_nudged(&h, "u-ana").await, None, "still nudgeable");
    assert!(h.store.due_nudge_jobs(h.now(), 10).await.unwrap().is_empty());

    // SES takes the email but its answer is lost: as a failure, no mark.
    queue(&h, "lost").await;
    h.faults.arm(STEPS[SEND_EMAIL], When::After, 1);
    assert_eq!(trigger.sweep(None).await.unwrap().nudges_sent, 0);
    h.faults.disarm();
    assert_eq!(last_nudged(&h, "u-ana").await, None);
    let delivered = h.emails_to("u-ana").len();
    assert!((1..=2).contains(&delivered), "{delivered}");

    // Another sender holds Ana's claim: this job leaves her to it.
    queue(&h, "held").await;
    let other = Lease {
        owner: "another".into(),
        until: h.now() + Duration::minutes(2),
    };
    assert!(h
        .store
        .claim_nudge(&h.ws, "p1", "u-ana", None, &other, h.now())
        .await
        .unwrap());
    assert_eq!(trigger.sweep(None).await.unwrap().nudges_sent, 0);
    assert_eq!(h.emails_to("u-ana").len(), delivered);

    // Its claim runs out (that sender crashed); the next request's job sends, and the
    // mark is the time SES took it.
    h.advance(Duration::minutes(3));
    assert_eq!(queue(&h, "sent").await, 1);
    assert_eq!(trigger.sweep(None).await.unwrap().nudges_sent, 1);
    assert_eq!(last_nudged(&h, "u-ana").await, Some(h.now()));
    assert_eq!(h.emails_to("u-ana").len(), delivered + 1);
    assert_eq!(queue(&h, "rested").await, 0, "nudged within 24 hours");
}

/// The sweep dies at the send (before SES got it, or after SES took it but before the
/// mark); once the dead sweep's lease and claim ran out, the next sweep finishes the
/// job: the mark is set, and a second email went only when SES had taken the first.
async fn crash_at_the_send_then_resume(when: When) {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &[person("u-ana", "Ana Ávila", false)]).await;
    assert_eq!(queue(&h, "job").await, 1);
    h.faults.arm(STEPS[SEND_EMAIL], when, 1);
    let trigger = h.trigger();
    tokio::select! {
        biased;
        _ = h.faults.crash.notified() => {}
        report = trigger.sweep(None) => {
            assert!(h.faults.struck.load(std::sync::atomic::Ordering::SeqCst), "never reached the send: {report:?}");
        }
    }
    drop(trigger);
    h.faults.disarm();
    h.advance(Duration::minutes(3));
    let report = h.trigger().sweep(None).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(last_nudged(&h, "u-ana").await, Some(h.now()), "marked once sent");
    assert!(
        h.store.due_nudge_jobs(h.now(), 10).await.unwrap().is_empty(),
        "the job is done"
    );
    let emails = h.emails_to("u-ana").len();
    let allowed = match when {
        When::Before => 1,
        When::After => 2,
    };
    assert!(
        (1..=allowed).contains(&emails),
        "{emails} emails after a crash {when:?} the send"
    );
    assert_eq!(queue(&h, "again").await, 0, "nudged within 24 hours");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_the_send_sends_once_on_resume() {
    crash_at_the_send_then_resume(When::Before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_ses_and_the_mark_sends_at_most_once_more() {
    crash_at_the_send_then_resume(When::After).await;
}
