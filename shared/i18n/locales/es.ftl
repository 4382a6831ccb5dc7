## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICADO
certificate-certifies = Se certifica que
certificate-awarded = ha obtenido la certificación
certificate-issued-by = EMITIDO POR
certificate-issued-on = EMITIDO EL
certificate-expires = VENCE
certificate-no-expiry = No vence
certificate-id = ID DEL CERTIFICADO
certificate-verify-at = VERIFICAR EN

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Hola, { $name }:
email-thanks = Gracias.
email-verify-link = Verificarlo
email-issued-on = Emitido el: { $date }
email-expires-on = Vence el: { $date }
email-certificate-id = ID del certificado: { $id }
passed-subject = Has obtenido { $certification }
passed-body-program = Enhorabuena: has completado { $program } y has obtenido { $certification }, emitida por { $issuer }.
passed-body-by-hand = Enhorabuena: has obtenido { $certification }, emitida por { $issuer }.
passed-download = Descarga tu certificado: { $url }
passed-verify = Cualquiera puede verificarlo en: { $url }
passed-linkedin = Añádelo a tu perfil de LinkedIn: { $url }
passed-download-link = Descargar tu certificado
passed-linkedin-link = Añadir a LinkedIn
did-not-pass-subject = { $program } ha terminado: no se obtuvo { $certification }
did-not-pass-body = { $program } ha terminado. Para obtener { $certification } había que completar todos los componentes obligatorios; { $count ->
        [one] este no se completó:
       *[other] estos { $count } no se completaron:
    }
did-not-pass-thanks = Gracias por participar.
nudge-subject = Recordatorio: { $program } tiene tareas vencidas
nudge-body = Para seguir en camino hacia { $certification } en { $program }, completa:
nudge-item = { $component } (vencía el { $due })
reminder-subject-before = { $certification } vence el { $date }
reminder-subject-expired = { $certification } venció el { $date }
reminder-body-before = Tu certificado { $certification } (ID { $id }) vence el { $date }, dentro de { $days ->
        [one] { $days } día
       *[other] { $days } días
    }.
reminder-body-expired = Tu certificado { $certification } (ID { $id }) venció el { $date }.
reminder-renew = Para renovarlo, completa un programa que otorgue { $certification }; { $issuer } puede decirte cuál es el próximo.
reminder-renew-organizers = Para renovarlo, completa un programa que otorgue { $certification }; los organizadores del programa pueden decirte cuál es el próximo.
reminder-check = Cualquiera puede comprobarlo en: { $url }

## The verification page (shared/http page.rs).
page-verification = Verificación de certificado
page-status-valid = Válido
page-status-expired = Vencido
page-status-expired-on = Venció el { $date }
page-status-revoked = Revocado
page-status-revoked-on = Revocado el { $date }
page-replaced = Un certificado más reciente sustituye a este:
page-replaced-link = ver el certificado más reciente
page-awarded-to = Otorgado a
page-issued-by = Emitido por
page-issued-on = Emitido el
page-expires = Vence
page-certificate-id = ID del certificado
page-preview-alt = El certificado: { $certification } otorgado a { $holder } por { $issuer }, emitido el { $date }.
page-download = Descargar PDF
page-linkedin = Añadir a LinkedIn
page-credential = Credencial Open Badges
page-not-found = Certificado no encontrado
page-not-found-text = Ningún certificado tiene este ID. Revisa el enlace o el código que escaneaste; el ID de un certificado es la última parte de su enlace de verificación.
page-footer = Esta página es el registro del certificado que mantiene el emisor y se comprueba cada vez que se abre.
