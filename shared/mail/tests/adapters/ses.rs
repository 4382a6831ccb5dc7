//! `SesMailer` on moto's SES v2, and its error mapping on SDK-level fakes of the faults
//! moto cannot make (throttling, rejections, outages).

use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::error::{
    AccountSuspendedException, BadRequestException, LimitExceededException, MessageRejected, TooManyRequestsException,
};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use certify_mail::{Email, MailError, Mailer, SesMailer};
use certify_rules::Locale;
use certify_testkit::{moto, moto_sent_emails, sdk_config, unique};

async fn moto_client() -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(&sdk_config(&moto().endpoint()).await)
}

/// moto, like SES, refuses to send from an address that is not a verified identity.
async fn verified_sender(client: &aws_sdk_sesv2::Client) -> String {
    let from = format!("{}@certify.example", unique("no-reply"));
    client
        .create_email_identity()
        .email_identity(&from)
        .send()
        .await
        .unwrap();
    from
}

fn email(to: &str) -> Email {
    Email {
        to: to.to_owned(),
        to_name: "Ana Ávila".to_owned(),
        subject: "Σωκράτης: your certificate «Безопасность» is ready".to_owned(),
        text: "Hello Ana Ávila,\nΣωκράτης says: поздравляем!\n".to_owned(),
        html: "<p>Hello <b>Ana Ávila</b>,</p><p>Σωκράτης says: поздравляем!</p>".to_owned(),
        language: Locale::Ja,
    }
}

#[tokio::test]
async fn sends_through_moto_with_utf8_intact() {
    let client = moto_client().await;
    let from = verified_sender(&client).await;
    let mailer = SesMailer::new(client, format!("Certify <{from}>"));
    let to = format!("{}@example.com", unique("ana"));

    let id = mailer.send(&email(&to)).await.unwrap();

    assert!(!id.as_str().is_empty());
    let sent = moto_sent_emails(&moto().endpoint());
    let message = sent
        .iter()
        .find(|m| m["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id:?} not in {sent:?}"));
    assert_eq!(message["source"], format!("Certify <{from}>"));
    // The display name travels RFC 2047 encoded, as SES requires.
    assert_eq!(
        message["destinations"]["ToAddresses"],
        serde_json::json!([format!("=?UTF-8?B?QW5hIMOBdmlsYQ==?= <{to}>")])
    );
    assert_eq!(message["subject"], email(&to).subject);
    // moto keeps one body: the HTML part when there is one.
    assert_eq!(message["body"], email(&to).html);
}

#[tokio::test]
async fn an_unverified_sender_is_rejected_by_moto() {
    let mailer = SesMailer::new(moto_client().await, format!("{}@certify.example", unique("nobody")));
    let err = mailer.send(&email("ana@example.com")).await.unwrap_err();
    assert!(matches!(err, MailError::Rejected(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_invalid_recipient_is_rejected_before_sending() {
    let client = moto_client().await;
    let from = verified_sender(&client).await;
    let mailer = SesMailer::new(client, from);
    for to in ["", "ana", "ana@", "@example.com", "ana@example.com, bob@example.com"] {
        let err = mailer.send(&email(to)).await.unwrap_err();
        assert!(matches!(err, MailError::Rejected(_)), "{to:?}: {err:?}");
    }
}

fn faked(rule: Rule) -> SesMailer {
    // The SDK's own retries would replay the fault; the mapping is what is under test.
    let client = mock_client!(aws_sdk_sesv2, RuleMode::Sequential, [&rule], |config| config
        .retry_config(RetryConfig::disabled()));
    SesMailer::new(client, "no-reply@certify.example")
}

fn failing_with(error: fn() -> SendEmailError) -> SesMailer {
    faked(mock!(aws_sdk_sesv2::Client::send_email).then_error(error))
}

fn answering(status: u16, body: &'static str) -> SesMailer {
    faked(
        mock!(aws_sdk_sesv2::Client::send_email)
            .then_http_response(move || HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))),
    )
}

async fn send(mailer: SesMailer) -> MailError {
    mailer.send(&email("ana@example.com")).await.unwrap_err()
}

#[tokio::test]
async fn the_language_travels_as_a_content_language_header() {
    let rule = mock!(aws_sdk_sesv2::Client::send_email)
        .match_requests(|request| {
            let headers = request
                .content()
                .and_then(|c| c.simple())
                .map(|m| m.headers())
                .unwrap_or_default();
            headers
                .iter()
                .any(|h| h.name() == "Content-Language" && h.value() == "ja")
        })
        .then_output(|| {
            aws_sdk_sesv2::operation::send_email::SendEmailOutput::builder()
                .message_id("m-1")
                .build()
        });
    // A request without the header matches no rule, and the mock fails the test.
    let id = faked(rule).send(&email("ana@example.com")).await.unwrap();
    assert_eq!(id.as_str(), "m-1");
}

#[tokio::test]
async fn throttling_is_retryable() {
    let too_many =
        || SendEmailError::TooManyRequestsException(TooManyRequestsException::builder().message("slow down").build());
    let limit = || {
        SendEmailError::LimitExceededException(
            LimitExceededException::builder()
                .message("Maximum sending rate exceeded.")
                .build(),
        )
    };
    for err in [send(failing_with(too_many)).await, send(failing_with(limit)).await] {
        assert!(matches!(err, MailError::Throttled(_)), "{err:?}");
        assert!(err.is_retryable());
    }
    let generic = send(answering(
        400,
        r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
    ))
    .await;
    assert!(matches!(generic, MailError::Throttled(_)), "{generic:?}");
}

#[tokio::test]
async fn refusals_of_the_message_are_rejected_without_the_services_text() {
    let rejected = || {
        SendEmailError::MessageRejected(
            MessageRejected::builder()
                .message("Email address is not verified: ana@example.com")
                .build(),
        )
    };
    let bad = || SendEmailError::BadRequestException(BadRequestException::builder().message("bad").build());
    for err in [send(failing_with(rejected)).await, send(failing_with(bad)).await] {
        let MailError::Rejected(reason) = &err else {
            panic!("{err:?}")
        };
        assert!(!reason.contains("ana@example.com"), "{reason}");
    }
}

#[tokio::test]
async fn account_faults_and_outages_are_unexpected() {
    let suspended =
        || SendEmailError::AccountSuspendedException(AccountSuspendedException::builder().message("suspended").build());
    let err = send(failing_with(suspended)).await;
    assert!(matches!(err, MailError::Unexpected(_)), "{err:?}");
    let err = send(answering(503, r#"{"__type":"ServiceUnavailable","message":"down"}"#)).await;
    assert!(matches!(err, MailError::Unexpected(_)), "{err:?}");
    assert!(err.is_retryable());
    // The cause stays in the chain for the logs.
    let MailError::Unexpected(cause) = err else {
        unreachable!()
    };
    assert!(cause.chain().count() > 1, "{cause:?}");
}
