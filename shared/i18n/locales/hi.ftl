## The certificate (shared/render): every fixed word printed on it.
certificate-title = प्रमाणपत्र
certificate-certifies = प्रमाणित किया जाता है कि
certificate-awarded = ने यह प्रमाणन प्राप्त किया है
certificate-issued-by = जारीकर्ता
certificate-issued-on = जारी करने की तिथि
certificate-expires = समाप्ति तिथि
certificate-no-expiry = कभी समाप्त नहीं होता
certificate-id = प्रमाणपत्र आईडी
certificate-verify-at = यहाँ सत्यापित करें

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = नमस्ते { $name },
email-thanks = धन्यवाद।
email-verify-link = सत्यापित करें
email-issued-on = जारी करने की तिथि: { $date }
email-expires-on = समाप्ति तिथि: { $date }
email-certificate-id = प्रमाणपत्र आईडी: { $id }
passed-subject = आपने { $certification } प्राप्त किया
passed-body-program = बधाई हो: आपने { $program } पूरा किया और { $issuer } द्वारा जारी { $certification } प्राप्त किया।
passed-body-by-hand = बधाई हो: आपने { $issuer } द्वारा जारी { $certification } प्राप्त किया।
passed-download = अपना प्रमाणपत्र डाउनलोड करें: { $url }
passed-verify = कोई भी इसे यहाँ सत्यापित कर सकता है: { $url }
passed-linkedin = इसे अपनी LinkedIn प्रोफ़ाइल में जोड़ें: { $url }
passed-download-link = अपना प्रमाणपत्र डाउनलोड करें
passed-linkedin-link = LinkedIn में जोड़ें
did-not-pass-subject = { $program } समाप्त हो गया: { $certification } प्राप्त नहीं हुआ
did-not-pass-body = { $program } समाप्त हो गया। { $certification } पाने के लिए हर अनिवार्य घटक पूरा करना था; { $count ->
        [one] यह घटक पूरा नहीं हुआ:
       *[other] ये { $count } घटक पूरे नहीं हुए:
    }
did-not-pass-thanks = भाग लेने के लिए धन्यवाद।
nudge-subject = अनुस्मारक: { $program } में कुछ काम की समय-सीमा निकल चुकी है
nudge-body = { $program } में { $certification } की राह पर बने रहने के लिए कृपया यह पूरा करें:
nudge-item = { $component } (नियत { $due })
reminder-subject-before = { $certification } { $date } को समाप्त हो रहा है
reminder-subject-expired = { $certification } { $date } को समाप्त हो गया
reminder-body-before = आपका प्रमाणपत्र { $certification } (आईडी { $id }) { $date } को, { $days ->
        [one] { $days } दिन में
       *[other] { $days } दिनों में
    } समाप्त हो रहा है।
reminder-body-expired = आपका प्रमाणपत्र { $certification } (आईडी { $id }) { $date } को समाप्त हो गया।
reminder-renew = इसे नवीनीकृत करने के लिए { $certification } प्रदान करने वाला कोई कार्यक्रम पूरा करें; { $issuer } आपको बता सकता है कि अगला कौन-सा है।
reminder-renew-organizers = इसे नवीनीकृत करने के लिए { $certification } प्रदान करने वाला कोई कार्यक्रम पूरा करें; कार्यक्रम के आयोजक आपको बता सकते हैं कि अगला कौन-सा है।
reminder-check = कोई भी इसे यहाँ जाँच सकता है: { $url }

## The verification page (shared/http page.rs).
page-verification = प्रमाणपत्र सत्यापन
page-status-valid = मान्य
page-status-expired = समाप्त
page-status-expired-on = { $date } को समाप्त
page-status-revoked = रद्द
page-status-revoked-on = { $date } को रद्द किया गया
page-replaced = इस प्रमाणपत्र की जगह एक नया प्रमाणपत्र है:
page-replaced-link = नया प्रमाणपत्र देखें
page-awarded-to = प्राप्तकर्ता
page-issued-by = जारीकर्ता
page-issued-on = जारी करने की तिथि
page-expires = समाप्ति तिथि
page-certificate-id = प्रमाणपत्र आईडी
page-preview-alt = प्रमाणपत्र: { $issuer } द्वारा { $holder } को प्रदान किया गया { $certification }, { $date } को जारी।
page-download = PDF डाउनलोड करें
page-linkedin = LinkedIn में जोड़ें
page-credential = Open Badges क्रेडेंशियल
page-not-found = प्रमाणपत्र नहीं मिला
page-not-found-text = इस आईडी का कोई प्रमाणपत्र नहीं है। लिंक या स्कैन किया गया कोड जाँचें; प्रमाणपत्र आईडी उसके सत्यापन लिंक का अंतिम भाग है।
page-footer = यह पृष्ठ प्रमाणपत्र का जारीकर्ता द्वारा रखा गया रिकॉर्ड है और हर बार खोलने पर जाँचा जाता है।
