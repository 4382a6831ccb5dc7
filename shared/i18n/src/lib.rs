//! Certify's words in every supported locale (SPEC 1.17): one Fluent message file per
//! locale in `locales/`, compiled in (they are small), and each locale's CLDR long date
//! format.
//!
//! [`message`] looks a message up; [`certificate_words`] gathers those the certificate
//! prints; [`long_date`] writes a day as the locale writes it in full.

use std::collections::HashMap;
use std::sync::OnceLock;

use certify_rules::locale::Locale;
use chrono::{Datelike, NaiveDate};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

/// Each locale's message file, in `Locale::ALL`'s order.
const FILES: [(Locale, &str); 15] = [
    (Locale::En, include_str!("../locales/en.ftl")),
    (Locale::Es, include_str!("../locales/es.ftl")),
    (Locale::Fr, include_str!("../locales/fr.ftl")),
    (Locale::De, include_str!("../locales/de.ftl")),
    (Locale::PtBr, include_str!("../locales/pt-BR.ftl")),
    (Locale::It, include_str!("../locales/it.ftl")),
    (Locale::Nl, include_str!("../locales/nl.ftl")),
    (Locale::Pl, include_str!("../locales/pl.ftl")),
    (Locale::Tr, include_str!("../locales/tr.ftl")),
    (Locale::Ja, include_str!("../locales/ja.ftl")),
    (Locale::Ko, include_str!("../locales/ko.ftl")),
    (Locale::ZhHans, include_str!("../locales/zh-Hans.ftl")),
    (Locale::Ar, include_str!("../locales/ar.ftl")),
    (Locale::He, include_str!("../locales/he.ftl")),
    (Locale::Hi, include_str!("../locales/hi.ftl")),
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static HashMap<Locale, Bundle> {
    static BUNDLES: OnceLock<HashMap<Locale, Bundle>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        FILES
            .iter()
            .map(|&(locale, source)| {
                let resource = FluentResource::try_new(source.to_string())
                    .unwrap_or_else(|(_, errors)| panic!("locales/{locale}.ftl does not parse: {errors:?}"));
                let tag = locale
                    .tag()
                    .parse()
                    .unwrap_or_else(|e| panic!("{locale} is not a BCP 47 tag: {e}"));
                let mut bundle = Bundle::new_concurrent(vec![tag]);
                // No Unicode isolation marks around arguments: the texts go into
                // emails' subjects and the certificate, where they would be invisible
                // characters a reader cannot see but copies.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("locales/{locale}.ftl repeats a key: {errors:?}"));
                (locale, bundle)
            })
            .collect()
    })
}

/// The message `key` in `locale`, its `{ $name }` placeholders filled from `args`. Falls
/// back to English for a locale without the key (a test holds every file complete).
pub fn message(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    format(locale, key, args, None)
}

/// [`message`] with one number among the arguments, `count`, which the message may
/// choose its plural form by (`{ $days -> [one] ... *[other] ... }`).
pub fn message_with_count(locale: Locale, key: &str, args: &[(&str, &str)], count: (&str, u64)) -> String {
    format(locale, key, args, Some(count))
}

fn format(locale: Locale, key: &str, args: &[(&str, &str)], count: Option<(&str, u64)>) -> String {
    let bundles = bundles();
    let found = [locale, Locale::En]
        .into_iter()
        .find_map(|l| bundles.get(&l).and_then(|b| Some((b, b.get_message(key)?.value()?))));
    let Some((bundle, pattern)) = found else {
        panic!("no message {key:?}: every key the code uses is in locales/en.ftl");
    };
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, *value);
    }
    if let Some((name, n)) = count {
        fluent_args.set(name, n);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    debug_assert!(errors.is_empty(), "{key}: {errors:?}");
    text.into_owned()
}

/// Every fixed word the certificate prints, in one locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateWords {
    pub title: String,
    pub certifies: String,
    pub awarded: String,
    pub issued_by: String,
    pub issued_on: String,
    pub expires: String,
    pub no_expiry: String,
    pub certificate_id: String,
    pub verify_at: String,
}

pub fn certificate_words(locale: Locale) -> CertificateWords {
    let m = |key: &str| message(locale, key, &[]);
    CertificateWords {
        title: m("certificate-title"),
        certifies: m("certificate-certifies"),
        awarded: m("certificate-awarded"),
        issued_by: m("certificate-issued-by"),
        issued_on: m("certificate-issued-on"),
        expires: m("certificate-expires"),
        no_expiry: m("certificate-no-expiry"),
        certificate_id: m("certificate-id"),
        verify_at: m("certificate-verify-at"),
    }
}

/// `day` in `locale`'s CLDR long date format: "December 7, 2026" in English,
/// "7. Dezember 2026" in German, "2026年12月7日" in Japanese, written with the digits of
/// the locale's default numbering system.
pub fn long_date(locale: Locale, day: NaiveDate) -> String {
    let format = &dates()[&locale];
    let mut out = String::new();
    for token in &format.tokens {
        match token {
            Token::Literal(text) => out.push_str(text),
            Token::Day { width } => out.push_str(&format.number(day.day(), *width)),
            Token::Month { width } => out.push_str(&format.number(day.month(), *width)),
            Token::MonthName { standalone } => {
                let names = match standalone {
                    true => format.standalone_months.as_ref().unwrap_or(&format.months),
                    false => &format.months,
                };
                out.push_str(&names[day.month0() as usize]);
            }
            Token::Year => out.push_str(&format.number(day.year().unsigned_abs(), 1)),
        }
    }
    out
}

/// `data/dates.json`, as `scripts/cldr-dates` writes it from CLDR.
const DATES: &str = include_str!("../data/dates.json");

#[derive(serde::Deserialize)]
struct DatesFile {
    #[allow(dead_code, reason = "read by people and the tests: which CLDR the file holds")]
    cldr_version: String,
    locales: HashMap<String, LocaleDates>,
}

#[derive(serde::Deserialize)]
struct LocaleDates {
    pattern: String,
    digits: String,
    months: Vec<String>,
    #[serde(default)]
    standalone_months: Option<Vec<String>>,
}

/// One locale's long date format, its pattern read into tokens.
struct DateFormat {
    tokens: Vec<Token>,
    digits: [char; 10],
    months: Vec<String>,
    standalone_months: Option<Vec<String>>,
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// `d` (width 1) or `dd` (2).
    Day {
        width: usize,
    },
    /// `M` or `L` (width 1), `MM` or `LL` (2).
    Month {
        width: usize,
    },
    /// `MMMM` (format) or `LLLL` (stand-alone); `MMM`/`LLL` read as the wide name too,
    /// the only one the data keeps.
    MonthName {
        standalone: bool,
    },
    /// `y`: the year in full.
    Year,
}

impl DateFormat {
    /// `n` at least `width` digits long, in the locale's digits.
    fn number(&self, n: u32, width: usize) -> String {
        format!("{n:0width$}")
            .chars()
            .map(|c| c.to_digit(10).map_or(c, |d| self.digits[d as usize]))
            .collect()
    }
}

fn dates() -> &'static HashMap<Locale, DateFormat> {
    static DATE_FORMATS: OnceLock<HashMap<Locale, DateFormat>> = OnceLock::new();
    DATE_FORMATS.get_or_init(|| {
        let file: DatesFile =
            serde_json::from_str(DATES).unwrap_or_else(|e| panic!("data/dates.json does not read: {e}"));
        Locale::ALL
            .into_iter()
            .map(|locale| {
                let entry = file
                    .locales
                    .get(locale.tag())
                    .unwrap_or_else(|| panic!("data/dates.json has no {locale}: run scripts/cldr-dates"));
                let digits: Vec<char> = entry.digits.chars().collect();
                let digits: [char; 10] = digits
                    .try_into()
                    .unwrap_or_else(|_| panic!("{locale}: ten digits, not {:?}", entry.digits));
                assert_eq!(entry.months.len(), 12, "{locale}: twelve months");
                let format = DateFormat {
                    tokens: tokens(&entry.pattern).unwrap_or_else(|e| panic!("{locale}: {e}")),
                    digits,
                    months: entry.months.clone(),
                    standalone_months: entry.standalone_months.clone(),
                };
                (locale, format)
            })
            .collect()
    })
}

/// A CLDR date pattern (UTS #35 4.8) read into tokens: fields are runs of one ASCII
/// letter, `'...'` is literal text and `''` a quote. Only the fields of a day, month and
/// year are understood; any other field is an error (a long date has no other).
fn tokens(pattern: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut literal = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                literal.push('\'');
                continue;
            }
            loop {
                match chars.next() {
                    None => return Err(format!("unclosed quote in {pattern:?}")),
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        literal.push('\'');
                    }
                    Some('\'') => break,
                    Some(q) => literal.push(q),
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            literal.push(c);
            continue;
        }
        let mut width = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            width += 1;
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(std::mem::take(&mut literal)));
        }
        tokens.push(match (c, width) {
            ('d', 1 | 2) => Token::Day { width },
            ('M' | 'L', 1 | 2) => Token::Month { width },
            ('M', 3 | 4) => Token::MonthName { standalone: false },
            ('L', 3 | 4) => Token::MonthName { standalone: true },
            ('y', 1) => Token::Year,
            _ => {
                return Err(format!(
                    "field {:?} of {pattern:?} is not a day, month or year",
                    c.to_string().repeat(width)
                ))
            }
        });
    }
    if !literal.is_empty() {
        tokens.push(Token::Literal(literal));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_locale_writes_a_day_in_its_cldr_long_format() {
        let golden = [
            (Locale::En, "December 7, 2026"),
            (Locale::Es, "7 de diciembre de 2026"),
            (Locale::Fr, "7 décembre 2026"),
            (Locale::De, "7. Dezember 2026"),
            (Locale::PtBr, "7 de dezembro de 2026"),
            (Locale::It, "7 dicembre 2026"),
            (Locale::Nl, "7 december 2026"),
            (Locale::Pl, "7 grudnia 2026"),
            (Locale::Tr, "7 Aralık 2026"),
            (Locale::Ja, "2026年12月7日"),
            (Locale::Ko, "2026년 12월 7일"),
            (Locale::ZhHans, "2026年12月7日"),
            // CLDR 48's default numbering system for `ar` is latn (arab is its
            // "native" one): so Node's and browsers' Intl write it too.
            (Locale::Ar, "7 ديسمبر 2026"),
            (Locale::He, "7 בדצמבר 2026"),
            (Locale::Hi, "7 दिसंबर 2026"),
        ];
        assert_eq!(golden.len(), Locale::ALL.len());
        for (locale, expected) in golden {
            assert_eq!(long_date(locale, day("2026-12-07")), expected, "{locale}");
        }
    }

    #[test]
    fn single_and_double_digit_days_and_months() {
        assert_eq!(long_date(Locale::En, day("2027-01-31")), "January 31, 2027");
        assert_eq!(long_date(Locale::De, day("2026-03-01")), "1. März 2026");
        assert_eq!(long_date(Locale::Ja, day("2026-03-01")), "2026年3月1日");
        assert_eq!(long_date(Locale::Ko, day("2026-11-28")), "2026년 11월 28일");
        assert_eq!(long_date(Locale::Pl, day("2026-07-15")), "15 lipca 2026");
    }

    #[test]
    fn patterns_read_fields_quotes_and_digits() {
        assert_eq!(
            tokens("d 'de' MMMM 'de' y"),
            Ok(vec![
                Token::Day { width: 1 },
                Token::Literal(" de ".into()),
                Token::MonthName { standalone: false },
                Token::Literal(" de ".into()),
                Token::Year,
            ])
        );
        assert_eq!(
            tokens("dd.MM.y 'o''clock' ''"),
            Ok(vec![
                Token::Day { width: 2 },
                Token::Literal(".".into()),
                Token::Month { width: 2 },
                Token::Literal(".".into()),
                Token::Year,
                Token::Literal(" o'clock '".into()),
            ])
        );
        assert_eq!(
            tokens("LLLL y"),
            Ok(vec![
                Token::MonthName { standalone: true },
                Token::Literal(" ".into()),
                Token::Year
            ])
        );
        assert!(tokens("EEEE, d MMMM y").is_err(), "a weekday is not understood");
        assert!(tokens("d 'MMMM y").is_err());
        let arab = DateFormat {
            tokens: Vec::new(),
            digits: ['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'],
            months: Vec::new(),
            standalone_months: None,
        };
        assert_eq!(arab.number(2026, 1), "٢٠٢٦");
        assert_eq!(arab.number(7, 2), "٠٧");
    }

    /// Each message's key and the `$variables` it uses, in a message file's order.
    fn messages(source: &str) -> Vec<(String, std::collections::BTreeSet<String>)> {
        let mut out: Vec<(String, std::collections::BTreeSet<String>)> = Vec::new();
        for line in source.lines() {
            let starts_message = line.starts_with(|c: char| c.is_ascii_lowercase());
            if starts_message {
                let (key, _) = line
                    .split_once(" = ")
                    .unwrap_or_else(|| panic!("not a message: {line:?}"));
                out.push((key.to_string(), Default::default()));
            }
            if starts_message || line.starts_with(' ') {
                let Some((_, vars)) = out.last_mut() else { continue };
                for piece in line.split('$').skip(1) {
                    let name: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    vars.insert(name);
                }
            }
        }
        out
    }

    #[test]
    fn every_locale_has_exactly_the_english_keys_with_the_same_values_to_fill() {
        let english = messages(FILES[0].1);
        assert!(english.len() > 40, "{}", english.len());
        assert_eq!(FILES.len(), Locale::ALL.len());
        for (&(locale, source), expected) in FILES.iter().zip(Locale::ALL) {
            assert_eq!(locale, expected, "FILES follows Locale::ALL");
            let theirs = messages(source);
            let keys = |m: &[(String, _)]| m.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            let missing: Vec<_> = keys(&english)
                .into_iter()
                .filter(|k| !keys(&theirs).contains(k))
                .collect();
            let extra: Vec<_> = keys(&theirs)
                .into_iter()
                .filter(|k| !keys(&english).contains(k))
                .collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, extra {extra:?}"
            );
            for ((key, vars), (_, their_vars)) in english.iter().zip(&theirs) {
                assert_eq!(vars, their_vars, "{locale} {key}: the same values to fill");
            }
            // Every message formats without an error, its values given.
            let bundle = &bundles()[&locale];
            for (key, vars) in &english {
                let mut args = FluentArgs::new();
                for var in vars {
                    args.set(var.as_str(), 3);
                }
                let pattern = bundle.get_message(key).and_then(|m| m.value());
                let pattern = pattern.unwrap_or_else(|| panic!("{locale} {key} has no value"));
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(
                    errors.is_empty() && !text.trim().is_empty(),
                    "{locale} {key}: {errors:?}"
                );
            }
        }
    }

    /// Every Rust source file under `dir`, build output and hidden folders aside.
    fn rust_sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() && name != "target" && !name.starts_with('.') && !path.ends_with("i18n/locales") {
                rust_sources(&path, out);
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_english_key_is_used_by_the_code() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["shared", "functions"] {
            rust_sources(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "found {} sources", files.len());
        let code: String = files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                // This file's tests name keys to test them, not to use them.
                match f.ends_with("i18n/src/lib.rs") {
                    true => text.split("#[cfg(test)]").next().unwrap_or_default().to_string(),
                    false => text,
                }
            })
            .collect();
        let unused: Vec<_> = messages(FILES[0].1)
            .into_iter()
            .map(|(key, _)| key)
            .filter(|key| !code.contains(&format!("\"{key}\"")))
            .collect();
        assert!(unused.is_empty(), "keys no code uses: {unused:?}");
    }

    #[test]
    fn counts_choose_the_plural_form() {
        let args = [("certification", "C"), ("id", "c-1"), ("date", "D")];
        let one = message_with_count(Locale::En, "reminder-body-before", &args, ("days", 1));
        assert_eq!(one, "Your certificate C (id c-1) expires on D, in 1 day.");
        let seven = message_with_count(Locale::En, "reminder-body-before", &args, ("days", 7));
        assert!(seven.ends_with("in 7 days."), "{seven}");
        let few = message_with_count(Locale::Pl, "reminder-body-before", &args, ("days", 3));
        assert!(few.ends_with("za 3 dni."), "{few}");
        let two = message_with_count(Locale::Ar, "reminder-body-before", &args, ("days", 2));
        assert!(two.contains("بعد يومين"), "{two}");
        assert_eq!(message(Locale::De, "page-status-valid", &[]), "Gültig");
    }

    #[test]
    fn the_data_says_which_cldr_it_is() {
        let file: DatesFile = serde_json::from_str(DATES).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.cldr_version.starts_with("48."), "{}", file.cldr_version);
        assert_eq!(file.locales.len(), Locale::ALL.len());
    }
}
