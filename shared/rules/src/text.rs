//! Text keys for searching and sorting people's names in any script.

use caseless::Caseless;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// A name's search and sort key: Unicode case folding after canonical decomposition,
/// with combining marks dropped, so that "ÁVILA", "ávila" and "Avila" share one key and
/// Greek final sigma matches sigma.
pub fn search_key(text: &str) -> String {
    text.nfd()
        .default_case_fold()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_fold_to_one_key() {
        assert_eq!(search_key("Ana ÁVILA"), search_key("ana avila"));
        assert_eq!(search_key("ÅNGSTRÖM"), "angstrom");
    }

    #[test]
    fn greek_final_sigma_and_german_sharp_s_fold() {
        assert_eq!(search_key("ΟΔΥΣΣΕΥΣ"), search_key("οδυσσευς"));
        assert_eq!(search_key("Straße"), search_key("STRASSE"));
    }

    #[test]
    fn cyrillic_folds() {
        assert_eq!(search_key("ЖАННА"), "жанна");
    }

    #[test]
    fn composed_and_decomposed_forms_match() {
        assert_eq!(search_key("\u{e9}"), search_key("e\u{301}"));
    }
}
