//! Crash injection (SPEC 1.8.6): for every step of the per-participant pipeline, the run
//! crashes there (the request is refused before it is sent, or its answer is lost after
//! the service applied it, and the invocation dies on the spot); the next sweep, once
//! the crashed run's lease has run out, must leave the end state of one clean run.

use std::sync::atomic::Ordering;

use crate::common::{person, Harness, Person, Step, When, STEPS};
use chrono::Duration;

const PEOPLE: [Person; 3] = [
    person("u-ana", "Ana Ávila", true),
    person("u-ben", "Ben Okafor", false),
    person("u-alex", "Αλέξανδρος Παπαδόπουλος", true),
];

/// Crashes the run at the `nth` request of `step` (or at rendering, for `None`), then
/// sweeps. With chunks of two, a later `nth` crashes the second chunk, after the first
/// was notified.
async fn crash_then_resume(step: Option<Step>, when: When, nth: usize) {
    let h = Harness::new().await;
    h.seed("p1", Some("c1"), &PEOPLE).await;
    match step {
        Some(step) => h.faults.arm(step, when, nth),
        None => h.renderer.fail.store(true, Ordering::SeqCst),
    }
    let trigger = h.trigger();
    tokio::select! {
        biased;
        _ = h.faults.crash.notified() => {}
        // The fault's error reached the top before the crash could be seen: the run
        // stopped right there all the same.
        report = trigger.end_program(&h.ws, "p1", None) => {
            assert!(h.faults.struck.load(Ordering::SeqCst), "the run never reached the step: {report:?}");
        }
    }
    drop(trigger);
    assert!(h.faults.struck.load(Ordering::SeqCst));
    h.faults.disarm();
    // The next sweeps, after the dead run's lease ran out.
    h.advance(Duration::minutes(3));
    let report = h.trigger().sweep(None).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Emails SES accepted but the crash kept from being recorded go again: the struck
    // one (after), the others of its chunk sent before it, or the whole chunk when the
    // mark itself was lost. A recorded email never goes twice.
    let chunk = if nth == 1 { 2 } else { 1 };
    let resends = match (step.map(|s| s.name), when) {
        (Some("send email"), When::Before) => chunk - 1,
        (Some("send email"), When::After) | (Some("mark notified"), When::Before) => chunk,
        _ => 0,
    };
    h.assert_clean_end("p1", &PEOPLE, resends).await;
}

macro_rules! crashes {
    ($($name:ident: $step:expr, $when:expr, $later:expr;)*) => {
        mod first_chunk {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crash_then_resume($step, $when, 1).await;
                }
            )*
        }
        mod second_chunk {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crash_then_resume($step, $when, $later).await;
                }
            )*
        }
    };
}

crashes! {
    before_claiming_outcomes: Some(STEPS[0]), When::Before, 2;
    after_claiming_outcomes: Some(STEPS[0]), When::After, 2;
    while_rendering: None, When::Before, 1;
    before_putting_the_pdf: Some(STEPS[1]), When::Before, 2;
    after_putting_the_pdf: Some(STEPS[1]), When::After, 2;
    before_issuing: Some(STEPS[2]), When::Before, 2;
    after_issuing: Some(STEPS[2]), When::After, 2;
    before_the_checkpoint: Some(STEPS[3]), When::Before, 2;
    after_the_checkpoint: Some(STEPS[3]), When::After, 2;
    before_sending_an_email: Some(STEPS[4]), When::Before, 3;
    after_sending_an_email: Some(STEPS[4]), When::After, 3;
    before_marking_notified: Some(STEPS[5]), When::Before, 2;
    after_marking_notified: Some(STEPS[5]), When::After, 2;
}
