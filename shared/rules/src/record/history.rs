//! The history of a certificate and of a certification (SPEC 1.15): what changed, when,
//! and who changed it. The store writes each entry in the same transaction as the change
//! it records.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::certification::CertificationFields;
use crate::program::ProgramRef;
use crate::run::{RunRecord, RunState};

/// Who made a change: the system (a program's run, the sweep) or an admin, by the user
/// id of the admin's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    System,
    Admin { user_id: String },
}

impl Actor {
    pub fn admin(user_id: &str) -> Actor {
        Actor::Admin {
            user_id: user_id.to_string(),
        }
    }
}

/// A field's value before and after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub old: Value,
    pub new: Value,
}

/// What happened, with its details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "details", rename_all = "snake_case")]
pub enum Change {
    /// A certificate was issued: by a program's run (`program`), or by an admin.
    Issued { program: Option<ProgramRef> },
    /// The holder was sent the result email.
    Emailed {},
    /// An admin revoked the certificate.
    Revoked { reason: String },
    /// A newer certificate of the same certification replaced this one.
    Replaced { by: String },
    /// The holder was sent an expiry reminder `offset_days` before it expires (SPEC 1.14).
    Reminded { offset_days: u16 },
    /// The holder was told it expired (the day after).
    Expired {},
    /// Its files were drawn again (SPEC 1.13) by a regeneration, which may have given it
    /// the certification's current name, description and issuer.
    Regenerated {
        regeneration_id: String,
        snapshot_changed: bool,
    },
    /// A certification was created.
    Created {},
    /// A certification's fields changed: each changed field, old and new.
    Updated { fields: BTreeMap<String, FieldChange> },
    /// A certification was archived.
    Archived {},
    /// A program ended (its end time passed, or an admin ended it). Published as
    /// `program.ended`; no admin history shows it.
    Ended {},
    /// A program's run finished (or was skipped), with its counts. Published as
    /// `run.completed`; no admin history shows it.
    Completed(RunSummary),
}

/// What a finished run did, as `run.completed` tells it: its counts, never its errors
/// (which may quote a mail service's words about an address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The certification the run certified for (`None`: the program had none).
    pub certification_id: Option<String>,
    pub state: RunState,
    pub reason: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub participants: u64,
    pub certified: u64,
    pub did_not_pass: u64,
    pub notified: u64,
    pub failed: u64,
}

impl RunSummary {
    pub fn of(run: &RunRecord, certification_id: Option<String>) -> RunSummary {
        RunSummary {
            certification_id,
            state: run.state,
            reason: run.reason.clone(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            participants: run.participants,
            certified: run.certified,
            did_not_pass: run.did_not_pass,
            notified: run.notified,
            failed: run.failed,
        }
    }
}

impl Change {
    /// Where the change falls in a life, for entries made at the same instant (a frozen
    /// clock, or one transaction): issued before emailed before replaced or revoked;
    /// created before updated before archived.
    pub fn rank(&self) -> u8 {
        match self {
            Change::Created {} | Change::Issued { .. } | Change::Ended {} => 0,
            Change::Updated { .. }
            | Change::Emailed {}
            | Change::Regenerated { .. }
            | Change::Reminded { .. }
            | Change::Expired {} => 1,
            Change::Archived {} | Change::Replaced { .. } | Change::Revoked { .. } | Change::Completed(_) => 2,
        }
    }
}

/// One entry of a history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub change: Change,
    pub actor: Actor,
}

impl HistoryEntry {
    pub fn new(id: String, at: DateTime<Utc>, change: Change, actor: Actor) -> HistoryEntry {
        HistoryEntry { id, at, change, actor }
    }
}

/// The fields that differ between `old` and `new`, by their names in the API.
pub fn changed_fields(old: &CertificationFields, new: &CertificationFields) -> BTreeMap<String, FieldChange> {
    let as_map = |fields: &CertificationFields| match serde_json::to_value(fields) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (as_map(old), as_map(new));
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let before = old.get(name).cloned().unwrap_or(Value::Null);
            let after = new.get(name).cloned().unwrap_or(Value::Null);
            (before != after).then(|| {
                (
                    name.clone(),
                    FieldChange {
                        old: before,
                        new: after,
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::{Validity, ValidityUnit};
    use serde_json::json;

    #[test]
    fn an_entry_reads_as_the_spec_shows_it() {
        let at = "2026-11-28T19:00:00Z".parse().unwrap();
        let revoked = HistoryEntry::new(
            "h1".into(),
            at,
            Change::Revoked { reason: "fraud".into() },
            Actor::admin("u-admin"),
        );
        let shown = json!({"id": "h1", "at": "2026-11-28T19:00:00Z", "type": "revoked",
            "actor": {"kind": "admin", "user_id": "u-admin"}, "details": {"reason": "fraud"}});
        assert_eq!(serde_json::to_value(&revoked).unwrap(), shown);
        assert_eq!(serde_json::from_value::<HistoryEntry>(shown).unwrap(), revoked);
        let emailed = HistoryEntry::new("h2".into(), at, Change::Emailed {}, Actor::System);
        assert_eq!(
            serde_json::to_value(&emailed).unwrap(),
            json!({"id": "h2", "at": "2026-11-28T19:00:00Z", "type": "emailed",
                "actor": {"kind": "system"}, "details": {}})
        );
    }

    #[test]
    fn an_update_records_only_the_fields_that_changed() {
        let old = CertificationFields {
            name: "Leadership".into(),
            description: "d".into(),
            issuer_name: "Exec".into(),
            validity: None,
            expiry_reminders_days: vec![30],
            locale: None,
        };
        let new = CertificationFields {
            name: "Leadership Essentials".into(),
            validity: Some(Validity::new(6, ValidityUnit::Months).unwrap()),
            ..old.clone()
        };
        let changed = changed_fields(&old, &new);
        assert_eq!(
            serde_json::to_value(&changed).unwrap(),
            json!({
                "name": {"old": "Leadership", "new": "Leadership Essentials"},
                "validity": {"old": null, "new": {"count": 6, "unit": "months"}}
            })
        );
        assert!(changed_fields(&old, &old).is_empty());
    }
}
