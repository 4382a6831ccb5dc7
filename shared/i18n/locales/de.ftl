## The certificate (shared/render): every fixed word printed on it.
certificate-title = ZERTIFIKAT
certificate-certifies = Hiermit wird bestätigt, dass
certificate-awarded = die folgende Zertifizierung erhalten hat
certificate-issued-by = AUSGESTELLT VON
certificate-issued-on = AUSGESTELLT AM
certificate-expires = GÜLTIG BIS
certificate-no-expiry = Unbefristet gültig
certificate-id = ZERTIFIKAT-ID
certificate-verify-at = PRÜFEN UNTER

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Hallo { $name },
email-thanks = Vielen Dank.
email-verify-link = Prüfen
email-issued-on = Ausgestellt am: { $date }
email-expires-on = Gültig bis: { $date }
email-certificate-id = Zertifikat-ID: { $id }
passed-subject = Sie haben { $certification } erhalten
passed-body-program = Herzlichen Glückwunsch: Sie haben { $program } abgeschlossen und { $certification } erhalten, ausgestellt von { $issuer }.
passed-body-by-hand = Herzlichen Glückwunsch: Sie haben { $certification } erhalten, ausgestellt von { $issuer }.
passed-download = Laden Sie Ihr Zertifikat herunter: { $url }
passed-verify = Jeder kann es hier prüfen: { $url }
passed-linkedin = Fügen Sie es Ihrem LinkedIn-Profil hinzu: { $url }
passed-download-link = Zertifikat herunterladen
passed-linkedin-link = Zu LinkedIn hinzufügen
did-not-pass-subject = { $program } ist beendet: { $certification } wurde nicht erreicht
did-not-pass-body = { $program } ist beendet. Für { $certification } musste jede Pflichtkomponente abgeschlossen werden; { $count ->
        [one] diese wurde es nicht:
       *[other] diese { $count } wurden es nicht:
    }
did-not-pass-thanks = Vielen Dank für Ihre Teilnahme.
nudge-subject = Erinnerung: In { $program } sind Aufgaben überfällig
nudge-body = Um bei { $certification } in { $program } auf Kurs zu bleiben, schließen Sie bitte ab:
nudge-item = { $component } (fällig am { $due })
reminder-subject-before = { $certification } läuft am { $date } ab
reminder-subject-expired = { $certification } ist am { $date } abgelaufen
reminder-body-before = Ihr Zertifikat { $certification } (ID { $id }) läuft am { $date } ab, in { $days ->
        [one] { $days } Tag
       *[other] { $days } Tagen
    }.
reminder-body-expired = Ihr Zertifikat { $certification } (ID { $id }) ist am { $date } abgelaufen.
reminder-renew = Um es zu erneuern, schließen Sie ein Programm ab, das { $certification } vergibt; { $issuer } sagt Ihnen, welches als Nächstes ansteht.
reminder-renew-organizers = Um es zu erneuern, schließen Sie ein Programm ab, das { $certification } vergibt; die Veranstalter des Programms sagen Ihnen, welches als Nächstes ansteht.
reminder-check = Jeder kann es hier prüfen: { $url }

## The verification page (shared/http page.rs).
page-verification = Zertifikatsprüfung
page-status-valid = Gültig
page-status-expired = Abgelaufen
page-status-expired-on = Abgelaufen am { $date }
page-status-revoked = Widerrufen
page-status-revoked-on = Widerrufen am { $date }
page-replaced = Ein neueres Zertifikat ersetzt dieses:
page-replaced-link = zum neueren Zertifikat
page-awarded-to = Verliehen an
page-issued-by = Ausgestellt von
page-issued-on = Ausgestellt am
page-expires = Gültig bis
page-certificate-id = Zertifikat-ID
page-preview-alt = Das Zertifikat: { $certification }, verliehen an { $holder } von { $issuer }, ausgestellt am { $date }.
page-download = PDF herunterladen
page-linkedin = Zu LinkedIn hinzufügen
page-credential = Open-Badges-Nachweis
page-not-found = Zertifikat nicht gefunden
page-not-found-text = Kein Zertifikat hat diese ID. Prüfen Sie den Link oder den gescannten Code; die ID eines Zertifikats ist der letzte Teil seines Prüflinks.
page-footer = Diese Seite ist der Nachweis des Ausstellers über das Zertifikat und wird bei jedem Aufruf geprüft.
