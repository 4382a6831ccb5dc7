use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use base64::Engine;
use lettre::message::Mailbox;

use crate::{recipient, Email, MailError, Mailer, SentId};

/// Error codes that mean "slow down" without being modeled for SendEmail; the SDK's
/// own retries have already been spent when one reaches us.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
];

/// [`Mailer`] on SES v2 `SendEmail`, simple content: a UTF-8 subject, text and HTML,
/// and the email's language as a `Content-Language` header.
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
}

impl SesMailer {
    /// `from` is a verified SES identity, as SES takes it: `no-reply@example.com` or
    /// `Certify <no-reply@example.com>` (a non-ASCII name must be RFC 2047 encoded).
    pub fn new(client: aws_sdk_sesv2::Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &Email) -> Result<SentId, MailError> {
        let to = recipient(email)?;
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&email.text)?)
                    .html(utf8(&email.html)?)
                    .build(),
            )
            .headers(
                MessageHeader::builder()
                    .name("Content-Language")
                    .value(email.language.tag())
                    .build()
                    .context("SES message header")?,
            )
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(encode_mailbox(&to)).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(classify)?;
        // SES always names the message; were it not to, the message is still accepted,
        // and an error here would make the caller send it twice.
        Ok(SentId(output.message_id().unwrap_or_default().to_owned()))
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Ok(Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .context("SES message content")?)
}

fn classify(err: SdkError<SendEmailError>) -> MailError {
    if let Some(service) = err.as_service_error() {
        if service.is_too_many_requests_exception()
            || service.is_limit_exceeded_exception()
            || service.code().is_some_and(|code| THROTTLING_CODES.contains(&code))
        {
            return MailError::Throttled(anyhow::Error::new(err).context("SES SendEmail throttled"));
        }
        if service.is_message_rejected() {
            return MailError::Rejected("SES refused the message (MessageRejected)".to_owned());
        }
        if service.is_bad_request_exception() {
            return MailError::Rejected("SES found the request invalid (BadRequestException)".to_owned());
        }
    }
    // Account-wide states (suspended, sending paused, sender domain not verified) are
    // not this message's fault: the next run retries once they are fixed.
    MailError::Unexpected(anyhow::Error::new(err).context("SES SendEmail"))
}

/// The mailbox as SES takes it in a destination: a display name outside plain ASCII
/// must be RFC 2047 encoded words (SES does not accept raw UTF-8 in addresses).
fn encode_mailbox(mailbox: &Mailbox) -> String {
    let address = &mailbox.email;
    let Some(name) = mailbox.name.as_deref().map(str::trim).filter(|name| !name.is_empty()) else {
        return address.to_string();
    };
    if name.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        return format!("\"{quoted}\" <{address}>");
    }
    format!("{} <{address}>", encoded_words(name))
}

/// Base64 encoded words of at most 45 bytes of text each, so that every word stays
/// within RFC 2047's 75 characters; a character is never split between two words.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    words.push(chunk);
    let engine = base64::engine::general_purpose::STANDARD;
    words
        .iter()
        .map(|word| format!("=?UTF-8?B?{}?=", engine.encode(word)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(name: &str) -> Mailbox {
        Mailbox::new(Some(name.to_owned()), "ana@example.com".parse().unwrap())
    }

    #[test]
    fn plain_names_are_quoted() {
        assert_eq!(
            encode_mailbox(&mailbox("Ana B. Smith")),
            "\"Ana B. Smith\" <ana@example.com>"
        );
        assert_eq!(
            encode_mailbox(&mailbox(r#"A "B" \ C"#)),
            r#""A \"B\" \\ C" <ana@example.com>"#
        );
        assert_eq!(encode_mailbox(&mailbox("  ")), "ana@example.com");
    }

    #[test]
    fn other_names_are_encoded_words_within_75_characters() {
        assert_eq!(
            encode_mailbox(&mailbox("Ana Ávila")),
            "=?UTF-8?B?QW5hIMOBdmlsYQ==?= <ana@example.com>"
        );
        let long = "Σωκράτης Ἀθηναῖος ".repeat(6);
        let words = encoded_words(long.trim());
        assert!(words.split(' ').count() > 1);
        let mut decoded = Vec::new();
        for word in words.split(' ') {
            assert!(word.len() <= 75, "{word}");
            let payload = word.strip_prefix("=?UTF-8?B?").unwrap().strip_suffix("?=").unwrap();
            decoded.extend(base64::engine::general_purpose::STANDARD.decode(payload).unwrap());
        }
        assert_eq!(String::from_utf8(decoded).unwrap(), long.trim());
    }
}
