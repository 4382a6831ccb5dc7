//! A program's participant list, paged by user id, and the in-program card's
//! participants, paged by name (SPEC 1.16), with opaque cursors (the same encoding as
//! the pipeline view's, each under its own version).

use super::cursor;
use crate::field::Invalid;
use crate::roster::{CardParticipant, EnrollmentRecord, ProgramCard};
use crate::text::search_key;

/// Opens every participant-list cursor, so a pipeline cursor is never read as one.
const PARTICIPANTS_VERSION: &str = "u1";
/// Opens every card cursor.
const CARD_VERSION: &str = "k1";

/// One page of a card's participants: those after the `cursor`'s, at most `limit`, with
/// the cursor of the next page when more follow; the components and summary stay whole.
/// `card` is as [`crate::Roster::card`] made it (by folded name, then user id). A cursor
/// the card did not give out is refused.
pub fn card_page(mut card: ProgramCard, cursor: Option<&str>, limit: usize) -> Result<ProgramCard, Invalid> {
    let key = |p: &CardParticipant| (search_key(&p.name), p.user_id.clone());
    let after = cursor
        .map(|raw| match cursor::decode(raw).map(<[String; 3]>::try_from) {
            Some(Ok([version, name, user_id])) if version == CARD_VERSION => Ok((name, user_id)),
            _ => Err(Invalid::one("cursor", "is not a cursor this card gave out")),
        })
        .transpose()?;
    if let Some(after) = &after {
        card.participants.retain(|p| key(p) > *after);
    }
    let more = card.participants.len() > limit;
    card.participants.truncate(limit);
    card.next_cursor = match card.participants.last() {
        Some(last) if more => {
            let (name, user_id) = key(last);
            Some(cursor::encode(&[CARD_VERSION, &name, &user_id]))
        }
        _ => None,
    };
    Ok(card)
}

/// One page of a program's enrollments, by user id: those after the `cursor`'s user, at
/// most `limit`, with the cursor of the next page when more follow. A cursor this list
/// did not give out is refused.
pub fn participants_page(
    mut enrollments: Vec<EnrollmentRecord>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<EnrollmentRecord>, Option<String>), Invalid> {
    let after = cursor
        .map(|raw| after_user(raw).ok_or_else(|| Invalid::one("cursor", "is not a cursor this list gave out")))
        .transpose()?;
    if let Some(after) = &after {
        enrollments.retain(|e| e.participant.user_id > *after);
    }
    enrollments.sort_by(|a, b| a.participant.user_id.cmp(&b.participant.user_id));
    let more = enrollments.len() > limit;
    enrollments.truncate(limit);
    let next_cursor = match enrollments.last() {
        Some(last) if more => Some(cursor::encode(&[PARTICIPANTS_VERSION, &last.participant.user_id])),
        _ => None,
    };
    Ok((enrollments, next_cursor))
}

fn after_user(raw: &str) -> Option<String> {
    let fields = cursor::decode(raw)?;
    match <[String; 2]>::try_from(fields) {
        Ok([version, user_id]) if version == PARTICIPANTS_VERSION => Some(user_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::record;
    use crate::pipeline::key::{CursorKey, Order, Primary, RowKey, SortField};

    fn ids(page: &[EnrollmentRecord]) -> Vec<&str> {
        page.iter().map(|e| e.participant.user_id.as_str()).collect()
    }

    #[test]
    fn card_pages_concatenate_to_the_whole_card_by_name_with_whole_summaries() {
        let roster = crate::fixtures::people(
            "p1",
            "Spring",
            &[
                ("u1", "Zoë", None),
                ("u2", "ana", None),
                ("u3", "Ána", None),
                ("u4", "Bo", None),
                ("u5", "ana", None),
            ],
        );
        let whole = roster.card(None, crate::fixtures::now());
        let names =
            |card: &ProgramCard| -> Vec<String> { card.participants.iter().map(|p| p.user_id.clone()).collect() };
        assert_eq!(
            names(&whole),
            ["u2", "u3", "u5", "u4", "u1"],
            "by folded name, then user id"
        );
        for limit in 1..=6 {
            let (mut seen, mut cursor) = (Vec::new(), None);
            loop {
                let page = card_page(whole.clone(), cursor.as_deref(), limit).unwrap();
                assert!(page.participants.len() <= limit);
                assert_eq!((&page.components, &page.summary), (&whole.components, &whole.summary));
                seen.extend(names(&page));
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, names(&whole), "limit {limit}");
        }
        let participants_cursor = participants_page(vec![record("u1", &[]), record("u2", &[])], None, 1)
            .unwrap()
            .1;
        for forged in [participants_cursor.unwrap(), "garbage".into()] {
            let refused = card_page(whole.clone(), Some(&forged), 2).unwrap_err();
            assert_eq!(refused.fields(), ["cursor"]);
        }
    }

    #[test]
    fn pages_concatenate_to_the_whole_roster_sorted_by_user_id_with_no_repeat() {
        let roster: Vec<EnrollmentRecord> = ["u5", "u2", "u9", "u1", "u7", "u3", "u8"]
            .into_iter()
            .map(|id| record(id, &[]))
            .collect();
        for limit in 1..=8 {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let (page, next) = participants_page(roster.clone(), cursor.as_deref(), limit).unwrap();
                assert!(page.len() <= limit);
                seen.extend(ids(&page).into_iter().map(String::from));
                match next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, ["u1", "u2", "u3", "u5", "u7", "u8", "u9"], "limit {limit}");
        }
        let (all, next) = participants_page(roster, None, 7).unwrap();
        assert_eq!((all.len(), next), (7, None), "an exact fit has no next page");
    }

    #[test]
    fn a_forged_or_foreign_cursor_is_refused() {
        let pipeline = CursorKey {
            sort: SortField::Name,
            order: Order::Asc,
            key: RowKey {
                primary: Primary::Text("a".into()),
                name: "a".into(),
                user_id: "u1".into(),
                program_id: "p1".into(),
            },
        }
        .encode();
        for forged in ["u1", "dTE", "zz", &cursor::encode(&["u2", "u1"]), &pipeline] {
            let err = participants_page(vec![record("u1", &[])], Some(forged), 10).unwrap_err();
            assert_eq!(
                err,
                Invalid::one("cursor", "is not a cursor this list gave out"),
                "{forged}"
            );
        }
    }
}
