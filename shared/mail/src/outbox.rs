use std::path::{Path, PathBuf};

use anyhow::Context;
use async_trait::async_trait;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::{recipient, Email, MailError, Mailer, SentId};

/// [`Mailer`] that writes each message to `dir` as an RFC 5322 file,
/// `{UTC timestamp}-{uuid}.eml` (multipart/alternative: text, then HTML; its
/// `Content-Language` the email's), which any mail
/// client opens. Names sort in sending order; each file appears whole or not at all.
#[derive(Clone, Debug)]
pub struct OutboxMailer {
    dir: PathBuf,
    from: String,
}

impl OutboxMailer {
    /// `from` as a mail header takes it: `no-reply@example.com` or
    /// `Certify <no-reply@example.com>`.
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            from: from.into(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &Email) -> Result<SentId, MailError> {
        let to = recipient(email)?;
        let from: Mailbox = self
            .from
            .parse()
            .with_context(|| format!("outbox sender {:?}", self.from))?;
        let id = uuid::Uuid::new_v4();
        let message = lettre::Message::builder()
            .message_id(Some(format!("<{id}@{}>", from.email.domain())))
            .from(from)
            .to(to)
            .subject(email.subject.as_str())
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                email.language.tag().to_owned(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .context("building the outbox message")?;
        let name = format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"), id.simple());
        let path = self.dir.join(format!("{name}.eml"));
        let bytes = message.formatted();
        tokio::task::spawn_blocking(move || certify_blobs::write_atomically(&path, &bytes))
            .await
            .context("outbox write task")??;
        Ok(SentId(name))
    }
}
