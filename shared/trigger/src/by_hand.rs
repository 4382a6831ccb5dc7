//! A certificate's files, and certifying by hand (SPEC 1.13): an admin's certificate goes
//! the way a run's does, files first, then the record with its history, then the result
//! email.

use anyhow::Context;
use certify_blobs::{certificate_key, FileKind};
use certify_mail::templates::passed_email;
use certify_rules::{Actor, Certificate, Participant, PublicLinks, RunErrorCode};

use crate::Trigger;

impl Trigger {
    /// Renders a certificate and stores its PDF and PNG under their keys (a retry draws
    /// and stores the same files again). The error says which part failed.
    pub(crate) async fn store_files(
        &self,
        ws: &str,
        certificate: &Certificate,
    ) -> Result<(), (RunErrorCode, anyhow::Error)> {
        let verify_url = certify_rules::verify_url(&self.settings.public_url, &certificate.id);
        let render = self.render.clone();
        let drawn = certificate.clone();
        let (pdf, png) = tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
            Ok((render.pdf(&drawn, &verify_url)?, render.png(&drawn, &verify_url)?))
        })
        .await
        .context("the renderer stopped")
        .and_then(|drawn| drawn.context("rendering"))
        .map_err(|e| (RunErrorCode::RenderFailed, e))?;
        for (kind, bytes) in [(FileKind::Pdf, pdf), (FileKind::Png, png)] {
            let key = certificate_key(ws, &certificate.id, kind);
            self.blobs
                .put(&key, bytes, kind.content_type())
                .await
                .with_context(|| format!("storing the {} at {key}", kind.extension().to_uppercase()))
                .map_err(|e| (RunErrorCode::StorageFailed, e))?;
        }
        Ok(())
    }

    /// Issues a certificate an admin made by hand: its files, then the record (which
    /// replaces the holder's active one of the certification and records `issued` by
    /// `actor`), then, when `notify`, the result email to `holder`. Answers whether this
    /// call issued it: `false` when it was issued already (a retried or racing request
    /// with the same `Idempotency-Key`), which sends nothing again. Its metrics go out
    /// with it (the API function that runs it never runs a sweep).
    pub async fn issue_by_hand(
        &self,
        ws: &str,
        certificate: &Certificate,
        holder: &Participant,
        notify: bool,
        actor: &Actor,
    ) -> anyhow::Result<bool> {
        let issued = self.issue_and_tell(ws, certificate, holder, notify, actor).await;
        crate::metrics::emit_counts(&self.tally.take());
        issued
    }

    async fn issue_and_tell(
        &self,
        ws: &str,
        certificate: &Certificate,
        holder: &Participant,
        notify: bool,
        actor: &Actor,
    ) -> anyhow::Result<bool> {
        if self.store.certificate(&certificate.id).await?.is_some() {
            return Ok(false);
        }
        self.store_files(ws, certificate).await.map_err(|(_, e)| e)?;
        if !self.store.issue_certificate(ws, certificate, self.now(), actor).await? {
            return Ok(false);
        }
        self.tally.issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if notify {
            let settings = self.store.settings(ws).await?;
            let links = PublicLinks::new(
                &self.settings.public_url,
                certificate,
                settings.linkedin_organization_id.as_deref(),
            );
            match self.send_email(&passed_email(holder, certificate, &links)).await? {
                None => {
                    self.store
                        .record_emailed(ws, &certificate.id, self.now(), actor)
                        .await?
                }
                Some(reason) => {
                    tracing::warn!(workspace = ws, certificate = %certificate.id, reason, "the result email was refused")
                }
            }
        }
        Ok(true)
    }
}
