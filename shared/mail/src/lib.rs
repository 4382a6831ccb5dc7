//! Certify's mail port: the one email each evaluated participant gets when a program
//! ends, and the nudges (SPEC 1.8 step 4, 1.9).
//!
//! [`Mailer`] is the contract, with two adapters beside it: [`SesMailer`] (SES v2, on
//! AWS) and [`OutboxMailer`] (RFC 5322 `.eml` files in a folder, for the local server).
//! The SES adapter is proven on moto's server, its error mapping on SDK-level fakes of
//! the faults moto cannot make (throttling, rejections).
//!
//! What a caller does with a failure is decided by its kind alone: retry
//! [`MailError::Throttled`] with backoff, record [`MailError::Rejected`] and move on,
//! leave [`MailError::Unexpected`] for the next run.

use async_trait::async_trait;

mod outbox;
#[cfg(feature = "aws")]
mod ses;
pub mod templates;

pub use outbox::OutboxMailer;
#[cfg(feature = "aws")]
pub use ses::SesMailer;

/// One message to one recipient, with a plain-text and an HTML version of one body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// The recipient's address, `local@domain`.
    pub to: String,
    /// The recipient's display name, any script; empty for none.
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The language it is written in (SPEC 1.17), sent as `Content-Language`.
    pub language: certify_rules::Locale,
}

/// The id under which the message was accepted: SES's message id, or the outbox file's
/// name without `.eml`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SentId(pub String);

impl SentId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// User text made safe to place in an HTML body or attribute.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Sends one [`Email`].
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands the message to the mail service.
    ///
    /// `Ok` MUST mean the service accepted the message; it is not sent again.
    /// A `to` that is not a valid address MUST be [`MailError::Rejected`], found before
    /// contacting the service. The service refusing this message for good (bad
    /// address, content refused) MUST be [`MailError::Rejected`]; the service asking to
    /// slow down (rate or quota exceeded) MUST be [`MailError::Throttled`]; anything
    /// else MUST be [`MailError::Unexpected`], and the message may or may not have gone.
    async fn send(&self, email: &Email) -> Result<SentId, MailError>;
}

/// Why a [`Mailer::send`] failed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The service asks to slow down: retry later, with backoff.
    #[error("the mail service is throttling sends")]
    Throttled(#[source] anyhow::Error),
    /// This message will never be accepted: retrying cannot help. The reason is ours
    /// (the error's kind), never the service's text, which may quote addresses.
    #[error("message rejected: {0}")]
    Rejected(String),
    /// Anything else; the source chain says what (log it, never show it).
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl MailError {
    /// Whether sending the same message again later may succeed.
    pub fn is_retryable(&self) -> bool {
        !matches!(self, MailError::Rejected(_))
    }
}

/// The recipient as a mailbox, refused as [`MailError::Rejected`] when its address is
/// not one, so that both adapters refuse the same recipients.
fn recipient(email: &Email) -> Result<lettre::message::Mailbox, MailError> {
    let address = email
        .to
        .trim()
        .parse::<lettre::Address>()
        .map_err(|_| MailError::Rejected("invalid recipient address".to_owned()))?;
    let name = email.to_name.trim();
    Ok(lettre::message::Mailbox::new(
        (!name.is_empty()).then(|| name.to_owned()),
        address,
    ))
}
