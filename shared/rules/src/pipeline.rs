//! The pipeline (SPEC 1.6, 1.16): the view of a certification across its programs, with
//! filters, a total sort order, keyset cursors and stats over every filtered row; and the
//! paging of a program's participant list and of its in-program card. One feature in a
//! few files, each public name given here:
//!
//! - `query`: the query string, checked: filters, sort, order, limit and cursor.
//! - `key`: where a row stands in the total order, and the cursor that remembers it.
//! - `cursor`: opaque cursors, the encoding every list's cursor shares.
//! - `paging`: a program's participant list by user id, and the card's participants by
//!   name.
//! - here: the rows, their stats and a page of them.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::program::ProgramRef;
use crate::roster::{PipelineStatus, Roster};
use crate::text::search_key;

mod cursor;
mod key;
mod paging;
mod query;

use key::{compare, CursorKey, Primary, RowKey};
pub use key::{Order, SortField};
pub use paging::{card_page, participants_page};
pub use query::{PipelineFilter, PipelineQuery, PipelineQueryInput, LIMIT_DEFAULT, LIMIT_MAX};

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
