//! The pipeline view over whole rosters: filters, sort order, cursors and stats, with
//! the properties that hold for any roster and query.

use chrono::Duration;
use proptest::prelude::*;

use super::*;
use crate::fixtures::{arb_query, arb_rosters, at, comp, components, day, now, people, program, record};
use crate::program::component::ComponentKind as K;
use crate::program::progress::ProgressStatus as S;
use crate::program::ProgramState;
use crate::roster::{Outcome, PipelineStatus as P, Roster};
use crate::text::search_key;

fn names(page: &[PipelineRow]) -> Vec<String> {
    page.iter().map(|r| format!("{}/{}", r.user_id, r.program.id)).collect()
}

#[test]
fn foreign_or_damaged_cursors_are_refused_with_the_field_named() {
    for bad in ["zz", "abc", "00", "6869"] {
        let input = PipelineQueryInput {
            cursor: Some(bad.into()),
            ..Default::default()
        };
        assert_eq!(input.parse().unwrap_err().fields(), ["cursor"], "{bad}");
    }
}

#[test]
fn query_problems_are_all_reported() {
    let input = PipelineQueryInput {
        sort: Some("age".into()),
        order: Some("up".into()),
        status: Some("done".into()),
        limit: Some("501".into()),
        ..Default::default()
    };
    assert_eq!(
        input.parse().unwrap_err().fields(),
        ["sort", "order", "status", "limit"]
    );
    let zero = PipelineQueryInput {
        limit: Some("0".into()),
        ..Default::default()
    };
    assert_eq!(zero.parse().unwrap_err().fields(), ["limit"]);
}

#[test]
fn empty_filters_are_no_filters() {
    let input = PipelineQueryInput {
        name: Some("  ".into()),
        group: Some("".into()),
        ..Default::default()
    };
    assert_eq!(input.parse().unwrap(), PipelineQuery::default());
}

#[test]
fn the_name_filter_ignores_case_and_accents_in_any_script() {
    let rosters = [people(
        "p1",
        "Spring",
        &[
            ("u1", "Ana Ávila", None),
            ("u2", "Борис ЖУКОВ", None),
            ("u3", "Bob", None),
        ],
    )];
    let mut q = PipelineQuery::default();
    for (needle, expected) in [("AVILA", "u1"), ("жуков", "u2"), ("ÁVI", "u1")] {
        q.filter.name = Some(needle.into());
        let page = pipeline_page(&rosters, &q, now());
        assert_eq!(names(&page.items), [format!("{expected}/p1")], "{needle}");
        assert_eq!(page.stats.total, 1);
    }
}

#[test]
fn filters_combine_and_stats_cover_every_filtered_row() {
    let rosters = [
        people("p1", "Spring", &[("u1", "Ana", Some("A")), ("u2", "Ben", Some("B"))]),
        people("p2", "Autumn", &[("u1", "Ana", Some("A")), ("u3", "Cy", Some("A"))]),
    ];
    let mut q = PipelineQuery {
        limit: 1,
        ..Default::default()
    };
    q.filter.group = Some("A".into());
    let page = pipeline_page(&rosters, &q, now());
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.stats.total, 3, "stats count every filtered row, not the page");
    assert_eq!(page.stats.by_status.off_track, 3);
    q.filter.program = Some("p2".into());
    assert_eq!(pipeline_page(&rosters, &q, now()).stats.total, 2);
    q.filter.status = Some(P::OnTrack);
    assert_eq!(pipeline_page(&rosters, &q, now()).stats.total, 0);
}

#[test]
fn a_user_in_two_programs_appears_once_per_program() {
    let rosters = [
        people("p1", "Spring", &[("u1", "Ana", None)]),
        people("p2", "Autumn", &[("u1", "Ana", None)]),
    ];
    let page = pipeline_page(&rosters, &PipelineQuery::default(), now());
    assert_eq!(names(&page.items), ["u1/p1", "u1/p2"]);
}

#[test]
fn sort_ties_break_by_name_then_user_then_program() {
    let rosters = [
        people(
            "p2",
            "Same",
            &[("u2", "Ana", None), ("u1", "ana", None), ("u3", "Zed", None)],
        ),
        people("p1", "Same", &[("u2", "Ana", None)]),
    ];
    for order in [Order::Asc, Order::Desc] {
        let q = PipelineQuery {
            sort: SortField::Program,
            order,
            ..Default::default()
        };
        // Every row ties on program name, so order only flips nothing; ties stay ascending.
        let page = pipeline_page(&rosters, &q, now());
        assert_eq!(names(&page.items), ["u1/p2", "u2/p1", "u2/p2", "u3/p2"]);
    }
    let q = PipelineQuery {
        sort: SortField::Name,
        order: Order::Desc,
        ..Default::default()
    };
    assert_eq!(
        names(&pipeline_page(&rosters, &q, now()).items),
        ["u3/p2", "u1/p2", "u2/p1", "u2/p2"]
    );
}

#[test]
fn sort_by_status_follows_the_spec_order() {
    let records = vec![
        record("on", &[("k1", S::Completed)]),
        record("dnp", &[("k2", S::Missed)]),
        record("off", &[]),
    ];
    let mut certified = record("cert", &[]);
    certified.outcome = Some(Outcome::Passed);
    let mut ended = program("p9", "Ended");
    ended.state = ProgramState::Ended;
    let rosters = [
        Roster::new(program("p1", "P"), components(), records),
        Roster::new(ended, components(), vec![certified]),
        Roster::new(
            program("p3", "Later"),
            vec![comp("k1", K::Lesson, Some("2027-01-01T00:00:00Z"))],
            vec![record("new", &[])],
        ),
    ];
    let q = PipelineQuery {
        sort: SortField::Status,
        ..Default::default()
    };
    let statuses: Vec<P> = pipeline_page(&rosters, &q, now())
        .items
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses,
        [P::DidNotPass, P::OffTrack, P::Enrolled, P::OnTrack, P::Certified]
    );
}

#[test]
fn sort_by_expected_date_uses_extensions() {
    let mut late = record("late", &[]);
    late.extensions.insert("k2".into(), at("2027-02-01T00:00:00Z"));
    let rosters = [Roster::new(
        program("p1", "P"),
        components(),
        vec![late, record("early", &[])],
    )];
    let q = PipelineQuery {
        sort: SortField::Expected,
        order: Order::Desc,
        ..Default::default()
    };
    let rows = pipeline_rows(&rosters, &q, now());
    assert_eq!(names(&rows), ["late/p1", "early/p1"]);
    assert_eq!(rows[0].expected_on, day("2027-02-01"));
}

#[test]
fn the_last_page_has_no_cursor_and_a_cursor_resumes_after_its_row() {
    let rosters = [people(
        "p1",
        "P",
        &[("u1", "A", None), ("u2", "B", None), ("u3", "C", None)],
    )];
    let mut q = PipelineQuery {
        limit: 2,
        ..Default::default()
    };
    let first = pipeline_page(&rosters, &q, now());
    assert_eq!(names(&first.items), ["u1/p1", "u2/p1"]);
    q.cursor = first.next_cursor;
    let second = pipeline_page(&rosters, &q, now());
    assert_eq!(names(&second.items), ["u3/p1"]);
    assert_eq!(second.next_cursor, None);
    q.limit = 3;
    q.cursor = None;
    assert_eq!(
        pipeline_page(&rosters, &q, now()).next_cursor,
        None,
        "an exact fit has no next page"
    );
}

#[test]
fn a_cursor_survives_a_row_removed_before_it() {
    let all = [people(
        "p1",
        "P",
        &[("u1", "A", None), ("u2", "B", None), ("u3", "C", None)],
    )];
    let mut q = PipelineQuery {
        limit: 2,
        ..Default::default()
    };
    q.cursor = pipeline_page(&all, &q, now()).next_cursor;
    let fewer = [people("p1", "P", &[("u2", "B", None), ("u3", "C", None)])];
    assert_eq!(names(&pipeline_page(&fewer, &q, now()).items), ["u3/p1"]);
}

proptest! {
    #[test]
    fn stats_sum_to_the_total(rosters in arb_rosters(), query in arb_query(), hours in 0i64..2000) {
        let t = at("2026-11-01T00:00:00Z") + Duration::hours(hours);
        let page = pipeline_page(&rosters, &query, t);
        prop_assert_eq!(page.stats.by_status.sum(), page.stats.total);
        prop_assert_eq!(page.stats.total, pipeline_rows(&rosters, &query, t).len());
    }

    #[test]
    fn pages_of_any_size_concatenate_to_the_sorted_list(rosters in arb_rosters(), query in arb_query()) {
        let all = pipeline_rows(&rosters, &query, now());
        let mut paged = Vec::new();
        let mut q = query.clone();
        for _ in 0..=all.len() {
            let page = pipeline_page(&rosters, &q, now());
            prop_assert!(page.items.len() <= q.limit);
            paged.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        prop_assert_eq!(names(&paged), names(&all));
    }

    #[test]
    fn the_sort_is_a_total_order(rosters in arb_rosters(), query in arb_query()) {
        // Whatever order the rosters come in, the rows come out the same, each pair
        // strictly ordered: by the sorted column in the asked order, ties ascending by
        // name, user id and program id.
        let forward = pipeline_rows(&rosters, &query, now());
        let mut reversed_input: Vec<Roster> = rosters.clone();
        reversed_input.reverse();
        prop_assert_eq!(names(&forward), names(&pipeline_rows(&reversed_input, &query, now())));
        let primary = |r: &PipelineRow| match query.sort {
            SortField::Name => (search_key(&r.name), None, 0),
            SortField::Program => (search_key(&r.program.name), None, 0),
            SortField::Expected => (String::new(), Some(r.expected_on), 0),
            SortField::Status => (String::new(), None, r.status.sort_rank()),
        };
        for pair in forward.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let by_column = match query.order {
                Order::Asc => primary(a).cmp(&primary(b)),
                Order::Desc => primary(b).cmp(&primary(a)),
            };
            let ties = (search_key(&a.name), &a.user_id, &a.program.id).cmp(&(search_key(&b.name), &b.user_id, &b.program.id));
            prop_assert_eq!(by_column.then(ties), std::cmp::Ordering::Less);
        }
    }
}
