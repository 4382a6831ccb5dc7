//! The pipeline's query (SPEC 1.6): which rows to keep, the sort, the order, the page's
//! length and the cursor to start after, read from the query string and checked together.

use serde::{Deserialize, Serialize};

use super::key::{CursorKey, Order, SortField};
use crate::field::{one_of, Invalid, Problems};
use crate::roster::PipelineStatus;

pub const LIMIT_DEFAULT: usize = 50;
pub const LIMIT_MAX: usize = 500;

/// Which rows to keep; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineFilter {
    /// Case-, accent- and script-aware substring of the participant's name.
    pub name: Option<String>,
    /// Exact group.
    pub group: Option<String>,
    /// Program id.
    pub program: Option<String>,
    pub status: Option<PipelineStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineQuery {
    pub filter: PipelineFilter,
    pub sort: SortField,
    pub order: Order,
    pub limit: usize,
    pub cursor: Option<String>,
}

impl Default for PipelineQuery {
    fn default() -> Self {
        PipelineQuery {
            filter: PipelineFilter::default(),
            sort: SortField::Name,
            order: Order::Asc,
            limit: LIMIT_DEFAULT,
            cursor: None,
        }
    }
}

/// The pipeline's query string as it arrives: every value a string, checked together. A
/// parameter it has no field for is ignored (SPEC 1.6's filters are all it reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineQueryInput {
    pub name: Option<String>,
    pub group: Option<String>,
    pub program: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

impl PipelineQueryInput {
    pub fn parse(&self) -> Result<PipelineQuery, Invalid> {
        let mut p = Problems::new();
        let sorts = [
            ("name", SortField::Name),
            ("program", SortField::Program),
            ("expected", SortField::Expected),
            ("status", SortField::Status),
        ];
        let sort = one_of(&mut p, "sort", self.sort.as_deref(), &sorts, SortField::Name);
        let orders = [("asc", Order::Asc), ("desc", Order::Desc)];
        let order = one_of(&mut p, "order", self.order.as_deref(), &orders, Order::Asc);
        let statuses = PipelineStatus::ALL.map(|s| (s.as_str(), Some(s)));
        let status = one_of(&mut p, "status", self.status.as_deref(), &statuses, None);
        let limit = match self.limit.as_deref() {
            None => LIMIT_DEFAULT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=LIMIT_MAX).contains(&n) => n,
                _ => {
                    p.add("limit", format!("must be a whole number from 1 to {LIMIT_MAX}"));
                    LIMIT_DEFAULT
                }
            },
        };
        let cursor = self.cursor.clone().filter(|c| !c.is_empty());
        if let Some(raw) = &cursor {
            match CursorKey::decode(raw) {
                Some(key) if key.sort == sort && key.order == order => {}
                Some(_) => p.add("cursor", "was made for another sort or order"),
                None => p.add("cursor", "is not a cursor this list gave out"),
            }
        }
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        p.finish(|| PipelineQuery {
            filter: PipelineFilter {
                name: text(&self.name),
                group: text(&self.group),
                program: text(&self.program),
                status,
            },
            sort,
            order,
            limit,
            cursor,
        })
    }
}
