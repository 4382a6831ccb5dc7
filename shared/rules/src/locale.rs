//! Locales (SPEC 1.17): the languages Certify speaks, as BCP 47 tags, each with its
//! name in itself and its writing direction, and the choice of one among them for an
//! `Accept-Language` header.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The field problem of a tag Certify does not speak (its `code` in SPEC 2's terms).
pub const UNSUPPORTED_LOCALE: &str = "unsupported_locale";

/// A supported locale. The default is English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    #[default]
    En,
    Es,
    Fr,
    De,
    PtBr,
    It,
    Nl,
    Pl,
    Tr,
    Ja,
    Ko,
    ZhHans,
    Ar,
    He,
    Hi,
}

/// Which way a locale's lines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

impl Locale {
    /// Every supported locale, in the order `GET /locales` lists them.
    pub const ALL: [Locale; 15] = [
        Locale::En,
        Locale::Es,
        Locale::Fr,
        Locale::De,
        Locale::PtBr,
        Locale::It,
        Locale::Nl,
        Locale::Pl,
        Locale::Tr,
        Locale::Ja,
        Locale::Ko,
        Locale::ZhHans,
        Locale::Ar,
        Locale::He,
        Locale::Hi,
    ];

    /// Its BCP 47 tag, as stored and sent.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::PtBr => "pt-BR",
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::Pl => "pl",
            Locale::Tr => "tr",
            Locale::Ja => "ja",
            Locale::Ko => "ko",
            Locale::ZhHans => "zh-Hans",
            Locale::Ar => "ar",
            Locale::He => "he",
            Locale::Hi => "hi",
        }
    }

    /// Its name in its own language (CLDR's), as a language menu shows it.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Es => "español",
            Locale::Fr => "français",
            Locale::De => "Deutsch",
            Locale::PtBr => "português (Brasil)",
            Locale::It => "italiano",
            Locale::Nl => "Nederlands",
            Locale::Pl => "polski",
            Locale::Tr => "Türkçe",
            Locale::Ja => "日本語",
            Locale::Ko => "한국어",
            Locale::ZhHans => "中文（简体）",
            Locale::Ar => "العربية",
            Locale::He => "עברית",
            Locale::Hi => "हिन्दी",
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Locale::Ar | Locale::He => Direction::Rtl,
            _ => Direction::Ltr,
        }
    }

    /// Its language subtag (`pt` for `pt-BR`, `zh` for `zh-Hans`).
    pub fn language(self) -> &'static str {
        let tag = self.tag();
        tag.split('-').next().unwrap_or(tag)
    }

    /// The supported locale `tag` names. BCP 47 tags are case-insensitive, so `PT-br`
    /// is `pt-BR`; `_` is not a separator (`pt_BR` is refused).
    pub fn parse(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The supported locale an `Accept-Language` header prefers (RFC 9110 12.5.4):
    /// ranges by weight, ties in the order given; a range matches a locale whose tag it
    /// equals, or whose language it names when nothing else does (`pt-PT` and `pt`
    /// pick `pt-BR`, `zh` and `zh-CN` pick `zh-Hans`, but `zh-TW` and `zh-Hant` do not:
    /// their script is another). `None` when no range matches (`*` matches none: the
    /// caller's own choice stands then).
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut ranges: Vec<(u16, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let range = parts.next()?.trim();
                let mut weight = 1000;
                for param in parts {
                    let (key, value) = param.split_once('=')?;
                    if key.trim().eq_ignore_ascii_case("q") {
                        weight = quality(value.trim())?;
                    }
                }
                (!range.is_empty() && weight > 0).then_some((weight, i, range))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.into_iter().find_map(|(_, _, range)| Locale::matching(range))
    }

    /// The locale one language range picks, if any.
    fn matching(range: &str) -> Option<Locale> {
        if let Some(exact) = Locale::parse(range) {
            return Some(exact);
        }
        let mut subtags = range.split('-');
        let language = subtags.next()?;
        if language.eq_ignore_ascii_case("zh") {
            // Simplified Chinese only: Traditional (Hant, or the regions writing it) is
            // another written language, which Certify does not speak yet.
            let traditional = subtags.any(|s| ["hant", "tw", "hk", "mo"].iter().any(|t| s.eq_ignore_ascii_case(t)));
            return (!traditional).then_some(Locale::ZhHans);
        }
        Locale::ALL
            .into_iter()
            .find(|l| l.language().eq_ignore_ascii_case(language))
    }
}

/// An `Accept-Language` weight (`0`, `0.5`, `1.000`) in thousandths; `None` when it is
/// not one.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl Serialize for Locale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.tag())
    }
}

/// Reads a stored or sent tag; another tag fails with [`UNSUPPORTED_LOCALE`] in its
/// message. Inputs take the tag as text and check it with [`Locale::parse`], so that the
/// problem names the field.
impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Locale, D::Error> {
        let tag = String::deserialize(deserializer)?;
        Locale::parse(&tag)
            .ok_or_else(|| serde::de::Error::custom(format!("{UNSUPPORTED_LOCALE}: {tag:?} is not a supported locale")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_parses_back_to_its_locale_in_any_case() {
        for locale in Locale::ALL {
            assert_eq!(Locale::parse(locale.tag()), Some(locale));
            assert_eq!(Locale::parse(&locale.tag().to_uppercase()), Some(locale));
            let json = serde_json::to_string(&locale).unwrap();
            assert_eq!(serde_json::from_str::<Locale>(&json).unwrap(), locale);
        }
        for refused in ["", "en-US", "pt_BR", "zh", "klingon", "pt-BR-x"] {
            assert_eq!(Locale::parse(refused), None, "{refused}");
        }
        let err = serde_json::from_str::<Locale>(r#""xx""#).unwrap_err();
        assert!(err.to_string().starts_with(UNSUPPORTED_LOCALE), "{err}");
    }

    #[test]
    fn arabic_and_hebrew_run_right_to_left() {
        let rtl: Vec<_> = Locale::ALL
            .into_iter()
            .filter(|l| l.direction() == Direction::Rtl)
            .collect();
        assert_eq!(rtl, [Locale::Ar, Locale::He]);
        assert_eq!(Locale::default(), Locale::En);
    }

    #[test]
    fn accept_language_picks_by_weight_then_order() {
        assert_eq!(
            Locale::negotiate("fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5"),
            Some(Locale::Fr)
        );
        assert_eq!(Locale::negotiate("en;q=0.5, de"), Some(Locale::De));
        assert_eq!(Locale::negotiate("xx, ja;q=0.1"), Some(Locale::Ja));
        assert_eq!(Locale::negotiate("de;q=0, es;q=0.2"), Some(Locale::Es));
        assert_eq!(Locale::negotiate("pt-PT"), Some(Locale::PtBr));
        assert_eq!(Locale::negotiate("zh-CN,zh;q=0.9"), Some(Locale::ZhHans));
        assert_eq!(Locale::negotiate("zh-TW"), None);
        assert_eq!(Locale::negotiate("zh-Hant-HK, ar-EG;q=0.3"), Some(Locale::Ar));
        assert_eq!(Locale::negotiate("*"), None);
        assert_eq!(Locale::negotiate(""), None);
        // A malformed weight drops its range, not the header.
        assert_eq!(Locale::negotiate("de;q=2, he"), Some(Locale::He));
    }

    #[test]
    fn weights_read_as_rfc_9110_writes_them() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0.5"), Some(500));
        assert_eq!(quality("0.125"), Some(125));
        assert_eq!(quality("0"), Some(0));
        for bad in ["1.5", "0.1234", "2", "-1", "x", "0.a"] {
            assert_eq!(quality(bad), None, "{bad}");
        }
    }
}
