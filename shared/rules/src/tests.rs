//! Rule tests that read a whole roster: evaluation, status precedence, expected date,
//! grid and card, the pipeline view, nudges, program end and certificates.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use crate::certificate::{completion, Certificate, CertificateStatus, Completion, RunState};
use crate::certification::{Certification, CertificationFields, Validity, ValidityUnit};
use crate::nudge::{plan_nudges, NudgeRequest, NudgeSkipReason};
use crate::program::{Component, ComponentKind as K, Participant, Program, ProgramState, ProgressStatus as S};
use crate::roster::{Badge, EnrollmentRecord, Label, Outcome, PipelineStatus as P, Roster};
use crate::schedule::{decide_run, ended_at, is_due, RunDecision, RunSkipReason};
use crate::text::search_key;
use crate::view::{pipeline_page, pipeline_rows, Order, PipelineFilter, PipelineQuery, SortField};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The fixed "now" of these tests.
fn now() -> DateTime<Utc> {
    at("2026-11-28T12:00:00Z")
}

fn program(id: &str, name: &str) -> Program {
    Program {
        id: id.into(),
        name: name.into(),
        starts_at: at("2026-11-01T00:00:00Z"),
        ends_at: at("2026-12-20T00:00:00Z"),
        certification_id: Some("c1".into()),
        state: ProgramState::Active,
        ended_at: None,
        created_at: at("2026-10-01T00:00:00Z"),
        updated_at: at("2026-10-01T00:00:00Z"),
        version: 1,
    }
}

fn comp(id: &str, kind: K, due: Option<&str>) -> Component {
    Component {
        id: id.into(),
        title: format!("Title {id}"),
        kind,
        optional: false,
        starts_at: None,
        ends_at: due.map(at),
        position: id.trim_start_matches('k').parse().unwrap_or(0),
    }
}

fn person(user_id: &str, name: &str) -> Participant {
    Participant {
        user_id: user_id.into(),
        name: name.into(),
        email: format!("{user_id}@example.com"),
        avatar_url: None,
        group: None,
    }
}

fn record(user_id: &str, progress: &[(&str, S)]) -> EnrollmentRecord {
    let mut r = EnrollmentRecord::new(person(user_id, &format!("Name {user_id}")));
    for (c, s) in progress {
        r.progress.insert((*c).into(), *s);
    }
    r
}

/// k1 lesson due yesterday, k2 assignment due in a week, k3 announcement, k4 group
/// meeting due yesterday, k5 optional survey due yesterday.
fn components() -> Vec<Component> {
    let mut optional = comp("k5", K::Survey, Some("2026-11-27T00:00:00Z"));
    optional.optional = true;
    vec![
        comp("k1", K::Lesson, Some("2026-11-27T00:00:00Z")),
        comp("k2", K::Assignment, Some("2026-12-05T00:00:00Z")),
        comp("k3", K::Announcement, None),
        comp("k4", K::GroupMeeting, Some("2026-11-27T00:00:00Z")),
        optional,
    ]
}

fn roster(records: Vec<EnrollmentRecord>) -> Roster {
    Roster::new(program("p1", "Spring Cohort"), components(), records)
}

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

// --- pipeline view --------------------------------------------------------------------

fn people(program_id: &str, program_name: &str, names: &[(&str, &str, Option<&str>)]) -> Roster {
    let records = names
        .iter()
        .map(|(id, name, group)| {
            let mut p = person(id, name);
            p.group = group.map(String::from);
            EnrollmentRecord::new(p)
        })
        .collect();
    Roster::new(program(program_id, program_name), components(), records)
}

fn names(page: &[crate::view::PipelineRow]) -> Vec<String> {
    page.iter().map(|r| format!("{}/{}", r.user_id, r.program.id)).collect()
}

#[test]
fn the_name_filter_ignores_case_and_accents_in_any_script() {
    let rosters = [people(
        "p1",
        "Spring",
        &[
            ("u1", "Ana Ávila", None),
            ("u2", "Борис ЖУКОВ", None),
            ("u3", "Bob", None),
        ],
    )];
    let mut q = PipelineQuery::default();
    for (needle, expected) in [("AVILA", "u1"), ("жуков", "u2"), ("ÁVI", "u1")] {
        q.filter.name = Some(needle.into());
        let page = pipeline_page(&rosters, &q, now());
        assert_eq!(names(&page.items), [format!("{expected}/p1")], "{needle}");
        assert_eq!(page.stats.total, 1);
    }
}

#[test]
fn filters_combine_and_stats_cover_every_filtered_row() {
    let rosters = [
        people("p1", "Spring", &[("u1", "Ana", Some("A")), ("u2", "Ben", Some("B"))]),
        people("p2", "Autumn", &[("u1", "Ana", Some("A")), ("u3", "Cy", Some("A"))]),
    ];
    let mut q = PipelineQuery {
        limit: 1,
        ..Default::default()
    };
    q.filter.group = Some("A".into());
    let page = pipeline_page(&rosters, &q, now());
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.stats.total, 3, "stats count every filtered row, not the page");
    assert_eq!(page.stats.by_status.off_track, 3);
    q.filter.program = Some("p2".into());
    assert_eq!(pipeline_page(&rosters, &q, now()).stats.total, 2);
    q.filter.status = Some(P::OnTrack);
    assert_eq!(pipeline_page(&rosters, &q, now()).stats.total, 0);
}

#[test]
fn a_user_in_two_programs_appears_once_per_program() {
    let rosters = [
        people("p1", "Spring", &[("u1", "Ana", None)]),
        people("p2", "Autumn", &[("u1", "Ana", None)]),
    ];
    let page = pipeline_page(&rosters, &PipelineQuery::default(), now());
    assert_eq!(names(&page.items), ["u1/p1", "u1/p2"]);
}

#[test]
fn sort_ties_break_by_name_then_user_then_program() {
    let rosters = [
        people(
            "p2",
            "Same",
            &[("u2", "Ana", None), ("u1", "ana", None), ("u3", "Zed", None)],
        ),
        people("p1", "Same", &[("u2", "Ana", None)]),
    ];
    for order in [Order::Asc, Order::Desc] {
        let q = PipelineQuery {
            sort: SortField::Program,
            order,
            ..Default::default()
        };
        // Every row ties on program name, so order only flips nothing; ties stay ascending.
        let page = pipeline_page(&rosters, &q, now());
        assert_eq!(names(&page.items), ["u1/p2", "u2/p1", "u2/p2", "u3/p2"]);
    }
    let q = PipelineQuery {
        sort: SortField::Name,
        order: Order::Desc,
        ..Default::default()
    };
    assert_eq!(
        names(&pipeline_page(&rosters, &q, now()).items),
        ["u3/p2", "u1/p2", "u2/p1", "u2/p2"]
    );
}

#[test]
fn sort_by_status_follows_the_spec_order() {
    let records = vec![
        record("on", &[("k1", S::Completed)]),
        record("dnp", &[("k2", S::Missed)]),
        record("off", &[]),
    ];
    let mut certified = record("cert", &[]);
    certified.outcome = Some(Outcome::Passed);
    let mut ended = program("p9", "Ended");
    ended.state = ProgramState::Ended;
    let rosters = [
        Roster::new(program("p1", "P"), components(), records),
        Roster::new(ended, components(), vec![certified]),
        Roster::new(
            program("p3", "Later"),
            vec![comp("k1", K::Lesson, Some("2027-01-01T00:00:00Z"))],
            vec![record("new", &[])],
        ),
    ];
    let q = PipelineQuery {
        sort: SortField::Status,
        ..Default::default()
    };
    let statuses: Vec<P> = pipeline_page(&rosters, &q, now())
        .items
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [P::DidNotPass, P::OffTrack, P::Enrolled, P::OnTrack, P::Certified]
    );
}

#[test]
fn sort_by_expected_date_uses_extensions() {
    let mut late = record("late", &[]);
    late.extensions.insert("k2".into(), at("2027-02-01T00:00:00Z"));
    let rosters = [Roster::new(
        program("p1", "P"),
        components(),
        vec![late, record("early", &[])],
    )];
    let q = PipelineQuery {
        sort: SortField::Expected,
        order: Order::Desc,
        ..Default::default()
    };
    let rows = pipeline_rows(&rosters, &q, now());
    assert_eq!(names(&rows), ["late/p1", "early/p1"]);
    assert_eq!(rows[0].expected_on, day("2027-02-01"));
}

#[test]
fn the_last_page_has_no_cursor_and_a_cursor_resumes_after_its_row() {
    let rosters = [people(
        "p1",
        "P",
        &[("u1", "A", None), ("u2", "B", None), ("u3", "C", None)],
    )];
    let mut q = PipelineQuery {
        limit: 2,
        ..Default::default()
    };
    let first = pipeline_page(&rosters, &q, now());
    assert_eq!(names(&first.items), ["u1/p1", "u2/p1"]);
    q.cursor = first.next_cursor;
    let second = pipeline_page(&rosters, &q, now());
    assert_eq!(names(&second.items), ["u3/p1"]);
    assert_eq!(second.next_cursor, None);
    q.limit = 3;
    q.cursor = None;
    assert_eq!(
        pipeline_page(&rosters, &q, now()).next_cursor,
        None,
        "an exact fit has no next page"
    );
}

#[test]
fn a_cursor_survives_a_row_removed_before_it() {
    let all = [people(
        "p1",
        "P",
        &[("u1", "A", None), ("u2", "B", None), ("u3", "C", None)],
    )];
    let mut q = PipelineQuery {
        limit: 2,
        ..Default::default()
    };
    q.cursor = pipeline_page(&all, &q, now()).next_cursor;
    let fewer = [people("p1", "P", &[("u2", "B", None), ("u3", "C", None)])];
    assert_eq!(names(&pipeline_page(&fewer, &q, now()).items), ["u3/p1"]);
}

// --- nudges ---------------------------------------------------------------------------

#[test]
fn nudges_reach_off_track_participants_once_per_day_per_program() {
    let mut recent = record("recent", &[]);
    recent.last_nudged_at = Some(now() - Duration::hours(23));
    let mut long_ago = record("long_ago", &[]);
    long_ago.last_nudged_at = Some(now() - Duration::hours(24));
    let rosters = [roster(vec![
        record("off", &[]),
        record("on", &[("k1", S::Completed)]),
        recent,
        long_ago,
    ])];
    let plan = plan_nudges(&rosters, &NudgeRequest::default(), now());
    let sent: Vec<&str> = plan.send.iter().map(|t| t.user_id.as_str()).collect();
    assert_eq!(sent, ["off", "long_ago"]);
    assert_eq!(plan.send[0].past_due.len(), 1, "k1 is the past-due counted component");
    assert_eq!(plan.send[0].past_due[0].component_id, "k1");
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].reason, NudgeSkipReason::NudgedRecently);
}

#[test]
fn nudging_named_users_says_why_each_was_skipped() {
    let rosters = [roster(vec![record("off", &[]), record("on", &[("k1", S::Completed)])])];
    let request = NudgeRequest {
        program_id: None,
        user_ids: Some(vec!["off".into(), "on".into(), "ghost".into()]),
    };
    let plan = plan_nudges(&rosters, &request, now());
    assert_eq!(plan.send.len(), 1);
    let reasons: Vec<(&str, NudgeSkipReason)> = plan.skipped.iter().map(|s| (s.user_id.as_str(), s.reason)).collect();
    assert_eq!(
        reasons,
        [
            ("on", NudgeSkipReason::NotOffTrack),
            ("ghost", NudgeSkipReason::NotEnrolled)
        ]
    );
}

#[test]
fn nudging_one_program_leaves_the_others_alone() {
    let rosters = [
        people("p1", "A", &[("u1", "Ana", None)]),
        people("p2", "B", &[("u2", "Ben", None)]),
    ];
    let request = NudgeRequest {
        program_id: Some("p2".into()),
        user_ids: None,
    };
    let plan = plan_nudges(&rosters, &request, now());
    assert_eq!(plan.send.len(), 1);
    assert_eq!(plan.send[0].program_id, "p2");
}

// --- program end ----------------------------------------------------------------------

#[test]
fn a_late_sweep_dates_the_end_at_ends_at_and_an_early_end_at_now() {
    let p = program("p1", "P");
    assert_eq!(ended_at(&p, at("2026-12-21T09:00:00Z")), p.ends_at);
    assert_eq!(ended_at(&p, now()), now());
}

#[test]
fn only_active_programs_past_their_end_are_due() {
    let mut p = program("p1", "P");
    assert!(!is_due(&p, now()));
    assert!(is_due(&p, p.ends_at));
    p.state = ProgramState::Ending;
    assert!(!is_due(&p, at("2027-01-01T00:00:00Z")));
}

#[test]
fn runs_skip_when_disabled_or_unlinked() {
    let mut p = program("p1", "P");
    assert_eq!(
        decide_run(false, &p),
        RunDecision::Skip(RunSkipReason::CertificationsDisabled)
    );
    assert_eq!(decide_run(true, &p), RunDecision::Certify { certification_id: "c1" });
    p.certification_id = None;
    assert_eq!(decide_run(true, &p), RunDecision::Skip(RunSkipReason::NoCertification));
    assert_eq!(RunSkipReason::NoCertification.as_str(), "no_certification");
}

// --- certificates ---------------------------------------------------------------------

fn certification(validity: Option<Validity>) -> Certification {
    Certification {
        id: "c1".into(),
        fields: CertificationFields {
            name: "Leadership Essentials".into(),
            description: "d".into(),
            issuer_name: "Exec".into(),
            validity,
        },
        created_at: now(),
        updated_at: now(),
        version: 3,
        archived_at: None,
    }
}

#[test]
fn a_certificate_is_dated_at_the_program_end_with_the_current_validity() {
    let validity = Validity::new(1, ValidityUnit::Months).unwrap();
    let c = Certificate::issue(
        "x".into(),
        &person("u1", "Ana"),
        &certification(Some(validity)),
        &program("p1", "P"),
        at("2024-01-31T23:30:00Z"),
    );
    assert_eq!(
        (c.issued_on, c.expires_on),
        (day("2024-01-31"), Some(day("2024-02-29")))
    );
    assert_eq!(c.certification.name, "Leadership Essentials");
    assert_eq!(c.status(day("2024-02-29")), CertificateStatus::Active);
    assert_eq!(c.status(day("2024-03-01")), CertificateStatus::Expired);
    let revoked = Certificate {
        revoked_at: Some(now()),
        ..c
    };
    assert_eq!(revoked.status(day("2024-02-01")), CertificateStatus::Revoked);
}

#[test]
fn the_banner_is_pending_until_the_run_completes() {
    let passed = Outcome::Passed;
    assert_eq!(
        completion(ProgramState::Ending, Some(RunState::Running), Some(&passed)),
        Completion::Pending
    );
    assert_eq!(
        completion(ProgramState::Ended, Some(RunState::Completed), Some(&passed)),
        Completion::Passed
    );
    let failed = Outcome::DidNotPass { not_completed: vec![] };
    assert_eq!(
        completion(ProgramState::Ended, Some(RunState::Completed), Some(&failed)),
        Completion::DidNotPass
    );
}

// --- properties -----------------------------------------------------------------------

fn arb_status() -> impl Strategy<Value = S> {
    proptest::sample::select(S::ALL.to_vec())
}

fn arb_roster(id: usize) -> impl Strategy<Value = Roster> {
    let names = prop::collection::vec(("[a-c]{1,2}", "[A-Ca-c]{1,3}", prop::option::of("[xy]")), 0..12);
    let progress = prop::collection::vec(prop::collection::vec(arb_status(), 5), 12);
    let ended = any::<bool>();
    (names, progress, ended, "[PQ]").prop_map(move |(names, progress, ended, pname)| {
        let mut p = program(&format!("p{id}"), &pname);
        if ended {
            p.state = ProgramState::Ended;
        }
        let mut seen = std::collections::HashSet::new();
        let records = names
            .into_iter()
            .zip(progress)
            .filter(|((uid, _, _), _)| seen.insert(uid.clone()))
            .map(|((uid, name, group), statuses)| {
                let mut r = EnrollmentRecord::new(Participant {
                    group,
                    ..person(&uid, &name)
                });
                for (c, s) in components().iter().zip(statuses) {
                    r.progress.insert(c.id.clone(), s);
                }
                if ended {
                    r.outcome = Some(Outcome::Passed);
                }
                r
            })
            .collect();
        Roster::new(p, components(), records)
    })
}

fn arb_query() -> impl Strategy<Value = PipelineQuery> {
    let sort = proptest::sample::select(vec![
        SortField::Name,
        SortField::Program,
        SortField::Expected,
        SortField::Status,
    ]);
    let order = proptest::sample::select(vec![Order::Asc, Order::Desc]);
    let status = prop::option::of(proptest::sample::select(P::ALL.to_vec()));
    (sort, order, 1usize..7, prop::option::of("[abx]"), status).prop_map(|(sort, order, limit, group, status)| {
        PipelineQuery {
            filter: PipelineFilter {
                name: None,
                group,
                program: None,
                status,
            },
            sort,
            order,
            limit,
            cursor: None,
        }
    })
}

fn arb_rosters() -> impl Strategy<Value = Vec<Roster>> {
    (arb_roster(1), arb_roster(2), arb_roster(3)).prop_map(|(a, b, c)| vec![a, b, c])
}

proptest! {
    #[test]
    fn stats_sum_to_the_total(rosters in arb_rosters(), query in arb_query(), hours in 0i64..2000) {
        let t = at("2026-11-01T00:00:00Z") + Duration::hours(hours);
        let page = pipeline_page(&rosters, &query, t);
        prop_assert_eq!(page.stats.by_status.sum(), page.stats.total);
        prop_assert_eq!(page.stats.total, pipeline_rows(&rosters, &query, t).len());
    }

    #[test]
    fn pages_of_any_size_concatenate_to_the_sorted_list(rosters in arb_rosters(), query in arb_query()) {
        let all = pipeline_rows(&rosters, &query, now());
        let mut paged = Vec::new();
        let mut q = query.clone();
        for _ in 0..=all.len() {
            let page = pipeline_page(&rosters, &q, now());
            prop_assert!(page.items.len() <= q.limit);
            paged.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        prop_assert_eq!(names(&paged), names(&all));
    }

    #[test]
    fn the_sort_is_a_total_order(rosters in arb_rosters(), query in arb_query()) {
        // Whatever order the rosters come in, the rows come out the same, each pair
        // strictly ordered: by the sorted column in the asked order, ties ascending by
        // name, user id and program id.
        let forward = pipeline_rows(&rosters, &query, now());
        let mut reversed_input: Vec<Roster> = rosters.clone();
        reversed_input.reverse();
        prop_assert_eq!(names(&forward), names(&pipeline_rows(&reversed_input, &query, now())));
        let primary = |r: &crate::view::PipelineRow| match query.sort {
            SortField::Name => (search_key(&r.name), None, 0),
            SortField::Program => (search_key(&r.program.name), None, 0),
            SortField::Expected => (String::new(), Some(r.expected_on), 0),
            SortField::Status => (String::new(), None, r.status.sort_rank()),
        };
        for pair in forward.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let by_column = match query.order {
                Order::Asc => primary(a).cmp(&primary(b)),
                Order::Desc => primary(b).cmp(&primary(a)),
            };
            let ties = (search_key(&a.name), &a.user_id, &a.program.id).cmp(&(search_key(&b.name), &b.user_id, &b.program.id));
            prop_assert_eq!(by_column.then(ties), std::cmp::Ordering::Less);
        }
    }

    #[test]
    fn expiry_never_precedes_issue(days in 0i64..60_000, count in 1u32..=3650, unit in 0usize..3) {
        let unit = [ValidityUnit::Days, ValidityUnit::Months, ValidityUnit::Years][unit];
        let count = count.min(unit.max_count());
        let issued = day("1990-01-01") + Duration::days(days);
        let expires = Validity::new(count, unit).unwrap().expires_on(issued);
        prop_assert!(expires > issued);
    }

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
