//! Certificates: issued once, a new one replacing the active one in one swap, revoked
//! once, racing issues leaving exactly one active; an `Idempotency-Key` claimed once.

use super::*;

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

pub async fn an_idempotency_key_keeps_its_first_claim_for_a_day<T: Table>(s: Store<T>) {
    let first = s.claim_request_key("ws1", "k-1", "f-1", "x1", now()).await.unwrap();
    assert_eq!(
        (first.fingerprint.as_str(), first.certificate_id.as_str()),
        ("f-1", "x1")
    );
    let later = now() + Duration::hours(23);
    let again = s.claim_request_key("ws1", "k-1", "f-2", "x2", later).await.unwrap();
    assert_eq!(again, first, "a later claim answers the first");
    let elsewhere = s.claim_request_key("ws2", "k-1", "f-2", "x2", later).await.unwrap();
    assert_eq!(elsewhere.certificate_id, "x2", "keys are the workspace's own");
    let expired = now() + Duration::hours(25);
    let fresh = s.claim_request_key("ws1", "k-1", "f-3", "x3", expired).await.unwrap();
    assert_eq!(fresh.certificate_id, "x3", "an expired claim is replaced");
    let claims: Vec<(String, String)> = (0..4).map(|i| (format!("f{i}"), format!("y{i}"))).collect();
    let racing = futures::future::join_all(
        claims
            .iter()
            .map(|(f, y)| s.claim_request_key("ws1", "k-2", f, y, now())),
    )
    .await;
    let winners: Vec<String> = racing.into_iter().map(|r| r.unwrap().certificate_id).collect();
    assert!(
        winners.iter().all(|w| w == &winners[0]),
        "one claim stands: {winners:?}"
    );
    assert!(
        s.claim_request_key("ws1", "k#3", "f", "z", now()).await.is_err(),
        "not a key"
    );
}
