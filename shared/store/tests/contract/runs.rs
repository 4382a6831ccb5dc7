//! Ending programs and their runs: racing ends, the sweep of due programs and runs,
//! run records, leases, claims and marks, and nudge jobs and claims.

use super::*;

/// u1's nudge mark in program p1 of ws1.
async fn last_nudged<T: Table>(s: &Store<T>) -> Option<DateTime<Utc>> {
    let roster = s.roster("ws1", "p1").await.unwrap().unwrap();
    roster.enrollments[0].last_nudged_at
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
        locale: Default::default(),
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
