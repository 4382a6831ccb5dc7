//! Opaque list cursors: a cursor's fields, length-prefixed (`5:hello`) and hex-encoded,
//! so that any text survives and a client can neither read nor forge one by accident.
//! Each kind of cursor opens with its own version field, so a cursor one list gave out
//! is never read as another's.

use crate::view::{Order, Primary, RowKey, SortField};

/// Longest encoded cursor read; anything longer was not given out by a list.
const ENCODED_MAX: usize = 8192;

/// The fields, each length-prefixed, hex-encoded.
pub(crate) fn encode(fields: &[&str]) -> String {
    let mut plain = String::new();
    for f in fields {
        plain.push_str(&format!("{}:{f}", f.len()));
    }
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The fields of a cursor [`encode`] made, or `None` for anything else.
pub(crate) fn decode(raw: &str) -> Option<Vec<String>> {
    if !raw.len().is_multiple_of(2) || raw.len() > ENCODED_MAX {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..raw.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(raw.get(i..i + 2)?, 16).ok())
        .collect();
    let plain = String::from_utf8(bytes?).ok()?;
    let mut rest = plain.as_str();
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        fields.push(tail.get(..len)?.to_string());
        rest = tail.get(len..)?;
    }
    Some(fields)
}

/// The decoded pipeline cursor: the key of the last row handed out, with its sort and
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorKey {
    pub(crate) sort: SortField,
    pub(crate) order: Order,
    pub(crate) key: RowKey<String>,
}

const PIPELINE_VERSION: &str = "c1";

impl CursorKey {
    pub(crate) fn encode(&self) -> String {
        let primary = match &self.key.primary {
            Primary::Text(t) => format!("t{t}"),
            Primary::Date(d) => format!("d{d}"),
            Primary::Rank(r) => format!("r{r}"),
        };
        encode(&[
            PIPELINE_VERSION,
            self.sort.as_str(),
            if self.order == Order::Asc { "asc" } else { "desc" },
            &primary,
            &self.key.name,
            &self.key.user_id,
            &self.key.program_id,
        ])
    }

    pub(crate) fn decode(raw: &str) -> Option<CursorKey> {
        let fields = decode(raw)?;
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        let [version, sort, order, primary, name, user_id, program_id] = fields[..] else {
            return None;
        };
        if version != PIPELINE_VERSION {
            return None;
        }
        let sort = SortField::ALL.into_iter().find(|s| s.as_str() == sort)?;
        let order = match order {
            "asc" => Order::Asc,
            "desc" => Order::Desc,
            _ => return None,
        };
        let primary = match (sort, primary.split_at_checked(1)?) {
            (SortField::Name | SortField::Program, ("t", t)) => Primary::Text(t.to_string()),
            (SortField::Expected, ("d", d)) => Primary::Date(d.parse().ok()?),
            (SortField::Status, ("r", r)) => Primary::Rank(r.parse().ok()?),
            _ => return None,
        };
        Some(CursorKey {
            sort,
            order,
            key: RowKey {
                primary,
                name: name.to_string(),
                user_id: user_id.to_string(),
                program_id: program_id.to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_any_text() {
        let key = CursorKey {
            sort: SortField::Program,
            order: Order::Desc,
            key: RowKey {
                primary: Primary::Text("spring: 2026 ☀".into()),
                name: "ана:12:".into(),
                user_id: "u:1".into(),
                program_id: "p1".into(),
            },
        };
        assert_eq!(CursorKey::decode(&key.encode()), Some(key));
    }

    #[test]
    fn fields_round_trip_whatever_they_hold() {
        let fields = ["u1", "", "a:b:c", "12:", "ΟΔΥΣΣΕΥΣ ☀"];
        assert_eq!(decode(&encode(&fields)).unwrap(), fields);
    }

    #[test]
    fn damaged_encodings_decode_to_nothing() {
        let good = encode(&["u1", "ana"]);
        for bad in ["zz", "abc", "6869", &good[..good.len() - 2], &"00".repeat(ENCODED_MAX)] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cursor_of_another_kind_is_not_a_pipeline_cursor() {
        assert_eq!(CursorKey::decode(&encode(&["u1", "ana"])), None);
        assert_eq!(
            CursorKey::decode(&encode(&["c2", "name", "asc", "ta", "a", "u", "p"])),
            None
        );
    }
}
