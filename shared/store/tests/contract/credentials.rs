//! Open Badges credentials (SPEC 1.12): status-list entries unique under racing takes,
//! a revocation or a replacement setting exactly its certificate's bit in the same
//! transaction, a signed credential and a subject id kept once.

use std::collections::HashSet;

use certify_rules::{Regeneration, StatusEntry};
use certify_store::{CredentialStore, RegenerationClaim, RegenerationStore};

use super::*;

pub async fn racing_takes_get_unique_status_entries<T: Table>(s: Store<T>) {
    assert_eq!(s.status_lists().await.unwrap(), 0, "no list before the first entry");
    let s = Arc::new(s);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let s = s.clone();
            // Most take one (a certificate by hand), some a run's chunk.
            tokio::spawn(async move { s.take_status_entries(if i % 10 == 0 { 8 } else { 1 }).await })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap().unwrap());
    }
    assert_eq!(all.len(), 45 + 5 * 8);
    assert_eq!(s.status_lists().await.unwrap(), 1);
    let unique: HashSet<(u64, u64)> = all.iter().map(|e| (e.list, e.index)).collect();
    assert_eq!(unique.len(), all.len(), "every entry given out once: {all:?}");
    assert!(all.iter().all(|e| e.list == 1));
    assert!(s.take_status_entries(0).await.unwrap().is_empty());
}

fn with_status(id: &str, user: &str, index: u64) -> Certificate {
    Certificate {
        user_id: user.into(),
        status: Some(StatusEntry { list: 1, index }),
        ..certificate(id, "p1")
    }
}

pub async fn revoking_or_replacing_sets_exactly_that_certificates_bit<T: Table>(s: Store<T>) {
    for (id, user, index) in [("a", "u1", 3), ("b", "u2", 4), ("c", "u3", 5)] {
        assert!(s
            .issue_certificate("ws1", &with_status(id, user, index), now(), &admin())
            .await
            .unwrap());
    }
    assert!(s.revoked_entries(1).await.unwrap().is_empty());
    s.revoke_certificate("ws1", "b", "fraud", now(), &admin())
        .await
        .unwrap();
    assert_eq!(s.revoked_entries(1).await.unwrap(), vec![4], "only b's bit");
    assert!(s.revoked_entries(2).await.unwrap().is_empty());

    // A replacement refused (its id is taken) sets nothing.
    assert!(!s
        .issue_certificate("ws1", &with_status("c", "u1", 9), now(), &admin())
        .await
        .unwrap());
    assert_eq!(s.revoked_entries(1).await.unwrap(), vec![4]);
    // u1's new certificate replaces a: a's bit is set by that one transaction.
    assert!(s
        .issue_certificate("ws1", &with_status("d", "u1", 6), now(), &admin())
        .await
        .unwrap());
    assert_eq!(s.revoked_entries(1).await.unwrap(), vec![3, 4]);
    let (_, a) = s.certificate("a").await.unwrap().unwrap();
    assert_eq!(a.replaced_by.as_deref(), Some("d"));
}

pub async fn a_credential_and_a_subject_id_are_kept_once<T: Table>(s: Store<T>) {
    let c = certification("c1");
    s.create_certification("ws1", &c, &admin()).await.unwrap();
    let issued = Certificate {
        certification: CertificationSnapshot::of(&c, certify_rules::Locale::En),
        ..with_status("x", "u1", 1)
    };
    assert!(s.issue_certificate("ws1", &issued, now(), &admin()).await.unwrap());
    assert_eq!(s.credential("x").await.unwrap(), None);
    assert_eq!(s.keep_credential("x", "jwt-1", None).await.unwrap(), "jwt-1");
    assert_eq!(
        s.keep_credential("x", "jwt-2", None).await.unwrap(),
        "jwt-1",
        "the first stands"
    );
    assert_eq!(s.credential("x").await.unwrap().as_deref(), Some("jwt-1"));
    // A stale one is replaced only by a caller that saw it, once.
    assert_eq!(s.keep_credential("x", "jwt-3", Some("jwt-0")).await.unwrap(), "jwt-1");
    assert_eq!(s.keep_credential("x", "jwt-3", Some("jwt-1")).await.unwrap(), "jwt-3");
    assert_eq!(s.keep_credential("x", "jwt-4", Some("jwt-1")).await.unwrap(), "jwt-3");
    assert_eq!(s.credential("x").await.unwrap().as_deref(), Some("jwt-3"));
    assert_eq!(s.credential("no#such").await.unwrap(), None);

    assert_eq!(s.subject_id("ws1", "u1", "urn:uuid:1").await.unwrap(), "urn:uuid:1");
    assert_eq!(s.subject_id("ws1", "u1", "urn:uuid:2").await.unwrap(), "urn:uuid:1");
    assert_eq!(s.subject_id("ws2", "u1", "urn:uuid:3").await.unwrap(), "urn:uuid:3");

    // A regeneration that keeps the snapshot keeps the credential; one that refreshes
    // it drops the credential, to be signed again from the new snapshot.
    let same = regeneration("r1", &c);
    assert!(matches!(
        s.claim_regeneration("x", &same, now()).await.unwrap(),
        RegenerationClaim::Draw(_)
    ));
    assert_eq!(s.credential("x").await.unwrap().as_deref(), Some("jwt-3"));
    let mut renamed = c.clone();
    renamed.fields.name = "Renamed".into();
    assert!(matches!(
        s.claim_regeneration("x", &regeneration("r2", &renamed), now())
            .await
            .unwrap(),
        RegenerationClaim::Draw(_)
    ));
    assert_eq!(s.credential("x").await.unwrap(), None);
}

fn regeneration(id: &str, c: &Certification) -> Regeneration {
    Regeneration::request(id.into(), c, certify_rules::Locale::En, true, admin(), now())
}
