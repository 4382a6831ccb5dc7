//! The storage contract, written once and run against the embedded store (a redb file)
//! and the DynamoDB store (moto's server, a fresh table per test, created from
//! `template.yaml`).

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

use std::sync::Arc;

use base64::Engine;
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

const TEMPLATE: &str = include_str!("../../../template.yaml");

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
    }
}

/// u1's nudge mark in program p1 of ws1.
async fn last_nudged<T: Table>(s: &Store<T>) -> Option<DateTime<Utc>> {
    let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
    roster.enrollments[0].last_nudged_at
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

mod cases {
    use super::*;

    pub async fn settings_default_to_disabled_and_round_trip<T: Table>(s: Store<T>) {
        assert!(!s.settings("ws1").await.unwrap().certifications_enabled);
        let on = WorkspaceSettings {
            certifications_enabled: true,
            ..Default::default()
        };
        s.put_settings("ws1", &on).await.unwrap();
        assert_eq!(s.settings("ws1").await.unwrap(), on);
        assert!(!s.settings("ws2").await.unwrap().certifications_enabled);
        let linked = WorkspaceSettings {
            certifications_enabled: true,
            linkedin_organization_id: Some("1337".into()),
        };
        s.put_settings("ws1", &linked).await.unwrap();
        assert_eq!(s.settings("ws1").await.unwrap(), linked);
        s.put_settings("ws1", &on).await.unwrap();
        assert_eq!(
            s.settings("ws1").await.unwrap(),
            on,
            "a put replaces the whole settings"
        );
    }

    pub async fn certifications_are_created_once_and_isolated_by_workspace<T: Table>(s: Store<T>) {
        let c = certification("c1");
        s.create_certification("ws1", &c, &admin()).await.unwrap();
        assert_eq!(s.certification("ws1", "c1").await.unwrap(), Some(c.clone()));
        assert_eq!(
            conflict(s.create_certification("ws1", &c, &admin()).await),
            Conflict::AlreadyExists
        );
        assert_eq!(
            s.certification("ws2", "c1").await.unwrap(),
            None,
            "another workspace sees nothing"
        );
        s.create_certification("ws2", &c, &admin()).await.unwrap();
        assert_eq!(
            s.certification("ws#x", "c1").await.unwrap(),
            None,
            "ids with # are never keys"
        );
    }

    pub async fn a_stale_version_is_refused_and_changes_nothing<T: Table>(s: Store<T>) {
        let c = certification("c1");
        s.create_certification("ws1", &c, &admin()).await.unwrap();
        let mut fields = c.fields.clone();
        fields.name = "Renamed".into();
        fields.validity = None;
        let next = s
            .update_certification("ws1", &c, &fields, now(), &admin())
            .await
            .unwrap();
        assert_eq!(next.version, 2);
        let stored = s.certification("ws1", "c1").await.unwrap().unwrap();
        assert_eq!(
            (stored.fields.name.as_str(), stored.fields.validity, stored.version),
            ("Renamed", None, 2)
        );
        fields.name = "Stale".into();
        assert_eq!(
            conflict(s.update_certification("ws1", &c, &fields, now(), &admin()).await),
            Conflict::StaleVersion
        );
        assert_eq!(
            s.certification("ws1", "c1").await.unwrap().unwrap().fields.name,
            "Renamed"
        );
        not_found(s.update_certification("ws2", &c, &fields, now(), &admin()).await);
    }

    pub async fn lists_page_through_every_item_once<T: Table>(s: Store<T>) {
        for i in 0..7 {
            s.create_certification("ws1", &certification(&format!("c{i}")), &admin())
                .await
                .unwrap();
            s.create_program("ws1", &program(&format!("p{i}"), None)).await.unwrap();
        }
        s.create_certification("ws2", &certification("other"), &admin())
            .await
            .unwrap();
        s.archive_certification("ws1", "c3", None, now(), &admin())
            .await
            .unwrap();
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let p = s.certifications("ws1", false, &page(2, cursor)).await.unwrap();
            assert!(p.items.len() <= 2);
            seen.extend(p.items.into_iter().map(|c| c.id));
            match p.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, ["c0", "c1", "c2", "c4", "c5", "c6"]);
        let all = s.certifications("ws1", true, &page(100, None)).await.unwrap();
        assert_eq!((all.items.len(), all.next_cursor), (7, None));
        let mut programs = Vec::new();
        let mut cursor = None;
        loop {
            let p = s.programs("ws1", &page(3, cursor)).await.unwrap();
            programs.extend(p.items.into_iter().map(|p| p.id));
            match p.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(programs, ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
        assert!(s.programs("ws2", &page(10, None)).await.unwrap().items.is_empty());
        assert!(matches!(
            s.certifications("ws1", false, &page(2, Some("not-a-cursor!".into())))
                .await,
            Err(StoreError::BadCursor)
        ));
    }

    pub async fn a_forged_cursor_is_refused_before_it_reaches_the_table<T: Table>(s: Store<T>) {
        for i in 0..3 {
            s.create_certification("ws1", &certification(&format!("c{i}")), &admin())
                .await
                .unwrap();
            s.create_program("ws1", &program(&format!("p{i}"), None)).await.unwrap();
        }
        s.create_certification("ws2", &certification("theirs"), &admin())
            .await
            .unwrap();
        s.create_program("ws2", &program("theirs", None)).await.unwrap();
        let forge = |key: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string());
        for (what, key) in [
            ("another workspace", json!({"pk": "WS#ws2", "sk": "CERT#theirs"})),
            ("a number", json!({"pk": "WS#ws1", "sk": 7})),
            (
                "an attribute more",
                json!({"pk": "WS#ws1", "sk": "CERT#c0", "version": "1"}),
            ),
            ("no sort key", json!({"pk": "WS#ws1"})),
            ("outside the list's prefix", json!({"pk": "WS#ws1", "sk": "SETTINGS"})),
            ("not an object", json!(["WS#ws1", "CERT#c0"])),
        ] {
            let refused = s.certifications("ws1", true, &page(2, Some(forge(key)))).await;
            assert!(matches!(refused, Err(StoreError::BadCursor)), "{what}: {refused:?}");
        }
        let first = s.programs("ws1", &page(1, None)).await.unwrap();
        let genuine = first.next_cursor.unwrap();
        assert_eq!(s.programs("ws1", &page(5, Some(genuine))).await.unwrap().items.len(), 2);
        let theirs = json!({"pk": "WS#ws2#PROG#theirs", "sk": "#PROGRAM",
                            "gsi1pk": "WS#ws2#PROGRAMS", "gsi1sk": "theirs"});
        let refused = s.programs("ws1", &page(2, Some(forge(theirs)))).await;
        assert!(matches!(refused, Err(StoreError::BadCursor)), "{refused:?}");
    }

    pub async fn links_need_a_live_certification_and_are_indexed<T: Table>(s: Store<T>) {
        s.create_certification("ws1", &certification("c1"), &admin())
            .await
            .unwrap();
        s.create_certification("ws1", &certification("c2"), &admin())
            .await
            .unwrap();
        s.archive_certification("ws1", "c2", None, now(), &admin())
            .await
            .unwrap();
        assert_eq!(
            conflict(s.create_program("ws1", &program("p0", Some("missing"))).await),
            Conflict::CertificationUnavailable
        );
        assert_eq!(
            conflict(s.create_program("ws1", &program("p0", Some("c2"))).await),
            Conflict::CertificationUnavailable
        );
        assert_eq!(
            s.program("ws1", "p0").await.unwrap(),
            None,
            "a refused create writes nothing"
        );
        let p1 = program("p1", Some("c1"));
        s.create_program("ws1", &p1).await.unwrap();
        assert_eq!(conflict(s.create_program("ws1", &p1).await), Conflict::AlreadyExists);
        let linking: Vec<String> = s
            .programs_linking("ws1", "c1")
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(linking, ["p1"]);
        // Unlink, then relink: the index follows.
        let mut fields = fields_of(&p1);
        fields.certification_id = None;
        let unlinked = s.update_program("ws1", &p1, &fields, now()).await.unwrap();
        assert!(s.programs_linking("ws1", "c1").await.unwrap().is_empty());
        fields.certification_id = Some("c2".into());
        assert_eq!(
            conflict(s.update_program("ws1", &unlinked, &fields, now()).await),
            Conflict::CertificationUnavailable
        );
        assert_eq!(
            s.program("ws1", "p1").await.unwrap().unwrap().version,
            2,
            "nothing changed"
        );
        fields.certification_id = Some("c1".into());
        let relinked = s.update_program("ws1", &unlinked, &fields, now()).await.unwrap();
        assert_eq!(s.program("ws1", "p1").await.unwrap(), Some(relinked.clone()));
        assert_eq!(
            conflict(s.update_program("ws1", &unlinked, &fields, now()).await),
            Conflict::StaleVersion
        );
        s.begin_end("ws1", "p1", now()).await.unwrap();
        let ending = s.program("ws1", "p1").await.unwrap().unwrap();
        assert_eq!(
            conflict(s.update_program("ws1", &ending, &fields, now()).await),
            Conflict::ProgramEnded
        );
        not_found(s.update_program("ws2", &ending, &fields, now()).await);
    }

    pub async fn a_certification_in_use_cannot_be_archived<T: Table>(s: Store<T>) {
        s.create_certification("ws1", &certification("c1"), &admin())
            .await
            .unwrap();
        s.create_program("ws1", &program("p1", Some("c1"))).await.unwrap();
        assert_eq!(
            conflict(s.archive_certification("ws1", "c1", None, now(), &admin()).await),
            Conflict::CertificationInUse
        );
        s.begin_end("ws1", "p1", now()).await.unwrap();
        assert_eq!(
            conflict(s.archive_certification("ws1", "c1", None, now(), &admin()).await),
            Conflict::CertificationInUse,
            "an ending program has not ended"
        );
        s.finish_end("ws1", "p1").await.unwrap();
        assert_eq!(
            conflict(s.archive_certification("ws1", "c1", Some(7), now(), &admin()).await),
            Conflict::StaleVersion
        );
        let archived = s
            .archive_certification("ws1", "c1", Some(1), now(), &admin())
            .await
            .unwrap();
        assert!(archived.is_archived());
        assert!(s.certification("ws1", "c1").await.unwrap().unwrap().is_archived());
        not_found(s.archive_certification("ws1", "c1", None, now(), &admin()).await);
        not_found(s.archive_certification("ws2", "c1", None, now(), &admin()).await);
        let fields = archived.fields.clone();
        not_found(s.update_certification("ws1", &archived, &fields, now(), &admin()).await);
    }

    pub async fn moving_or_dropping_a_link_frees_the_old_certification<T: Table>(s: Store<T>) {
        for c in ["c1", "c2", "c3"] {
            s.create_certification("ws1", &certification(c), &admin())
                .await
                .unwrap();
        }
        let p1 = program("p1", Some("c1"));
        s.create_program("ws1", &p1).await.unwrap();
        s.create_program("ws1", &program("p2", Some("c3"))).await.unwrap();
        let mut fields = fields_of(&p1);
        fields.certification_id = Some("c2".into());
        let moved = s.update_program("ws1", &p1, &fields, now()).await.unwrap();
        assert_eq!(
            conflict(s.archive_certification("ws1", "c2", None, now(), &admin()).await),
            Conflict::CertificationInUse
        );
        s.archive_certification("ws1", "c1", None, now(), &admin())
            .await
            .unwrap();
        fields.certification_id = None;
        s.update_program("ws1", &moved, &fields, now()).await.unwrap();
        s.archive_certification("ws1", "c2", None, now(), &admin())
            .await
            .unwrap();
        assert_eq!(
            conflict(s.archive_certification("ws1", "c3", None, now(), &admin()).await),
            Conflict::CertificationInUse,
            "an unrelated link still counts"
        );
    }

    pub async fn the_roster_is_one_partition_and_frozen_once_the_program_ends<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        s.add_component("ws1", "p1", &component("k2", 2)).await.unwrap();
        s.add_component("ws1", "p1", &component("k1", 1)).await.unwrap();
        assert_eq!(
            conflict(s.add_component("ws1", "p1", &component("k1", 1)).await),
            Conflict::AlreadyExists
        );
        not_found(s.add_component("ws1", "nope", &component("k9", 9)).await);
        not_found(s.add_component("ws2", "p1", &component("k9", 9)).await);
        s.enroll("ws1", "p1", &[participant("u1"), participant("u2")])
            .await
            .unwrap();
        assert_eq!(
            conflict(s.enroll("ws1", "p1", &[participant("u3"), participant("u2")]).await),
            Conflict::AlreadyEnrolled(vec!["u2".into()])
        );
        s.set_progress("ws1", "p1", "u1", "k1", ProgressStatus::Completed)
            .await
            .unwrap();
        s.set_progress("ws1", "p1", "u1", "k2", ProgressStatus::InProgress)
            .await
            .unwrap();
        s.set_progress("ws1", "p1", "u1", "k2", ProgressStatus::Missed)
            .await
            .unwrap();
        not_found(s.set_progress("ws1", "p1", "u3", "k1", ProgressStatus::Completed).await);
        not_found(s.set_progress("ws1", "p1", "u1", "k9", ProgressStatus::Completed).await);
        let due = now() + Duration::days(9);
        s.set_extension("ws1", "p1", "u2", "k2", Some(due)).await.unwrap();
        let (p1, comps) = s.program_with_components("ws1", "p1").await.unwrap().unwrap();
        assert_eq!((p1.id.as_str(), comps.len(), comps[0].id.as_str()), ("p1", 2, "k1"));
        assert!(s.program_with_components("ws2", "p1").await.unwrap().is_none());
        let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
        assert_eq!(roster.program.id, "p1");
        let ids: Vec<&str> = roster.components.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["k1", "k2"]);
        let users: Vec<&str> = roster
            .enrollments
            .iter()
            .map(|e| e.participant.user_id.as_str())
            .collect();
        assert_eq!(
            users,
            ["u1", "u2"],
            "u3 was refused with u2: none of that request was enrolled"
        );
        let u1 = &roster.enrollments[0];
        assert_eq!(u1.participant, participant("u1"));
        assert_eq!(u1.progress.get("k1"), Some(&ProgressStatus::Completed));
        assert_eq!(u1.progress.get("k2"), Some(&ProgressStatus::Missed));
        assert_eq!(roster.enrollments[1].extensions.get("k2"), Some(&due));
        s.set_extension("ws1", "p1", "u2", "k2", None).await.unwrap();
        let mut k1 = component("k1", 5);
        k1.title = "Renamed".into();
        s.update_component("ws1", "p1", &k1).await.unwrap();
        not_found(s.update_component("ws1", "p1", &component("k9", 1)).await);
        s.remove_component("ws1", "p1", "k2").await.unwrap();
        not_found(s.remove_component("ws1", "p1", "k2").await);
        s.unenroll("ws1", "p1", "u2").await.unwrap();
        not_found(s.unenroll("ws1", "p1", "u2").await);
        let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
        assert!(roster.enrollments[0].extensions.is_empty() || roster.enrollments.len() == 1);
        assert_eq!(roster.components[0].title, "Renamed");
        assert_eq!((roster.components.len(), roster.enrollments.len()), (1, 1));
        assert!(s.roster("ws2", "p1").await.unwrap().is_none());

        s.begin_end("ws1", "p1", now()).await.unwrap();
        let ended = |r: Result<(), StoreError>| assert_eq!(conflict(r), Conflict::ProgramEnded);
        ended(s.add_component("ws1", "p1", &component("k3", 3)).await);
        ended(s.update_component("ws1", "p1", &k1).await);
        ended(s.remove_component("ws1", "p1", "k1").await);
        ended(s.enroll("ws1", "p1", &[participant("u4")]).await);
        ended(s.unenroll("ws1", "p1", "u1").await);
        ended(
            s.set_progress("ws1", "p1", "u1", "k1", ProgressStatus::InProgress)
                .await,
        );
        ended(s.set_extension("ws1", "p1", "u1", "k1", Some(due)).await);
        let frozen = s.roster("ws1", "p1").await.unwrap().unwrap();
        assert_eq!(
            frozen.enrollments[0].progress.get("k1"),
            Some(&ProgressStatus::Completed)
        );
    }

    pub async fn a_hundred_participants_enroll_in_one_request_or_none_do<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        let hundred: Vec<Participant> = (0..100).map(|i| participant(&format!("u{i:03}"))).collect();
        s.enroll("ws1", "p1", &hundred[99..]).await.unwrap();
        assert_eq!(
            conflict(s.enroll("ws1", "p1", &hundred).await),
            Conflict::AlreadyEnrolled(vec!["u099".into()])
        );
        assert_eq!(s.roster("ws1", "p1").await.unwrap().unwrap().enrollments.len(), 1);
        s.enroll("ws1", "p1", &hundred[..99]).await.unwrap();
        assert_eq!(s.roster("ws1", "p1").await.unwrap().unwrap().enrollments.len(), 100);
    }

    pub async fn racing_updates_of_one_version_let_exactly_one_win<T: Table>(s: Store<T>) {
        let s = Arc::new(s);
        let c = certification("c1");
        s.create_certification("ws1", &c, &admin()).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (s, c) = (s.clone(), c.clone());
                tokio::spawn(async move {
                    let mut fields = c.fields.clone();
                    fields.name = format!("Writer {i}");
                    s.update_certification("ws1", &c, &fields, now(), &admin()).await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(StoreError::Conflict(Conflict::StaleVersion)) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(won, 1);
        assert_eq!(s.certification("ws1", "c1").await.unwrap().unwrap().version, 2);
    }

    pub async fn racing_archive_and_link_never_leave_an_archived_certification_linked<T: Table>(s: Store<T>) {
        let s = Arc::new(s);
        s.create_certification("ws1", &certification("c1"), &admin())
            .await
            .unwrap();
        let (a, b) = (s.clone(), s.clone());
        let archive = tokio::spawn(async move { a.archive_certification("ws1", "c1", None, now(), &admin()).await });
        let link = tokio::spawn(async move { b.create_program("ws1", &program("p1", Some("c1"))).await });
        let (archived, linked) = (archive.await.unwrap(), link.await.unwrap());
        assert!(
            archived.is_ok() != linked.is_ok(),
            "exactly one wins: {archived:?} / {linked:?}"
        );
        let c = s.certification("ws1", "c1").await.unwrap().unwrap();
        let programs = s.programs_linking("ws1", "c1").await.unwrap();
        assert!(
            !c.is_archived() || programs.is_empty(),
            "an archived certification is never linked"
        );
    }
    pub async fn exactly_one_of_racing_ends_wins_and_ended_programs_leave_the_sweep<T: Table>(s: Store<T>) {
        let s = Arc::new(s);
        let mut due = program("p1", None);
        due.ends_at = now() - Duration::hours(1);
        s.create_program("ws1", &due).await.unwrap();
        s.create_program("ws2", &program("p2", None)).await.unwrap();
        let open = s.due_programs(now(), 10).await.unwrap();
        let ids: Vec<(String, String)> = open.into_iter().map(|(ws, p)| (ws, p.id)).collect();
        assert_eq!(ids, [("ws1".to_string(), "p1".to_string())], "p2 ends later");
        assert!(s.due_runs(now(), 10).await.unwrap().is_empty(), "no run yet");
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.begin_end("ws1", "p1", now() - Duration::hours(1)).await })
            })
            .collect();
        let mut won = 0;
        for r in racers {
            match r.await.unwrap() {
                Ok(p) => {
                    won += 1;
                    assert_eq!(
                        (p.state, p.ended_at),
                        (ProgramState::Ending, Some(now() - Duration::hours(1)))
                    );
                }
                Err(StoreError::Conflict(Conflict::ProgramEnded)) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(won, 1);
        assert!(
            s.due_programs(now(), 10).await.unwrap().is_empty(),
            "an ending program is no longer due"
        );
        assert_eq!(
            s.due_runs(now(), 10).await.unwrap().len(),
            1,
            "an ending program's run is the sweep's"
        );
        assert_eq!(s.finish_end("ws1", "p1").await.unwrap().state, ProgramState::Ended);
        assert_eq!(conflict(s.finish_end("ws1", "p1").await), Conflict::ProgramEnded);
        let later = now() + Duration::days(30);
        let due = s.due_programs(later, 10).await.unwrap();
        let runs = s.due_runs(later, 10).await.unwrap();
        assert!(due.iter().chain(&runs).all(|(_, p)| p.id != "p1"));
        not_found(s.begin_end("ws1", "missing", now()).await);
    }

    pub async fn nudge_jobs_are_found_when_due_and_worked_under_one_lease<T: Table>(s: Store<T>) {
        let job = |id: &str, minutes: i64| NudgeJob {
            id: id.into(),
            certification_name: "Leadership".into(),
            queued_at: now() + Duration::minutes(minutes),
            targets: Vec::new(),
            done: 0,
        };
        s.queue_nudges("ws1", &job("j1", 0)).await.unwrap();
        s.queue_nudges("ws2", &job("j2", 1)).await.unwrap();
        assert_eq!(
            conflict(s.queue_nudges("ws1", &job("j1", 5)).await),
            Conflict::AlreadyExists
        );
        let due = |minutes: i64| s.due_nudge_jobs(now() + Duration::minutes(minutes), 10);
        let ids = |due: Vec<(String, NudgeJob)>| -> Vec<String> {
            due.into_iter().map(|(ws, j)| format!("{ws}/{}", j.id)).collect()
        };
        assert_eq!(ids(due(0).await.unwrap()), ["ws1/j1"]);
        assert_eq!(ids(due(1).await.unwrap()), ["ws1/j1", "ws2/j2"]);
        let lease = |owner: &str, minutes: i64| Lease {
            owner: owner.into(),
            until: now() + Duration::minutes(minutes),
        };
        let (first, second) = (lease("a", 2), lease("b", 5));
        assert_eq!(
            s.take_nudge_job("ws1", "j1", &first, now()).await.unwrap(),
            Some(job("j1", 0))
        );
        let at = |minutes: i64| now() + Duration::minutes(minutes);
        assert_eq!(
            s.take_nudge_job("ws1", "j1", &second, at(1)).await.unwrap(),
            None,
            "held"
        );
        assert!(
            s.take_nudge_job("ws1", "j1", &second, at(3)).await.unwrap().is_some(),
            "expired"
        );
        let mut progressed = job("j1", 0);
        progressed.done = 5;
        assert_eq!(
            conflict(s.save_nudge_job("ws1", &progressed, &first).await),
            Conflict::StaleVersion,
            "the first holder's lease is gone"
        );
        s.save_nudge_job("ws1", &progressed, &second).await.unwrap();
        let resumed = s.take_nudge_job("ws1", "j1", &second, at(4)).await.unwrap().unwrap();
        assert_eq!(resumed.done, 5);
        assert_eq!(
            conflict(s.finish_nudge_job("ws1", "j1", &first).await),
            Conflict::StaleVersion
        );
        s.finish_nudge_job("ws1", "j1", &second).await.unwrap();
        assert_eq!(ids(due(10).await.unwrap()), ["ws2/j2"]);
        assert_eq!(
            s.take_nudge_job("ws1", "j1", &second, at(4)).await.unwrap(),
            None,
            "done"
        );
    }

    pub async fn a_nudge_claim_holds_off_other_senders_and_the_mark_waits_for_the_send<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        s.enroll("ws1", "p1", &[participant("u1")]).await.unwrap();
        let at = |minutes: i64| now() + Duration::minutes(minutes);
        let claim = |owner: &str, until: i64| Lease {
            owner: owner.into(),
            until: at(until),
        };
        let (a, b) = (claim("a", 2), claim("b", 10));
        assert!(s.claim_nudge("ws1", "p1", "u1", None, &a, now()).await.unwrap());
        assert!(
            !s.claim_nudge("ws1", "p1", "u1", None, &b, at(1)).await.unwrap(),
            "a's claim is live"
        );
        // A failed send releases the claim and sets no mark: still nudgeable.
        assert!(s.settle_nudge("ws1", "p1", "u1", &a, None).await.unwrap());
        assert_eq!(last_nudged(&s).await, None);
        assert!(s.claim_nudge("ws1", "p1", "u1", None, &b, at(1)).await.unwrap());
        // A crashed sender's claim runs out; the next takes over and a's settle is refused.
        let c = claim("c", 20);
        assert!(s.claim_nudge("ws1", "p1", "u1", None, &c, at(11)).await.unwrap());
        assert!(!s.settle_nudge("ws1", "p1", "u1", &b, Some(at(11))).await.unwrap());
        assert!(s.settle_nudge("ws1", "p1", "u1", &c, Some(at(12))).await.unwrap());
        assert_eq!(last_nudged(&s).await, Some(at(12)), "the mark is the send's");
        assert!(
            !s.claim_nudge("ws1", "p1", "u1", None, &claim("d", 30), at(13))
                .await
                .unwrap(),
            "nudged since the plan read its mark"
        );
        assert!(s
            .claim_nudge("ws1", "p1", "u1", Some(at(12)), &claim("d", 30), at(13))
            .await
            .unwrap());
        not_found(s.claim_nudge("ws1", "p1", "nobody", None, &a, now()).await);
        not_found(s.settle_nudge("ws1", "p1", "nobody", &a, None).await);
    }

    pub async fn runs_start_once_and_claims_and_marks_are_kept_once<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        let people: Vec<Participant> = (1..=3).map(|i| participant(&format!("u{i}"))).collect();
        s.enroll("ws1", "p1", &people).await.unwrap();
        let mut record = RunRecord::start("p1", now());
        assert_eq!(s.start_run("ws1", &record).await.unwrap(), record);
        let later = RunRecord::start("p1", now() + Duration::hours(1));
        assert_eq!(
            s.start_run("ws1", &later).await.unwrap(),
            record,
            "the first run record stands"
        );
        record.evaluated = 1;
        s.save_run("ws1", &record, None).await.unwrap();
        record.state = RunState::Completed;
        s.save_run("ws1", &record, None).await.unwrap();
        assert_eq!(conflict(s.save_run("ws1", &record, None).await), Conflict::StaleVersion);
        assert_eq!(s.run("ws1", "p1").await.unwrap(), Some(record));
        let claim = |id: &str| Claim {
            outcome: Outcome::Passed,
            certificate: Some(certificate(id, "p1")),
        };
        let first = claim("cert-1");
        assert_eq!(s.claim_outcome("ws1", "p1", "u1", &first).await.unwrap(), first);
        assert_eq!(
            s.claim_outcome("ws1", "p1", "u1", &claim("cert-2")).await.unwrap(),
            first,
            "a retry reuses the id"
        );
        not_found(s.claim_outcome("ws1", "p1", "ghost", &first).await);
        let failed = Claim {
            outcome: Outcome::DidNotPass {
                not_completed: vec!["k1".into()],
            },
            certificate: None,
        };
        let batch = [
            ("u1".to_string(), claim("cert-9")),
            ("u2".to_string(), claim("cert-2")),
            ("u3".to_string(), failed.clone()),
        ];
        assert_eq!(
            s.claim_outcomes("ws1", "p1", &batch).await.unwrap(),
            [first.clone(), claim("cert-2"), failed.clone()],
            "a batch keeps every claim that stands"
        );
        let marks = |ids: &[&str]| -> Vec<NotifyMark> {
            ids.iter()
                .map(|id| NotifyMark {
                    user_id: id.to_string(),
                    error: (*id == "u3").then(|| "address refused".to_string()),
                    certificate_id: None,
                })
                .collect()
        };
        assert_eq!(s.mark_notified("ws1", "p1", &marks(&["u1"]), now()).await.unwrap(), 1);
        assert_eq!(
            s.mark_notified("ws1", "p1", &marks(&["u1", "u2", "u3"]), now())
                .await
                .unwrap(),
            2,
            "a mark is set once"
        );
        let next = now() + Duration::days(1);
        let nudger = Lease {
            owner: "n1".into(),
            until: now() + Duration::minutes(2),
        };
        assert!(s.claim_nudge("ws1", "p1", "u1", None, &nudger, now()).await.unwrap());
        assert!(s.settle_nudge("ws1", "p1", "u1", &nudger, Some(next)).await.unwrap());
        let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
        let by_id = |id: &str| roster.enrollments.iter().find(|e| e.participant.user_id == id).unwrap();
        assert_eq!(by_id("u1").outcome, Some(Outcome::Passed));
        assert_eq!(by_id("u1").certificate_id.as_deref(), Some("cert-1"));
        assert_eq!(
            by_id("u1").certificate,
            Some(certificate("cert-1", "p1")),
            "the claimed certificate is kept whole"
        );
        assert_eq!(by_id("u1").last_nudged_at, Some(next));
        assert_eq!(by_id("u2").notified_at, Some(now()));
        assert_eq!(by_id("u3").notify_error.as_deref(), Some("address refused"));
        assert_eq!(by_id("u2").notify_error, None);
    }

    pub async fn one_holder_leases_a_running_run_until_its_lease_runs_out<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        let lease = |owner: &str, minutes: i64| Lease {
            owner: owner.into(),
            until: now() + Duration::minutes(minutes),
        };
        not_found(s.take_run("ws1", "p1", &lease("a", 2), now()).await);
        let mut record = RunRecord::start("p1", now());
        s.start_run("ws1", &record).await.unwrap();
        assert_eq!(
            s.take_run("ws1", "p1", &lease("a", 2), now()).await.unwrap(),
            Some(record.clone())
        );
        assert_eq!(
            s.take_run("ws1", "p1", &lease("b", 2), now()).await.unwrap(),
            None,
            "a live lease is another's"
        );
        record.evaluated = 3;
        s.save_run("ws1", &record, Some(&lease("a", 4))).await.unwrap();
        assert_eq!(
            conflict(s.save_run("ws1", &record, Some(&lease("b", 4))).await),
            Conflict::StaleVersion,
            "only the holder checkpoints"
        );
        let later = now() + Duration::minutes(5);
        let taken = s.take_run("ws1", "p1", &lease("b", 8), later).await.unwrap();
        assert_eq!(taken.map(|r| r.evaluated), Some(3), "a run-out lease is taken over");
        assert_eq!(
            conflict(s.save_run("ws1", &record, Some(&lease("a", 9))).await),
            Conflict::StaleVersion,
            "the old holder has lost it"
        );
        record.state = RunState::Completed;
        s.save_run("ws1", &record, Some(&lease("b", 9))).await.unwrap();
        assert_eq!(
            s.take_run("ws1", "p1", &lease("c", 20), now() + Duration::hours(1))
                .await
                .unwrap(),
            None,
            "a finished run is never taken"
        );
        assert_eq!(
            s.run("ws1", "p1").await.unwrap().map(|r| r.state),
            Some(RunState::Completed)
        );
    }

    pub async fn an_early_end_is_swept_from_the_time_it_ended<T: Table>(s: Store<T>) {
        let mut later = program("p1", None);
        later.ends_at = now() + Duration::days(30);
        s.create_program("ws1", &later).await.unwrap();
        assert!(s.due_programs(now(), 10).await.unwrap().is_empty());
        s.begin_end("ws1", "p1", now() - Duration::minutes(1)).await.unwrap();
        let open = s.due_runs(now(), 10).await.unwrap();
        assert_eq!(open.len(), 1, "an admin's end makes the program the sweep's at once");
        assert_eq!(open[0].1.state, ProgramState::Ending);
    }

    pub async fn a_run_is_swept_when_it_is_scheduled_and_due_programs_never_wait_for_runs<T: Table>(s: Store<T>) {
        for i in 0..3 {
            let id = format!("r{i}");
            let mut running = program(&id, None);
            running.ends_at = now() - Duration::days(2);
            s.create_program("ws1", &running).await.unwrap();
            s.begin_end("ws1", &id, now() - Duration::days(2)).await.unwrap();
        }
        let mut due = program("d1", None);
        due.ends_at = now() - Duration::hours(1);
        s.create_program("ws2", &due).await.unwrap();
        let ids = |found: Vec<(String, Program)>| found.into_iter().map(|(_, p)| p.id).collect::<Vec<_>>();
        assert_eq!(
            ids(s.due_programs(now(), 1).await.unwrap()),
            ["d1"],
            "older runs do not take a due program's place"
        );
        assert_eq!(ids(s.due_runs(now(), 10).await.unwrap()), ["r0", "r1", "r2"]);
        assert!(s.schedule_run("ws1", "r0", now() + Duration::minutes(4)).await.unwrap());
        assert!(s.schedule_run("ws1", "r1", now() + Duration::minutes(2)).await.unwrap());
        assert_eq!(ids(s.due_runs(now(), 10).await.unwrap()), ["r2"], "the others wait");
        assert_eq!(
            ids(s.due_runs(now() + Duration::minutes(5), 10).await.unwrap()),
            ["r2", "r1", "r0"],
            "oldest try first"
        );
        s.finish_end("ws1", "r2").await.unwrap();
        assert!(
            !s.schedule_run("ws1", "r2", now()).await.unwrap(),
            "an ended program's run is not scheduled"
        );
        assert!(
            !s.schedule_run("ws2", "d1", now()).await.unwrap(),
            "nor an active program's"
        );
        assert_eq!(ids(s.due_programs(now(), 10).await.unwrap()), ["d1"]);
        not_found(s.schedule_run("ws1", "missing", now()).await);
    }

    pub async fn failing_and_given_up_marks_are_set_once<T: Table>(s: Store<T>) {
        s.create_program("ws1", &program("p1", None)).await.unwrap();
        let people: Vec<Participant> = (1..=3).map(|i| participant(&format!("u{i}"))).collect();
        s.enroll("ws1", "p1", &people).await.unwrap();
        let ids = |ids: &[&str]| ids.iter().map(|id| id.to_string()).collect::<Vec<_>>();
        let later = now() + Duration::hours(1);
        assert_eq!(s.mark_failing("ws1", "p1", &ids(&["u1"]), now()).await.unwrap(), 1);
        assert_eq!(
            s.mark_failing("ws1", "p1", &ids(&["u1", "u2"]), later).await.unwrap(),
            1,
            "the first failure's time stands"
        );
        assert_eq!(s.give_up("ws1", "p1", &ids(&["u1"]), later).await.unwrap(), 1);
        assert_eq!(s.give_up("ws1", "p1", &ids(&["u1"]), later).await.unwrap(), 0);
        not_found(s.mark_failing("ws1", "p1", &ids(&["ghost"]), now()).await);
        not_found(s.give_up("ws1", "p1", &ids(&["ghost"]), now()).await);
        let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
        let by_id = |id: &str| roster.enrollments.iter().find(|e| e.participant.user_id == id).unwrap();
        assert_eq!(
            (by_id("u1").failing_since, by_id("u1").given_up_at),
            (Some(now()), Some(later))
        );
        assert_eq!(
            (by_id("u2").failing_since, by_id("u2").given_up_at),
            (Some(later), None)
        );
        assert_eq!((by_id("u3").failing_since, by_id("u3").given_up_at), (None, None));
    }

    pub fn certificate(id: &str, program_id: &str) -> Certificate {
        Certificate {
            id: id.into(),
            user_id: "u1".into(),
            holder_name: "Ana Ávila".into(),
            certification: CertificationSnapshot {
                id: "c1".into(),
                name: "Leadership".into(),
                description: "d".into(),
                issuer_name: "Exec".into(),
            },
            program: ProgramRef {
                id: program_id.into(),
                name: "P".into(),
            },
            issued_on: now().date_naive(),
            expires_on: None,
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
        }
    }

    pub async fn a_new_certificate_replaces_the_active_one_in_one_swap<T: Table>(s: Store<T>) {
        assert!(s
            .issue_certificate("ws1", &certificate("a", "p1"), now(), &admin())
            .await
            .unwrap());
        assert!(
            !s.issue_certificate("ws1", &certificate("a", "p1"), now(), &admin())
                .await
                .unwrap(),
            "issued once"
        );
        assert_eq!(
            s.active_certificate("ws1", "u1", "c1").await.unwrap().as_deref(),
            Some("a")
        );
        assert!(s
            .issue_certificate("ws1", &certificate("b", "p2"), now(), &admin())
            .await
            .unwrap());
        assert_eq!(
            s.active_certificate("ws1", "u1", "c1").await.unwrap().as_deref(),
            Some("b")
        );
        let (ws, old) = s.certificate("a").await.unwrap().unwrap();
        assert_eq!((ws.as_str(), old.replaced_by.as_deref()), ("ws1", Some("b")));
        assert!(old.revoked_at.is_some());
        let mine: Vec<String> = s
            .certificates_of("ws1", "u1")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(mine.len(), 2);
        assert!(s.certificates_of("ws2", "u1").await.unwrap().is_empty());
        not_found(s.revoke_certificate("ws2", "b", "no", now(), &admin()).await);
        let revoked = s
            .revoke_certificate("ws1", "b", "fraud", now(), &admin())
            .await
            .unwrap();
        assert_eq!(revoked.revoked_reason.as_deref(), Some("fraud"));
        assert_eq!(
            conflict(s.revoke_certificate("ws1", "b", "again", now(), &admin()).await),
            Conflict::AlreadyRevoked
        );
        assert_eq!(s.active_certificate("ws1", "u1", "c1").await.unwrap(), None);
        assert!(s.certificate("missing").await.unwrap().is_none());
    }

    pub async fn racing_issues_leave_exactly_one_active_certificate<T: Table>(s: Store<T>) {
        let s = Arc::new(s);
        let tasks: Vec<_> = ["x", "y", "z"]
            .into_iter()
            .map(|id| {
                let s = s.clone();
                tokio::spawn(async move {
                    loop {
                        match s.issue_certificate("ws1", &certificate(id, id), now(), &admin()).await {
                            Err(StoreError::Conflict(Conflict::StaleVersion)) => continue,
                            other => return other,
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().unwrap());
        }
        let all = s.certificates_of("ws1", "u1").await.unwrap();
        let active: Vec<&Certificate> = all.iter().filter(|c| c.revoked_at.is_none()).collect();
        assert_eq!((all.len(), active.len()), (3, 1));
        assert_eq!(
            s.active_certificate("ws1", "u1", "c1").await.unwrap().as_deref(),
            Some(active[0].id.as_str())
        );
    }
    pub async fn a_program_imports_with_its_roster_once_and_resumes_an_unfinished_import<T: Table>(s: Store<T>) {
        s.create_certification("ws1", &certification("c1"), &admin())
            .await
            .unwrap();
        let p = program("p1", Some("c1"));
        let components = [component("k1", 1), component("k2", 2)];
        let enrollments: Vec<certify_rules::EnrollmentRecord> = (0..60)
            .map(|i| {
                let mut e = certify_rules::EnrollmentRecord::new(participant(&format!("u{i:02}")));
                e.progress
                    .insert("k1".into(), ProgressStatus::ALL[i % ProgressStatus::ALL.len()]);
                e
            })
            .collect();
        s.import_program("ws1", &p, &components, &enrollments).await.unwrap();
        let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
        assert_eq!(roster.program, p);
        assert_eq!(roster.components, components);
        assert_eq!(roster.enrollments, enrollments);
        assert_eq!(
            conflict(s.archive_certification("ws1", "c1", None, now(), &admin()).await),
            Conflict::CertificationInUse,
            "an imported link counts"
        );
        assert_eq!(
            conflict(s.import_program("ws1", &p, &components, &enrollments).await),
            Conflict::AlreadyExists
        );
        // A crash before the roster was whole: the mark stays, and a second call resumes.
        let key = certify_store::table::Key::new("WS#ws1#PROG#p1", "#PROGRAM");
        s.table()
            .write(Write::update(key.clone()).set(vec!["importing".into()], true.into()))
            .await
            .unwrap();
        s.import_program("ws1", &p, &components, &enrollments).await.unwrap();
        assert!(!s.table().get(&key).await.unwrap().unwrap().contains_key("importing"));
        assert_eq!(s.roster("ws1", "p1").await.unwrap().unwrap().enrollments.len(), 60);
        let twice = [enrollments[0].clone(), enrollments[0].clone()];
        assert_eq!(
            conflict(s.import_program("ws1", &program("p2", None), &[], &twice).await),
            Conflict::AlreadyEnrolled(vec!["u00".into()])
        );
        assert_eq!(
            conflict(s.import_program("ws1", &program("p3", Some("gone")), &[], &[]).await),
            Conflict::CertificationUnavailable
        );
        assert!(s.program("ws1", "p2").await.unwrap().is_none());
    }
}

#[path = "contract/history.rs"]
mod history;

macro_rules! contract {
    ($backend:ident, $make:path) => {
        mod $backend {
            use super::*;
            contract!(@cases $make;
                cases::settings_default_to_disabled_and_round_trip,
                cases::certifications_are_created_once_and_isolated_by_workspace,
                cases::a_stale_version_is_refused_and_changes_nothing,
                cases::lists_page_through_every_item_once,
                cases::a_forged_cursor_is_refused_before_it_reaches_the_table,
                cases::links_need_a_live_certification_and_are_indexed,
                cases::a_certification_in_use_cannot_be_archived,
                cases::moving_or_dropping_a_link_frees_the_old_certification,
                cases::the_roster_is_one_partition_and_frozen_once_the_program_ends,
                cases::a_hundred_participants_enroll_in_one_request_or_none_do,
                cases::a_program_imports_with_its_roster_once_and_resumes_an_unfinished_import,
                cases::racing_updates_of_one_version_let_exactly_one_win,
                cases::racing_archive_and_link_never_leave_an_archived_certification_linked,
                cases::exactly_one_of_racing_ends_wins_and_ended_programs_leave_the_sweep,
                cases::runs_start_once_and_claims_and_marks_are_kept_once,
                cases::nudge_jobs_are_found_when_due_and_worked_under_one_lease,
                cases::a_nudge_claim_holds_off_other_senders_and_the_mark_waits_for_the_send,
                cases::one_holder_leases_a_running_run_until_its_lease_runs_out,
                cases::an_early_end_is_swept_from_the_time_it_ended,
                cases::a_run_is_swept_when_it_is_scheduled_and_due_programs_never_wait_for_runs,
                cases::failing_and_given_up_marks_are_set_once,
                cases::a_new_certificate_replaces_the_active_one_in_one_swap,
                cases::racing_issues_leave_exactly_one_active_certificate,

                history::changes_are_recorded_with_their_history_oldest_first,
                history::a_refused_change_records_nothing,            );
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
