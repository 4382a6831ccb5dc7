//! The roster's rules over whole rosters: evaluation, status precedence, expected date,
//! grid and card.

use chrono::Duration;
use proptest::prelude::*;

use super::{Badge, Label, Outcome, PipelineStatus as P, Roster};
use crate::fixtures::{arb_status, at, comp, components, day, now, program, record, roster};
use crate::program::component::ComponentKind as K;
use crate::program::progress::ProgressStatus as S;
use crate::program::ProgramState;

fn status_of(progress: &[(&str, S)]) -> P {
    let r = roster(vec![record("u1", progress)]);
    r.status(&r.enrollments()[0], now())
}

// --- evaluation -----------------------------------------------------------------------

#[test]
fn passing_needs_every_counted_component_completed() {
    let r = roster(vec![
        record("u1", &[("k1", S::Completed), ("k2", S::Completed)]),
        record("u2", &[("k1", S::Completed), ("k2", S::InProgress)]),
    ]);
    assert_eq!(r.evaluate(&r.enrollments()[0]), Outcome::Passed);
    assert_eq!(
        r.evaluate(&r.enrollments()[1]),
        Outcome::DidNotPass {
            not_completed: vec!["k2".into()]
        }
    );
}

#[test]
fn group_meetings_coaching_intros_and_announcements_never_decide() {
    let mut cs = components();
    cs.push(comp("k6", K::CoachingIntro, Some("2026-11-27T00:00:00Z")));
    let r = Roster::new(
        program("p1", "P"),
        cs,
        vec![record(
            "u1",
            &[
                ("k1", S::Completed),
                ("k2", S::Completed),
                ("k4", S::Missed),
                ("k6", S::NoResponse),
            ],
        )],
    );
    let e = &r.enrollments()[0];
    assert_eq!(r.evaluate(e), Outcome::Passed);
    assert_eq!(r.status(e, now()), P::OnTrack);
}

#[test]
fn an_optional_component_never_decides() {
    assert_eq!(status_of(&[("k1", S::Completed), ("k5", S::DidNotFinish)]), P::OnTrack);
    let r = roster(vec![record("u1", &[("k1", S::Completed), ("k2", S::Completed)])]);
    assert_eq!(r.evaluate(&r.enrollments()[0]), Outcome::Passed);
}

#[test]
fn a_program_without_counted_components_passes_everyone() {
    let r = Roster::new(
        program("p1", "P"),
        vec![comp("k1", K::Announcement, None), comp("k2", K::GroupMeeting, None)],
        vec![record("u1", &[])],
    );
    assert_eq!(r.evaluate(&r.enrollments()[0]), Outcome::Passed);
}

#[test]
fn progress_for_a_removed_component_is_ignored() {
    let r = roster(vec![record(
        "u1",
        &[("gone", S::Missed), ("k1", S::Completed), ("k2", S::Completed)],
    )]);
    assert_eq!(r.evaluate(&r.enrollments()[0]), Outcome::Passed);
}

// --- pipeline status ------------------------------------------------------------------

#[test]
fn failure_status_beats_past_due() {
    // k1 is past due and not completed; k2 failed.
    assert_eq!(
        status_of(&[("k1", S::InProgress), ("k2", S::DidNotPass)]),
        P::DidNotPass
    );
}

#[test]
fn every_failure_status_means_did_not_pass() {
    for s in [S::DidNotFinish, S::DidNotPass, S::NoResponse, S::Missed] {
        assert_eq!(status_of(&[("k1", S::Completed), ("k2", s)]), P::DidNotPass, "{s:?}");
    }
}

#[test]
fn past_due_beats_not_started() {
    assert_eq!(status_of(&[]), P::OffTrack);
}

#[test]
fn nothing_begun_and_nothing_past_due_is_enrolled() {
    let r = roster(vec![record("u1", &[])]);
    let before_any_due = at("2026-11-20T00:00:00Z");
    assert_eq!(r.status(&r.enrollments()[0], before_any_due), P::Enrolled);
}

#[test]
fn a_begun_group_meeting_means_on_track_not_enrolled() {
    let r = roster(vec![record("u1", &[("k4", S::Completed)])]);
    assert_eq!(r.status(&r.enrollments()[0], at("2026-11-20T00:00:00Z")), P::OnTrack);
}

#[test]
fn an_announcement_alone_does_not_count_as_begun() {
    let r = roster(vec![record("u1", &[("k3", S::Completed)])]);
    assert_eq!(r.status(&r.enrollments()[0], at("2026-11-20T00:00:00Z")), P::Enrolled);
}

#[test]
fn due_exactly_now_is_not_yet_past_due() {
    let r = roster(vec![record("u1", &[])]);
    assert_eq!(r.status(&r.enrollments()[0], at("2026-11-27T00:00:00Z")), P::Enrolled);
    assert_eq!(r.status(&r.enrollments()[0], at("2026-11-27T00:00:01Z")), P::OffTrack);
}

#[test]
fn a_component_without_due_time_is_never_past_due() {
    let r = Roster::new(
        program("p1", "P"),
        vec![comp("k1", K::Lesson, None)],
        vec![record("u1", &[])],
    );
    assert_eq!(r.status(&r.enrollments()[0], at("2030-01-01T00:00:00Z")), P::Enrolled);
}

#[test]
fn an_extension_restores_on_track() {
    let mut rec = record("u1", &[("k1", S::InProgress)]);
    assert_eq!(status_of(&[("k1", S::InProgress)]), P::OffTrack);
    rec.extensions.insert("k1".into(), at("2026-11-30T00:00:00Z"));
    let r = roster(vec![rec]);
    assert_eq!(r.status(&r.enrollments()[0], now()), P::OnTrack);
}

#[test]
fn an_evaluated_participant_of_an_ended_program_is_certified_or_did_not_pass() {
    let mut passed = record("u1", &[]);
    passed.outcome = Some(Outcome::Passed);
    let mut failed = record("u2", &[("k1", S::Completed), ("k2", S::Completed)]);
    failed.outcome = Some(Outcome::DidNotPass {
        not_completed: vec!["k2".into()],
    });
    let mut p = program("p1", "P");
    p.state = ProgramState::Ended;
    let r = Roster::new(p, components(), vec![passed.clone(), failed.clone(), record("u3", &[])]);
    let status: Vec<P> = r.enrollments().iter().map(|e| r.status(e, now())).collect();
    assert_eq!(status, [P::Certified, P::DidNotPass, P::OffTrack]);
    // While the program is active a recorded outcome does not apply.
    let r = roster(vec![passed]);
    assert_eq!(r.status(&r.enrollments()[0], now()), P::OffTrack);
}

// --- expected date --------------------------------------------------------------------

#[test]
fn expected_date_is_the_latest_counted_due_time() {
    let r = roster(vec![record("u1", &[])]);
    assert_eq!(r.expected_on(&r.enrollments()[0]), day("2026-12-05"));
}

#[test]
fn expected_date_moves_with_an_extension() {
    let mut rec = record("u1", &[]);
    rec.extensions.insert("k1".into(), at("2026-12-24T10:00:00Z"));
    let r = roster(vec![rec]);
    assert_eq!(r.expected_on(&r.enrollments()[0]), day("2026-12-24"));
}

#[test]
fn expected_date_falls_back_to_the_program_end() {
    let r = Roster::new(
        program("p1", "P"),
        vec![
            comp("k1", K::Lesson, None),
            comp("k4", K::GroupMeeting, Some("2027-01-01T00:00:00Z")),
        ],
        vec![record("u1", &[])],
    );
    assert_eq!(r.expected_on(&r.enrollments()[0]), day("2026-12-20"));
}

// --- grid and card --------------------------------------------------------------------

#[test]
fn the_grid_leaves_out_announcements_but_shows_group_meetings_uncounted() {
    let r = roster(vec![record(
        "u1",
        &[("k1", S::Completed), ("k2", S::NoResponse), ("k4", S::InProgress)],
    )]);
    let grid = r.grid(&r.enrollments()[0], now());
    let ids: Vec<&str> = grid.iter().map(|c| c.component_id.as_str()).collect();
    assert_eq!(ids, ["k1", "k2", "k4", "k5"]);
    let k4 = &grid[2];
    assert_eq!((k4.badge, k4.counted, k4.past_due), (Badge::InProgress, false, true));
    assert_eq!((grid[0].badge, grid[0].past_due), (Badge::Completed, false));
    assert_eq!(grid[1].badge, Badge::Failed);
    assert!(!grid[3].counted);
}

#[test]
fn the_card_labels_and_counts_every_participant() {
    let r = roster(vec![
        record("u1", &[("k1", S::Completed)]),
        record("u2", &[]),
        record("u3", &[("k1", S::Completed), ("k2", S::Missed)]),
    ]);
    let card = r.card(None, now());
    assert!(card.certification.is_none());
    let ids: Vec<&str> = card.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["k1", "k2", "k4", "k5"]);
    let labels: Vec<Label> = card.participants.iter().map(|p| p.label).collect();
    assert_eq!(labels, [Label::OnTrack, Label::OffTrack, Label::CriteriaNotMet]);
    assert_eq!(
        (
            card.summary.on_track,
            card.summary.off_track,
            card.summary.criteria_not_met
        ),
        (1, 1, 1)
    );
    assert_eq!(Label::CriteriaNotMet.text(), "Certification Criteria Not Met");
    let before = r.card(None, at("2026-11-20T00:00:00Z"));
    assert_eq!(before.summary.not_started, 1);
}

proptest! {
    #[test]
    fn status_precedence_holds_for_any_progress(statuses in prop::collection::vec(arb_status(), 5), hours in 0i64..1500) {
        let progress: Vec<(&str, S)> = ["k1", "k2", "k3", "k4", "k5"].into_iter().zip(statuses.iter().copied()).collect();
        let r = roster(vec![record("u1", &progress)]);
        let t = at("2026-11-01T00:00:00Z") + Duration::hours(hours);
        let status = r.status(&r.enrollments()[0], t);
        let counted_failed = statuses[0].is_failure() || statuses[1].is_failure();
        prop_assert_eq!(counted_failed, status == P::DidNotPass);
        if status == P::OffTrack {
            prop_assert!(!r.past_due(&r.enrollments()[0], t).is_empty());
        }
    }
}
