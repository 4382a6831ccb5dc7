//! The pipeline view of a certification across its programs (SPEC 1.6): filters, a
//! total sort order, keyset cursors and stats over every filtered row.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::cursor::CursorKey;
use crate::field::{one_of, Invalid, Problems};
use crate::program::ProgramRef;
use crate::roster::{PipelineStatus, Roster};
use crate::text::search_key;

pub const LIMIT_DEFAULT: usize = 50;
pub const LIMIT_MAX: usize = 500;

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

/// The pipeline's query string as it arrives: every value a string, checked together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineRow {
    pub user_id: String,
    pub name: String,
    pub avatar_url: Option<String>,
    pub group: Option<String>,
    pub program: ProgramRef,
    pub expected_on: NaiveDate,
    pub status: PipelineStatus,
    /// When the participant was last nudged for this program (SPEC 1.9).
    pub last_nudged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub enrolled: usize,
    pub on_track: usize,
    pub off_track: usize,
    pub did_not_pass: usize,
    pub certified: usize,
}

impl StatusCounts {
    fn add(&mut self, status: PipelineStatus) {
        match status {
            PipelineStatus::Enrolled => self.enrolled += 1,
            PipelineStatus::OnTrack => self.on_track += 1,
            PipelineStatus::OffTrack => self.off_track += 1,
            PipelineStatus::DidNotPass => self.did_not_pass += 1,
            PipelineStatus::Certified => self.certified += 1,
        }
    }

    pub fn sum(&self) -> usize {
        self.enrolled + self.on_track + self.off_track + self.did_not_pass + self.certified
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineStats {
    pub total: usize,
    pub by_status: StatusCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelinePage {
    pub stats: PipelineStats,
    pub items: Vec<PipelineRow>,
    pub next_cursor: Option<String>,
}

/// A filtered row before it is materialised: indices into the rosters.
#[derive(Debug, Clone, Copy)]
struct Hit {
    roster: u32,
    enrollment: u32,
    status: PipelineStatus,
    expected: NaiveDate,
    /// The name key's first eight bytes: most comparisons end here, without reading the
    /// enrollment.
    name_prefix: u64,
}

/// Big-endian first bytes, zero-padded: orders like the text itself, since keys hold no
/// NUL (names refuse control characters).
fn prefix(text: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = text.len().min(8);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
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
    fn as_ref(&self) -> RowKey<&str> {
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

fn compare(a: &RowKey<&str>, b: &RowKey<&str>, order: Order) -> Ordering {
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

/// Program names folded once per roster for sorting by program.
struct Ctx<'a> {
    rosters: &'a [Roster],
    program_keys: Vec<String>,
    /// Each roster's place among the folded program names (equal names, equal ranks).
    program_ranks: Vec<u32>,
    sort: SortField,
    order: Order,
}

impl<'a> Ctx<'a> {
    fn new(rosters: &'a [Roster], sort: SortField, order: Order) -> Self {
        let program_keys = if sort == SortField::Program {
            rosters.iter().map(|r| search_key(&r.program().name)).collect()
        } else {
            Vec::new()
        };
        let mut sorted: Vec<&String> = program_keys.iter().collect();
        sorted.sort();
        sorted.dedup();
        let program_ranks = program_keys
            .iter()
            .map(|k| sorted.binary_search(&k).unwrap_or(0) as u32)
            .collect();
        Ctx {
            rosters,
            program_keys,
            program_ranks,
            sort,
            order,
        }
    }

    fn key(&self, hit: &Hit) -> RowKey<&str> {
        let roster = &self.rosters[hit.roster as usize];
        let e = &roster.enrollments()[hit.enrollment as usize];
        RowKey {
            primary: match self.sort {
                SortField::Name => Primary::Text(e.name_key()),
                SortField::Program => Primary::Text(&self.program_keys[hit.roster as usize]),
                SortField::Expected => Primary::Date(hit.expected),
                SortField::Status => Primary::Rank(hit.status.sort_rank()),
            },
            name: e.name_key(),
            user_id: &e.participant.user_id,
            program_id: &roster.program().id,
        }
    }

    /// The same order as [`compare`] over [`Ctx::key`], settled on the hits' own fields
    /// where they differ.
    fn cmp(&self, a: &Hit, b: &Hit) -> Ordering {
        let primary = match self.sort {
            SortField::Name => a.name_prefix.cmp(&b.name_prefix),
            SortField::Program => self.program_ranks[a.roster as usize].cmp(&self.program_ranks[b.roster as usize]),
            SortField::Expected => a.expected.cmp(&b.expected),
            SortField::Status => a.status.sort_rank().cmp(&b.status.sort_rank()),
        };
        let primary = if self.order == Order::Desc {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then_with(|| a.name_prefix.cmp(&b.name_prefix))
            .then_with(|| compare(&self.key(a), &self.key(b), self.order))
    }

    fn row(&self, hit: &Hit) -> PipelineRow {
        let roster = &self.rosters[hit.roster as usize];
        let e = &roster.enrollments()[hit.enrollment as usize];
        PipelineRow {
            user_id: e.participant.user_id.clone(),
            name: e.participant.name.clone(),
            avatar_url: e.participant.avatar_url.clone(),
            group: e.participant.group.clone(),
            program: ProgramRef {
                id: roster.program().id.clone(),
                name: roster.program().name.clone(),
            },
            expected_on: hit.expected,
            status: hit.status,
            last_nudged_at: e.last_nudged_at,
        }
    }
}

/// Every row matching the filter, with the stats over them.
fn hits(rosters: &[Roster], filter: &PipelineFilter, now: DateTime<Utc>) -> (Vec<Hit>, PipelineStats) {
    let needle = filter.name.as_deref().map(search_key);
    let mut stats = PipelineStats::default();
    let mut hits = Vec::new();
    for (r, roster) in rosters.iter().enumerate() {
        if filter.program.as_ref().is_some_and(|p| *p != roster.program().id) {
            continue;
        }
        for (i, e) in roster.enrollments().iter().enumerate() {
            if filter.group.is_some() && e.participant.group != filter.group {
                continue;
            }
            if needle.as_ref().is_some_and(|n| !e.name_key().contains(n.as_str())) {
                continue;
            }
            let status = roster.status(e, now);
            if filter.status.is_some_and(|s| s != status) {
                continue;
            }
            stats.by_status.add(status);
            hits.push(Hit {
                roster: r as u32,
                enrollment: i as u32,
                status,
                expected: roster.expected_on(e),
                name_prefix: prefix(e.name_key()),
            });
        }
    }
    stats.total = hits.len();
    (hits, stats)
}

/// One page of the pipeline view. The query must come from [`PipelineQueryInput::parse`]
/// (an undecodable cursor reads as the first page).
pub fn pipeline_page(rosters: &[Roster], query: &PipelineQuery, now: DateTime<Utc>) -> PipelinePage {
    let ctx = Ctx::new(rosters, query.sort, query.order);
    let (mut hits, stats) = hits(rosters, &query.filter, now);
    if let Some(after) = query.cursor.as_deref().and_then(CursorKey::decode) {
        let after = after.key.as_ref();
        hits.retain(|h| compare(&ctx.key(h), &after, query.order) == Ordering::Greater);
    }
    let limit = query.limit.max(1);
    let more = hits.len() > limit;
    if more {
        hits.select_nth_unstable_by(limit, |a, b| ctx.cmp(a, b));
        hits.truncate(limit);
    }
    hits.sort_unstable_by(|a, b| ctx.cmp(a, b));
    let next_cursor = match hits.last() {
        Some(last) if more => {
            let key = ctx.key(last);
            let owned = RowKey {
                primary: match key.primary {
                    Primary::Text(t) => Primary::Text(t.to_string()),
                    Primary::Date(d) => Primary::Date(d),
                    Primary::Rank(r) => Primary::Rank(r),
                },
                name: key.name.to_string(),
                user_id: key.user_id.to_string(),
                program_id: key.program_id.to_string(),
            };
            Some(
                CursorKey {
                    sort: query.sort,
                    order: query.order,
                    key: owned,
                }
                .encode(),
            )
        }
        _ => None,
    };
    PipelinePage {
        stats,
        items: hits.iter().map(|h| ctx.row(h)).collect(),
        next_cursor,
    }
}

/// Every row matching the filter in the query's order, without paging (the CSV export).
pub fn pipeline_rows(rosters: &[Roster], query: &PipelineQuery, now: DateTime<Utc>) -> Vec<PipelineRow> {
    let ctx = Ctx::new(rosters, query.sort, query.order);
    let (mut hits, _) = hits(rosters, &query.filter, now);
    hits.sort_unstable_by(|a, b| ctx.cmp(a, b));
    hits.iter().map(|h| ctx.row(h)).collect()
}

#[cfg(test)]
mod tests;
