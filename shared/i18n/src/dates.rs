//! Dates in each locale's CLDR long format, from `data/dates.json` (written by
//! `scripts/cldr-dates` from CLDR's JSON).

use std::collections::HashMap;
use std::sync::OnceLock;

use certify_rules::locale::Locale;
use chrono::{Datelike, NaiveDate};

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

    #[test]
    fn the_data_says_which_cldr_it_is() {
        let file: DatesFile = serde_json::from_str(DATES).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.cldr_version.starts_with("48."), "{}", file.cldr_version);
        assert_eq!(file.locales.len(), Locale::ALL.len());
    }
}
