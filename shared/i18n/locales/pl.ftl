## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTYFIKAT
certificate-certifies = Niniejszym zaświadcza się, że
certificate-awarded = uzyskał(a) certyfikację
certificate-issued-by = WYSTAWIONY PRZEZ
certificate-issued-on = DATA WYSTAWIENIA
certificate-expires = WAŻNY DO
certificate-no-expiry = Bezterminowy
certificate-id = ID CERTYFIKATU
certificate-verify-at = WERYFIKACJA

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Dzień dobry, { $name },
email-thanks = Dziękujemy.
email-verify-link = Zweryfikuj
email-issued-on = Data wystawienia: { $date }
email-expires-on = Ważny do: { $date }
email-certificate-id = ID certyfikatu: { $id }
passed-subject = Uzyskano { $certification }
passed-body-program = Gratulacje: ukończono { $program } i uzyskano { $certification }, wystawiony przez { $issuer }.
passed-body-by-hand = Gratulacje: uzyskano { $certification }, wystawiony przez { $issuer }.
passed-download = Pobierz swój certyfikat: { $url }
passed-verify = Każdy może go zweryfikować pod adresem: { $url }
passed-linkedin = Dodaj go do swojego profilu na LinkedIn: { $url }
passed-download-link = Pobierz swój certyfikat
passed-linkedin-link = Dodaj do LinkedIn
did-not-pass-subject = { $program } zakończył się: nie uzyskano { $certification }
did-not-pass-body = { $program } zakończył się. Aby uzyskać { $certification }, trzeba było ukończyć każdy obowiązkowy element; { $count ->
        [one] ten nie został ukończony:
        [few] te { $count } nie zostały ukończone:
       *[other] tych { $count } nie ukończono:
    }
did-not-pass-thanks = Dziękujemy za udział.
nudge-subject = Przypomnienie: { $program } ma zaległe zadania
nudge-body = Aby nie zboczyć z drogi do { $certification } w { $program }, ukończ:
nudge-item = { $component } (termin: { $due })
reminder-subject-before = { $certification } wygasa { $date }
reminder-subject-expired = { $certification } wygasł { $date }
reminder-body-before = Twój certyfikat { $certification } (ID { $id }) wygasa { $date }, za { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }.
reminder-body-expired = Twój certyfikat { $certification } (ID { $id }) wygasł { $date }.
reminder-renew = Aby go odnowić, ukończ program, który nadaje { $certification }; { $issuer } wskaże, który jest następny.
reminder-renew-organizers = Aby go odnowić, ukończ program, który nadaje { $certification }; organizatorzy programu wskażą, który jest następny.
reminder-check = Każdy może go sprawdzić pod adresem: { $url }

## The verification page (shared/http page.rs).
page-verification = Weryfikacja certyfikatu
page-status-valid = Ważny
page-status-expired = Wygasł
page-status-expired-on = Wygasł { $date }
page-status-revoked = Unieważniony
page-status-revoked-on = Unieważniony { $date }
page-replaced = Ten certyfikat zastąpiono nowszym:
page-replaced-link = zobacz nowszy certyfikat
page-awarded-to = Przyznany
page-issued-by = Wystawiony przez
page-issued-on = Data wystawienia
page-expires = Ważny do
page-certificate-id = ID certyfikatu
page-preview-alt = Certyfikat: { $certification } przyznany { $holder } przez { $issuer }, wystawiony { $date }.
page-download = Pobierz PDF
page-linkedin = Dodaj do LinkedIn
page-credential = Poświadczenie Open Badges
page-not-found = Nie znaleziono certyfikatu
page-not-found-text = Żaden certyfikat nie ma tego ID. Sprawdź link lub zeskanowany kod; ID certyfikatu to ostatnia część jego linku weryfikacyjnego.
page-footer = Ta strona to rejestr certyfikatu prowadzony przez wystawcę, sprawdzany przy każdym otwarciu.
