## The certificate (shared/render): every fixed word printed on it.
certificate-title = شهادة
certificate-certifies = نشهد بأن
certificate-awarded = قد حصل على شهادة
certificate-issued-by = الجهة المانحة
certificate-issued-on = تاريخ الإصدار
certificate-expires = تاريخ الانتهاء
certificate-no-expiry = لا تنتهي صلاحيتها
certificate-id = رقم الشهادة
certificate-verify-at = تحقق عبر

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = مرحبًا { $name }،
email-thanks = شكرًا لك.
email-verify-link = تحقق منها
email-issued-on = تاريخ الإصدار: { $date }
email-expires-on = تاريخ الانتهاء: { $date }
email-certificate-id = رقم الشهادة: { $id }
passed-subject = حصلت على { $certification }
passed-body-program = تهانينا: أكملت { $program } وحصلت على { $certification }، الصادرة عن { $issuer }.
passed-body-by-hand = تهانينا: حصلت على { $certification }، الصادرة عن { $issuer }.
passed-download = نزّل شهادتك: { $url }
passed-verify = يمكن لأي شخص التحقق منها عبر: { $url }
passed-linkedin = أضفها إلى ملفك الشخصي على LinkedIn: { $url }
passed-download-link = نزّل شهادتك
passed-linkedin-link = أضفها إلى LinkedIn
did-not-pass-subject = انتهى { $program }: لم تحصل على { $certification }
did-not-pass-body = انتهى { $program }. للحصول على { $certification } كان يجب إكمال كل مكوّن مطلوب؛ { $count ->
        [one] وهذا المكوّن لم يُكمل:
        [two] وهذان المكوّنان لم يُكملا:
       *[other] وهذه المكوّنات ({ $count }) لم تُكمل:
    }
did-not-pass-thanks = شكرًا لمشاركتك.
nudge-subject = تذكير: لديك مهام متأخرة في { $program }
nudge-body = لتبقى على المسار نحو { $certification } في { $program }، يرجى إكمال:
nudge-item = { $component } (موعده { $due })
reminder-subject-before = تنتهي صلاحية { $certification } في { $date }
reminder-subject-expired = انتهت صلاحية { $certification } في { $date }
reminder-body-before = تنتهي صلاحية شهادتك { $certification } (الرقم { $id }) في { $date }، { $days ->
        [one] بعد يوم واحد
        [two] بعد يومين
        [few] بعد { $days } أيام
       *[other] بعد { $days } يومًا
    }.
reminder-body-expired = انتهت صلاحية شهادتك { $certification } (الرقم { $id }) في { $date }.
reminder-renew = لتجديدها، أكمل برنامجًا يمنح { $certification }؛ ويمكن لـ{ $issuer } إخبارك بالبرنامج التالي.
reminder-renew-organizers = لتجديدها، أكمل برنامجًا يمنح { $certification }؛ ويمكن لمنظمي البرنامج إخبارك بالبرنامج التالي.
reminder-check = يمكن لأي شخص التحقق منها عبر: { $url }

## The verification page (shared/http page.rs).
page-verification = التحقق من الشهادة
page-status-valid = صالحة
page-status-expired = منتهية الصلاحية
page-status-expired-on = انتهت صلاحيتها في { $date }
page-status-revoked = ملغاة
page-status-revoked-on = أُلغيت في { $date }
page-replaced = حلّت محل هذه الشهادة شهادة أحدث:
page-replaced-link = اعرض الشهادة الأحدث
page-awarded-to = مُنحت إلى
page-issued-by = الجهة المانحة
page-issued-on = تاريخ الإصدار
page-expires = تاريخ الانتهاء
page-certificate-id = رقم الشهادة
page-preview-alt = الشهادة: { $certification } الممنوحة إلى { $holder } من { $issuer }، بتاريخ { $date }.
page-download = تنزيل PDF
page-linkedin = أضفها إلى LinkedIn
page-credential = بيانات اعتماد Open Badges
page-not-found = لم يُعثر على الشهادة
page-not-found-text = لا توجد شهادة بهذا الرقم. تحقق من الرابط أو من الرمز الذي مسحته؛ رقم الشهادة هو الجزء الأخير من رابط التحقق الخاص بها.
page-footer = هذه الصفحة هي سجل الجهة المانحة لهذه الشهادة، ويُتحقق منها في كل مرة تُفتح فيها.
