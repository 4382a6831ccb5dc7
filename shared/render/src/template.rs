//! The certificate's SVG template, split into literal text and slots once, filled per
//! certificate with every value XML-escaped.

/// The SVG every certificate is drawn from.
pub(crate) const CERTIFICATE_SVG: &str = include_str!("../template/certificate.svg");

/// A value the template leaves open, named `{{name}}` in the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Title,
    DescriptionSize,
    Certifies,
    Awarded,
    IssuedByLabel,
    IssuedOnLabel,
    ExpiresLabel,
    IdLabel,
    VerifyLabel,
    HolderName,
    HolderSize,
    CertificationName,
    CertificationSize,
    Description1,
    Description2,
    Description3,
    IssuerName,
    IssuerSize,
    IssuedOn,
    ExpiresOn,
    CertificateId,
    IdSize,
    VerifyUrl,
    UrlSize,
    QrScale,
    QrPath,
}

impl Slot {
    pub(crate) fn named(name: &str) -> Option<Slot> {
        Some(match name {
            "title" => Slot::Title,
            "description_size" => Slot::DescriptionSize,
            "certifies" => Slot::Certifies,
            "awarded" => Slot::Awarded,
            "issued_by_label" => Slot::IssuedByLabel,
            "issued_on_label" => Slot::IssuedOnLabel,
            "expires_label" => Slot::ExpiresLabel,
            "id_label" => Slot::IdLabel,
            "verify_label" => Slot::VerifyLabel,
            "holder_name" => Slot::HolderName,
            "holder_size" => Slot::HolderSize,
            "certification_name" => Slot::CertificationName,
            "certification_size" => Slot::CertificationSize,
            "description_1" => Slot::Description1,
            "description_2" => Slot::Description2,
            "description_3" => Slot::Description3,
            "issuer_name" => Slot::IssuerName,
            "issuer_size" => Slot::IssuerSize,
            "issued_on" => Slot::IssuedOn,
            "expires_on" => Slot::ExpiresOn,
            "certificate_id" => Slot::CertificateId,
            "id_size" => Slot::IdSize,
            "verify_url" => Slot::VerifyUrl,
            "url_size" => Slot::UrlSize,
            "qr_scale" => Slot::QrScale,
            "qr_path" => Slot::QrPath,
            _ => return None,
        })
    }
}

#[derive(Debug)]
enum Piece {
    Literal(&'static str),
    Slot(Slot),
}

/// A template split at its slots, so filling it is one pass of copies.
#[derive(Debug)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
    literal_len: usize,
}

impl Template {
    /// Splits `source` at its `{{name}}` slots.
    ///
    /// Panics on an unclosed or unknown slot: the template is part of this crate, and every
    /// test that renders parses it.
    pub(crate) fn parse(source: &'static str) -> Template {
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            pieces.push(Piece::Literal(&rest[..start]));
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .unwrap_or_else(|| panic!("the certificate template has an unclosed slot"));
            let name = &after[..end];
            let slot =
                Slot::named(name).unwrap_or_else(|| panic!("the certificate template names an unknown slot {name:?}"));
            pieces.push(Piece::Slot(slot));
            rest = &after[end + 2..];
        }
        pieces.push(Piece::Literal(rest));
        let literal_len = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => text.len(),
                Piece::Slot(_) => 0,
            })
            .sum();
        Template { pieces, literal_len }
    }

    /// The SVG with each slot replaced by `value(slot)`, escaped: no value can add markup.
    pub(crate) fn fill(&self, value: impl Fn(Slot) -> String) -> String {
        let mut svg = String::with_capacity(self.literal_len + 2048);
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => svg.push_str(text),
                Piece::Slot(slot) => escape_into(&value(*slot), &mut svg),
            }
        }
        svg
    }
}

/// Appends `text` escaped for XML character data and attribute values alike; characters
/// XML 1.0 forbids even escaped (most C0 controls, U+FFFE, U+FFFF) are dropped.
pub(crate) fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}
