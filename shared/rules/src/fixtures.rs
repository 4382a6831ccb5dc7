//! What the rule tests share: a fixed `now`, a program with five components (one of
//! each way a component can count or not) and rosters built from it, and the proptest
//! strategies that generate rosters and pipeline queries.

use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use crate::pipeline::{Order, PipelineFilter, PipelineQuery, SortField};
use crate::program::component::{Component, ComponentKind as K};
use crate::program::participant::Participant;
use crate::program::progress::ProgressStatus as S;
use crate::program::{Program, ProgramState};
use crate::roster::{EnrollmentRecord, Outcome, PipelineStatus as P, Roster};

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The fixed "now" of these tests.
pub(crate) fn now() -> DateTime<Utc> {
    at("2026-11-28T12:00:00Z")
}

pub(crate) fn program(id: &str, name: &str) -> Program {
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

pub(crate) fn comp(id: &str, kind: K, due: Option<&str>) -> Component {
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

pub(crate) fn person(user_id: &str, name: &str) -> Participant {
    Participant {
        user_id: user_id.into(),
        name: name.into(),
        email: format!("{user_id}@example.com"),
        avatar_url: None,
        group: None,
        locale: None,
    }
}

pub(crate) fn record(user_id: &str, progress: &[(&str, S)]) -> EnrollmentRecord {
    let mut r = EnrollmentRecord::new(person(user_id, &format!("Name {user_id}")));
    for (c, s) in progress {
        r.progress.insert((*c).into(), *s);
    }
    r
}

/// k1 lesson due yesterday, k2 assignment due in a week, k3 announcement, k4 group
/// meeting due yesterday, k5 optional survey due yesterday.
pub(crate) fn components() -> Vec<Component> {
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

pub(crate) fn roster(records: Vec<EnrollmentRecord>) -> Roster {
    Roster::new(program("p1", "Spring Cohort"), components(), records)
}

/// A lesson due 2026-12-01, counted unless `optional`, of any `kind`.
pub(crate) fn component(kind: K, optional: bool) -> Component {
    Component {
        id: "k".into(),
        title: "t".into(),
        kind,
        optional,
        starts_at: None,
        ends_at: Some(at("2026-12-01T00:00:00Z")),
        position: 0,
    }
}

pub(crate) fn people(program_id: &str, program_name: &str, names: &[(&str, &str, Option<&str>)]) -> Roster {
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

pub(crate) fn arb_status() -> impl Strategy<Value = S> {
    proptest::sample::select(S::ALL.to_vec())
}

pub(crate) fn arb_roster(id: usize) -> impl Strategy<Value = Roster> {
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

pub(crate) fn arb_query() -> impl Strategy<Value = PipelineQuery> {
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

pub(crate) fn arb_rosters() -> impl Strategy<Value = Vec<Roster>> {
    (arb_roster(1), arb_roster(2), arb_roster(3)).prop_map(|(a, b, c)| vec![a, b, c])
}

/// An active certificate of "Leadership Essentials" issued on 2026-11-28, expiring in 2028.
pub(crate) fn certificate(id: &str, user_id: &str) -> crate::Certificate {
    crate::Certificate {
        id: id.into(),
        user_id: user_id.into(),
        holder_name: "Ana Ávila".into(),
        certification: crate::CertificationSnapshot {
            id: "c1".into(),
            name: "Leadership Essentials".into(),
            description: "Leads teams through change.".into(),
            issuer_name: "Exec Coaching".into(),
            locale: Default::default(),
        },
        program: Some(crate::ProgramRef {
            id: "p1".into(),
            name: "Spring Cohort".into(),
        }),
        issued_on: day("2026-11-28"),
        expires_on: Some(day("2028-11-28")),
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        note: None,
        holder_email: None,
        status: None,
    }
}
