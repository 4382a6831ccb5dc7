//! The every-minute sweep (SPEC 1.8.8): all the background work that is due, in order of
//! what must not wait: due programs and runs first, then nudges, expiry reminders,
//! regenerations, and last the events of everything the sweep committed.

use certify_rules::ProgramState;
use certify_store::StoreError;
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::{Report, Trigger};

impl Trigger {
    /// Ends every due `active` program, in due order, then tries every run due to be
    /// tried (SPEC 1.8.8): runs wait in a partition of their own, backing off while they
    /// fail, so none of them delays a due program; then sends queued nudges (1.9) and
    /// expiry reminders (1.14), works running regenerations (1.13) and publishes the
    /// committed history as events (1.15). A few at once; one program's failure is
    /// reported and does not stop the others.
    pub async fn sweep(&self, deadline: Option<DateTime<Utc>>) -> Result<Report, StoreError> {
        let deadline = self.deadline(deadline);
        let now = self.now();
        let limit = self.settings.sweep_limit;
        let due = self.store.due_programs(now, limit).await?.into_iter().filter(|(ws, program)| {
            // The index said due; the program itself decides (an `ending` one stored
            // before runs were kept apart is run).
            let due = program.state == ProgramState::Ending || certify_rules::is_due(program, now);
            if !due {
                tracing::warn!(workspace = %ws, program = %program.id, ends_at = %program.ends_at, "sweep: indexed as due but not due; left alone");
            }
            due
        });
        let runs = self.store.due_runs(now, limit).await?;
        let results: Vec<_> = futures::stream::iter(due.chain(runs))
            .map(|(ws, program)| async move {
                let result = self.end_and_run(&ws, program, deadline).await;
                (ws, result)
            })
            .buffer_unordered(self.settings.programs_at_once.max(1))
            .collect()
            .await;
        let mut report = Report::default();
        for (ws, result) in results {
            match result {
                Ok(program) => report.programs.push(program),
                Err(e) => {
                    tracing::error!(workspace = %ws, error = ?e, "sweep: a program failed");
                    report.errors.push(format!("{ws}: {e}"));
                }
            }
        }
        // Then queued nudges, oldest first, after every due program and run.
        let jobs = self.store.due_nudge_jobs(now, limit).await?;
        self.send_jobs(jobs.into_iter().map(|(ws, job)| (ws, job.id)), deadline, &mut report)
            .await;
        // Then expiry reminders due (1.14), and regenerations, a few pages of each (1.13).
        self.send_reminders(deadline, &mut report).await;
        self.regenerate_due(deadline, &mut report).await;
        // Last, what all of the above committed goes out as events (1.15).
        self.publish_events(deadline, &mut report).await;
        Ok(report)
    }
}
