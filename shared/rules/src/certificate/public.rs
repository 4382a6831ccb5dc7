//! The certificate's public life (SPEC 1.12): the links anyone may follow without an
//! account (the verification page, the public PDF and preview) and the LinkedIn
//! "Add to profile" link, built once here for the page, the email and the JSON.

use chrono::Datelike;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::certificate::Certificate;
use crate::field::FieldError;

/// What a query value keeps as is: RFC 3986's unreserved characters. Everything else,
/// spaces, `&`, `=`, `+` and every non-ASCII byte of UTF-8 included, is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// LinkedIn's form that adds a certification to a member's profile.
pub const LINKEDIN_ADD: &str = "https://www.linkedin.com/profile/add";

/// The longest LinkedIn organization id accepted (they are numbers).
pub const LINKEDIN_ORGANIZATION_ID_MAX: usize = 20;

/// The public links of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicLinks {
    /// The verification page (also the QR code's target).
    pub verify: String,
    /// The public PDF: 302 to a short-lived link, 404 once revoked.
    pub pdf: String,
    /// The public preview image, as the PDF.
    pub preview: String,
    /// LinkedIn's "Add to profile" form, filled in.
    pub linkedin: String,
    /// The signed Open Badges 3.0 credential (SPEC 1.12).
    pub credential: String,
}

impl PublicLinks {
    /// The links of `certificate` under `public_url` (the API's base URL); `organization_id`
    /// is the workspace's LinkedIn organization, when it set one.
    pub fn new(public_url: &str, certificate: &Certificate, organization_id: Option<&str>) -> PublicLinks {
        let verify = verify_url(public_url, &certificate.id);
        PublicLinks {
            pdf: format!("{verify}/certificate.pdf"),
            preview: format!("{verify}/preview.png"),
            credential: format!("{verify}/credential"),
            linkedin: linkedin_url(certificate, &verify, organization_id),
            verify,
        }
    }
}

/// The verification page of a certificate.
pub fn verify_url(public_url: &str, certificate_id: &str) -> String {
    let id = utf8_percent_encode(certificate_id, QUERY_VALUE);
    format!("{}/verify/{id}", public_url.trim_end_matches('/'))
}

/// LinkedIn's "Add to profile" link (SPEC 1.12): the certification's name, the issuer
/// (`organizationId` instead when the workspace set one), the issue and expiry month,
/// the verification page and the certificate id, each value percent-encoded.
pub fn linkedin_url(certificate: &Certificate, verify_url: &str, organization_id: Option<&str>) -> String {
    let mut params: Vec<(&str, String)> = vec![
        ("startTask", "CERTIFICATION_NAME".into()),
        ("name", certificate.certification.name.clone()),
    ];
    match organization_id {
        Some(id) => params.push(("organizationId", id.into())),
        None => params.push(("organizationName", certificate.certification.issuer_name.clone())),
    }
    params.push(("issueYear", certificate.issued_on.year().to_string()));
    params.push(("issueMonth", certificate.issued_on.month().to_string()));
    if let Some(expires) = certificate.expires_on {
        params.push(("expirationYear", expires.year().to_string()));
        params.push(("expirationMonth", expires.month().to_string()));
    }
    params.push(("certUrl", verify_url.into()));
    params.push(("certId", certificate.id.clone()));
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect();
    format!("{LINKEDIN_ADD}?{}", query.join("&"))
}

/// A workspace's LinkedIn organization id: digits only, at most
/// [`LINKEDIN_ORGANIZATION_ID_MAX`] of them.
pub fn linkedin_organization_id(value: &str) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() || value.len() > LINKEDIN_ORGANIZATION_ID_MAX || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError {
            field: "linkedin_organization_id".into(),
            problem: format!("must be LinkedIn's numeric organization id (1 to {LINKEDIN_ORGANIZATION_ID_MAX} digits)"),
        });
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::certificate;
    use chrono::NaiveDate;

    /// The query of a URL as (name, decoded value) pairs, in order.
    fn query(url: &str) -> Vec<(String, String)> {
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, LINKEDIN_ADD);
        query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap();
                let decoded = percent_encoding::percent_decode_str(value).decode_utf8().unwrap();
                (name.to_string(), decoded.into_owned())
            })
            .collect()
    }

    #[test]
    fn the_linkedin_link_carries_every_field_and_encodes_spaces_accents_and_ampersands() {
        let mut c = certificate("c-1", "u1");
        c.certification.name = "Ética & Liderança 2026".into();
        c.certification.issuer_name = "Exec Coaching + Co".into();
        c.issued_on = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        c.expires_on = NaiveDate::from_ymd_opt(2028, 2, 29);
        let links = PublicLinks::new("https://certify.example/", &c, None);
        assert_eq!(links.verify, "https://certify.example/verify/c-1");
        assert_eq!(links.pdf, "https://certify.example/verify/c-1/certificate.pdf");
        assert_eq!(links.preview, "https://certify.example/verify/c-1/preview.png");
        let url = &links.linkedin;
        assert!(url.contains("name=%C3%89tica%20%26%20Lideran%C3%A7a%202026"), "{url}");
        assert!(url.contains("organizationName=Exec%20Coaching%20%2B%20Co"), "{url}");
        assert!(!url.contains(' ') && url.is_ascii(), "{url}");
        let expected: Vec<(String, String)> = [
            ("startTask", "CERTIFICATION_NAME"),
            ("name", "Ética & Liderança 2026"),
            ("organizationName", "Exec Coaching + Co"),
            ("issueYear", "2026"),
            ("issueMonth", "11"),
            ("expirationYear", "2028"),
            ("expirationMonth", "2"),
            ("certUrl", "https://certify.example/verify/c-1"),
            ("certId", "c-1"),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        assert_eq!(query(url), expected);
    }

    #[test]
    fn an_organization_id_replaces_the_name_and_no_expiry_leaves_out_its_fields() {
        let mut c = certificate("c-2", "u1");
        c.expires_on = None;
        let url = linkedin_url(&c, "https://x/verify/c-2", Some("1337"));
        let names: Vec<String> = query(&url).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "startTask",
                "name",
                "organizationId",
                "issueYear",
                "issueMonth",
                "certUrl",
                "certId"
            ]
        );
        assert!(url.contains("organizationId=1337"));
    }

    #[test]
    fn an_organization_id_is_digits() {
        assert_eq!(linkedin_organization_id(" 1337 ").unwrap(), "1337");
        for bad in ["", "acme", "12 34", "1337&x=1", &"9".repeat(21)] {
            let e = linkedin_organization_id(bad).unwrap_err();
            assert_eq!(e.field, "linkedin_organization_id", "{bad}");
        }
    }
}
