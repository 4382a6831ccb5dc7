//! The pipeline view, its CSV export and the in-program card through the Lambda handler
//! (see `common`). "Now" is 2026-11-28T19:00:00Z.

use crate::common::fixtures::{exported, pipeline};
use crate::common::{aimed, event, Api};
use axum::http::StatusCode;
use serde_json::{json, Value};

fn ids(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["user_id"].as_str().unwrap(),
                r["program"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn the_pipeline_shows_every_enrollment_with_status_stats_filters_sorts_and_pages() {
    let api = Api::enabled().await;
    let (c, _, autumn) = pipeline(&api).await;
    let view = |query: &str| aimed("pipeline-get.json", "/c1/", &format!("/{c}/")).query(query);
    let all = api.send(view("sort=name&order=asc&limit=50")).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(
        all.body["certification"],
        json!({"id": c, "name": "Leadership Essentials"})
    );
    assert_eq!(
        all.body["stats"],
        json!({"total": 6, "by_status": {"enrolled": 1, "on_track": 2, "off_track": 2, "did_not_pass": 1, "certified": 0}})
    );
    // By name: "=Dee" first ("=" sorts before letters); Ana's two rows tie on name and
    // user, so program id (random here) orders them.
    let users: Vec<String> = ids(&all.body)
        .iter()
        .map(|r| r.split('/').next().unwrap().to_string())
        .collect();
    assert_eq!(users, ["u-dee", "u-ana", "u-ana", "u-ben", "u-cy", "u-eve"]);
    let row = |user: &str, program: &str| {
        all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == user && r["program"]["name"] == program)
            .unwrap()
            .clone()
    };
    let ana = &row("u-ana", "Spring");

    assert_eq!(
        (
            ana["status"].as_str(),
            ana["expected_on"].as_str(),
            ana["group"].as_str()
        ),
        (Some("on_track"), Some("2026-12-05"), Some("Alpha"))
    );
    assert_eq!(row("u-ana", "Autumn")["status"], "enrolled");
    assert_eq!(row("u-cy", "Spring")["status"], "did_not_pass");
    assert_eq!(row("u-dee", "Spring")["status"], "off_track");

    let named = api.send(view("name=AVILA")).await;
    assert_eq!(
        (named.body["stats"]["total"].as_u64(), ids(&named.body).len()),
        (Some(2), 2)
    );
    let filtered = api.send(view(&format!("group=Beta&program={autumn}"))).await;
    assert_eq!(ids(&filtered.body), ["u-eve/Autumn"]);
    let unpaged = api
        .send(aimed("pipeline-csv.json", "/c1/", &format!("/{c}/")).query("limit=0&cursor=x"))
        .await;
    assert_eq!(unpaged.status, StatusCode::SEE_OTHER, "the export ignores paging");
    let off = api.send(view("status=off_track")).await;
    assert_eq!(ids(&off.body), ["u-dee/Spring", "u-ben/Spring"]);
    let by_status = api.send(view("sort=status")).await;
    let statuses: Vec<&str> = by_status.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "did_not_pass",
            "off_track",
            "off_track",
            "enrolled",
            "on_track",
            "on_track"
        ]
    );

    let mut paged = Vec::new();
    let mut query = "sort=expected&order=desc&limit=4".to_string();
    loop {
        let page = api.send(view(&query)).await;
        assert_eq!(
            page.body["stats"]["total"], 6,
            "stats cover every filtered row on every page"
        );
        paged.extend(ids(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("sort=expected&order=desc&limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged.len(), 6);
    assert_eq!(
        paged[..2],
        ["u-ana/Autumn", "u-eve/Autumn"],
        "Autumn's lesson is due last"
    );

    let bad = api.send(view("sort=age&status=done&limit=0")).await;
    assert_eq!(
        (bad.status, bad.fields()),
        (StatusCode::BAD_REQUEST, vec!["sort", "status", "limit"])
    );
    let theirs = api.send(view("").as_("ws-other", "admin")).await;
    assert_eq!(
        theirs.status,
        StatusCode::FORBIDDEN,
        "ws-other has certifications disabled"
    );
    let missing = api.send(aimed("pipeline-get.json", "/c1/", "/nope/")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_csv_export_has_every_filtered_row_quoted_and_formula_safe() {
    let api = Api::enabled().await;
    let (c, _, _) = pipeline(&api).await;
    let csv = api.send(aimed("pipeline-csv.json", "/c1/", &format!("/{c}/"))).await;
    let text = exported(&csv);
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0], "user_id,name,group,program_id,program,expected_on,status");
    assert!(
        lines[1].starts_with("u-cy,Cy Müller,Beta,"),
        "did_not_pass first: {}",
        lines[1]
    );
    assert!(text.contains(",'=Dee,"), "a formula is neutralised: {text}");
    let off = api
        .send(aimed("pipeline-csv.json", "/c1/", &format!("/{c}/")).query("status=off_track"))
        .await;
    let rows: Vec<String> = exported(&off)
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{}/{}", cells[0], cells[3])
        })
        .collect();
    // The file holds exactly the rows the view shows with the same filter, in order.
    let view = api
        .send(aimed("pipeline-get.json", "/c1/", &format!("/{c}/")).query("status=off_track&limit=500"))
        .await;
    let shown: Vec<String> = view.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["user_id"].as_str().unwrap(),
                r["program"]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(rows, shown);
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn the_program_card_shows_labels_and_a_grid_without_announcements() {
    let api = Api::enabled().await;
    let (_, spring, _) = pipeline(&api).await;
    let card = api
        .send(aimed("program-pipeline-get.json", "/p1/", &format!("/{spring}/")))
        .await;
    assert_eq!(card.status, StatusCode::OK, "{:?}", card.body);
    assert_eq!(card.body["certification"]["name"], "Leadership Essentials");
    let kinds: Vec<&str> = card.body["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["lesson", "assignment", "group_meeting"]);
    assert_eq!(card.body["components"][2]["counted"], false);
    assert_eq!(
        card.body["summary"],
        json!({"not_started": 0, "on_track": 1, "off_track": 2, "criteria_not_met": 1, "certified": 0})
    );
    let ana = &card.body["participants"][1];
    assert_eq!(
        (ana["name"].as_str(), ana["label"].as_str()),
        (Some("Ana Ávila"), Some("on_track"))
    );
    assert_eq!(
        ana["grid"][0],
        json!({"component_id": ana["grid"][0]["component_id"], "badge": "completed", "past_due": false, "counted": true})
    );
    let ben = &card.body["participants"][2];
    assert_eq!(
        (ben["grid"][0]["badge"].as_str(), ben["grid"][0]["past_due"].as_bool()),
        (Some("in_progress"), Some(true))
    );
    assert_eq!(
        card.body["next_cursor"],
        Value::Null,
        "four participants fit the default page of 100"
    );

    // A page at a time (SPEC 1.16): every participant once, the summary always whole.
    let page = |query: &str| aimed("program-pipeline-get.json", "/p1/", &format!("/{spring}/")).query(query);
    let (mut seen, mut cursor) = (Vec::new(), String::new());
    loop {
        let reply = api.send(page(&format!("limit=3&cursor={cursor}"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["summary"], card.body["summary"]);
        assert_eq!(reply.body["components"], card.body["components"]);
        let items = reply.body["participants"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|p| p["user_id"].clone()));
        match reply.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    let all: Vec<Value> = card.body["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].clone())
        .collect();
    assert_eq!(seen, all);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=forged", "cursor"),
    ] {
        let refused = api.send(page(query)).await;
        assert_eq!(
            (refused.status, refused.fields()),
            (StatusCode::BAD_REQUEST, vec![field]),
            "{query}"
        );
    }

    let unlinked = api.send(event("programs-create.json")).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let empty = api
        .send(aimed("program-pipeline-get.json", "/p1/", &format!("/{unlinked}/")))
        .await;
    assert_eq!(
        (empty.status, &empty.body["certification"]),
        (StatusCode::OK, &Value::Null)
    );
}
