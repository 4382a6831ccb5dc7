//! A certificate's files, and certifying by hand (SPEC 1.13): an admin's certificate goes
//! the way a run's does, files first, then the record with its history, then the result
//! email.

use anyhow::Context;
use certify_blobs::{certificate_key, FileKind};
use certify_mail::templates::passed_email;
use certify_rules::{Actor, Certificate, DrawWarning, Participant, PublicLinks, RunErrorCode};

use crate::Trigger;

impl Trigger {
    /// Renders one of a certificate's files and stores it under its key (a retry draws
    /// and stores the same file again). The error says which part failed. A run and a
    /// certificate by hand store the PDF only: [`Trigger::preview`] draws the preview
    /// when it is first asked for, so that a run's time per certificate is the PDF's.
    pub(crate) async fn store_file(
        &self,
        ws: &str,
        certificate: &Certificate,
        kind: FileKind,
    ) -> Result<(), (RunErrorCode, anyhow::Error)> {
        let bytes = self
            .draw(certificate, kind)
            .await
            .map_err(|e| (RunErrorCode::RenderFailed, e))?;
        self.put_file(ws, certificate, kind, bytes)
            .await
            .map_err(|e| (RunErrorCode::StorageFailed, e))
    }

    /// The certificate's preview, drawn now and stored (for the next asker): what the
    /// verification page and the preview links call for when it is not stored yet.
    /// Drawing is deterministic, so two at once store the same bytes.
    pub async fn preview(&self, ws: &str, certificate: &Certificate) -> anyhow::Result<Vec<u8>> {
        let png = self.draw(certificate, FileKind::Png).await?;
        self.put_file(ws, certificate, FileKind::Png, png.clone()).await?;
        Ok(png)
    }

    /// What the certificate's drawing warns of (SPEC 1.17): the characters no bundled
    /// font has, drawn as replacement marks.
    pub fn draw_warning(&self, certificate: &Certificate) -> Option<DrawWarning> {
        let verify_url = certify_rules::verify_url(&self.settings.public_url, &certificate.id);
        DrawWarning::uncovered(&self.render.uncovered(certificate, &verify_url))
    }

    /// One of the certificate's files, drawn off the async threads.
    pub(crate) async fn draw(&self, certificate: &Certificate, kind: FileKind) -> anyhow::Result<Vec<u8>> {
        let verify_url = certify_rules::verify_url(&self.settings.public_url, &certificate.id);
        let render = self.render.clone();
        let drawn = certificate.clone();
        tokio::task::spawn_blocking(move || match kind {
            FileKind::Png => render.png(&drawn, &verify_url),
            _ => render.pdf(&drawn, &verify_url),
        })
        .await
        .context("the renderer stopped")?
        .with_context(|| format!("rendering the {}", kind.extension().to_uppercase()))
    }

    async fn put_file(
        &self,
        ws: &str,
        certificate: &Certificate,
        kind: FileKind,
        bytes: Vec<u8>,
    ) -> anyhow::Result<()> {
        let key = certificate_key(ws, &certificate.id, kind);
        self.blobs
            .put(&key, bytes, kind.content_type())
            .await
            .with_context(|| format!("storing the {} at {key}", kind.extension().to_uppercase()))
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
        let certificate = &Certificate {
            status: self.store.take_status_entries(1).await?.pop(),
            ..certificate.clone()
        };
        self.store_file(ws, certificate, FileKind::Pdf)
            .await
            .map_err(|(_, e)| e)?;
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
            // SPEC 1.17: the participant's locale, then the certificate's.
            let email = passed_email(
                holder.locale.unwrap_or(certificate.certification.locale),
                holder,
                certificate,
                &links,
            );
            match self.send_email(&email).await? {
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
