## The certificate (shared/render): every fixed word printed on it.
certificate-title = תעודה
certificate-certifies = הננו לאשר כי
certificate-awarded = קיבל/ה את ההסמכה
certificate-issued-by = הונפקה על ידי
certificate-issued-on = תאריך הנפקה
certificate-expires = בתוקף עד
certificate-no-expiry = ללא תפוגה
certificate-id = מזהה התעודה
certificate-verify-at = אימות בכתובת

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = שלום { $name },
email-thanks = תודה.
email-verify-link = לאימות
email-issued-on = תאריך הנפקה: { $date }
email-expires-on = בתוקף עד: { $date }
email-certificate-id = מזהה התעודה: { $id }
passed-subject = קיבלת את { $certification }
passed-body-program = מזל טוב: השלמת את { $program } וקיבלת את { $certification }, שהונפקה על ידי { $issuer }.
passed-body-by-hand = מזל טוב: קיבלת את { $certification }, שהונפקה על ידי { $issuer }.
passed-download = להורדת התעודה: { $url }
passed-verify = כל אחד יכול לאמת אותה בכתובת: { $url }
passed-linkedin = להוספה לפרופיל LinkedIn שלך: { $url }
passed-download-link = להורדת התעודה
passed-linkedin-link = הוספה ל-LinkedIn
did-not-pass-subject = { $program } הסתיים: { $certification } לא הושגה
did-not-pass-body = { $program } הסתיים. כדי לקבל את { $certification } היה צריך להשלים כל רכיב חובה; { $count ->
        [one] הרכיב הזה לא הושלם:
       *[other] { $count } הרכיבים האלה לא הושלמו:
    }
did-not-pass-thanks = תודה על השתתפותך.
nudge-subject = תזכורת: ב-{ $program } יש משימות שמועדן עבר
nudge-body = כדי להמשיך בדרך אל { $certification } ב-{ $program }, יש להשלים:
nudge-item = { $component } (מועד: { $due })
reminder-subject-before = התוקף של { $certification } יפוג ב-{ $date }
reminder-subject-expired = התוקף של { $certification } פג ב-{ $date }
reminder-body-before = התוקף של התעודה שלך { $certification } (מזהה { $id }) יפוג ב-{ $date }, { $days ->
        [one] בעוד יום אחד
        [two] בעוד יומיים
       *[other] בעוד { $days } ימים
    }.
reminder-body-expired = התוקף של התעודה שלך { $certification } (מזהה { $id }) פג ב-{ $date }.
reminder-renew = כדי לחדש אותה, יש להשלים תוכנית שמעניקה את { $certification }; { $issuer } יוכלו לומר לך איזו תוכנית הבאה.
reminder-renew-organizers = כדי לחדש אותה, יש להשלים תוכנית שמעניקה את { $certification }; מארגני התוכנית יוכלו לומר לך איזו תוכנית הבאה.
reminder-check = כל אחד יכול לבדוק אותה בכתובת: { $url }

## The verification page (shared/http page.rs).
page-verification = אימות תעודה
page-status-valid = בתוקף
page-status-expired = פג תוקף
page-status-expired-on = פג תוקף ב-{ $date }
page-status-revoked = בוטלה
page-status-revoked-on = בוטלה ב-{ $date }
page-replaced = תעודה חדשה יותר מחליפה את זו:
page-replaced-link = לתעודה החדשה
page-awarded-to = הוענקה ל
page-issued-by = הונפקה על ידי
page-issued-on = תאריך הנפקה
page-expires = בתוקף עד
page-certificate-id = מזהה התעודה
page-preview-alt = התעודה: { $certification } שהוענקה ל{ $holder } על ידי { $issuer }, הונפקה ב-{ $date }.
page-download = הורדת PDF
page-linkedin = הוספה ל-LinkedIn
page-credential = אישור Open Badges
page-not-found = התעודה לא נמצאה
page-not-found-text = אין תעודה עם המזהה הזה. בדקו את הקישור או את הקוד שסרקתם; מזהה התעודה הוא החלק האחרון בקישור האימות שלה.
page-footer = דף זה הוא הרישום של המנפיק עבור התעודה, והוא נבדק בכל פתיחה.
