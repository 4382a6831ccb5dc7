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
const FILES: [(Locale, &str); 1] = [(Locale::En, include_str!("../locales/en.ftl"))];

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

/// `day` in `locale`'s CLDR long date format: "7 December 2026" in English.
pub fn long_date(locale: Locale, day: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let _ = locale;
    format!("{} {} {}", day.day(), MONTHS[day.month0() as usize], day.year())
}
