//! Certify's words in every supported locale (SPEC 1.17): one Fluent message file per
//! locale in `locales/`, compiled in (they are small), and each locale's CLDR long date
//! format.
//!
//! [`message`] looks a message up; [`certificate_words`] gathers those the certificate
//! prints; [`long_date`] writes a day as the locale writes it in full.

use std::collections::HashMap;
use std::sync::OnceLock;

use certify_rules::locale::Locale;
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

mod dates;

pub use dates::long_date;

#[cfg(test)]
mod tests {
    use super::*;

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

    /// `key` in `locale`, every value to fill given as "3".
    fn formatted(locale: Locale, key: &str, vars: &std::collections::BTreeSet<String>) -> String {
        let mut args = FluentArgs::new();
        for var in vars {
            args.set(var.as_str(), 3);
        }
        let bundle = &bundles()[&locale];
        let pattern = bundle.get_message(key).and_then(|m| m.value());
        let pattern = pattern.unwrap_or_else(|| panic!("{locale} {key} has no value"));
        bundle
            .format_pattern(pattern, Some(&args), &mut Vec::new())
            .into_owned()
    }

    /// Words of four letters or more, lower-cased.
    fn words(text: &str) -> std::collections::BTreeSet<String> {
        text.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn no_english_is_left_in_another_locales_messages() {
        // Names, the same in every language.
        let names = ["open", "badges", "linkedin"];
        // Words these languages spell as English does: the same word in that language
        // (a loanword or a cognate), not a leftover.
        let theirs_too: &[(Locale, &str)] = &[
            (Locale::Fr, "certification"),
            (Locale::Fr, "expire"),
            (Locale::Fr, "code"),
            (Locale::Fr, "page"),
            (Locale::De, "code"),
            (Locale::De, "link"),
            (Locale::PtBr, "link"),
            (Locale::It, "link"),
            (Locale::Nl, "code"),
            (Locale::Nl, "link"),
            (Locale::Nl, "credential"),
            (Locale::Nl, "download"),
            (Locale::Pl, "link"),
            (Locale::Pl, "program"),
            (Locale::Tr, "program"),
        ];
        let english = messages(FILES[0].1);
        let mut leftovers = Vec::new();
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            for (key, vars) in &english {
                let ours = words(&formatted(Locale::En, key, vars));
                let theirs = words(&formatted(locale, key, vars));
                for word in ours.intersection(&theirs) {
                    if !names.contains(&word.as_str()) && !theirs_too.contains(&(locale, word.as_str())) {
                        leftovers.push(format!("{locale} {key}: {word:?}"));
                    }
                }
            }
        }
        assert!(
            leftovers.is_empty(),
            "English words left untranslated:\n{}",
            leftovers.join("\n")
        );
    }
}
