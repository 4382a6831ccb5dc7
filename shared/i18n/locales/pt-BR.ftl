## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICADO
certificate-certifies = Certificamos que
certificate-awarded = obteve a certificação
certificate-issued-by = EMITIDO POR
certificate-issued-on = EMITIDO EM
certificate-expires = VALIDADE
certificate-no-expiry = Não expira
certificate-id = ID DO CERTIFICADO
certificate-verify-at = VERIFIQUE EM

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Olá, { $name },
email-thanks = Obrigado.
email-verify-link = Verificar
email-issued-on = Emitido em: { $date }
email-expires-on = Expira em: { $date }
email-certificate-id = ID do certificado: { $id }
passed-subject = Você obteve { $certification }
passed-body-program = Parabéns: você concluiu { $program } e obteve { $certification }, emitida por { $issuer }.
passed-body-by-hand = Parabéns: você obteve { $certification }, emitida por { $issuer }.
passed-download = Baixe seu certificado: { $url }
passed-verify = Qualquer pessoa pode verificá-lo em: { $url }
passed-linkedin = Adicione-o ao seu perfil do LinkedIn: { $url }
passed-download-link = Baixar seu certificado
passed-linkedin-link = Adicionar ao LinkedIn
did-not-pass-subject = { $program } terminou: { $certification } não foi obtida
did-not-pass-body = { $program } terminou. Para obter { $certification }, era preciso concluir todos os componentes obrigatórios; { $count ->
        [one] este não foi concluído:
       *[other] estes { $count } não foram concluídos:
    }
did-not-pass-thanks = Obrigado por participar.
nudge-subject = Lembrete: { $program } tem atividades atrasadas
nudge-body = Para continuar no caminho de { $certification } em { $program }, conclua:
nudge-item = { $component } (prazo: { $due })
reminder-subject-before = { $certification } expira em { $date }
reminder-subject-expired = { $certification } expirou em { $date }
reminder-body-before = Seu certificado { $certification } (ID { $id }) expira em { $date }, daqui a { $days ->
        [one] { $days } dia
       *[other] { $days } dias
    }.
reminder-body-expired = Seu certificado { $certification } (ID { $id }) expirou em { $date }.
reminder-renew = Para renová-lo, conclua um programa que conceda { $certification }; { $issuer } pode dizer qual é o próximo.
reminder-renew-organizers = Para renová-lo, conclua um programa que conceda { $certification }; os organizadores do programa podem dizer qual é o próximo.
reminder-check = Qualquer pessoa pode conferi-lo em: { $url }

## The verification page (shared/http page.rs).
page-verification = Verificação de certificado
page-status-valid = Válido
page-status-expired = Expirado
page-status-expired-on = Expirou em { $date }
page-status-revoked = Revogado
page-status-revoked-on = Revogado em { $date }
page-replaced = Um certificado mais recente substitui este:
page-replaced-link = ver o certificado mais recente
page-awarded-to = Concedido a
page-issued-by = Emitido por
page-issued-on = Emitido em
page-expires = Expira em
page-certificate-id = ID do certificado
page-preview-alt = O certificado: { $certification } concedido a { $holder } por { $issuer }, emitido em { $date }.
page-download = Baixar PDF
page-linkedin = Adicionar ao LinkedIn
page-credential = Credencial Open Badges
page-not-found = Certificado não encontrado
page-not-found-text = Nenhum certificado tem este ID. Confira o link ou o código que você escaneou; o ID de um certificado é a última parte do seu link de verificação.
page-footer = Esta página é o registro do certificado mantido pelo emissor e é conferida sempre que é aberta.
