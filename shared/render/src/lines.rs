//! Where a text's lines break and what size fits them: the layout's measuring, on a
//! text shaped whole ([`Shaped::em_of`] measures any stretch of it before it is shaped
//! alone), and the cleaning every text gets first.

use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

use crate::layout::DESCRIPTION_LINES;
use crate::shape::Shaped;

/// The largest size up to `max` at which `shaped` is at most `room` points wide,
/// rounded down to 1/100 pt.
pub(crate) fn size_to_fit(shaped: &Shaped, max: f32, room: f32, spacing: f32) -> f32 {
    let em = shaped.em();
    let spaces = spacing * shaped.glyph_count().saturating_sub(1) as f32;
    if em * max + spaces <= room || em <= 0.0 {
        return max;
    }
    (((room - spaces).max(room / 2.0) / em) * 100.0).floor() / 100.0
}

/// Where a text may break between two lines: byte offsets, each with whether it is a
/// space (dropped at the break). Spaces when there are any; else between any two
/// characters but before a combining mark, around a joiner or after a virama.
fn breaks(text: &str) -> Vec<(usize, bool)> {
    let spaces: Vec<(usize, bool)> = text.match_indices(' ').map(|(i, _)| (i, true)).collect();
    if !spaces.is_empty() {
        return spaces;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    chars
        .windows(2)
        .filter(|pair| {
            let (before, after) = (pair[0].1, pair[1].1);
            !is_combining_mark(after)
                && canonical_combining_class(before) != 9
                && !matches!(before, '\u{200C}' | '\u{200D}')
                && !matches!(after, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
        })
        .map(|pair| (pair[1].0, false))
        .collect()
}

/// The two lines `shaped` breaks into where the longer is shortest, as byte ranges.
pub(crate) fn break_in_two(shaped: &Shaped) -> Option<(Range<usize>, Range<usize>)> {
    let len = shaped.text.len();
    let longer =
        |(first, second): &(Range<usize>, Range<usize>)| shaped.em_of(first.clone()).max(shaped.em_of(second.clone()));
    breaks(&shaped.text)
        .into_iter()
        .map(|(at, space)| (0..at, if space { at + 1 } else { at }..len))
        .filter(|(first, second)| !first.is_empty() && !second.is_empty())
        .min_by(|a, b| longer(a).total_cmp(&longer(b)))
}

/// Greedy word wrap of `shaped` into the description's lines at `size`, `width` wide, as
/// byte ranges of its text; a word wider than a line is broken between characters.
/// `None` when it takes more lines.
pub(crate) fn wrap(shaped: &Shaped, size: f32, width: f32) -> Option<Vec<Range<usize>>> {
    let room = width / size;
    let text = &shaped.text;
    let mut lines: Vec<Range<usize>> = Vec::with_capacity(DESCRIPTION_LINES + 1);
    let mut line: Option<Range<usize>> = None;
    let mut at = 0;
    for word in text.split(' ') {
        let range = at..at + word.len();
        at = range.end + 1;
        if let Some(current) = &mut line {
            if shaped.em_of(current.start..range.end) <= room {
                current.end = range.end;
                continue;
            }
            lines.push(current.clone());
        }
        if shaped.em_of(range.clone()) <= room {
            line = Some(range);
            continue;
        }
        // A word wider than a line, broken between characters.
        let mut start = range.start;
        for (i, c) in word.char_indices() {
            let at = range.start + i;
            if at > start && shaped.em_of(start..at + c.len_utf8()) > room {
                lines.push(start..at);
                start = at;
            }
        }
        line = Some(start..range.end);
        if lines.len() > DESCRIPTION_LINES {
            return None;
        }
    }
    lines.extend(line);
    (lines.len() <= DESCRIPTION_LINES).then_some(lines)
}

/// `text` as one line of words: whitespace runs become one space and control characters,
/// which no font draws, go; normalised to NFC.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text: String = text.nfc().collect();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // Noncharacters (U+FFFE, U+FFFF, ...) are not text either.
        out.extend(word.chars().filter(|&c| {
            !c.is_control() && !matches!(c as u32 & 0xFFFE, 0xFFFE) && !('\u{FDD0}'..='\u{FDEF}').contains(&c)
        }));
    }
    out
}
