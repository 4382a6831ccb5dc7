//! The work the API hands to the background (SPEC 4): one message, written by the API
//! (an asynchronous Lambda invoke on AWS, a background task locally) and read by the
//! trigger, which also takes the EventBridge schedule's sweep. Anything else is refused
//! before any work, naming the field at fault.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A direct message to the trigger, as its JSON goes over the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Work {
    /// `{"workspace_id", "program_id"}`: end this program now if it is `active`, then
    /// run or resume its certification.
    EndProgram(EndProgram),
    /// `{"workspace_id", "nudge_jobs": [...]}`: send these queued nudge jobs now (SPEC 1.9).
    SendNudges(SendNudges),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndProgram {
    pub workspace_id: String,
    pub program_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendNudges {
    pub workspace_id: String,
    pub nudge_jobs: Vec<String>,
}

/// A message the trigger does not accept, and why.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "not a trigger event: {0}; expected an EventBridge scheduled event, {{\"workspace_id\": \"...\", \"program_id\": \"...\"}} or {{\"workspace_id\": \"...\", \"nudge_jobs\": [\"...\"]}}"
)]
pub struct BadWork(pub String);

impl Work {
    pub fn end_program(workspace_id: &str, program_id: &str) -> Work {
        Work::EndProgram(EndProgram {
            workspace_id: workspace_id.into(),
            program_id: program_id.into(),
        })
    }

    pub fn send_nudges(workspace_id: &str, nudge_jobs: Vec<String>) -> Work {
        Work::SendNudges(SendNudges {
            workspace_id: workspace_id.into(),
            nudge_jobs,
        })
    }

    /// Reads a direct message (an object that is not an EventBridge event): the one with
    /// `nudge_jobs` sends nudges, any other ends a program. Ids must not be blank.
    pub fn parse(message: &Value) -> Result<Work, BadWork> {
        let Some(object) = message.as_object() else {
            return Err(BadWork("the event is not a JSON object".into()));
        };
        if object.contains_key("nudge_jobs") {
            let nudges: SendNudges = decoded(message)?;
            present("workspace_id", &nudges.workspace_id)?;
            if nudges.nudge_jobs.is_empty() {
                return Err(BadWork("nudge_jobs: must name at least one job".into()));
            }
            for id in &nudges.nudge_jobs {
                present("nudge_jobs[]", id)?;
            }
            return Ok(Work::SendNudges(nudges));
        }
        let end: EndProgram = decoded(message)?;
        present("workspace_id", &end.workspace_id)?;
        present("program_id", &end.program_id)?;
        Ok(Work::EndProgram(end))
    }
}

/// Deserialises a message, naming the field at fault.
fn decoded<T: serde::de::DeserializeOwned>(message: &Value) -> Result<T, BadWork> {
    serde_path_to_error::deserialize(message).map_err(|e| match e.path().to_string().as_str() {
        "." => BadWork(e.inner().to_string()),
        path => BadWork(format!("{path}: {}", e.inner())),
    })
}

fn present(field: &str, value: &str) -> Result<(), BadWork> {
    if value.trim().is_empty() {
        return Err(BadWork(format!("{field}: must not be empty")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_message_reads_back_what_it_writes() {
        for work in [
            Work::end_program("w", "p"),
            Work::send_nudges("w", vec!["j1".into(), "j2".into()]),
        ] {
            let json = serde_json::to_value(&work).unwrap();
            assert_eq!(Work::parse(&json), Ok(work));
        }
        assert_eq!(
            serde_json::to_value(Work::end_program("w", "p")).unwrap(),
            json!({"workspace_id": "w", "program_id": "p"})
        );
        assert_eq!(
            serde_json::to_value(Work::send_nudges("w", vec!["j1".into()])).unwrap(),
            json!({"workspace_id": "w", "nudge_jobs": ["j1"]})
        );
    }

    #[test]
    fn anything_else_is_refused_naming_the_problem() {
        let cases = [
            (json!([]), "not a JSON object"),
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
        for (message, says) in cases {
            let err = Work::parse(&message).unwrap_err().to_string();
            assert!(err.contains(says), "{message}: {err}");
        }
    }
}
