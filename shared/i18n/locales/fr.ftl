## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICAT
certificate-certifies = Nous certifions que
certificate-awarded = a obtenu la certification
certificate-issued-by = DÉLIVRÉ PAR
certificate-issued-on = DÉLIVRÉ LE
certificate-expires = EXPIRE LE
certificate-no-expiry = N’expire pas
certificate-id = ID DU CERTIFICAT
certificate-verify-at = VÉRIFIER SUR

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Bonjour { $name },
email-thanks = Merci.
email-verify-link = Le vérifier
email-issued-on = Délivré le : { $date }
email-expires-on = Expire le : { $date }
email-certificate-id = ID du certificat : { $id }
passed-subject = Vous avez obtenu { $certification }
passed-body-program = Félicitations : vous avez terminé { $program } et obtenu { $certification }, délivrée par { $issuer }.
passed-body-by-hand = Félicitations : vous avez obtenu { $certification }, délivrée par { $issuer }.
passed-download = Téléchargez votre certificat : { $url }
passed-verify = Tout le monde peut le vérifier sur : { $url }
passed-linkedin = Ajoutez-le à votre profil LinkedIn : { $url }
passed-download-link = Télécharger votre certificat
passed-linkedin-link = Ajouter à LinkedIn
did-not-pass-subject = { $program } est terminé : { $certification } n’a pas été obtenue
did-not-pass-body = { $program } est terminé. Pour obtenir { $certification }, chaque composant obligatoire devait être terminé ; { $count ->
        [one] celui-ci ne l’a pas été :
       *[other] ces { $count } ne l’ont pas été :
    }
did-not-pass-thanks = Merci de votre participation.
nudge-subject = Rappel : { $program } a des travaux en retard
nudge-body = Pour rester sur la voie de { $certification } dans { $program }, veuillez terminer :
nudge-item = { $component } (à rendre le { $due })
reminder-subject-before = { $certification } expire le { $date }
reminder-subject-expired = { $certification } a expiré le { $date }
reminder-body-before = Votre certificat { $certification } (ID { $id }) expire le { $date }, dans { $days ->
        [one] { $days } jour
       *[other] { $days } jours
    }.
reminder-body-expired = Votre certificat { $certification } (ID { $id }) a expiré le { $date }.
reminder-renew = Pour le renouveler, terminez un programme qui délivre { $certification } ; { $issuer } peut vous dire lequel est le prochain.
reminder-renew-organizers = Pour le renouveler, terminez un programme qui délivre { $certification } ; les organisateurs du programme peuvent vous dire lequel est le prochain.
reminder-check = Tout le monde peut le vérifier sur : { $url }

## The verification page (shared/http page.rs).
page-verification = Vérification de certificat
page-status-valid = Valide
page-status-expired = Expiré
page-status-expired-on = Expiré le { $date }
page-status-revoked = Révoqué
page-status-revoked-on = Révoqué le { $date }
page-replaced = Un certificat plus récent remplace celui-ci :
page-replaced-link = voir le certificat plus récent
page-awarded-to = Décerné à
page-issued-by = Délivré par
page-issued-on = Délivré le
page-expires = Expire le
page-certificate-id = ID du certificat
page-preview-alt = Le certificat : { $certification } décerné à { $holder } par { $issuer }, délivré le { $date }.
page-download = Télécharger le PDF
page-linkedin = Ajouter à LinkedIn
page-credential = Justificatif Open Badges
page-not-found = Certificat introuvable
page-not-found-text = Aucun certificat ne porte cet ID. Vérifiez le lien ou le code scanné ; l’ID d’un certificat est la dernière partie de son lien de vérification.
page-footer = Cette page est le registre du certificat tenu par l’émetteur ; elle est vérifiée à chaque ouverture.
