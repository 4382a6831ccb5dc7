//! The registry (SPEC 1.13) and the queries under it: a Query in either direction, and a
//! certification's certificates read by an index in issue or expiry order, filtered,
//! paged without a repeat, in a number of requests that does not grow with the
//! workspace's certificates.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use certify_rules::{CertificateStatus, RegistryQuery, RegistrySort};
use certify_store::table::{Item, Key, Query, QueryPage, TableError};
use chrono::NaiveDate;
use futures::StreamExt;

use super::*;

/// A table that counts the requests made of it.
#[derive(Clone)]
pub struct Counted<T> {
    inner: T,
    requests: Arc<AtomicUsize>,
}

impl<T> Counted<T> {
    fn take(&self) -> usize {
        self.requests.swap(0, Ordering::SeqCst)
    }
}

#[async_trait]
impl<T: Table> Table for Counted<T> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key).await
    }

    async fn query(&self, query: &Query) -> Result<QueryPage, TableError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.inner.query(query).await
    }

    async fn write(&self, write: Write) -> Result<(), TableError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.inner.write(write).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.inner.transact(writes).await
    }

    async fn put_batch(&self, items: Vec<Item>) -> Result<usize, TableError> {
        let requests = self.inner.put_batch(items).await?;
        self.requests.fetch_add(requests, Ordering::SeqCst);
        Ok(requests)
    }

    async fn add_returning(&self, key: &Key, attr: &'static str, by: i64) -> Result<i64, TableError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.inner.add_returning(key, attr, by).await
    }
}

pub async fn a_query_reads_either_way_and_resumes_after_its_last_item<T: Table>(s: Store<T>) {
    let t = s.table();
    for sk in ["a#1", "a#2", "a#3", "a#4", "a#5", "b#1"] {
        let mut item = Item::new();
        item.insert("pk".into(), "P".into());
        item.insert("sk".into(), sk.into());
        t.write(Write::Put { item, cond: None }).await.unwrap();
    }
    let read = |descending: bool, prefix: Option<&str>, at_most: Option<&str>| Query {
        pk: "P".into(),
        sk_prefix: prefix.map(String::from),
        sk_at_most: at_most.map(String::from),
        limit: Some(2),
        descending,
        ..Default::default()
    };
    for (query, expected) in [
        (read(true, Some("a#"), None), vec!["a#5", "a#4", "a#3", "a#2", "a#1"]),
        (read(false, Some("a#"), None), vec!["a#1", "a#2", "a#3", "a#4", "a#5"]),
        (read(true, None, Some("a#3")), vec!["a#3", "a#2", "a#1"]),
        (read(true, None, None), vec!["b#1", "a#5", "a#4", "a#3", "a#2", "a#1"]),
    ] {
        let (mut seen, mut query) = (Vec::new(), query);
        loop {
            let page = t.query(&query).await.unwrap();
            seen.extend(page.items.iter().map(|i| i["sk"].as_str().unwrap().to_string()));
            match page.last {
                Some(last) => query.after = Some(last),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{query:?}");
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Certificate `n` of `c1`, held by its own user: issued over 2025-2026, every fifth
/// never expiring, the others expiring over 2026-2027.
fn numbered(n: usize) -> Certificate {
    let issued = day("2025-01-01") + Duration::days((n % 600) as i64);
    Certificate {
        id: format!("x{n:04}"),
        user_id: format!("u{n:04}"),
        issued_on: issued,
        expires_on: (!n.is_multiple_of(5)).then(|| issued + Duration::days(365 + (n % 7) as i64 * 30)),
        ..certificate("x", "p1")
    }
}

pub async fn the_registry_reads_a_certification_by_index_in_few_requests<T: Table + Clone>(s: Store<T>) {
    let counted = Counted {
        inner: s.table().clone(),
        requests: Arc::new(AtomicUsize::new(0)),
    };
    let s = Store::new(counted.clone());
    for id in ["c1", "c2"] {
        s.create_certification("ws1", &certification(id), &admin())
            .await
            .unwrap();
    }
    let mut all: Vec<Certificate> = (0..1000).map(numbered).collect();
    let ours = futures::stream::iter(&all)
        .map(|c| s.issue_certificate("ws1", c, now(), &Actor::System))
        .buffer_unordered(8);
    assert!(ours.all(|issued| async move { issued.unwrap() }).await);
    for n in (3..1000).step_by(10) {
        all[n] = s
            .revoke_certificate("ws1", &all[n].id, "fraud", now(), &admin())
            .await
            .unwrap();
    }
    // Another certification's certificates in the same workspace, never listed.
    let theirs: Vec<Certificate> = (0..200)
        .map(|n| Certificate {
            id: format!("y{n:04}"),
            certification: CertificationSnapshot {
                id: "c2".into(),
                ..numbered(n).certification
            },
            ..numbered(n)
        })
        .collect();
    let theirs = futures::stream::iter(&theirs)
        .map(|c| s.issue_certificate("ws1", c, now(), &Actor::System))
        .buffer_unordered(8);
    assert!(theirs.all(|issued| async move { issued.unwrap() }).await);

    let today = day("2026-11-28");
    let query = |status, sort, descending, user_id: Option<&str>, expires_before| RegistryQuery {
        status,
        user_id: user_id.map(String::from),
        expires_before,
        sort,
        descending,
    };
    let cases = [
        query(None, RegistrySort::IssuedOn, true, None, None),
        query(None, RegistrySort::ExpiresOn, false, None, None),
        query(
            Some(CertificateStatus::Revoked),
            RegistrySort::IssuedOn,
            false,
            None,
            None,
        ),
        query(
            Some(CertificateStatus::Expired),
            RegistrySort::ExpiresOn,
            true,
            None,
            None,
        ),
        query(
            Some(CertificateStatus::Active),
            RegistrySort::ExpiresOn,
            false,
            None,
            None,
        ),
        query(None, RegistrySort::ExpiresOn, false, None, Some(day("2026-06-01"))),
        query(None, RegistrySort::IssuedOn, true, Some("u0042"), None),
    ];
    for q in cases {
        let mut expected: Vec<&Certificate> = all.iter().filter(|c| q.shows(c, today)).collect();
        let key = |c: &Certificate| match q.sort {
            RegistrySort::IssuedOn => (c.issued_on.to_string(), c.id.clone()),
            RegistrySort::ExpiresOn => (
                c.expires_on.map_or("9999-99-99".into(), |d| d.to_string()),
                c.id.clone(),
            ),
        };
        expected.sort_by_key(|c| key(c));
        if q.descending {
            expected.reverse();
        }
        let expected: Vec<&str> = expected.iter().map(|c| c.id.as_str()).collect();
        let (mut seen, mut cursor, mut pages) = (Vec::new(), None, 0);
        counted.take();
        loop {
            let got = s.registry("ws1", "c1", &q, today, &page(100, cursor)).await.unwrap();
            pages += 1;
            seen.extend(got.items.into_iter().map(|c| c.id));
            match got.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, expected, "{q:?}");
        let requests = counted.take();
        // Each page: the certification, then index Queries for 101 shown items. A
        // filter that shows 1 in 10 (revoked) reads about ten items per shown one.
        let bound = pages * 2 + expected.len() / 10 + 2;
        assert!(
            requests <= bound,
            "{q:?}: {requests} requests for {pages} pages of {} certificates (at most {bound})",
            expected.len()
        );
        println!(
            "{q:?}: {requests} requests, {pages} pages, {} certificates",
            expected.len()
        );
    }
    let any = RegistryQuery {
        status: None,
        user_id: None,
        expires_before: None,
        sort: RegistrySort::IssuedOn,
        descending: true,
    };
    not_found(s.registry("ws1", "missing", &any, today, &page(10, None)).await);
}
