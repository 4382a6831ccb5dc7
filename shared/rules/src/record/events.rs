//! Events out (SPEC 1.15): every committed history entry, and a program's end and its
//! run's completion, told to the platform as an event. What an event says is decided
//! here; the store keeps each entry waiting until it is published, and the trigger
//! publishes them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::record::history::{Change, HistoryEntry};

/// The `source` of every event.
pub const EVENT_SOURCE: &str = "certify";

/// What an entry is the history of: the first half of its event's `detail-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSubject {
    Certificate,
    Certification,
    Program,
    Run,
}

impl EventSubject {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSubject::Certificate => "certificate",
            EventSubject::Certification => "certification",
            EventSubject::Program => "program",
            EventSubject::Run => "run",
        }
    }

    /// The field of `detail` that names the subject (a run is its program's).
    pub fn id_field(self) -> &'static str {
        match self {
            EventSubject::Certificate => "certificate_id",
            EventSubject::Certification => "certification_id",
            EventSubject::Program | EventSubject::Run => "program_id",
        }
    }

    /// The subject a change is told of: a program's end and its run's completion have
    /// their own; a certification's and a certificate's changes are told as the
    /// history they were written in.
    pub fn of_change(change: &Change, history_of: EventSubject) -> EventSubject {
        match change {
            Change::Ended {} => EventSubject::Program,
            Change::Completed(_) => EventSubject::Run,
            _ => history_of,
        }
    }
}

/// An event as it goes out: `detail-type` `{subject}.{type}` (`certificate.issued`,
/// `certification.updated`, `program.ended`, `run.completed`, ...), and `detail` with
/// the event's `id` (the entry's: consumers deduplicate on it), `workspace_id`, the
/// subject's id and the entry. An entry never holds an email address, so no event does.
#[derive(Debug, Clone, PartialEq)]
pub struct OutEvent {
    pub id: String,
    pub detail_type: String,
    /// The subject, by kind and id: events of one subject go out in the order of its
    /// history. A run is its program's (`program.ended` goes out before `run.completed`).
    pub subject: (EventSubject, String),
    pub detail: Value,
}

impl OutEvent {
    pub fn of_entry(workspace_id: &str, subject: EventSubject, subject_id: &str, entry: &HistoryEntry) -> OutEvent {
        let mut detail = json!({
            "id": entry.id,
            "workspace_id": workspace_id,
            "entry": entry,
        });
        detail[subject.id_field()] = subject_id.into();
        let kind = serde_json::to_value(&entry.change)
            .ok()
            .and_then(|v| v.get("type").and_then(Value::as_str).map(String::from))
            .unwrap_or_default();
        OutEvent {
            id: entry.id.clone(),
            detail_type: format!("{}.{kind}", subject.as_str()),
            subject: (
                match subject {
                    EventSubject::Run => EventSubject::Program,
                    other => other,
                },
                subject_id.to_string(),
            ),
            detail,
        }
    }
}

/// Splits events, in order, into batches of at most `max` in which no subject appears
/// twice: a batch is sent whole or in part, so an event goes in a batch only once its
/// subject's earlier event was accepted (in an earlier batch). Answers the batches'
/// lengths.
pub fn batches(events: &[OutEvent], max: usize) -> Vec<usize> {
    let max = max.max(1);
    let mut lengths = Vec::new();
    let mut subjects = HashSet::new();
    let mut len = 0;
    for event in events {
        if len == max || !subjects.insert(&event.subject) {
            lengths.push(len);
            subjects.clear();
            subjects.insert(&event.subject);
            len = 0;
        }
        len += 1;
    }
    if len > 0 {
        lengths.push(len);
    }
    lengths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::ProgramRef;
    use crate::record::history::Actor;

    fn issued(id: &str) -> HistoryEntry {
        let program = Some(ProgramRef {
            id: "p1".into(),
            name: "Spring".into(),
        });
        let at = "2026-12-01T09:00:00Z".parse().unwrap();
        HistoryEntry::new(id.into(), at, Change::Issued { program }, Actor::System)
    }

    #[test]
    fn an_event_names_its_type_subject_and_workspace() {
        let event = OutEvent::of_entry("ws1", EventSubject::Certificate, "c1", &issued("h1"));
        assert_eq!(event.detail_type, "certificate.issued");
        assert_eq!(event.id, "h1");
        assert_eq!(
            event.detail,
            json!({"id": "h1", "workspace_id": "ws1", "certificate_id": "c1", "entry": {
                "id": "h1", "at": "2026-12-01T09:00:00Z", "type": "issued", "actor": {"kind": "system"},
                "details": {"program": {"id": "p1", "name": "Spring"}}}})
        );
        let ended = HistoryEntry::new(
            "h2".into(),
            "2026-12-01T09:00:00Z".parse().unwrap(),
            Change::Ended {},
            Actor::System,
        );
        let subject = EventSubject::of_change(&ended.change, EventSubject::Program);
        let event = OutEvent::of_entry("ws1", subject, "p1", &ended);
        assert_eq!(event.detail_type, "program.ended");
        assert_eq!(event.detail["program_id"], "p1");
    }

    #[test]
    fn a_batch_never_holds_two_events_of_one_subject() {
        let event = |subject: &str, id: &str| OutEvent::of_entry("ws", EventSubject::Certificate, subject, &issued(id));
        let events = vec![
            event("a", "1"),
            event("b", "2"),
            event("a", "3"),
            event("c", "4"),
            event("d", "5"),
            event("e", "6"),
        ];
        assert_eq!(batches(&events, 10), vec![2, 4]);
        assert_eq!(batches(&events, 3), vec![2, 3, 1]);
        assert_eq!(batches(&events[..1], 0), vec![1]);
        assert!(batches(&[], 10).is_empty());
    }
}
