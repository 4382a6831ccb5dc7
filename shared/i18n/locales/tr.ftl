## The certificate (shared/render): every fixed word printed on it.
certificate-title = SERTİFİKA
certificate-certifies = Bu belge ile
certificate-awarded = adlı kişinin şu sertifikayı kazandığı onaylanır
certificate-issued-by = VEREN
certificate-issued-on = VERİLİŞ TARİHİ
certificate-expires = GEÇERLİLİK SONU
certificate-no-expiry = Süresiz geçerli
certificate-id = SERTİFİKA NO
certificate-verify-at = DOĞRULAMA ADRESİ

## Emails (shared/mail templates.rs): the result, the nudge and the expiry reminders.
email-hello = Merhaba { $name },
email-thanks = Teşekkürler.
email-verify-link = Doğrula
email-issued-on = Veriliş tarihi: { $date }
email-expires-on = Geçerlilik sonu: { $date }
email-certificate-id = Sertifika no: { $id }
passed-subject = { $certification } sertifikasını kazandınız
passed-body-program = Tebrikler: { $program } programını tamamladınız ve { $issuer } tarafından verilen { $certification } sertifikasını kazandınız.
passed-body-by-hand = Tebrikler: { $issuer } tarafından verilen { $certification } sertifikasını kazandınız.
passed-download = Sertifikanızı indirin: { $url }
passed-verify = Herkes şu adreste doğrulayabilir: { $url }
passed-linkedin = LinkedIn profilinize ekleyin: { $url }
passed-download-link = Sertifikanızı indirin
passed-linkedin-link = LinkedIn’e ekle
did-not-pass-subject = { $program } sona erdi: { $certification } kazanılmadı
did-not-pass-body = { $program } sona erdi. { $certification } için her zorunlu bileşenin tamamlanması gerekiyordu; { $count ->
        [one] şu bileşen tamamlanmadı:
       *[other] şu { $count } bileşen tamamlanmadı:
    }
did-not-pass-thanks = Katıldığınız için teşekkürler.
nudge-subject = Hatırlatma: { $program } programında süresi geçmiş işler var
nudge-body = { $program } programında { $certification } yolunda kalmak için lütfen şunları tamamlayın:
nudge-item = { $component } (son tarih { $due })
reminder-subject-before = { $certification } { $date } tarihinde sona eriyor
reminder-subject-expired = { $certification } { $date } tarihinde sona erdi
reminder-body-before = { $certification } sertifikanızın (no { $id }) süresi { $date } tarihinde, { $days } gün sonra doluyor.
reminder-body-expired = { $certification } sertifikanızın (no { $id }) süresi { $date } tarihinde doldu.
reminder-renew = Yenilemek için { $certification } veren bir programı tamamlayın; sıradakinin hangisi olduğunu { $issuer } size söyleyebilir.
reminder-renew-organizers = Yenilemek için { $certification } veren bir programı tamamlayın; sıradakinin hangisi olduğunu program düzenleyicileri size söyleyebilir.
reminder-check = Herkes şu adreste kontrol edebilir: { $url }

## The verification page (shared/http page.rs).
page-verification = Sertifika doğrulama
page-status-valid = Geçerli
page-status-expired = Süresi doldu
page-status-expired-on = Süresi { $date } tarihinde doldu
page-status-revoked = İptal edildi
page-status-revoked-on = { $date } tarihinde iptal edildi
page-replaced = Bu sertifikanın yerini daha yeni bir sertifika aldı:
page-replaced-link = yeni sertifikayı görün
page-awarded-to = Verildiği kişi
page-issued-by = Veren
page-issued-on = Veriliş tarihi
page-expires = Geçerlilik sonu
page-certificate-id = Sertifika no
page-preview-alt = Sertifika: { $issuer } tarafından { $holder } adlı kişiye verilen { $certification }, veriliş tarihi { $date }.
page-download = PDF indir
page-linkedin = LinkedIn’e ekle
page-credential = Open Badges kimlik bilgisi
page-not-found = Sertifika bulunamadı
page-not-found-text = Bu numaraya sahip bir sertifika yok. Bağlantıyı veya taradığınız kodu kontrol edin; sertifika numarası, doğrulama bağlantısının son kısmıdır.
page-footer = Bu sayfa, sertifikanın veren kuruluştaki kaydıdır ve her açılışta denetlenir.
