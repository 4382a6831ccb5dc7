//! What one invocation of the trigger is asked (SPEC 4): the EventBridge schedule's sweep,
//! or the work the API handed over ([`Work`], the one message the API writes); anything
//! else is refused before any work. The Lambda handler and the local server's background
//! both come in here.

use certify_rules::{BadWork, Work};
use serde_json::Value;

use crate::{Report, Trigger, TriggerError};
use chrono::{DateTime, Utc};

/// One invocation's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// The EventBridge schedule: end due programs, resume unfinished runs, then the
    /// rest of the background work (nudges, reminders, regenerations, events).
    Sweep,
    /// Work the API handed over.
    Work(Work),
}

impl Invocation {
    pub fn parse(event: &Value) -> Result<Invocation, BadWork> {
        let Some(object) = event.as_object() else {
            return Err(BadWork("the event is not a JSON object".into()));
        };
        if let Some(source) = object.get("source") {
            let detail_type = object.get("detail-type").and_then(Value::as_str);
            return match (source.as_str(), detail_type) {
                (Some("aws.events"), Some("Scheduled Event")) => Ok(Invocation::Sweep),
                _ => Err(BadWork(format!(
                    "source {source} with detail-type {} is not the scheduled sweep",
                    detail_type.unwrap_or("(none)")
                ))),
            };
        }
        Work::parse(event).map(Invocation::Work)
    }
}

impl Trigger {
    /// Handles a raw event (the Lambda payload): parsed first, so a bad one changes
    /// nothing. `deadline`: when the invocation is stopped, on the trigger's clock (none
    /// locally).
    pub async fn handle(&self, event: Value, deadline: Option<DateTime<Utc>>) -> Result<Report, TriggerError> {
        let started = self.now();
        let report = match Invocation::parse(&event)? {
            Invocation::Sweep => self.sweep(deadline).await.map_err(TriggerError::from),
            Invocation::Work(work) => self.work(work, deadline).await,
        };
        self.account(&report, started);
        report
    }

    /// Does the work the API handed over: a program to end and run, or queued nudges.
    pub async fn work(&self, work: Work, deadline: Option<DateTime<Utc>>) -> Result<Report, TriggerError> {
        match work {
            Work::EndProgram(end) => Ok(Report {
                programs: vec![self.end_program(&end.workspace_id, &end.program_id, deadline).await?],
                ..Report::default()
            }),
            Work::SendNudges(nudges) => Ok(self
                .send_nudge_jobs(&nudges.workspace_id, nudges.nudge_jobs, deadline)
                .await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schedule_and_the_api_s_work_are_accepted() {
        let schedule = json!({"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(Invocation::parse(&schedule), Ok(Invocation::Sweep));
        assert_eq!(
            Invocation::parse(&json!({"workspace_id": "w", "program_id": "p"})),
            Ok(Invocation::Work(Work::end_program("w", "p")))
        );
        assert_eq!(
            Invocation::parse(&json!({"workspace_id": "w", "nudge_jobs": ["j1", "j2"]})),
            Ok(Invocation::Work(Work::send_nudges("w", vec!["j1".into(), "j2".into()])))
        );
    }

    /// The sample events (events/) are the messages as they go over the wire: the API's
    /// work reads back into the same value it is written from.
    #[test]
    fn the_sample_events_parse_into_the_one_message() {
        let read = |json: &str| serde_json::from_str::<Value>(json).unwrap();
        let sweep = read(include_str!("../../../events/trigger-sweep.json"));
        assert_eq!(Invocation::parse(&sweep), Ok(Invocation::Sweep));
        for sample in [
            include_str!("../../../events/trigger-program.json"),
            include_str!("../../../events/trigger-nudges.json"),
        ] {
            let sample = read(sample);
            let Ok(Invocation::Work(work)) = Invocation::parse(&sample) else {
                panic!("{sample}");
            };
            assert_eq!(serde_json::to_value(&work).unwrap(), sample);
        }
        for bad in [
            include_str!("../../../events/bad-trigger-missing-program.json"),
            include_str!("../../../events/bad-trigger-s3-event.json"),
            include_str!("../../../events/bad-trigger-unknown-field.json"),
        ] {
            assert!(Invocation::parse(&read(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn anything_else_is_refused_naming_the_problem() {
        let cases = [
            (json!([]), "not a JSON object"),
            (json!({"source": "aws.s3", "detail-type": "Object Created"}), "aws.s3"),
            (json!({"workspace_id": "w"}), "program_id"),
            (json!({"workspace_id": "w", "program_id": "p", "force": true}), "force"),
        ];
        for (event, says) in cases {
            let err = Invocation::parse(&event).unwrap_err().to_string();
            assert!(err.contains(says), "{event}: {err}");
        }
    }
}
