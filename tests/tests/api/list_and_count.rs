//! SPEC §3: skip/limit, select, sort and query on list and count, on the local engine. How
//! each part is read, and every refusal, is tested without a database (`shared/src/api/`).

use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

fn ids(response: &Value) -> Vec<String> {
    response["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["_id"].as_str().unwrap().to_string())
        .collect()
}

/// Creates `n` items in one call log, oldest first; returns their ids in creation order.
async fn items(app: &TestApp, call_log: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let item = app
            .create_item(call_log, json!({"dialDurationInSeconds": i, "status": if i % 2 == 0 { "Even" } else { "Odd" }}))
            .await;
        ids.push(item["_id"].as_str().unwrap().to_string());
    }
    ids
}

#[tokio::test]
async fn the_default_page_is_ten_newest_first_with_the_total_count() {
    let app = TestApp::spawn().await;
    let created = items(&app, &random_id(), 12).await;
    let page = app.list("", None).await;
    page.status(200);
    assert_eq!(page.body["count"], 12);
    assert_eq!(page.body["limit"], 10);
    assert_eq!(page.body["skip"], 0);
    let newest_first: Vec<String> = created.iter().rev().take(10).cloned().collect();
    assert_eq!(ids(&page.body), newest_first);
    // Every field of the item by default.
    assert_eq!(page.body["data"][0].as_object().unwrap().len(), 16);
}

#[tokio::test]
async fn skip_and_limit_page_through_and_are_echoed() {
    let app = TestApp::spawn().await;
    let created = items(&app, &random_id(), 7).await;
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let page = app.list("?skip=2&limit=3", None).await;
    assert_eq!(
        (page.body["skip"].clone(), page.body["limit"].clone()),
        (json!(2), json!(3))
    );
    assert_eq!(ids(&page.body), newest_first[2..5]);
    // From the body, and the query string wins over it.
    let page = app.list("", Some(json!({"skip": 5, "limit": "2"}))).await;
    assert_eq!(ids(&page.body), newest_first[5..7]);
    let page = app.list("?limit=1", Some(json!({"limit": 50}))).await;
    assert_eq!(page.body["limit"], 1);
    // Past the end: an empty page, the true count.
    let page = app.list("?skip=100", None).await;
    assert_eq!(page.body["data"], json!([]));
    assert_eq!(page.body["count"], 7);
}

#[tokio::test]
async fn sort_orders_by_any_field_with_id_breaking_ties() {
    let app = TestApp::spawn().await;
    let created = items(&app, &random_id(), 5).await;
    let ascending = app
        .list("", Some(json!({"sort": {"createdAt": "ASC"}})))
        .await;
    assert_eq!(ids(&ascending.body), created);
    let by_duration = app
        .list(
            "",
            Some(json!({"sort": {"dialDurationInSeconds": "desc"}, "select": {"status": true}})),
        )
        .await;
    assert_eq!(
        ids(&by_duration.body),
        created.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert!(
        by_duration.body["data"][0]
            .get("dialDurationInSeconds")
            .is_none(),
        "sort field not added"
    );
    // Several keys in order: status ascending, then duration descending.
    let by_status = app
        .list(
            "",
            Some(json!({"sort": {"status": 1, "dialDurationInSeconds": -1}})),
        )
        .await;
    let expected: Vec<String> = [4, 2, 0, 3, 1]
        .iter()
        .map(|i| created[*i].clone())
        .collect();
    assert_eq!(ids(&by_status.body), expected);
}

#[tokio::test]
async fn query_with_plain_values_null_and_arrays() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    let created = items(&app, &call_log, 4).await;
    app.create_item(
        &random_id(),
        json!({"status": "Even", "userId": random_id()}),
    )
    .await;

    let count = |query: Value| {
        let app = &app;
        async move {
            let list = app
                .list("?limit=100", Some(json!({ "query": query.clone() })))
                .await;
            let count = app.count(Some(json!({ "query": query }))).await;
            list.status(200);
            count.status(200);
            assert_eq!(
                list.body["count"], count.body["count"],
                "list and count agree"
            );
            assert_eq!(
                list.body["data"].as_array().unwrap().len() as u64,
                list.body["count"].as_u64().unwrap()
            );
            count.body["count"].as_u64().unwrap()
        }
    };
    assert_eq!(count(json!({})).await, 5);
    assert_eq!(count(json!({"status": "Even"})).await, 3);
    assert_eq!(
        count(json!({"status": "Even", "incomingCallLogId": call_log})).await,
        2
    );
    assert_eq!(count(json!({"incomingCallLog": call_log})).await, 4);
    assert_eq!(count(json!({"userId": null})).await, 4);
    assert_eq!(count(json!({"dialDurationInSeconds": [1, 3]})).await, 2);
    assert_eq!(count(json!({"dialDurationInSeconds": "3"})).await, 1);
    assert_eq!(count(json!({"status": []})).await, 0);
    assert_eq!(count(json!({"_id": created[0]})).await, 1);
    assert_eq!(count(json!({"isAnswered": false})).await, 5);
    assert_eq!(
        count(json!({"status": {"_type": "Search", "value": "EVE"}})).await,
        3
    );
}

/// A status is part of keys (its index entries' partition, its counter's sort key), and
/// DynamoDB refuses keys over 1 KB. The longest status the API accepts, in the widest
/// characters (100 of 4 bytes each), is stored, tallied, counted and listed by value like any
/// other. (Longer ones are refused before any store call: `json/query.rs`, `model/values.rs`.)
#[tokio::test]
async fn the_widest_status_is_a_key_like_any_other() {
    let app = TestApp::spawn().await;
    let widest = "\u{1F600}".repeat(100);
    assert_eq!(widest.len(), 400);
    let log = random_id();
    let id = app.create_id(&log, json!({ "status": widest })).await;
    for query in [
        json!({ "status": widest }),
        json!({ "status": [widest, "Ringing"] }),
        json!({ "incomingCallLogId": log, "status": widest }),
    ] {
        let count = app.count(Some(json!({ "query": query }))).await;
        assert_eq!(count.status(200).body["count"], 1, "{query}");
        let page = app.list("", Some(json!({ "query": query }))).await;
        assert_eq!(ids(&page.status(200).body), vec![id.clone()], "{query}");
    }
}

/// Index entries by value follow the items through the stream: until the tally moves an
/// updated item's entry, the entry of its old value still names it. A page by that value reads
/// the item and must see that it no longer has the value.
#[tokio::test]
async fn a_page_by_value_never_shows_an_item_that_left_the_value_before_the_tally() {
    let app = TestApp::spawn().await;
    let log = random_id();
    let moved = app
        .create_id(&log, json!({"status": "Ringing", "userId": random_id()}))
        .await;
    let stays = app.create_id(&log, json!({"status": "Ringing"})).await;
    // Both tallied (the app settles the stream before each request); from here on the stream
    // is not tallied: the entries lag.
    app.count(None).await.status(200);
    let mut lagging = app.with_payload(app.payload);
    lagging.settles = false;
    lagging
        .update(&moved, json!({"data": {"status": "Completed"}}))
        .await
        .status(200);
    for query in [
        json!({"status": "Ringing"}),
        json!({"status": ["Ringing", "NoAnswer"]}),
    ] {
        let page = lagging.list("", Some(json!({ "query": query }))).await;
        page.status(200);
        let ids: Vec<String> = ids(&page.body);
        assert_eq!(ids, vec![stays.clone()], "{query}");
    }
}
