//! Expiry reminders (SPEC 1.14): a certificate that expires is found by the day of its
//! next look (not before), a reminder is claimed by one sender and recorded once with
//! its history entry, and revoking or replacing takes it out of the index.

use certify_rules::{Change, Reminder};
use certify_store::{ClaimedReminder, ReminderSent, ReminderStore};
use chrono::NaiveDate;

use super::*;

/// A claim of ws1's certificate `id` to send `reminder`, for settling.
fn settled<'a>(id: &'a str, reminder: Reminder, claim: &'a Lease, before: &'a [Reminder]) -> ClaimedReminder<'a> {
    ClaimedReminder {
        ws: "ws1",
        certificate_id: id,
        reminder,
        claim,
        sent_before: before,
    }
}

fn expiring(id: &str, user_id: &str, expires_on: NaiveDate) -> Certificate {
    Certificate {
        user_id: user_id.into(),
        expires_on: Some(expires_on),
        holder_email: Some(format!("{user_id}@example.com")),
        ..certificate(id, "p1")
    }
}

fn claim(owner: &str) -> Lease {
    Lease {
        owner: owner.into(),
        until: now() + Duration::minutes(2),
    }
}

pub async fn reminders_are_found_by_their_next_look_and_recorded_once<T: Table>(s: Store<T>) {
    let today = now().date_naive();
    // Expiring in 400 days: first looked at 365 days before; in 20 days: today.
    let far = expiring("x-far", "u1", today + Duration::days(400));
    let near = expiring("x-near", "u2", today + Duration::days(20));
    let never = Certificate {
        user_id: "u3".into(),
        ..certificate("x-never", "p1")
    };
    for c in [&far, &near, &never] {
        assert!(s.issue_certificate("ws1", c, now(), &Actor::System).await.unwrap());
    }
    let ids = |looks: Vec<(String, certify_store::ReminderLook)>| -> Vec<String> {
        looks.into_iter().map(|(_, l)| l.certificate.id).collect()
    };
    assert_eq!(ids(s.due_reminder_looks(now(), 10).await.unwrap()), ["x-near"]);
    let a_year = now() + Duration::days(35);
    assert_eq!(
        ids(s.due_reminder_looks(a_year, 10).await.unwrap()),
        ["x-near", "x-far"]
    );

    let r = Reminder::Before(30);
    assert_eq!(
        s.claim_reminder("x-near", r, &claim("a"), now()).await.unwrap(),
        Some(vec![])
    );
    assert!(
        s.claim_reminder("x-near", r, &claim("b"), now())
            .await
            .unwrap()
            .is_none(),
        "held by a"
    );
    assert!(!s
        .settle_reminder(
            &settled("x-near", r, &claim("b"), &[]),
            ReminderSent::Accepted(now()),
            None
        )
        .await
        .unwrap());
    let next = now() + Duration::days(13);
    assert!(s
        .settle_reminder(
            &settled("x-near", r, &claim("a"), &[]),
            ReminderSent::Accepted(now()),
            Some(next)
        )
        .await
        .unwrap());
    assert!(
        s.claim_reminder("x-near", r, &claim("b"), now())
            .await
            .unwrap()
            .is_none(),
        "sent"
    );
    let looks = s.due_reminder_looks(next, 10).await.unwrap();
    let (ws, look) = looks.into_iter().find(|(_, l)| l.certificate.id == "x-near").unwrap();
    assert_eq!((ws.as_str(), look.sent), ("ws1", vec![r]));
    assert!(
        s.due_reminder_looks(now(), 10).await.unwrap().is_empty(),
        "moved to its next look"
    );
    let history = s.certificate_history("ws1", "x-near", &page(50, None)).await.unwrap();
    let reminded: Vec<_> = history
        .items
        .iter()
        .filter(|e| e.change == Change::Reminded { offset_days: 30 })
        .collect();
    assert_eq!(reminded.len(), 1);
    assert_eq!(reminded[0].actor, Actor::System);

    // A claim that ran out is taken over; a failed send records nothing.
    let expired = Reminder::Expired;
    assert_eq!(
        s.claim_reminder("x-near", expired, &claim("c"), now()).await.unwrap(),
        Some(vec![r]),
        "what was sent, as the claim read it"
    );
    let later = now() + Duration::minutes(5);
    assert!(s
        .claim_reminder("x-near", expired, &claim("d"), later)
        .await
        .unwrap()
        .is_some());
    assert!(s
        .settle_reminder(
            &settled("x-near", expired, &claim("d"), &[r]),
            ReminderSent::NotSent,
            Some(later)
        )
        .await
        .unwrap());
    assert_eq!(
        s.claim_reminder("x-near", expired, &claim("e"), later).await.unwrap(),
        Some(vec![r]),
        "still owed, and the earlier mark kept"
    );
    assert!(matches!(
        s.claim_reminder("nope", expired, &claim("e"), later).await,
        Err(StoreError::NotFound)
    ));

    // Nothing due: looked at again later, or never.
    s.look_again("x-far", None).await.unwrap();
    assert!(ids(s.due_reminder_looks(a_year, 10).await.unwrap()) == ["x-near"]);
}

pub async fn a_revoked_or_replaced_certificate_leaves_the_reminders<T: Table>(s: Store<T>) {
    let today = now().date_naive();
    let first = expiring("x1", "u1", today + Duration::days(20));
    s.issue_certificate("ws1", &first, now(), &Actor::System).await.unwrap();
    let renewed = expiring("x2", "u1", today + Duration::days(300));
    s.issue_certificate("ws1", &renewed, now(), &Actor::System)
        .await
        .unwrap();
    let other = expiring("x3", "u2", today + Duration::days(20));
    s.issue_certificate("ws1", &other, now(), &Actor::System).await.unwrap();
    let due: Vec<String> = s
        .due_reminder_looks(now() + Duration::days(400), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, l)| l.certificate.id)
        .collect();
    assert_eq!(due, ["x2", "x3"], "the replaced one left");
    s.revoke_certificate("ws1", "x3", "fraud", now(), &admin())
        .await
        .unwrap();
    assert!(s
        .claim_reminder("x3", Reminder::Before(30), &claim("a"), now())
        .await
        .unwrap()
        .is_none());
    let due = s.due_reminder_looks(now() + Duration::days(400), 10).await.unwrap();
    assert_eq!(due.len(), 1, "the revoked one left");
    s.look_again("x3", Some(now())).await.unwrap();
    assert_eq!(
        s.due_reminder_looks(now() + Duration::days(400), 10)
            .await
            .unwrap()
            .len(),
        1,
        "a revoked one is not put back"
    );
}
