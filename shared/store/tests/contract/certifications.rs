//! Workspace settings, certifications (create, update, archive), paged lists and their
//! cursors, and the links from programs to certifications.

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
        locale: certify_rules::Locale::Ar,
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

pub async fn a_certifications_locale_is_set_and_cleared<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    assert_eq!(s.certification("ws1", "c1").await.unwrap().unwrap().fields.locale, None);
    let mut fields = c.fields.clone();
    fields.locale = Some(certify_rules::Locale::Ar);
    let c = s
        .update_certification("ws1", &c, &fields, now(), &admin())
        .await
        .unwrap();
    let stored = s.certification("ws1", "c1").await.unwrap().unwrap();
    assert_eq!(stored.fields.locale, Some(certify_rules::Locale::Ar));
    fields.locale = None;
    s.update_certification("ws1", &c, &fields, now(), &admin())
        .await
        .unwrap();
    let stored = s.certification("ws1", "c1").await.unwrap().unwrap();
    assert_eq!((stored.fields.locale, stored.version), (None, 3), "cleared");
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
    for id in ["c1", "c2"] {
        s.create_certification("ws1", &certification(id), &admin())
            .await
            .unwrap();
    }
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
