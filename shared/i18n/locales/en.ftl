## The certificate (shared/render): every fixed word printed on it.
certificate-title = CERTIFICATE
certificate-certifies = This certifies that
certificate-awarded = has been awarded the certification
certificate-issued-by = ISSUED BY
certificate-issued-on = ISSUED ON
certificate-expires = EXPIRES
certificate-no-expiry = Does not expire
certificate-id = CERTIFICATE ID
certificate-verify-at = VERIFY AT
