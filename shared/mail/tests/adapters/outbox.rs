//! `OutboxMailer`: each message a standard `.eml` file that a mail parser reads back
//! whole, UTF-8 included.

use certify_mail::{Email, MailError, Mailer, OutboxMailer};
use certify_rules::Locale;
// mail-parser 1.x needs rustc 1.98; 0.11 reads the same files.
use mail_parser::MessageParser;

fn email() -> Email {
    Email {
        to: "ana.avila@example.com".to_owned(),
        to_name: "Ana Ávila".to_owned(),
        subject: "Σωκράτης: your certificate «Безопасность» is ready".to_owned(),
        text: "Hello Ana Ávila,\nΣωκράτης says: поздравляем!\n".to_owned(),
        html: "<p>Hello <b>Ana Ávila</b>,</p><p>Σωκράτης says: поздравляем!</p>".to_owned(),
        language: Locale::PtBr,
    }
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn writes_a_parseable_multipart_message() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mailer = OutboxMailer::new(&outbox, "Certify <no-reply@certify.example>");

    let id = mailer.send(&email()).await.unwrap();

    assert_eq!(files(&outbox), [format!("{}.eml", id.as_str())]);
    let raw = std::fs::read(outbox.join(format!("{}.eml", id.as_str()))).unwrap();
    let message = MessageParser::default().parse(&raw).unwrap();

    let from = message.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Certify"), Some("no-reply@certify.example"))
    );
    let to = message.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Ana Ávila"), Some("ana.avila@example.com"))
    );
    assert_eq!(message.subject(), Some(email().subject.as_str()));
    assert_eq!(message.body_text(0).unwrap().replace("\r\n", "\n"), email().text);
    assert_eq!(message.body_html(0).unwrap().replace("\r\n", "\n"), email().html);
    assert!(message.message_id().is_some_and(|id| id.ends_with("@certify.example")));
    assert!(String::from_utf8_lossy(&raw).contains("multipart/alternative"));
    assert_eq!(
        message.header_raw("Content-Language").map(str::trim),
        Some("pt-BR"),
        "the email's language"
    );
}

#[tokio::test]
async fn names_sort_in_sending_order() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(dir.path(), "no-reply@certify.example");
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(format!("{}.eml", mailer.send(&email()).await.unwrap().as_str()));
    }
    assert_eq!(files(dir.path()), ids, "one whole file per message, no temporary left");
}

#[tokio::test]
async fn an_invalid_recipient_is_rejected_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = OutboxMailer::new(dir.path(), "no-reply@certify.example");
    for to in ["", "ana", "ana@", "@example.com", "ana@example.com, bob@example.com"] {
        let err = mailer
            .send(&Email {
                to: to.to_owned(),
                ..email()
            })
            .await
            .unwrap_err();
        assert!(matches!(err, MailError::Rejected(_)), "{to:?}: {err:?}");
    }
    assert!(files(dir.path()).is_empty());
}

#[tokio::test]
async fn a_bad_sender_is_a_configuration_fault() {
    let dir = tempfile::tempdir().unwrap();
    let err = OutboxMailer::new(dir.path(), "not an address")
        .send(&email())
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::Unexpected(_)), "{err:?}");
}
