//! The events the trigger accepts (SPEC 4); anything else is refused before any work.

use serde::Deserialize;
use serde_json::Value;

/// One invocation's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The EventBridge schedule: end due programs, resume unfinished runs.
    Sweep,
    /// End this program now if it is `active`, then run or resume its run.
    Program { workspace_id: String, program_id: String },
    /// Send these queued nudge jobs now (the API queued them; SPEC 1.9).
    Nudges { workspace_id: String, job_ids: Vec<String> },
}

/// An event the trigger does not accept, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "not a trigger event: {0}; expected an EventBridge scheduled event, {{\"workspace_id\": \"...\", \"program_id\": \"...\"}} or {{\"workspace_id\": \"...\", \"nudge_jobs\": [\"...\"]}}"
)]
pub struct BadEvent(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Direct {
    workspace_id: String,
    program_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Nudges {
    workspace_id: String,
    nudge_jobs: Vec<String>,
}

/// Deserialises a direct event, naming the field at fault.
fn decoded<T: serde::de::DeserializeOwned>(event: &Value) -> Result<T, BadEvent> {
    serde_path_to_error::deserialize(event).map_err(|e| match e.path().to_string().as_str() {
        "." => BadEvent(e.inner().to_string()),
        path => BadEvent(format!("{path}: {}", e.inner())),
    })
}

fn present(field: &str, value: &str) -> Result<(), BadEvent> {
    if value.trim().is_empty() {
        return Err(BadEvent(format!("{field}: must not be empty")));
    }
    Ok(())
}

impl Event {
    pub fn parse(event: &Value) -> Result<Event, BadEvent> {
        let Some(object) = event.as_object() else {
            return Err(BadEvent("the event is not a JSON object".into()));
        };
        if let Some(source) = object.get("source") {
            let detail_type = object.get("detail-type").and_then(Value::as_str);
            return match (source.as_str(), detail_type) {
                (Some("aws.events"), Some("Scheduled Event")) => Ok(Event::Sweep),
                _ => Err(BadEvent(format!(
                    "source {source} with detail-type {} is not the scheduled sweep",
                    detail_type.unwrap_or("(none)")
                ))),
            };
        }
        if object.contains_key("nudge_jobs") {
            let nudges: Nudges = decoded(event)?;
            present("workspace_id", &nudges.workspace_id)?;
            if nudges.nudge_jobs.is_empty() {
                return Err(BadEvent("nudge_jobs: must name at least one job".into()));
            }
            for id in &nudges.nudge_jobs {
                present("nudge_jobs[]", id)?;
            }
            return Ok(Event::Nudges {
                workspace_id: nudges.workspace_id,
                job_ids: nudges.nudge_jobs,
            });
        }
        let direct: Direct = decoded(event)?;
        present("workspace_id", &direct.workspace_id)?;
        present("program_id", &direct.program_id)?;
        Ok(Event::Program {
            workspace_id: direct.workspace_id,
            program_id: direct.program_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schedule_and_a_direct_event_are_accepted() {
        let schedule = json!({"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(Event::parse(&schedule), Ok(Event::Sweep));
        assert_eq!(
            Event::parse(&json!({"workspace_id": "w", "program_id": "p"})),
            Ok(Event::Program {
                workspace_id: "w".into(),
                program_id: "p".into()
            })
        );
        assert_eq!(
            Event::parse(&json!({"workspace_id": "w", "nudge_jobs": ["j1", "j2"]})),
            Ok(Event::Nudges {
                workspace_id: "w".into(),
                job_ids: vec!["j1".into(), "j2".into()]
            })
        );
    }

    #[test]
    fn anything_else_is_refused_naming_the_problem() {
        let cases = [
            (json!([]), "not a JSON object"),
            (json!({"source": "aws.s3", "detail-type": "Object Created"}), "aws.s3"),
            (json!({"workspace_id": "w"}), "program_id"),
            (json!({"workspace_id": "w", "program_id": 7}), "program_id"),
            (json!({"workspace_id": "w", "program_id": "p", "force": true}), "force"),
            (
                json!({"workspace_id": " ", "program_id": "p"}),
                "workspace_id: must not be empty",
            ),
            (json!({"workspace_id": "w", "nudge_jobs": []}), "nudge_jobs: must name"),
            (
                json!({"workspace_id": "w", "nudge_jobs": [""]}),
                "nudge_jobs[]: must not be empty",
            ),
            (json!({"workspace_id": "w", "nudge_jobs": "j1"}), "nudge_jobs"),
            (
                json!({"workspace_id": "w", "nudge_jobs": ["j1"], "program_id": "p"}),
                "program_id",
            ),
        ];
        for (event, says) in cases {
            let err = Event::parse(&event).unwrap_err().to_string();
            assert!(err.contains(says), "{event}: {err}");
        }
    }
}
