//! Who a nudge reaches (SPEC 1.9): off-track participants, at most once per 24 hours
//! per program.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{not_null, Invalid, Problems};
use crate::identity::check_identity;
use crate::locale::Locale;
use crate::roster::{PastDue, PipelineStatus, Roster};

/// How long a participant rests between two nudges for the same program.
pub const NUDGE_INTERVAL: Duration = Duration::hours(24);
pub const NUDGE_USER_IDS_MAX: usize = 500;

/// Body of `POST /certifications/{id}/nudges`: each field may be omitted, never `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NudgeInput {
    #[serde(default, deserialize_with = "not_null")]
    pub program_id: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub user_ids: Option<Vec<String>>,
}

/// Which participants to consider: all of the pipeline, one program, given users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NudgeRequest {
    pub program_id: Option<String>,
    pub user_ids: Option<Vec<String>>,
}

impl NudgeInput {
    pub fn parse(&self) -> Result<NudgeRequest, Invalid> {
        let mut p = Problems::new();
        if self.program_id.as_deref().is_some_and(|id| id.trim().is_empty()) {
            p.add("program_id", "must not be empty (omit it to nudge every program)");
        }
        if let Some(ids) = &self.user_ids {
            if ids.is_empty() {
                p.add("user_ids", "must not be empty (omit it to nudge everyone off track)");
            }
            if ids.len() > NUDGE_USER_IDS_MAX {
                p.add("user_ids", format!("must hold at most {NUDGE_USER_IDS_MAX} ids"));
            }
            for (i, id) in ids.iter().enumerate() {
                if let Err(problem) = check_identity(id) {
                    p.add(&format!("user_ids[{i}]"), problem);
                }
            }
        }
        p.finish(|| NudgeRequest {
            program_id: self.program_id.as_ref().map(|s| s.trim().to_string()),
            user_ids: self.user_ids.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NudgeSkipReason {
    /// Nudged for this program less than 24 hours ago.
    NudgedRecently,
    /// Named in `user_ids` but not off track.
    NotOffTrack,
    /// Named in `user_ids` but not in the selected part of the pipeline.
    NotEnrolled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgeSkip {
    pub user_id: String,
    pub program_id: Option<String>,
    pub reason: NudgeSkipReason,
}

/// One reminder to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgeTarget {
    pub program_id: String,
    pub program_name: String,
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub past_due: Vec<PastDue>,
    /// The mark the store must still hold for the send to go ahead (`None`: never
    /// nudged), so that two concurrent nudges cannot both send.
    pub previous_nudge: Option<DateTime<Utc>>,
    /// The participant's own language for emails (SPEC 1.17), if they have one.
    #[serde(default)]
    pub locale: Option<Locale>,
}

/// Targets one queued job holds: its stored item stays well under DynamoDB's 400 KB.
pub const NUDGE_JOB_MAX: usize = 200;

/// Nudges a request queued, sent by the sweep at the sending rate (SPEC 1.9): each
/// target is sent only while its mark still reads `previous_nudge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgeJob {
    pub id: String,
    pub certification_name: String,
    /// The language of its emails to participants without their own (SPEC 1.17): the
    /// certification's, else the workspace's, when queued.
    #[serde(default)]
    pub locale: Locale,
    pub queued_at: DateTime<Utc>,
    pub targets: Vec<NudgeTarget>,
    /// The targets before this index are done with (sent, or no longer to be sent).
    #[serde(default)]
    pub done: usize,
}

impl NudgeJob {
    /// A plan's targets as jobs of at most [`NUDGE_JOB_MAX`], ids from `new_id`.
    pub fn queue(
        targets: Vec<NudgeTarget>,
        certification_name: &str,
        locale: Locale,
        now: DateTime<Utc>,
        mut new_id: impl FnMut() -> String,
    ) -> Vec<NudgeJob> {
        targets
            .chunks(NUDGE_JOB_MAX)
            .map(|chunk| NudgeJob {
                id: new_id(),
                certification_name: certification_name.to_string(),
                locale,
                queued_at: now,
                targets: chunk.to_vec(),
                done: 0,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NudgePlan {
    pub send: Vec<NudgeTarget>,
    pub skipped: Vec<NudgeSkip>,
}

/// Whether a participant last nudged at `last` may be nudged again at `now`.
pub fn may_nudge(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|last| now - last >= NUDGE_INTERVAL)
}

/// Plans a nudge over the rosters of a certification's programs.
pub fn plan_nudges(rosters: &[Roster], request: &NudgeRequest, now: DateTime<Utc>) -> NudgePlan {
    let named = |user_id: &str| {
        request
            .user_ids
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|id| id == user_id))
    };
    let selected = rosters
        .iter()
        .filter(|r| request.program_id.as_ref().is_none_or(|p| *p == r.program().id));
    let mut plan = NudgePlan::default();
    let mut found = std::collections::HashSet::new();
    for roster in selected {
        for e in roster.enrollments().iter().filter(|e| named(&e.participant.user_id)) {
            let user_id = &e.participant.user_id;
            found.insert(user_id.as_str());
            let skip = |reason| NudgeSkip {
                user_id: user_id.clone(),
                program_id: Some(roster.program().id.clone()),
                reason,
            };
            if roster.status(e, now) != PipelineStatus::OffTrack {
                if request.user_ids.is_some() {
                    plan.skipped.push(skip(NudgeSkipReason::NotOffTrack));
                }
            } else if !may_nudge(e.last_nudged_at, now) {
                plan.skipped.push(skip(NudgeSkipReason::NudgedRecently));
            } else {
                plan.send.push(NudgeTarget {
                    program_id: roster.program().id.clone(),
                    program_name: roster.program().name.clone(),
                    user_id: user_id.clone(),
                    name: e.participant.name.clone(),
                    email: e.participant.email.clone(),
                    past_due: roster.past_due(e, now),
                    previous_nudge: e.last_nudged_at,
                    locale: e.participant.locale,
                });
            }
        }
    }
    for id in request.user_ids.iter().flatten() {
        if !found.contains(id.as_str()) {
            plan.skipped.push(NudgeSkip {
                user_id: id.clone(),
                program_id: request.program_id.clone(),
                reason: NudgeSkipReason::NotEnrolled,
            });
            found.insert(id);
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{now, people, record, roster};
    use crate::program::progress::ProgressStatus as S;

    #[test]
    fn a_nudge_names_each_user_id_outside_the_identity_rule_and_refuses_null() {
        let input = NudgeInput {
            program_id: None,
            user_ids: Some(vec!["u-ana".into(), "u#1".into(), " u-ana".into()]),
        };
        assert_eq!(input.parse().unwrap_err().fields(), ["user_ids[1]", "user_ids[2]"]);
        for body in [r#"{"program_id": null}"#, r#"{"user_ids": null}"#] {
            let refused = serde_json::from_str::<NudgeInput>(body).unwrap_err();
            assert!(refused.to_string().starts_with("must not be null"), "{body}: {refused}");
        }
        let everyone: NudgeInput = serde_json::from_str("{}").unwrap();
        assert_eq!(everyone.parse().unwrap(), NudgeRequest::default());
    }

    #[test]
    fn nudges_reach_off_track_participants_once_per_day_per_program() {
        let mut recent = record("recent", &[]);
        recent.last_nudged_at = Some(now() - Duration::hours(23));
        let mut long_ago = record("long_ago", &[]);
        long_ago.last_nudged_at = Some(now() - Duration::hours(24));
        let rosters = [roster(vec![
            record("off", &[]),
            record("on", &[("k1", S::Completed)]),
            recent,
            long_ago,
        ])];
        let plan = plan_nudges(&rosters, &NudgeRequest::default(), now());
        let sent: Vec<&str> = plan.send.iter().map(|t| t.user_id.as_str()).collect();
        assert_eq!(sent, ["off", "long_ago"]);
        assert_eq!(plan.send[0].past_due.len(), 1, "k1 is the past-due counted component");
        assert_eq!(plan.send[0].past_due[0].component_id, "k1");
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].reason, NudgeSkipReason::NudgedRecently);
    }

    #[test]
    fn nudging_named_users_says_why_each_was_skipped() {
        let rosters = [roster(vec![record("off", &[]), record("on", &[("k1", S::Completed)])])];
        let request = NudgeRequest {
            program_id: None,
            user_ids: Some(vec!["off".into(), "on".into(), "ghost".into()]),
        };
        let plan = plan_nudges(&rosters, &request, now());
        assert_eq!(plan.send.len(), 1);
        let reasons: Vec<(&str, NudgeSkipReason)> =
            plan.skipped.iter().map(|s| (s.user_id.as_str(), s.reason)).collect();
        assert_eq!(
            reasons,
            [
                ("on", NudgeSkipReason::NotOffTrack),
                ("ghost", NudgeSkipReason::NotEnrolled)
            ]
        );
    }

    #[test]
    fn nudging_one_program_leaves_the_others_alone() {
        let rosters = [
            people("p1", "A", &[("u1", "Ana", None)]),
            people("p2", "B", &[("u2", "Ben", None)]),
        ];
        let request = NudgeRequest {
            program_id: Some("p2".into()),
            user_ids: None,
        };
        let plan = plan_nudges(&rosters, &request, now());
        assert_eq!(plan.send.len(), 1);
        assert_eq!(plan.send[0].program_id, "p2");
    }
}
