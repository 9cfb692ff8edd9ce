//! SPEC §3: what only DynamoDB's keys and the stream decide for list and count: the widest
//! value in a key, and index entries that lag the tally. Paging, select, sort and query are
//! handler tests (`shared/src/api/tests/listing.rs`), and the store's reads the store contract
//! (`store/contract/lists.rs`, also run on DynamoDB by `store_contract.rs`).

use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

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
        assert_eq!(page.status(200).ids(), vec![id.clone()], "{query}");
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
        let ids: Vec<String> = page.ids();
        assert_eq!(ids, vec![stays.clone()], "{query}");
    }
}
