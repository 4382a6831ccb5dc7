//! Where a pipeline row stands in the view's total order (the sorted column, then name,
//! user id and program id), and the pipeline cursor that remembers the last row handed
//! out, with its sort and order.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cursor::{decode, encode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    #[default]
    Name,
    Program,
    Expected,
    Status,
}

impl SortField {
    pub(crate) const ALL: [SortField; 4] = [
        SortField::Name,
        SortField::Program,
        SortField::Expected,
        SortField::Status,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SortField::Name => "name",
            SortField::Program => "program",
            SortField::Expected => "expected",
            SortField::Status => "status",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Primary<T> {
    Text(T),
    Date(NaiveDate),
    Rank(u8),
}

/// Where a row stands in the total order: the sorted column, then name, user id and
/// program id, which together are unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowKey<T> {
    pub(crate) primary: Primary<T>,
    pub(crate) name: T,
    pub(crate) user_id: T,
    pub(crate) program_id: T,
}

impl<T: AsRef<str>> RowKey<T> {
    pub(crate) fn as_ref(&self) -> RowKey<&str> {
        RowKey {
            primary: match &self.primary {
                Primary::Text(t) => Primary::Text(t.as_ref()),
                Primary::Date(d) => Primary::Date(*d),
                Primary::Rank(r) => Primary::Rank(*r),
            },
            name: self.name.as_ref(),
            user_id: self.user_id.as_ref(),
            program_id: self.program_id.as_ref(),
        }
    }
}

pub(crate) fn compare(a: &RowKey<&str>, b: &RowKey<&str>, order: Order) -> Ordering {
    let primary = a.primary.cmp(&b.primary);
    let primary = if order == Order::Desc {
        primary.reverse()
    } else {
        primary
    };
    primary
        .then_with(|| a.name.cmp(b.name))
        .then_with(|| a.user_id.cmp(b.user_id))
        .then_with(|| a.program_id.cmp(b.program_id))
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
    fn a_cursor_of_another_kind_is_not_a_pipeline_cursor() {
        assert_eq!(CursorKey::decode(&encode(&["u1", "ana"])), None);
        assert_eq!(
            CursorKey::decode(&encode(&["c2", "name", "asc", "ta", "a", "u", "p"])),
            None
        );
    }
}
