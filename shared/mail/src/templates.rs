//! What every email Certify sends says, in one place: the result each evaluated
//! participant gets when the program's run reaches them (SPEC 1.8.4: passed, with the
//! certification, its dates and links; or did not pass, with the counted components not
//! completed), the nudge to an off-track participant (1.9) and the expiry reminders
//! (1.14). Every value is HTML-escaped in the HTML part.

use certify_rules::nudge::NudgeTarget;
use certify_rules::{Certificate, Participant, PublicLinks, Reminder};

use crate::{escape_html as esc, Email};

/// The passed email: what was earned, its dates and where to get it. Every link opens
/// without signing in (SPEC 1.12): the public PDF, the verification page and LinkedIn's
/// "Add to profile" form.
pub fn passed_email(holder: &Participant, certificate: &Certificate, links: &PublicLinks) -> Email {
    let name = &certificate.certification.name;
    let expires = match certificate.expires_on {
        Some(d) => d.to_string(),
        None => "Does not expire".to_string(),
    };
    let issued = certificate.issued_on.to_string();
    // "you completed Spring and earned", or, issued by hand, "you earned".
    let completed = |program: &str| format!("you completed {program} and earned");
    let (text_completed, html_completed) = match &certificate.program {
        Some(p) => (completed(&p.name), completed(&esc(&p.name))),
        None => ("you earned".to_string(), "you earned".to_string()),
    };
    Email {
        to: holder.email.clone(),
        to_name: holder.name.clone(),
        subject: format!("You earned {name}"),
        text: format!(
            "Hello {},\n\nCongratulations: {text_completed} {name}, issued by {}.\n\n\
             Issued on: {issued}\nExpires on: {expires}\nCertificate id: {}\n\n\
             Download your certificate: {}\nAnyone can verify it at: {}\nAdd it to your LinkedIn profile: {}\n",
            holder.name, certificate.certification.issuer_name, certificate.id, links.pdf, links.verify, links.linkedin,
        ),
        html: format!(
            "<p>Hello {},</p><p>Congratulations: {html_completed} <strong>{}</strong>, issued by {}.</p>\
             <p>Issued on: {issued}<br>Expires on: {}<br>Certificate id: {}</p>\
             <p><a href=\"{}\">Download your certificate</a> &middot; <a href=\"{}\">Verify it</a> \
             &middot; <a href=\"{}\">Add to LinkedIn</a></p>",
            esc(&holder.name),
            esc(name),
            esc(&certificate.certification.issuer_name),
            esc(&expires),
            esc(&certificate.id),
            esc(&links.pdf),
            esc(&links.verify),
            esc(&links.linkedin),
        ),
    }
}

/// The did-not-pass email: the counted components (titles) not completed.
pub fn did_not_pass_email(holder: &Participant, certification: &str, program: &str, not_completed: &[String]) -> Email {
    let text_items: String = not_completed.iter().map(|t| format!("- {t}\n")).collect();
    let html_items: String = not_completed.iter().map(|t| format!("<li>{}</li>", esc(t))).collect();
    Email {
        to: holder.email.clone(),
        to_name: holder.name.clone(),
        subject: format!("{program} has ended: {certification} was not earned"),
        text: format!(
            "Hello {},\n\n{program} has ended. To earn {certification}, every required component had to be \
             completed; these were not:\n\n{text_items}\nThank you for taking part.\n",
            holder.name
        ),
        html: format!(
            "<p>Hello {},</p><p>{} has ended. To earn {}, every required component had to be completed; \
             these were not:</p><ul>{html_items}</ul><p>Thank you for taking part.</p>",
            esc(&holder.name),
            esc(program),
            esc(certification)
        ),
    }
}

/// The nudge: the program and each past-due counted component with its due time.
pub fn nudge_email(target: &NudgeTarget, certification: &str) -> Email {
    let items: Vec<(String, String)> = target
        .past_due
        .iter()
        .map(|p| (p.title.clone(), p.due_at.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    let text_items: String = items.iter().map(|(t, d)| format!("- {t} (due {d})\n")).collect();
    let html_items: String = items
        .iter()
        .map(|(t, d)| format!("<li>{} (due {})</li>", esc(t), esc(d)))
        .collect();
    Email {
        to: target.email.clone(),
        to_name: target.name.clone(),
        subject: format!("Reminder: {} has work past due", target.program_name),
        text: format!(
            "Hello {},\n\nTo stay on track for {certification} in {}, please complete:\n\n{text_items}\nThank you.\n",
            target.name, target.program_name
        ),
        html: format!(
            "<p>Hello {},</p><p>To stay on track for {} in {}, please complete:</p><ul>{html_items}</ul><p>Thank you.</p>",
            esc(&target.name),
            esc(certification),
            esc(&target.program_name)
        ),
    }
}

/// An expiry reminder: which certification, the date, how to renew and the public
/// verification page. `None` for a certificate with no address or no expiry.
pub fn reminder_email(certificate: &Certificate, reminder: Reminder, links: &PublicLinks) -> Option<Email> {
    let to = certificate.holder_email.clone()?;
    let expires = certificate.expires_on?.to_string();
    let name = &certificate.certification.name;
    let issuer = &certificate.certification.issuer_name;
    let (subject, when) = match reminder {
        Reminder::Before(days) => (
            format!("{name} expires on {expires}"),
            format!(
                "expires on {expires}, in {days} day{}",
                if days == 1 { "" } else { "s" }
            ),
        ),
        Reminder::Expired => (format!("{name} expired on {expires}"), format!("expired on {expires}")),
    };
    let contact = if issuer.is_empty() {
        "the program's organizers".to_string()
    } else {
        issuer.clone()
    };
    let renew =
        format!("To renew it, complete a program that awards {name}; {contact} can tell you which one is next.");
    Some(Email {
        to,
        to_name: certificate.holder_name.clone(),
        subject,
        text: format!(
            "Hello {},\n\nYour certificate {name} (id {}) {when}.\n\n{renew}\n\nAnyone can check it at: {}\n",
            certificate.holder_name, certificate.id, links.verify
        ),
        html: format!(
            "<p>Hello {},</p><p>Your certificate <strong>{}</strong> (id {}) {}.</p><p>{}</p>\
             <p><a href=\"{}\">Verify it</a></p>",
            esc(&certificate.holder_name),
            esc(name),
            esc(&certificate.id),
            esc(&when),
            esc(&renew),
            esc(&links.verify),
        ),
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
        let email = passed_email(&holder(), &certificate, &links);
        assert_eq!(email.to, "ana@example.com");
        assert_eq!(email.subject, "You earned Leadership & Co");
        for part in [&email.text, &email.html] {
            assert!(
                part.contains("2026-11-28") && part.contains("Does not expire"),
                "{part}"
            );
            assert!(part.contains("https://x/verify/c-1/certificate.pdf") && part.contains("https://x/verify/c-1"));
            assert!(part.contains("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"));
        }
        assert!(email.html.contains("Ana &lt;Ávila&gt;") && email.html.contains("Leadership &amp; Co"));
        assert!(!email.html.contains("<Ávila>"));
        assert!(email
            .text
            .contains("Congratulations: you completed Spring and earned Leadership & Co"));
        let by_hand = Certificate {
            program: None,
            note: Some("finished the 2025 cohort offline".into()),
            ..certificate
        };
        let email = passed_email(&holder(), &by_hand, &links);
        for part in [&email.text, &email.html] {
            assert!(part.contains("Congratulations: you earned"), "{part}");
            assert!(!part.contains("offline"), "the note is for admins only");
        }
    }

    #[test]
    fn the_did_not_pass_email_lists_what_was_not_completed() {
        let email = did_not_pass_email(
            &holder(),
            "Leadership",
            "Spring",
            &["Module 2".into(), "Quiz <1>".into()],
        );
        assert!(email.text.contains("- Module 2\n- Quiz <1>\n"), "{}", email.text);
        assert!(email.html.contains("<li>Quiz &lt;1&gt;</li>"), "{}", email.html);
        assert!(email.subject.contains("was not earned"));
    }

    #[test]
    fn the_nudge_lists_each_past_due_component_with_its_due_time() {
        let target = NudgeTarget {
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
        };
        let email = nudge_email(&target, "Leadership");
        assert_eq!(email.to, "ana@example.com");
        assert_eq!(email.subject, "Reminder: Spring <A> has work past due");
        assert!(
            email.text.contains("- Module <1> (due 2026-11-20 17:00 UTC)\n"),
            "{}",
            email.text
        );
        assert!(email
            .html
            .contains("<li>Module &lt;1&gt; (due 2026-11-20 17:00 UTC)</li>"));
        assert!(email.html.contains("Spring &lt;A&gt;"));
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
        let soon = reminder_email(&certificate, Reminder::Before(7), &links).unwrap_or_else(|| panic!("an email"));
        assert_eq!(
            (soon.to.as_str(), soon.subject.as_str()),
            ("ana@example.com", "Leadership & Co expires on 2027-01-31")
        );
        assert!(soon.text.contains("expires on 2027-01-31, in 7 days") && soon.text.contains("https://x/verify/c-1"));
        assert!(soon
            .text
            .contains("complete a program that awards Leadership & Co; Exec can tell you"));
        assert!(soon.html.contains("Leadership &amp; Co") && soon.html.contains("Ana &lt;Ávila&gt;"));
        let over = reminder_email(&certificate, Reminder::Expired, &links).unwrap_or_else(|| panic!("an email"));
        assert_eq!(over.subject, "Leadership & Co expired on 2027-01-31");
        let silent = Certificate {
            holder_email: None,
            ..certificate
        };
        assert!(
            reminder_email(&silent, Reminder::Expired, &links).is_none(),
            "no address, no email"
        );
    }
}
