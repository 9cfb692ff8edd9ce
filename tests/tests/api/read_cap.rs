//! Work per request is bounded (docs/api.md, *What a query costs*): a read that would examine
//! more items than the read cap answers 400 saying how to narrow the query, each of its reads
//! having examined no more than the cap (counted as DynamoDB reports it, `ScannedCount`, through the fault
//! injector); the dashboard's shapes stay answered; a list whose page fits but whose count does
//! not answers a lower bound, marked, that its cursor carries; and a walk counts once.

use serde_json::{json, Value};
use testkit::faults::Faults;

use crate::helpers::{random_id, OnDynamo, TestApp};

const CAP: u64 = 20;
const ITEMS: usize = 50;
const CALL_LOGS: usize = 5;

/// The user of the project's first 3 items (none other has a user).
const USER: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

/// A project of 50 items in 5 call logs, statuses alternating, one rare status message on the
/// oldest, a user on the first 3; the uncapped app, its fault injector, and the call logs.
async fn project() -> (TestApp, Faults, Vec<String>) {
    let (app, faults) = TestApp::with_faults().await;
    let logs: Vec<String> = (0..CALL_LOGS).map(|_| random_id()).collect();
    for n in 0..ITEMS {
        let status = if n % 2 == 0 { "Ringing" } else { "Completed" };
        let mut extra = json!({"status": status, "dialDurationInSeconds": n});
        if n == 0 {
            extra["statusMessage"] = json!("a rare note");
        }
        if n < 3 {
            extra["userId"] = json!(USER);
        }
        app.create_item(&logs[n % CALL_LOGS], extra).await;
    }
    // Settled: the counts and index entries by value are there.
    app.count(None).await.status(200);
    // Answers are read (for their `ScannedCount`) only while capacity is measured.
    faults.measure_capacity();
    assert_eq!(faults.scanned(), 0);
    (app, faults, logs)
}

/// The `_id`s of a list response's page, in order.
fn ids_of(page: &Value) -> Vec<Value> {
    page["data"]
        .as_array()
        .expect("a page")
        .iter()
        .map(|item| item["_id"].clone())
        .collect()
}

fn refused_as_too_broad(response: &crate::helpers::Answer) {
    response.status(400);
    let error = response.error();
    assert!(
        error.contains(&format!("more than {CAP} items")) && error.contains("narrow"),
        "{error}"
    );
}

fn rare() -> Value {
    json!({"statusMessage": {"_type": "Search", "value": "rare"}})
}

fn every_duration() -> Value {
    json!({"dialDurationInSeconds": {"_type": "GreaterThan", "value": -1}})
}

#[tokio::test]
async fn a_read_past_the_cap_is_400_saying_how_to_narrow_it_and_examines_no_more() {
    let (app, faults, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let shapes = [
        // A count DynamoDB evaluates whole, and one left to the function.
        ("count", json!({ "query": every_duration() })),
        ("count", json!({ "query": rare() })),
        // A page that cannot fill within the cap: one match, at the far end.
        ("list", json!({ "query": rare() })),
        // A sort on another field: every match is read.
        ("list", json!({ "sort": {"dialDurationInSeconds": 1} })),
        // A deep skip short of the middle: the skipped items are read (past the middle, the
        // other end is nearer: below).
        ("list", json!({ "skip": 24 })),
    ];
    for (route, body) in shapes {
        let response = match route {
            "count" => capped.count(Some(body.clone())).await,
            _ => capped.list("", Some(body.clone())).await,
        };
        refused_as_too_broad(&response);
        // Each read of a request examines at most the cap; a list makes two (its page and
        // its count).
        let reads = if route == "count" { 1 } else { 2 };
        let scanned = faults.scanned();
        assert!(
            scanned > 0 && scanned <= reads * CAP,
            "{route} {body}: {scanned} items examined"
        );
    }
    // The same requests without the cap are answered: the cap is what refused them.
    let uncapped = app.count(Some(json!({ "query": rare() }))).await;
    uncapped.status(200);
    assert_eq!(uncapped.body["count"], 1);
}

#[tokio::test]
async fn the_dashboard_shapes_stay_within_the_cap() {
    let (app, faults, logs) = project().await;
    let capped = app.with_read_cap(CAP);
    let counted = [
        (json!({}), ITEMS),
        (json!({"status": "Ringing"}), ITEMS / 2),
        (json!({"incomingCallLogId": logs[0]}), ITEMS / CALL_LOGS),
    ];
    for (query, count) in counted {
        let response = capped.count(Some(json!({ "query": query }))).await;
        response.status(200);
        assert_eq!(response.body["count"], count, "{query}");
        let scanned = faults.scanned();
        assert!(scanned <= CAP, "count {query}: {scanned} items examined");
        let page = capped
            .list("?limit=5", Some(json!({ "query": query })))
            .await;
        page.status(200);
        assert_eq!(page.body["count"], count, "{query}");
        assert_eq!(page.body["data"].as_array().unwrap().len(), 5, "{query}");
        assert!(page.body.get("countIsLowerBound").is_none(), "{query}");
        let scanned = faults.scanned();
        assert!(scanned <= CAP, "list {query}: {scanned} items examined");
    }
}

#[tokio::test]
async fn a_count_past_the_cap_on_a_list_is_a_marked_lower_bound_its_cursor_carries() {
    let (app, _, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let body = json!({ "query": every_duration() });
    let first = capped.list("?limit=5", Some(body.clone())).await;
    first.status(200);
    assert_eq!(first.body["count"], CAP, "the matches found within the cap");
    assert_eq!(first.body["countIsLowerBound"], true);
    assert_eq!(first.body["data"].as_array().unwrap().len(), 5);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = capped
        .list(
            "?limit=5",
            Some(json!({ "query": every_duration(), "cursor": cursor })),
        )
        .await;
    second.status(200);
    assert_eq!(second.body["count"], CAP);
    assert_eq!(second.body["countIsLowerBound"], true);
    assert_eq!(second.body["skip"], 5);
}

#[tokio::test]
async fn a_walk_counts_once_its_later_pages_read_only_their_page() {
    let (app, faults, _) = project().await;
    let body = json!({ "query": every_duration() });
    let first = app.list("?limit=10", Some(body.clone())).await;
    first.status(200);
    assert_eq!(first.body["count"], ITEMS);
    let first_scanned = faults.scanned();
    // The count read every item, the page at least its own.
    assert!(first_scanned >= ITEMS as u64 + 10, "{first_scanned}");
    let mut cursor = first.body["nextCursor"].as_str().unwrap().to_string();
    let mut seen = 10;
    loop {
        let page = app
            .list(
                "?limit=10",
                Some(json!({ "query": every_duration(), "cursor": cursor })),
            )
            .await;
        page.status(200);
        // The count the first page worked out, not counted again.
        assert_eq!(page.body["count"], ITEMS);
        let scanned = faults.scanned();
        assert!(
            scanned < ITEMS as u64,
            "a cursor page read {scanned} items: it counted again"
        );
        seen += page.body["data"].as_array().unwrap().len();
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ITEMS);
}

#[tokio::test]
async fn a_query_starts_at_its_smallest_value_whatever_order_it_names_them_in() {
    let (app, faults, _) = project().await;
    let mut examined = Vec::new();
    let mut read_units = Vec::new();
    faults.consumed();
    for query in [
        json!({"status": "Ringing", "userId": USER}),
        json!({"userId": USER, "status": "Ringing"}),
    ] {
        let page = app.list("", Some(json!({ "query": query }))).await;
        page.status(200);
        assert_eq!(page.body["count"], 2, "{query}");
        assert_eq!(page.body["data"].as_array().unwrap().len(), 2, "{query}");
        examined.push(faults.scanned());
        let units: f64 = faults.consumed().values().map(|(read, _)| read).sum();
        read_units.push(units);
    }
    assert_eq!(read_units[0], read_units[1], "read units: {read_units:?}");
    // The user's 3 entries, for the page and for the count: not the status's 25.
    assert_eq!(examined[0], examined[1], "{examined:?}");
    assert!(examined[0] <= 6, "{examined:?}");
}

#[tokio::test]
async fn a_created_at_range_is_enforced_by_the_key_range_alone() {
    let (app, faults, _) = project().await;
    let all = app.list("?limit=100", None).await;
    let data = all.body["data"].as_array().unwrap().clone();
    // The 10 newest items' creation times.
    let (newest, tenth) = (&data[0]["createdAt"], &data[9]["createdAt"]);
    faults.scanned();
    let range =
        json!({"createdAt": {"_type": "InBetween", "startValue": tenth, "endValue": newest}});
    let count = app.count(Some(json!({ "query": range }))).await;
    count.status(200);
    assert_eq!(count.body["count"], 10);
    // Only the items in the range were examined.
    assert_eq!(faults.scanned(), 10);
    // With a value: its entries in the range, counted without reading a single item.
    faults.consumed();
    let ringing =
        json!({"status": "Ringing", "createdAt": {"_type": "GreaterThanOrEqual", "value": tenth}});
    let count = app.count(Some(json!({ "query": ringing }))).await;
    count.status(200);
    assert_eq!(count.body["count"], 5);
    assert_eq!(faults.scanned(), 5);
    let consumed = faults.consumed();
    assert!(!consumed.contains_key("BatchGetItem"), "{consumed:?}");
}

#[tokio::test]
async fn counts_the_counters_answer_read_no_item_whatever_the_project_size() {
    let (app, faults, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let half = ITEMS / 2;
    for (query, count) in [
        (
            json!({"status": {"_type": "NotEqual", "value": "Ringing"}}),
            half,
        ),
        (
            json!({"status": ["Ringing", "Completed", "Ringing"]}),
            ITEMS,
        ),
        (
            json!({"status": {"_type": "IncludesNone", "value": ["Ringing"]}}),
            half,
        ),
        (json!({"userId": {"_type": "NotNull"}}), 3),
        (json!({"userId": null}), ITEMS - 3),
        (json!({"userId": {"_type": "NotEqual", "value": USER}}), 0),
        (
            json!({"userId": {"_type": "IncludesNone", "value": [USER]}}),
            0,
        ),
        // Never null: nothing matches, and nothing is read to say so.
        (json!({"status": null}), 0),
        (json!({"isAnswered": {"_type": "IsNull"}}), 0),
        (json!({"status": {"_type": "NotNull"}}), ITEMS),
    ] {
        let response = capped.count(Some(json!({ "query": query }))).await;
        response.status(200);
        assert_eq!(response.body["count"], count, "{query}");
        assert_eq!(faults.scanned(), 0, "{query}: no item examined");
    }
}

#[tokio::test]
async fn a_list_of_ids_is_read_by_key_in_the_lists_order() {
    let (app, faults, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let all = app.list("?limit=100", None).await;
    let newest: Vec<Value> = ids_of(&all.body)[..3].to_vec();
    faults.scanned();
    // Named oldest first, answered newest first (the default order), by key: no `Query`.
    let ids = json!([newest[2], newest[0], newest[1], random_id()]);
    let query = json!({ "_id": ids });
    let first = capped
        .list("?limit=2", Some(json!({ "query": query })))
        .await;
    first.status(200);
    assert_eq!(first.body["count"], 3);
    let shown: Vec<Value> = ids_of(&first.body);
    assert_eq!(shown, newest[..2]);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = capped
        .list(
            "?limit=2",
            Some(json!({ "query": query, "cursor": cursor })),
        )
        .await;
    second.status(200);
    assert_eq!(second.body["data"][0]["_id"], newest[2]);
    assert!(second.body.get("nextCursor").is_none());
    let count = capped.count(Some(json!({ "query": query }))).await;
    assert_eq!(count.body["count"], 3);
    assert_eq!(faults.scanned(), 0, "read by key only");
}

#[tokio::test]
async fn a_deep_skip_past_the_middle_is_read_from_the_other_end() {
    let (app, faults, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let all = app.list("?limit=100", None).await;
    let every: Vec<Value> = ids_of(&all.body);
    let ringing = app
        .list("?limit=100", Some(json!({"query": {"status": "Ringing"}})))
        .await;
    let ringing: Vec<Value> = ids_of(&ringing.body);
    faults.scanned();
    // 43 deep in 50 (past the cap of 20 from the front): 7 from the back. And a value's 25.
    for (query, skip, expected) in [
        (json!({}), 43, &every[43..48]),
        (json!({}), 47, &every[47..]),
        (json!({"status": "Ringing"}), 21, &ringing[21..]),
    ] {
        let page = capped
            .list(
                &format!("?skip={skip}&limit=5"),
                Some(json!({ "query": query })),
            )
            .await;
        page.status(200);
        let ids: Vec<Value> = ids_of(&page.body);
        assert_eq!(ids, expected, "{query} skip {skip}");
        let scanned = faults.scanned();
        assert!(scanned <= CAP, "{query} skip {skip}: {scanned} examined");
    }
    // Past the end: nothing, nothing read.
    let past = capped.list("?skip=60&limit=5", None).await;
    past.status(200);
    assert_eq!(past.body["data"], json!([]));
}

#[tokio::test]
async fn one_of_a_few_values_merges_their_entries_a_page_at_a_time() {
    let (app, faults, _) = project().await;
    let capped = app.with_read_cap(CAP);
    let all = app.list("?limit=100", None).await;
    let every: Vec<Value> = ids_of(&all.body);
    faults.scanned();
    // Both statuses: every item, newest first, 10 a page, each page about a page per value.
    let query = json!({"status": {"_type": "Includes", "value": ["Completed", "Ringing"]}});
    let mut shown = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({ "query": query });
        if let Some(cursor) = &cursor {
            body["cursor"] = json!(cursor);
        }
        let page = capped.list("?limit=10", Some(body)).await;
        page.status(200);
        assert_eq!(page.body["count"], ITEMS);
        shown.extend(ids_of(&page.body));
        let scanned = faults.scanned();
        assert!(scanned <= CAP, "a page examined {scanned}");
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(shown, every);
}
