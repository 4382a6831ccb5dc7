//! Emailing results: the second half of a run's step.

use certify_mail::templates::{did_not_pass_email, passed_email};
use certify_mail::Email;
use certify_rules::{Outcome, PublicLinks, RunError, RunErrorCode, RunStep};
use certify_store::NotifyMark;
use futures::StreamExt;

use super::{Candidate, Failure, Run};

impl Run<'_> {
    /// Emails every participant of the chunk whose result is ready, paced, while the
    /// lease holds; answers the marks to record.
    pub(super) async fn notify(&mut self, chunk: &[usize]) -> Vec<NotifyMark> {
        let jobs: Vec<(usize, Email)> = chunk
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].failed.is_none())
            .filter_map(|i| Some((i, self.email(&self.candidates[i])?)))
            .collect();
        // Stop sending well before another invocation may take the run over.
        let safe_until = self.lease.until - chrono::Duration::seconds(10);
        let this = &*self;
        let results: Vec<(usize, Result<Option<String>, Failure>)> = futures::stream::iter(jobs)
            .map(|(i, email)| async move {
                if this.trigger.now() >= safe_until {
                    let late = anyhow::anyhow!("the run's lease ran out before this email");
                    return (i, Err(Failure(RunErrorCode::LeaseExpired, late)));
                }
                (
                    i,
                    this.trigger
                        .send_email(&email)
                        .await
                        .map_err(|e| Failure(RunErrorCode::EmailFailed, e)),
                )
            })
            .buffer_unordered(self.trigger.settings.concurrency.max(1))
            .collect()
            .await;
        let mut marks = Vec::new();
        for (i, result) in results {
            let candidate = &self.candidates[i];
            let user_id = candidate.user_id().to_string();
            match result {
                Ok(None) => marks.push(NotifyMark {
                    user_id,
                    error: None,
                    certificate_id: candidate.record.certificate_id.clone(),
                }),
                Ok(Some(reason)) => {
                    tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, reason = %reason, "the result email was refused for good");
                    let refused = RunError::new(&user_id, RunStep::Email, RunErrorCode::EmailRefused);
                    self.record.push_error(refused);
                    marks.push(NotifyMark {
                        user_id,
                        error: Some(reason),
                        certificate_id: None,
                    });
                }
                Err(failure) => self.failed(i, RunStep::Email, failure),
            }
        }
        marks
    }

    /// The result email of a participant whose outcome is settled and, when passed,
    /// whose certificate is issued.
    fn email(&self, candidate: &Candidate) -> Option<Email> {
        let holder = &candidate.record.participant;
        match candidate.record.outcome.as_ref()? {
            Outcome::Passed if candidate.issued => {
                let certificate = self.certificate(candidate)?;
                let links = PublicLinks::new(
                    &self.trigger.settings.public_url,
                    &certificate,
                    self.linkedin_organization_id.as_deref(),
                );
                // SPEC 1.17: the participant's locale, then the certificate's.
                Some(passed_email(
                    holder.locale.unwrap_or(certificate.certification.locale),
                    holder,
                    &certificate,
                    &links,
                ))
            }
            Outcome::Passed => None,
            Outcome::DidNotPass { not_completed } => {
                let titles: Vec<String> = not_completed
                    .iter()
                    .map(|id| self.titles.get(id).unwrap_or(id).clone())
                    .collect();
                Some(did_not_pass_email(
                    // SPEC 1.17: the participant's locale, then the certification's,
                    // then the workspace's.
                    holder
                        .locale
                        .or(self.certification.fields.locale)
                        .unwrap_or(self.workspace_locale),
                    holder,
                    &self.certification.fields.name,
                    &self.program.name,
                    &titles,
                ))
            }
        }
    }
}
