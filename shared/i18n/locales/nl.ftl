## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICAAT
certificate-certifies = Hierbij wordt verklaard dat
certificate-awarded = de certificering heeft behaald
certificate-issued-by = UITGEGEVEN DOOR
certificate-issued-on = UITGEGEVEN OP
certificate-expires = VERLOOPT
certificate-no-expiry = Verloopt niet
certificate-id = CERTIFICAAT-ID
certificate-verify-at = CONTROLEER OP

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Hallo { $name },
email-thanks = Dank je wel.
email-verify-link = Controleren
email-issued-on = Uitgegeven op: { $date }
email-expires-on = Verloopt op: { $date }
email-certificate-id = Certificaat-ID: { $id }
passed-subject = Je hebt { $certification } behaald
passed-body-program = Gefeliciteerd: je hebt { $program } afgerond en { $certification } behaald, uitgegeven door { $issuer }.
passed-body-by-hand = Gefeliciteerd: je hebt { $certification } behaald, uitgegeven door { $issuer }.
passed-download = Download je certificaat: { $url }
passed-verify = Iedereen kan het controleren op: { $url }
passed-linkedin = Voeg het toe aan je LinkedIn-profiel: { $url }
passed-download-link = Je certificaat downloaden
passed-linkedin-link = Toevoegen aan LinkedIn
did-not-pass-subject = { $program } is afgelopen: { $certification } is niet behaald
did-not-pass-body = { $program } is afgelopen. Voor { $certification } moest elk verplicht onderdeel afgerond zijn; { $count ->
        [one] dit onderdeel was dat niet:
       *[other] deze { $count } waren dat niet:
    }
did-not-pass-thanks = Bedankt voor je deelname.
nudge-subject = Herinnering: in { $program } is werk over de deadline
nudge-body = Rond het volgende af om op koers te blijven voor { $certification } in { $program }:
nudge-item = { $component } (deadline { $due })
reminder-subject-before = { $certification } verloopt op { $date }
reminder-subject-expired = { $certification } is verlopen op { $date }
reminder-body-before = Je certificaat { $certification } (ID { $id }) verloopt op { $date }, over { $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    }.
reminder-body-expired = Je certificaat { $certification } (ID { $id }) is verlopen op { $date }.
reminder-renew = Rond om het te verlengen een programma af dat { $certification } toekent; { $issuer } kan je vertellen welk programma het volgende is.
reminder-renew-organizers = Rond om het te verlengen een programma af dat { $certification } toekent; de organisatoren van het programma kunnen je vertellen welk programma het volgende is.
reminder-check = Iedereen kan het controleren op: { $url }

## The verification page (shared/http page.rs).
page-verification = Certificaatcontrole
page-status-valid = Geldig
page-status-expired = Verlopen
page-status-expired-on = Verlopen op { $date }
page-status-revoked = Ingetrokken
page-status-revoked-on = Ingetrokken op { $date }
page-replaced = Een nieuwer certificaat vervangt dit certificaat:
page-replaced-link = bekijk het nieuwere certificaat
page-awarded-to = Toegekend aan
page-issued-by = Uitgegeven door
page-issued-on = Uitgegeven op
page-expires = Verloopt
page-certificate-id = Certificaat-ID
page-preview-alt = Het certificaat: { $certification }, toegekend aan { $holder } door { $issuer }, uitgegeven op { $date }.
page-download = PDF downloaden
page-linkedin = Toevoegen aan LinkedIn
page-credential = Open Badges-credential
page-not-found = Certificaat niet gevonden
page-not-found-text = Geen enkel certificaat heeft deze ID. Controleer de link of de gescande code; de ID van een certificaat is het laatste deel van de controlelink.
page-footer = Deze pagina is het register van de uitgever voor dit certificaat en wordt bij elke opening gecontroleerd.
