//! What every email Certify sends says, in one place: the result each evaluated
//! participant gets when the program's run reaches them (SPEC 1.8.4: passed, with the
//! certification, its dates and links; or did not pass, with the counted components not
//! completed), the nudge to an off-track participant (1.9) and the expiry reminders
//! (1.14). Each is written in the locale it is given (SPEC 1.17): its words from
//! certify-i18n's message files, its dates in the locale's CLDR long format. Every value
//! is HTML-escaped in the HTML part and isolated (`<bdi>`), so that a Latin name in an
//! Arabic email reads right; the HTML body declares its language and direction.

use certify_i18n::{long_date, message, message_with_count};
use certify_rules::nudge::NudgeTarget;
use certify_rules::{Certificate, Direction, Locale, Participant, PublicLinks, Reminder};
use chrono::{DateTime, Utc};

use crate::{escape_html as esc, Email};

/// User text in the HTML part: escaped, and isolated from the words around it.
fn user(text: &str) -> String {
    format!("<bdi>{}</bdi>", esc(text))
}

/// The HTML body in its language and direction.
fn body(locale: Locale, html: String) -> String {
    let dir = match locale.direction() {
        Direction::Rtl => "rtl",
        Direction::Ltr => "ltr",
    };
    format!("<div dir=\"{dir}\" lang=\"{}\">{html}</div>", locale.tag())
}

/// `<a href>` to `url`, its words `words`.
fn link(url: &str, words: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(url), esc(words))
}

/// A due time as the nudge writes it: the locale's long date, then `HH:MM UTC`.
fn due_time(locale: Locale, at: DateTime<Utc>) -> String {
    format!("{} {} UTC", long_date(locale, at.date_naive()), at.format("%H:%M"))
}

/// The passed email: what was earned, its dates and where to get it. Every link opens
/// without signing in (SPEC 1.12): the public PDF, the verification page and LinkedIn's
/// "Add to profile" form.
pub fn passed_email(locale: Locale, holder: &Participant, certificate: &Certificate, links: &PublicLinks) -> Email {
    let m = |key: &str, args: &[(&str, &str)]| message(locale, key, args);
    let name = &certificate.certification.name;
    let issuer = &certificate.certification.issuer_name;
    let expires = match certificate.expires_on {
        Some(d) => long_date(locale, d),
        None => m("certificate-no-expiry", &[]),
    };
    let issued = long_date(locale, certificate.issued_on);
    // "you completed Spring and earned", or, issued by hand, "you earned".
    let congratulations = |program: Option<&str>, certification: &str, issuer: &str| match program {
        Some(p) => m(
            "passed-body-program",
            &[("program", p), ("certification", certification), ("issuer", issuer)],
        ),
        None => m(
            "passed-body-by-hand",
            &[("certification", certification), ("issuer", issuer)],
        ),
    };
    let program = certificate.program.as_ref().map(|p| p.name.as_str());
    let text = [
        m("email-hello", &[("name", &holder.name)]),
        String::new(),
        congratulations(program, name, issuer),
        String::new(),
        m("email-issued-on", &[("date", &issued)]),
        m("email-expires-on", &[("date", &expires)]),
        m("email-certificate-id", &[("id", &certificate.id)]),
        String::new(),
        m("passed-download", &[("url", &links.pdf)]),
        m("passed-verify", &[("url", &links.verify)]),
        m("passed-linkedin", &[("url", &links.linkedin)]),
    ];
    let html = format!(
        "<p>{}</p><p>{}</p><p>{}<br>{}<br>{}</p><p>{} &middot; {} &middot; {}</p>",
        m("email-hello", &[("name", &user(&holder.name))]),
        congratulations(
            program.map(user).as_deref(),
            &format!("<strong>{}</strong>", user(name)),
            &user(issuer)
        ),
        m("email-issued-on", &[("date", &esc(&issued))]),
        m("email-expires-on", &[("date", &esc(&expires))]),
        m("email-certificate-id", &[("id", &user(&certificate.id))]),
        link(&links.pdf, &m("passed-download-link", &[])),
        link(&links.verify, &m("email-verify-link", &[])),
        link(&links.linkedin, &m("passed-linkedin-link", &[])),
    );
    Email {
        to: holder.email.clone(),
        to_name: holder.name.clone(),
        subject: m("passed-subject", &[("certification", name)]),
        text: text.join("\n") + "\n",
        html: body(locale, html),
        language: locale,
    }
}

/// The did-not-pass email: the counted components (titles) not completed.
pub fn did_not_pass_email(
    locale: Locale,
    holder: &Participant,
    certification: &str,
    program: &str,
    not_completed: &[String],
) -> Email {
    let m = |key: &str, args: &[(&str, &str)]| message(locale, key, args);
    let count = ("count", not_completed.len() as u64);
    let text_items: String = not_completed.iter().map(|t| format!("- {t}\n")).collect();
    let html_items: String = not_completed.iter().map(|t| format!("<li>{}</li>", user(t))).collect();
    let intro = |program: &str, certification: &str| {
        message_with_count(
            locale,
            "did-not-pass-body",
            &[("program", program), ("certification", certification)],
            count,
        )
    };
    Email {
        to: holder.email.clone(),
        to_name: holder.name.clone(),
        subject: m(
            "did-not-pass-subject",
            &[("program", program), ("certification", certification)],
        ),
        text: format!(
            "{}\n\n{}\n\n{text_items}\n{}\n",
            m("email-hello", &[("name", &holder.name)]),
            intro(program, certification),
            m("did-not-pass-thanks", &[]),
        ),
        html: body(
            locale,
            format!(
                "<p>{}</p><p>{}</p><ul>{html_items}</ul><p>{}</p>",
                m("email-hello", &[("name", &user(&holder.name))]),
                intro(&user(program), &user(certification)),
                m("did-not-pass-thanks", &[]),
            ),
        ),
        language: locale,
    }
}

/// The nudge: the program and each past-due counted component with its due time.
pub fn nudge_email(locale: Locale, target: &NudgeTarget, certification: &str) -> Email {
    let m = |key: &str, args: &[(&str, &str)]| message(locale, key, args);
    let item = |title: &str, due: &str| m("nudge-item", &[("component", title), ("due", due)]);
    let text_items: String = target
        .past_due
        .iter()
        .map(|p| format!("- {}\n", item(&p.title, &due_time(locale, p.due_at))))
        .collect();
    let html_items: String = target
        .past_due
        .iter()
        .map(|p| format!("<li>{}</li>", item(&user(&p.title), &esc(&due_time(locale, p.due_at)))))
        .collect();
    let program = &target.program_name;
    Email {
        to: target.email.clone(),
        to_name: target.name.clone(),
        subject: m("nudge-subject", &[("program", program)]),
        text: format!(
            "{}\n\n{}\n\n{text_items}\n{}\n",
            m("email-hello", &[("name", &target.name)]),
            m("nudge-body", &[("certification", certification), ("program", program)]),
            m("email-thanks", &[]),
        ),
        html: body(
            locale,
            format!(
                "<p>{}</p><p>{}</p><ul>{html_items}</ul><p>{}</p>",
                m("email-hello", &[("name", &user(&target.name))]),
                m(
                    "nudge-body",
                    &[("certification", &user(certification)), ("program", &user(program))]
                ),
                m("email-thanks", &[]),
            ),
        ),
        language: locale,
    }
}

/// An expiry reminder: which certification, the date, how to renew and the public
/// verification page. `None` for a certificate with no address or no expiry.
pub fn reminder_email(
    locale: Locale,
    certificate: &Certificate,
    reminder: Reminder,
    links: &PublicLinks,
) -> Option<Email> {
    let m = |key: &str, args: &[(&str, &str)]| message(locale, key, args);
    let to = certificate.holder_email.clone()?;
    let expires = long_date(locale, certificate.expires_on?);
    let name = &certificate.certification.name;
    let issuer = &certificate.certification.issuer_name;
    let subject = match reminder {
        Reminder::Before(_) => m(
            "reminder-subject-before",
            &[("certification", name), ("date", &expires)],
        ),
        Reminder::Expired => m(
            "reminder-subject-expired",
            &[("certification", name), ("date", &expires)],
        ),
    };
    // The sentences, their values filled by `value` (plain, or escaped for HTML).
    let sentences = |value: &dyn Fn(&str) -> String| {
        let args = [
            ("certification", value(name)),
            ("id", value(&certificate.id)),
            ("date", value(&expires)),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let when = match reminder {
            Reminder::Before(days) => {
                message_with_count(locale, "reminder-body-before", &args, ("days", u64::from(days)))
            }
            Reminder::Expired => m("reminder-body-expired", &args),
        };
        let renew = match issuer.is_empty() {
            true => m("reminder-renew-organizers", &args[..1]),
            false => {
                let issuer = value(issuer);
                m("reminder-renew", &[args[0], ("issuer", &issuer)])
            }
        };
        (
            m("email-hello", &[("name", &value(&certificate.holder_name))]),
            when,
            renew,
        )
    };
    let (hello, when, renew) = sentences(&|v: &str| v.to_string());
    let text = format!(
        "{hello}\n\n{when}\n\n{renew}\n\n{}\n",
        m("reminder-check", &[("url", &links.verify)])
    );
    let (hello, when, renew) = sentences(&|v: &str| user(v));
    let html = format!(
        "<p>{hello}</p><p>{when}</p><p>{renew}</p><p>{}</p>",
        link(&links.verify, &m("email-verify-link", &[]))
    );
    Some(Email {
        to,
        to_name: certificate.holder_name.clone(),
        subject,
        text,
        html: body(locale, html),
        language: locale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_fixtures::sample;
    use certify_rules::ProgramRef;

    fn holder() -> Participant {
        Participant {
            user_id: "u1".into(),
            name: "Ana <Ávila>".into(),
            email: "ana@example.com".into(),
            avatar_url: None,
            group: None,
            locale: None,
        }
    }

    /// The sample certificate as `c-1` of "Leadership & Co" by "Exec", held by
    /// "Ana <Ávila>" (`u1`) from "Spring": issued on 2026-11-28, never expiring.
    fn certificate() -> Certificate {
        let mut c = sample::certificate();
        c.id = "c-1".into();
        c.user_id = "u1".into();
        c.holder_name = "Ana <Ávila>".into();
        c.certification.name = "Leadership & Co".into();
        c.certification.issuer_name = "Exec".into();
        c.program = Some(ProgramRef {
            name: "Spring".into(),
            ..sample::program_ref()
        });
        c
    }

    #[test]
    fn the_passed_email_has_the_dates_links_and_escaped_text() {
        let certificate = certificate();
        let links = PublicLinks::new("https://x", &certificate, None);
        let email = passed_email(Locale::En, &holder(), &certificate, &links);
        assert_eq!(email.to, "ana@example.com");
        assert_eq!(email.subject, "You earned Leadership & Co");
        assert_eq!(email.language, Locale::En);
        for part in [&email.text, &email.html] {
            assert!(
                part.contains("November 28, 2026") && part.contains("Does not expire"),
                "{part}"
            );
            assert!(part.contains("https://x/verify/c-1/certificate.pdf") && part.contains("https://x/verify/c-1"));
            assert!(part.contains("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"));
        }
        assert!(email.html.contains("Ana &lt;Ávila&gt;") && email.html.contains("Leadership &amp; Co"));
        assert!(!email.html.contains("<Ávila>"));
        assert!(
            email.html.starts_with("<div dir=\"ltr\" lang=\"en\">"),
            "{}",
            email.html
        );
        assert!(email
            .text
            .contains("Congratulations: you completed Spring and earned Leadership & Co, issued by Exec."));
        let by_hand = Certificate {
            program: None,
            note: Some("finished the 2025 cohort offline".into()),
            ..certificate
        };
        let email = passed_email(Locale::En, &holder(), &by_hand, &links);
        for part in [&email.text, &email.html] {
            assert!(part.contains("Congratulations: you earned"), "{part}");
            assert!(!part.contains("offline"), "the note is for admins only");
        }
    }

    #[test]
    fn emails_are_written_in_their_locale() {
        let certificate = certificate();
        let links = PublicLinks::new("https://x", &certificate, None);
        let de = passed_email(Locale::De, &holder(), &certificate, &links);
        assert_eq!(de.subject, "Sie haben Leadership & Co erhalten");
        assert!(de.text.contains("Ausgestellt am: 28. November 2026"), "{}", de.text);
        assert!(de.text.contains("Gültig bis: Unbefristet gültig"), "{}", de.text);
        assert_eq!(de.language, Locale::De);
        let ar = passed_email(Locale::Ar, &holder(), &certificate, &links);
        assert_eq!(ar.subject, "حصلت على Leadership & Co");
        assert!(ar.html.starts_with("<div dir=\"rtl\" lang=\"ar\">"), "{}", ar.html);
        // A Latin name in Arabic words is isolated, so that it reads in its own order.
        assert!(ar.html.contains("<bdi>Ana &lt;Ávila&gt;</bdi>"), "{}", ar.html);
        assert!(ar.text.contains("28 نوفمبر 2026"), "{}", ar.text);
        let ja = did_not_pass_email(Locale::Ja, &holder(), "L", "Spring", &["M".into()]);
        assert!(ja.subject.starts_with("Spring が終了しました"), "{}", ja.subject);
        assert!(
            !ja.text.contains("Hello") && ja.text.contains("Ana <Ávila> 様"),
            "{}",
            ja.text
        );
    }

    #[test]
    fn the_did_not_pass_email_lists_what_was_not_completed() {
        let email = did_not_pass_email(
            Locale::En,
            &holder(),
            "Leadership",
            "Spring",
            &["Module 2".into(), "Quiz <1>".into()],
        );
        assert!(email.text.contains("- Module 2\n- Quiz <1>\n"), "{}", email.text);
        assert!(email.text.contains("these 2 were not:"), "{}", email.text);
        assert!(
            email.html.contains("<li><bdi>Quiz &lt;1&gt;</bdi></li>"),
            "{}",
            email.html
        );
        assert_eq!(email.subject, "Spring has ended: Leadership was not earned");
        let one = did_not_pass_email(Locale::En, &holder(), "Leadership", "Spring", &["Module 2".into()]);
        assert!(one.text.contains("this one was not:"), "{}", one.text);
    }

    fn target() -> NudgeTarget {
        NudgeTarget {
            program_id: "p1".into(),
            program_name: "Spring <A>".into(),
            user_id: "u1".into(),
            name: "Ana".into(),
            email: "ana@example.com".into(),
            past_due: vec![certify_rules::roster::PastDue {
                component_id: "k1".into(),
                title: "Module <1>".into(),
                due_at: "2026-11-20T17:00:00Z".parse().unwrap_or_default(),
            }],
            previous_nudge: None,
            locale: None,
        }
    }

    #[test]
    fn the_nudge_lists_each_past_due_component_with_its_due_time() {
        let email = nudge_email(Locale::En, &target(), "Leadership");
        assert_eq!(email.to, "ana@example.com");
        assert_eq!(email.subject, "Reminder: Spring <A> has work past due");
        assert!(
            email.text.contains("- Module <1> (due November 20, 2026 17:00 UTC)\n"),
            "{}",
            email.text
        );
        assert!(email
            .html
            .contains("<li><bdi>Module &lt;1&gt;</bdi> (due November 20, 2026 17:00 UTC)</li>"));
        assert!(email.html.contains("Spring &lt;A&gt;"));
        let ko = nudge_email(Locale::Ko, &target(), "Leadership");
        assert!(
            ko.text.contains("Module <1> (기한 2026년 11월 20일 17:00 UTC)"),
            "{}",
            ko.text
        );
    }

    #[test]
    fn a_reminder_says_what_expires_when_and_how_to_renew() {
        let certificate = Certificate {
            program: None,
            holder_email: Some("ana@example.com".into()),
            expires_on: Some("2027-01-31".parse().unwrap_or_default()),
            ..certificate()
        };
        let links = PublicLinks::new("https://x", &certificate, None);
        let soon =
            reminder_email(Locale::En, &certificate, Reminder::Before(7), &links).unwrap_or_else(|| panic!("an email"));
        assert_eq!(
            (soon.to.as_str(), soon.subject.as_str()),
            ("ana@example.com", "Leadership & Co expires on January 31, 2027")
        );
        assert!(
            soon.text.contains("expires on January 31, 2027, in 7 days") && soon.text.contains("https://x/verify/c-1"),
            "{}",
            soon.text
        );
        assert!(soon
            .text
            .contains("complete a program that awards Leadership & Co; Exec can tell you"));
        assert!(soon.html.contains("Leadership &amp; Co") && soon.html.contains("Ana &lt;Ávila&gt;"));
        let tomorrow =
            reminder_email(Locale::En, &certificate, Reminder::Before(1), &links).unwrap_or_else(|| panic!("an email"));
        assert!(tomorrow.text.contains("in 1 day."), "{}", tomorrow.text);
        let over =
            reminder_email(Locale::En, &certificate, Reminder::Expired, &links).unwrap_or_else(|| panic!("an email"));
        assert_eq!(over.subject, "Leadership & Co expired on January 31, 2027");
        let fr =
            reminder_email(Locale::Fr, &certificate, Reminder::Expired, &links).unwrap_or_else(|| panic!("an email"));
        assert_eq!(fr.subject, "Leadership & Co a expiré le 31 janvier 2027");
        let unnamed = Certificate {
            certification: certify_rules::CertificationSnapshot {
                issuer_name: String::new(),
                ..certificate.certification.clone()
            },
            ..certificate.clone()
        };
        let email =
            reminder_email(Locale::En, &unnamed, Reminder::Expired, &links).unwrap_or_else(|| panic!("an email"));
        assert!(
            email.text.contains("the program's organizers can tell you"),
            "{}",
            email.text
        );
        let silent = Certificate {
            holder_email: None,
            ..certificate
        };
        assert!(
            reminder_email(Locale::En, &silent, Reminder::Expired, &links).is_none(),
            "no address, no email"
        );
    }
}
