//! A program's end (SPEC 1.8): an `active` program is ended (`ending`), then its
//! certification run is worked a step at a time until done or near the deadline. The
//! program is read at most twice (once here when asked by id, once more when another
//! caller ended it first); the run reads the roster once, after taking its lease.

use certify_rules::{Program, ProgramState, RunRecord, RunState};
use certify_store::{Conflict, StoreError};
use chrono::{DateTime, Utc};

use crate::run::{Opened, Run, Step};
use crate::{Deadline, ProgramReport, Trigger, TriggerError};

impl Trigger {
    /// Ends the program now if it is `active`, then runs or resumes its certification.
    pub async fn end_program(
        &self,
        ws: &str,
        program_id: &str,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<ProgramReport, TriggerError> {
        let program = self
            .store
            .program(ws, program_id)
            .await?
            .ok_or_else(|| TriggerError::NoSuchProgram {
                workspace_id: ws.to_string(),
                program_id: program_id.to_string(),
            })?;
        Ok(self.end_and_run(ws, program, self.deadline(deadline)).await?)
    }

    pub(crate) async fn end_and_run(
        &self,
        ws: &str,
        program: Program,
        deadline: Deadline,
    ) -> Result<ProgramReport, StoreError> {
        let program = if program.state == ProgramState::Active {
            let ended_at = certify_rules::ended_at(&program, self.now());
            match self.store.begin_end(ws, &program.id, ended_at).await {
                Ok(program) => program,
                // Another caller ended it first: go on from what it wrote.
                Err(StoreError::Conflict(Conflict::ProgramEnded)) => {
                    self.store.program(ws, &program.id).await?.ok_or(StoreError::NotFound)?
                }
                Err(e) => return Err(e),
            }
        } else {
            program
        };
        let (state, run) = match program.state {
            ProgramState::Ending => self.run(ws, &program, deadline).await?,
            state => (state, self.store.run(ws, &program.id).await?),
        };
        Ok(ProgramReport {
            workspace_id: ws.to_string(),
            program_id: program.id,
            state,
            run,
        })
    }

    /// Runs or resumes the run of an `ending` program, a step at a time until it is done
    /// or the deadline is near. Answers the program's state as this invocation left it
    /// (`ended` once the run finished) and the run record (`None` when another
    /// invocation holds it).
    async fn run(
        &self,
        ws: &str,
        program: &Program,
        deadline: Deadline,
    ) -> Result<(ProgramState, Option<RunRecord>), StoreError> {
        let mut run = match Run::open(self, ws, program).await? {
            Opened::Finished(record) => return Ok((ProgramState::Ended, Some(record))),
            Opened::HeldElsewhere => return Ok((ProgramState::Ending, None)),
            Opened::Ready(run) => run,
        };
        while !deadline.is_near(self.now()) {
            if run.step().await? == Step::Done {
                break;
            }
        }
        let record = run.close().await?;
        let state = match &record {
            Some(record) if record.state != RunState::Running => ProgramState::Ended,
            _ => ProgramState::Ending,
        };
        Ok((state, record))
    }

    /// `ending` -> `ended` once the run is finished; a racing run may have done it.
    pub(crate) async fn finish(&self, ws: &str, program_id: &str) -> Result<(), StoreError> {
        match self.store.finish_end(ws, program_id).await {
            Ok(_) | Err(StoreError::Conflict(Conflict::ProgramEnded)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
