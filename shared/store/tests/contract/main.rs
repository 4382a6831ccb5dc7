//! The storage contract, written once and run against the embedded store (a redb file)
//! and the DynamoDB store (moto's server, a fresh table per test, created from
//! `template.yaml`), one module per aggregate; with them `batch_faults`, what moto cannot
//! make DynamoDB do. The crate's one integration-test binary.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

use std::sync::Arc;

use base64::Engine;
use certify_fixtures::sample;
use certify_rules::{Actor, Certificate, CertificationSnapshot, Outcome, ProgramRef, RunRecord, RunState};
use certify_rules::{
    Certification, CertificationFields, Component, ComponentKind, NudgeJob, Participant, Program, ProgramFields,
    ProgramState, ProgressStatus, Validity, ValidityUnit,
};
use certify_store::table::{Table, Write};
use certify_store::{
    CertificateStore, CertificationStore, Claim, Conflict, DynamoTable, EmbeddedTable, Lease, NotifyMark, NudgeStore,
    PageRequest, ProgramStore, RosterStore, RunStore, SettingsStore, Store, StoreError, TableSchema, WorkspaceSettings,
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

const TEMPLATE: &str = include_str!("../../../../template.yaml");

/// The admin every change of these tests is made by.
fn admin() -> Actor {
    Actor::admin("u-admin")
}

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

fn certification(id: &str) -> Certification {
    Certification {
        id: id.into(),
        fields: CertificationFields {
            name: format!("Certification {id}"),
            description: "Ünïcode déscription".into(),
            issuer_name: "Exec".into(),
            validity: Some(Validity::new(12, ValidityUnit::Months).unwrap()),
            expiry_reminders_days: vec![30],
            locale: None,
        },
        created_at: now(),
        updated_at: now(),
        version: 1,
        archived_at: None,
    }
}

fn program(id: &str, certification_id: Option<&str>) -> Program {
    Program {
        id: id.into(),
        name: format!("Program {id}"),
        starts_at: now() - Duration::days(10),
        ends_at: now() + Duration::days(10),
        certification_id: certification_id.map(String::from),
        state: ProgramState::Active,
        ended_at: None,
        created_at: now(),
        updated_at: now(),
        version: 1,
    }
}

fn fields_of(p: &Program) -> ProgramFields {
    ProgramFields {
        name: p.name.clone(),
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        certification_id: p.certification_id.clone(),
    }
}

fn component(id: &str, position: i64) -> Component {
    Component {
        id: id.into(),
        title: format!("Component {id}"),
        kind: ComponentKind::Lesson,
        optional: false,
        starts_at: None,
        ends_at: Some(now() + Duration::days(3)),
        position,
    }
}

fn participant(user_id: &str) -> Participant {
    Participant {
        user_id: user_id.into(),
        name: format!("Ana Ávila {user_id}"),
        email: format!("{user_id}@example.com"),
        avatar_url: None,
        group: Some("Alpha".into()),
        locale: None,
    }
}

fn page(limit: usize, cursor: Option<String>) -> PageRequest {
    PageRequest { limit, cursor }
}

fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Conflict {
    match r {
        Err(StoreError::Conflict(c)) => c,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::NotFound)), "expected not found, got {r:?}");
}

/// The sample certificate as `id`, held by `u1`, from program `program_id` ("P").
fn certificate(id: &str, program_id: &str) -> Certificate {
    Certificate {
        id: id.into(),
        user_id: "u1".into(),
        program: Some(ProgramRef {
            id: program_id.into(),
            name: "P".into(),
        }),
        ..sample::certificate()
    }
}

mod batch_faults;
mod certificates;
mod certifications;
mod credentials;
mod events;
mod history;
mod regeneration;
mod registry;
mod reminders;
mod roster;
mod runs;

macro_rules! contract {
    ($backend:ident, $make:path) => {
        mod $backend {
            use super::*;
            contract!(@cases $make;
                certifications::settings_default_to_disabled_and_round_trip,
                certifications::certifications_are_created_once_and_isolated_by_workspace,
                certifications::a_stale_version_is_refused_and_changes_nothing,
                certifications::a_certifications_locale_is_set_and_cleared,
                certifications::lists_page_through_every_item_once,
                certifications::a_forged_cursor_is_refused_before_it_reaches_the_table,
                certifications::links_need_a_live_certification_and_are_indexed,
                certifications::a_certification_in_use_cannot_be_archived,
                certifications::moving_or_dropping_a_link_frees_the_old_certification,
                roster::the_roster_is_one_partition_and_frozen_once_the_program_ends,
                roster::a_hundred_participants_enroll_in_one_request_or_none_do,
                roster::a_program_imports_with_its_roster_once_and_resumes_an_unfinished_import,
                certifications::racing_updates_of_one_version_let_exactly_one_win,
                certifications::racing_archive_and_link_never_leave_an_archived_certification_linked,
                runs::exactly_one_of_racing_ends_wins_and_ended_programs_leave_the_sweep,
                runs::runs_start_once_and_claims_and_marks_are_kept_once,
                runs::nudge_jobs_are_found_when_due_and_worked_under_one_lease,
                runs::a_nudge_claim_holds_off_other_senders_and_the_mark_waits_for_the_send,
                runs::one_holder_leases_a_running_run_until_its_lease_runs_out,
                runs::an_early_end_is_swept_from_the_time_it_ended,
                runs::a_run_is_swept_when_it_is_scheduled_and_due_programs_never_wait_for_runs,
                runs::failing_and_given_up_marks_are_set_once,
                certificates::a_new_certificate_replaces_the_active_one_in_one_swap,
                certificates::racing_issues_leave_exactly_one_active_certificate,
                certificates::an_idempotency_key_keeps_its_first_claim_for_a_day,
                credentials::racing_takes_get_unique_status_entries,
                credentials::revoking_or_replacing_sets_exactly_that_certificates_bit,
                credentials::a_credential_and_a_subject_id_are_kept_once,

                history::changes_are_recorded_with_their_history_oldest_first,
                history::a_refused_change_records_nothing,
                events::committed_entries_wait_in_order_until_published,
                registry::a_query_reads_either_way_and_resumes_after_its_last_item,
                registry::the_registry_reads_a_certification_by_index_in_few_requests,
                regeneration::one_regeneration_runs_at_a_time_under_one_lease,
                regeneration::a_claim_takes_the_snapshot_with_its_history_once,
                regeneration::a_certificate_revoked_before_its_files_were_drawn_is_still_drawn,
                reminders::reminders_are_found_by_their_next_look_and_recorded_once,
                reminders::a_revoked_or_replaced_certificate_leaves_the_reminders,
            );
        }
    };
    (@cases $make:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $make().await;
                $module::$case(store).await;
            }
        )*
    };
}

async fn embedded() -> (Store<EmbeddedTable>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let table = EmbeddedTable::open(&dir.path().join("certify.redb")).unwrap();
    (Store::new(table), dir)
}

async fn dynamo() -> (Store<DynamoTable>, ()) {
    let endpoint = certify_testkit::moto().endpoint();
    let config = certify_testkit::sdk_config(&endpoint).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let name = certify_testkit::unique("certify");
    TableSchema::from_template(TEMPLATE, "Table")
        .unwrap()
        .create(&client, &name)
        .await
        .unwrap();
    (Store::new(DynamoTable::new(client, name)), ())
}

contract!(embedded_store, embedded);
contract!(dynamo_store, dynamo);

#[test]
fn the_template_declares_the_indexes_the_store_uses() {
    let schema = TableSchema::from_template(TEMPLATE, "Table").unwrap();
    let declared: Vec<(String, String, String)> = certify_store::table::INDEXES
        .iter()
        .map(|i| (i.name.to_string(), i.pk.to_string(), i.sk.to_string()))
        .collect();
    assert_eq!(schema.indexes, declared);
}

#[tokio::test]
async fn the_embedded_store_keeps_its_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certify.redb");
    {
        let s = Store::new(EmbeddedTable::open(&path).unwrap());
        s.create_certification("ws1", &certification("c1"), &admin())
            .await
            .unwrap();
    }
    let s = Store::new(EmbeddedTable::open(&path).unwrap());
    assert!(s.certification("ws1", "c1").await.unwrap().is_some());
}

/// The roster of a 1,000-participant program with 20 components, every cell filled, is
/// read in one paginated Query; prints the request count and the bytes read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_participant_roster_costs_few_requests() {
    let (s, ()) = dynamo().await;
    let components: Vec<Component> = (0..20).map(|i| component(&format!("component-{i:02}"), i)).collect();
    let enrollments: Vec<certify_rules::EnrollmentRecord> = (0..1000)
        .map(|i| {
            let mut record = certify_rules::EnrollmentRecord::new(participant(&format!("user-{i:04}")));
            for c in &components {
                record.progress.insert(c.id.clone(), ProgressStatus::InProgress);
            }
            record
        })
        .collect();
    let bytes: usize = enrollments.iter().map(|e| serde_json::to_vec(e).unwrap().len()).sum();
    s.import_program("ws1", &program("p1", None), &components, &enrollments)
        .await
        .unwrap();
    let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
    assert_eq!((roster.enrollments.len(), roster.components.len()), (1000, 20));
    assert!(roster.enrollments.iter().all(|e| e.progress.len() == 20));
    println!(
        "roster of 1000 participants x 20 components: {} Query request(s) on moto, about {} KiB of items \
         (DynamoDB pages at 1 MiB: {} request(s))",
        roster.requests,
        bytes / 1024,
        bytes / (1024 * 1024) + 1
    );
    assert!(roster.requests <= 3);
}
