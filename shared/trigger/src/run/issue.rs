//! Claiming outcomes and issuing certificates: the first half of a run's step.

use certify_blobs::FileKind;
use certify_rules::{Actor, Certificate, DrawWarning, RunErrorCode, RunStep};
use certify_store::{Claim, StoreError};
use std::sync::atomic::Ordering;

use futures::StreamExt;

use super::{Candidate, Failure, Run};

impl Run<'_> {
    /// Claims the outcome of every participant of the chunk that has none: a passed one
    /// gets their certificate fixed here, a fresh id and everything it shows, from the
    /// certification as it is now; every retry reuses it, and a racing run's claim stands.
    pub(super) async fn claim(&mut self, chunk: &[usize]) -> Result<(), StoreError> {
        let unclaimed: Vec<usize> = chunk
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].record.outcome.is_none())
            .collect();
        // The chunk's credentials take their status-list entries in one request.
        let passing = unclaimed
            .iter()
            .filter(|&&i| self.candidates[i].evaluated.passed())
            .count();
        let mut entries = self.trigger.store.take_status_entries(passing).await?.into_iter();
        let claims: Vec<(String, Claim)> = unclaimed
            .iter()
            .map(|&i| {
                let outcome = self.candidates[i].evaluated.clone();
                let certificate = outcome.passed().then(|| {
                    let id = uuid::Uuid::new_v4().simple().to_string();
                    Certificate {
                        status: entries.next(),
                        ..self.issue_to(id, &self.candidates[i])
                    }
                });
                let claim = Claim { outcome, certificate };
                (self.candidates[i].user_id().to_string(), claim)
            })
            .collect();
        if claims.is_empty() {
            return Ok(());
        }
        let standing = self
            .trigger
            .store
            .claim_outcomes(self.ws, &self.program.id, &claims)
            .await?;
        for (i, claim) in unclaimed.into_iter().zip(standing) {
            let record = &mut self.candidates[i].record;
            record.outcome = Some(claim.outcome);
            record.certificate_id = claim.certificate.as_ref().map(|c| c.id.clone());
            record.certificate = claim.certificate;
        }
        Ok(())
    }

    /// The certificate issued under `id` to a candidate, from the certification as it is
    /// now: what a claim fixes.
    fn issue_to(&self, id: String, candidate: &Candidate) -> Certificate {
        Certificate::issue(
            id,
            &candidate.record.participant,
            &self.certification,
            self.workspace_locale,
            self.program,
            self.program.end_time(),
        )
    }

    /// The certificate a passed candidate's claim fixed. (A claim stored before claims
    /// kept the whole certificate has only its id: drawn from the certification now.)
    pub(super) fn certificate(&self, candidate: &Candidate) -> Option<Certificate> {
        match (&candidate.record.certificate, &candidate.record.certificate_id) {
            (Some(claimed), _) => Some(claimed.clone()),
            (None, Some(id)) => Some(self.issue_to(id.clone(), candidate)),
            (None, None) => None,
        }
    }

    /// Renders, stores and issues the certificate of every passed participant of the
    /// chunk, a few at once; a failure is counted and left for the next sweep.
    pub(super) async fn issue(&mut self, chunk: &[usize]) {
        let jobs: Vec<(usize, Certificate, bool)> = chunk
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].passed())
            .filter_map(|i| {
                let candidate = &self.candidates[i];
                Some((i, self.certificate(candidate)?, candidate.claimed_before))
            })
            .collect();
        let this = &*self;
        let results: Vec<(usize, Result<Option<DrawWarning>, Failure>)> = futures::stream::iter(jobs)
            .map(|(i, certificate, retried)| async move { (i, this.store_and_issue(certificate, retried).await) })
            .buffer_unordered(self.trigger.settings.concurrency.max(1))
            .collect()
            .await;
        for (i, result) in results {
            match result {
                Ok(warning) => {
                    self.candidates[i].issued = true;
                    if let Some(warning) = warning {
                        let user_id = self.candidates[i].record.participant.user_id.clone();
                        self.record.push_warning(&user_id, warning);
                    }
                }
                Err(failure) => self.failed(i, RunStep::Certificate, failure),
            }
        }
    }

    /// Renders the certificate, stores its files, then issues it (files first: no record
    /// without its PDF). A `retried` claim whose certificate is issued already has its
    /// files: nothing to redo. Answers the characters no bundled font has, if any
    /// (SPEC 1.17: drawn all the same; the run record lists them).
    async fn store_and_issue(&self, certificate: Certificate, retried: bool) -> Result<Option<DrawWarning>, Failure> {
        let issue_failed = |e| Failure(RunErrorCode::IssueFailed, anyhow::Error::new(e).context("issuing"));
        if retried
            && self
                .trigger
                .store
                .certificate(&certificate.id)
                .await
                .map_err(issue_failed)?
                .is_some()
        {
            return Ok(None);
        }
        self.trigger
            .store_file(self.ws, &certificate, FileKind::Pdf)
            .await
            .map_err(|(code, e)| Failure(code, e))?;
        let warning = self.trigger.draw_warning(&certificate);
        // `false`: issued already (a retry, or a racing run); either way it stands.
        let issued = self
            .trigger
            .store
            .issue_certificate(self.ws, &certificate, self.trigger.now(), &Actor::System)
            .await
            .map_err(issue_failed)?;
        if issued {
            self.trigger.tally.issued.fetch_add(1, Ordering::Relaxed);
        }
        Ok(warning)
    }
}
