//! Hostile text (SPEC 1.17): what a name, title or description may not hold, so that
//! the page, the PDF, the PNG, the emails and the credential all show the same string.

use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::is_combining_mark;

/// The most combining marks one base character may carry (SPEC 1.17).
pub(crate) const MAX_COMBINING_MARKS: usize = 4;

/// Whether `c` is a bidirectional control: the embeddings and overrides (U+202A to
/// U+202E), the isolates (U+2066 to U+2069) and the marks (LRM, RLM, ALM).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is an invisible format character (General Category Cf: zero-width space,
/// word joiner, BOM, soft hyphen, tags, ...) other than the joiners ZWNJ (U+200C) and
/// ZWJ (U+200D), which Persian, the Indic scripts and emoji sequences need.
fn is_invisible_format(c: char) -> bool {
    !matches!(c, '\u{200C}' | '\u{200D}') && get_general_category(c) == GeneralCategory::Format
}

/// What makes `text` hostile (SPEC 1.17), first class first: a bidirectional control
/// (it would reorder the text differently on each surface), an invisible format
/// character, or more than [`MAX_COMBINING_MARKS`] combining marks stacked on one base
/// character. `None` for text that draws the same everywhere. Each problem names the
/// first offending character. The joiners neither count as a mark nor end a stack.
pub(super) fn hostile(text: &str) -> Option<String> {
    if let Some(c) = text.chars().find(|&c| is_bidi_control(c)) {
        return Some(format!(
            "must not contain bidirectional control characters (U+{:04X})",
            u32::from(c)
        ));
    }
    if let Some(c) = text.chars().find(|&c| is_invisible_format(c)) {
        return Some(format!(
            "must not contain invisible format characters (U+{:04X})",
            u32::from(c)
        ));
    }
    let mut stacked = 0;
    for c in text.chars() {
        if is_combining_mark(c) {
            stacked += 1;
            if stacked > MAX_COMBINING_MARKS {
                return Some(format!(
                    "must not stack more than {MAX_COMBINING_MARKS} combining marks on one character"
                ));
            }
        } else if !matches!(c, '\u{200C}' | '\u{200D}') {
            stacked = 0;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::field::Problems;

    fn problems_of(name: &str) -> Vec<String> {
        let mut p = Problems::new();
        p.required_text("name", Some(name), 200);
        match p.finish(|| ()) {
            Ok(()) => Vec::new(),
            Err(invalid) => invalid.0.into_iter().map(|e| e.problem).collect(),
        }
    }

    #[test]
    fn bidirectional_controls_are_refused_naming_the_character() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(
                problems_of(&format!("Mallory {c}eod nhoJ")),
                [format!(
                    "must not contain bidirectional control characters (U+{:04X})",
                    u32::from(c)
                )],
                "U+{:04X}",
                u32::from(c)
            );
        }
        assert_eq!(
            problems_of("John\u{202E} doe"),
            ["must not contain bidirectional control characters (U+202E)"]
        );
    }

    #[test]
    fn invisible_format_characters_are_refused_naming_the_character() {
        for c in [
            '\u{200B}',
            '\u{2060}',
            '\u{2061}',
            '\u{2062}',
            '\u{2063}',
            '\u{2064}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{180E}',
            '\u{FFF9}',
            '\u{FFFA}',
            '\u{FFFB}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E007F}',
            '\u{0600}',
            '\u{06DD}',
        ] {
            assert_eq!(
                problems_of(&format!("Ana{c} Ávila")),
                [format!(
                    "must not contain invisible format characters (U+{:04X})",
                    u32::from(c)
                )],
                "U+{:04X}",
                u32::from(c)
            );
        }
        // Descriptions are checked too.
        let mut p = Problems::new();
        p.optional_text("description", Some("line one\nline\u{200B} two"), 4000, true);
        let err = p.finish(|| ()).unwrap_err();
        assert_eq!(err.fields(), ["description"]);
        assert_eq!(
            err.0[0].problem,
            "must not contain invisible format characters (U+200B)"
        );
    }

    #[test]
    fn the_joiners_and_variation_selectors_that_scripts_and_emoji_need_are_kept() {
        let mut p = Problems::new();
        // Persian "I want" with its ZWNJ, Devanagari "kṣa" with ZWJ, an emoji family
        // (ZWJ sequence), a heart with VS16, a text-style sign with VS15.
        for name in [
            "می\u{200C}خواهم",
            "क्\u{200D}ष",
            "👩\u{200D}👩\u{200D}👧",
            "❤\u{FE0F}",
            "☎\u{FE0E}",
        ] {
            assert_eq!(p.required_text("name", Some(name), 200), name);
        }
        assert!(p.is_empty());
    }

    #[test]
    fn at_most_four_combining_marks_stack_on_one_character() {
        let marks = ['\u{0301}', '\u{0302}', '\u{0303}', '\u{0304}', '\u{0305}'];
        let four: String = std::iter::once('e').chain(marks[..4].iter().copied()).collect();
        assert!(problems_of(&four).is_empty());
        // Four on each of many bases is fine; what counts is one stack.
        assert!(problems_of(&format!("{four}{four} {four}")).is_empty());
        let five: String = std::iter::once('e').chain(marks).collect();
        assert_eq!(
            problems_of(&five),
            ["must not stack more than 4 combining marks on one character"]
        );
        // A joiner does not start a fresh stack.
        assert_eq!(
            problems_of(&format!("{four}\u{200D}\u{0301}")),
            ["must not stack more than 4 combining marks on one character"]
        );
        // Marks with no base at all count too.
        assert_eq!(
            problems_of(&format!("Ana {}", String::from_iter(marks))),
            ["must not stack more than 4 combining marks on one character"]
        );
    }
}
