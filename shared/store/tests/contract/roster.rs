//! Programs' rosters: components, enrollment, progress and extensions, frozen once the
//! program ends; enrolling many at once; importing a program with its roster.

use super::*;

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
