## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICATE
certificate-certifies = This certifies that
certificate-awarded = has been awarded the certification
certificate-issued-by = ISSUED BY
certificate-issued-on = ISSUED ON
certificate-expires = EXPIRES
certificate-no-expiry = Does not expire
certificate-id = CERTIFICATE ID
certificate-verify-at = VERIFY AT

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Hello { $name },
email-thanks = Thank you.
email-verify-link = Verify it
email-issued-on = Issued on: { $date }
email-expires-on = Expires on: { $date }
email-certificate-id = Certificate id: { $id }
passed-subject = You earned { $certification }
passed-body-program = Congratulations: you completed { $program } and earned { $certification }, issued by { $issuer }.
passed-body-by-hand = Congratulations: you earned { $certification }, issued by { $issuer }.
passed-download = Download your certificate: { $url }
passed-verify = Anyone can verify it at: { $url }
passed-linkedin = Add it to your LinkedIn profile: { $url }
passed-download-link = Download your certificate
passed-linkedin-link = Add to LinkedIn
did-not-pass-subject = { $program } has ended: { $certification } was not earned
did-not-pass-body = { $program } has ended. To earn { $certification }, every required component had to be completed; { $count ->
        [one] this one was not:
       *[other] these { $count } were not:
    }
did-not-pass-thanks = Thank you for taking part.
nudge-subject = Reminder: { $program } has work past due
nudge-body = To stay on track for { $certification } in { $program }, please complete:
nudge-item = { $component } (due { $due })
reminder-subject-before = { $certification } expires on { $date }
reminder-subject-expired = { $certification } expired on { $date }
reminder-body-before = Your certificate { $certification } (id { $id }) expires on { $date }, in { $days ->
        [one] { $days } day
       *[other] { $days } days
    }.
reminder-body-expired = Your certificate { $certification } (id { $id }) expired on { $date }.
reminder-renew = To renew it, complete a program that awards { $certification }; { $issuer } can tell you which one is next.
reminder-renew-organizers = To renew it, complete a program that awards { $certification }; the program's organizers can tell you which one is next.
reminder-check = Anyone can check it at: { $url }

## The verification page (shared/http page.rs).
page-verification = Certificate verification
page-status-valid = Valid
page-status-expired = Expired
page-status-expired-on = Expired on { $date }
page-status-revoked = Revoked
page-status-revoked-on = Revoked on { $date }
page-replaced = A newer certificate replaces this one:
page-replaced-link = see the newer certificate
page-awarded-to = Awarded to
page-issued-by = Issued by
page-issued-on = Issued on
page-expires = Expires
page-certificate-id = Certificate id
page-preview-alt = The certificate: { $certification } awarded to { $holder } by { $issuer }, issued on { $date }.
page-download = Download PDF
page-linkedin = Add to LinkedIn
page-credential = Open Badges credential
page-not-found = Certificate not found
page-not-found-text = No certificate has this id. Check the link or the code you scanned; a certificate id is the last part of its verification link.
page-footer = This page is the issuer's record of the certificate and is checked each time it is opened.
