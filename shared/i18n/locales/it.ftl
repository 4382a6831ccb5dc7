## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICATO
certificate-certifies = Si certifica che
certificate-awarded = ha conseguito la certificazione
certificate-issued-by = RILASCIATO DA
certificate-issued-on = RILASCIATO IL
certificate-expires = SCADENZA
certificate-no-expiry = Senza scadenza
certificate-id = ID CERTIFICATO
certificate-verify-at = VERIFICA SU

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Ciao { $name },
email-thanks = Grazie.
email-verify-link = Verificalo
email-issued-on = Rilasciato il: { $date }
email-expires-on = Scade il: { $date }
email-certificate-id = ID certificato: { $id }
passed-subject = Hai conseguito { $certification }
passed-body-program = Congratulazioni: hai completato { $program } e conseguito { $certification }, rilasciata da { $issuer }.
passed-body-by-hand = Congratulazioni: hai conseguito { $certification }, rilasciata da { $issuer }.
passed-download = Scarica il tuo certificato: { $url }
passed-verify = Chiunque può verificarlo su: { $url }
passed-linkedin = Aggiungilo al tuo profilo LinkedIn: { $url }
passed-download-link = Scarica il tuo certificato
passed-linkedin-link = Aggiungi a LinkedIn
did-not-pass-subject = { $program } è terminato: { $certification } non è stata conseguita
did-not-pass-body = { $program } è terminato. Per conseguire { $certification } occorreva completare ogni componente obbligatorio; { $count ->
        [one] questo non è stato completato:
       *[other] questi { $count } non sono stati completati:
    }
did-not-pass-thanks = Grazie per aver partecipato.
nudge-subject = Promemoria: { $program } ha attività in ritardo
nudge-body = Per restare in linea con { $certification } in { $program }, completa:
nudge-item = { $component } (scadenza { $due })
reminder-subject-before = { $certification } scade il { $date }
reminder-subject-expired = { $certification } è scaduta il { $date }
reminder-body-before = Il tuo certificato { $certification } (ID { $id }) scade il { $date }, tra { $days ->
        [one] { $days } giorno
       *[other] { $days } giorni
    }.
reminder-body-expired = Il tuo certificato { $certification } (ID { $id }) è scaduto il { $date }.
reminder-renew = Per rinnovarlo, completa un programma che rilascia { $certification }; { $issuer } può dirti qual è il prossimo.
reminder-renew-organizers = Per rinnovarlo, completa un programma che rilascia { $certification }; gli organizzatori del programma possono dirti qual è il prossimo.
reminder-check = Chiunque può controllarlo su: { $url }

## The verification page (shared/http page.rs).
page-verification = Verifica del certificato
page-status-valid = Valido
page-status-expired = Scaduto
page-status-expired-on = Scaduto il { $date }
page-status-revoked = Revocato
page-status-revoked-on = Revocato il { $date }
page-replaced = Un certificato più recente sostituisce questo:
page-replaced-link = vedi il certificato più recente
page-awarded-to = Conferito a
page-issued-by = Rilasciato da
page-issued-on = Rilasciato il
page-expires = Scadenza
page-certificate-id = ID certificato
page-preview-alt = Il certificato: { $certification } conferito a { $holder } da { $issuer }, rilasciato il { $date }.
page-download = Scarica PDF
page-linkedin = Aggiungi a LinkedIn
page-credential = Credenziale Open Badges
page-not-found = Certificato non trovato
page-not-found-text = Nessun certificato ha questo ID. Controlla il link o il codice scansionato; l’ID di un certificato è l’ultima parte del suo link di verifica.
page-footer = Questa pagina è il registro del certificato tenuto dall’emittente e viene verificata a ogni apertura.
