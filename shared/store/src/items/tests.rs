//! The names the store writes by hand are those serde gives the rules types' fields and
//! states, so a renamed field or state fails here rather than silently in a condition.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

use std::collections::BTreeMap;

use certify_fixtures::sample;
use certify_rules::{
    Certificate, Certification, EnrollmentRecord, Outcome, Program, ProgramState, RunRecord, RunState,
};
use certify_rules::{TIME_MAX, TIME_MIN};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{attr, state};
use crate::Claim;

fn at() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// The top-level keys a value serializes to (`null`s included).
fn keys<T: Serialize>(value: &T) -> Vec<String> {
    match serde_json::to_value(value).unwrap() {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("expected an object, got {other}"),
    }
}

fn assert_fields<T: Serialize>(value: &T, names: &[&str]) {
    let keys = keys(value);
    for name in names {
        assert!(keys.iter().any(|k| k == name), "{name} is not a field of {keys:?}");
    }
}

fn assert_not_fields<T: Serialize>(value: &T, names: &[&str]) {
    let keys = keys(value);
    for name in names {
        assert!(
            !keys.iter().any(|k| k == name),
            "{name} clashes with a field of {keys:?}"
        );
    }
}

/// Ended, so that `ended_at` is written.
fn program() -> Program {
    Program {
        ended_at: Some(at()),
        ..sample::program("p1", Some("c1"), at())
    }
}

/// Archived, so that `archived_at` is written.
fn certification() -> Certification {
    Certification {
        archived_at: Some(at()),
        ..sample::certification("c1", at())
    }
}

fn enrollment() -> EnrollmentRecord {
    EnrollmentRecord {
        progress: BTreeMap::new(),
        extensions: BTreeMap::new(),
        outcome: Some(Outcome::Passed),
        certificate_id: Some("x".into()),
        certificate: Some(certificate()),
        last_nudged_at: Some(at()),
        notified_at: Some(at()),
        notify_error: Some("refused".into()),
        failing_since: Some(at()),
        given_up_at: Some(at()),
        ..EnrollmentRecord::new(sample::participant("u1", "Ana"))
    }
}

/// Revoked and replaced, so that those fields are written.
fn certificate() -> Certificate {
    Certificate {
        revoked_at: Some(at()),
        revoked_reason: Some("fraud".into()),
        replaced_by: Some("y".into()),
        ..sample::certificate()
    }
}

#[test]
fn attribute_names_are_the_serde_names_of_the_fields_they_mirror() {
    assert_fields(
        &program(),
        &[
            attr::STATE,
            attr::VERSION,
            attr::UPDATED_AT,
            attr::ENDED_AT,
            attr::CERTIFICATION_ID,
        ],
    );
    assert_fields(
        &certification(),
        &[attr::VERSION, attr::UPDATED_AT, attr::ARCHIVED_AT, attr::VALIDITY],
    );
    assert_fields(
        &enrollment(),
        &[
            attr::PROGRESS,
            attr::EXTENSIONS,
            attr::OUTCOME,
            attr::CERTIFICATE_ID,
            attr::CERTIFICATE,
            attr::LAST_NUDGED_AT,
            attr::NOTIFIED_AT,
            attr::NOTIFY_ERROR,
            attr::FAILING_SINCE,
            attr::GIVEN_UP_AT,
        ],
    );
    assert_fields(
        &certificate(),
        &[attr::REVOKED_AT, attr::REVOKED_REASON, attr::REPLACED_BY],
    );
    assert_fields(&RunRecord::start("p1", at()), &[attr::STATE]);
    let claim = Claim {
        outcome: Outcome::Passed,
        certificate: Some(certificate()),
    };
    assert_fields(&claim, &[attr::OUTCOME, attr::CERTIFICATE]);
    let job = certify_rules::NudgeJob {
        id: "j1".into(),
        certification_name: "Leadership".into(),
        locale: Default::default(),
        queued_at: at(),
        targets: Vec::new(),
        done: 3,
    };
    assert_fields(&job, &[attr::DONE]);
}

#[test]
fn store_attributes_are_no_field_of_the_items_they_sit_on() {
    assert_not_fields(&program(), &[attr::WORKSPACE_ID, attr::IMPORTING]);
    assert_not_fields(&certificate(), &[attr::WORKSPACE_ID]);
    assert_not_fields(&certification(), &[attr::OPEN_LINKS]);
    assert_not_fields(&RunRecord::start("p1", at()), &[attr::LEASE_OWNER, attr::LEASE_UNTIL]);
    assert_not_fields(&enrollment(), &[attr::NUDGE_CLAIM_OWNER, attr::NUDGE_CLAIM_UNTIL]);
}

#[test]
fn state_values_are_the_serde_names_of_the_states() {
    let serde_name = |v: Value| v.as_str().unwrap().to_string();
    let named = [
        (serde_json::to_value(ProgramState::Active).unwrap(), state::ACTIVE),
        (serde_json::to_value(ProgramState::Ending).unwrap(), state::ENDING),
        (serde_json::to_value(ProgramState::Ended).unwrap(), state::ENDED),
        (serde_json::to_value(RunState::Running).unwrap(), state::RUNNING),
    ];
    for (value, constant) in named {
        assert_eq!(serde_name(value), constant);
    }
}

proptest::proptest! {
    /// Any two accepted times (SPEC 1.1: 1970-01-01 to 9999-12-31) sort in the sweep's
    /// and the holder's index keys as they sort in time, whatever the ids after them.
    #[test]
    fn index_keys_sort_as_time_does(
        a in TIME_MIN.timestamp()..=TIME_MAX.timestamp(),
        b in TIME_MIN.timestamp()..=TIME_MAX.timestamp(),
        ids in ("[a-z0-9_-]{1,12}", "[a-z0-9_-]{1,12}"),
    ) {
        let (a, b) = (DateTime::from_timestamp(a, 0).unwrap(), DateTime::from_timestamp(b, 0).unwrap());
        let (x, y) = (super::open_sort_key("ws1", &ids.0, a), super::open_sort_key("ws0", &ids.1, b));
        if a != b {
            proptest::prop_assert_eq!(a < b, x < y, "{} vs {}", x, y);
        }
        let (days_a, days_b) = (a.date_naive(), b.date_naive());
        let (x, y) = (super::user_sort_key(days_a, &ids.0), super::user_sort_key(days_b, &ids.1));
        if days_a != days_b {
            proptest::prop_assert_eq!(days_a < days_b, x < y, "{} vs {}", x, y);
        }
    }
}
