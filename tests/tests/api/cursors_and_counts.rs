//! The cursor extension and the exact counters (SPEC §3, §8).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

async fn seed(app: &TestApp, call_log: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let item = app
            .create_item(
                call_log,
                json!({"dialDurationInSeconds": i % 4, "isAnswered": i % 3 == 0}),
            )
            .await;
        ids.push(item["_id"].as_str().unwrap().to_string());
    }
    ids
}

/// Follows nextCursor from the first page to the end; returns every id seen, in order.
async fn follow(app: &TestApp, body: Value, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = app
        .list(&format!("?limit={limit}"), Some(body.clone()))
        .await;
    loop {
        page.status(200);
        assert_eq!(page.body["skip"], seen.len(), "skip echoes the position");
        seen.extend(page.ids());
        let Some(cursor) = page.body.get("nextCursor").and_then(Value::as_str) else {
            assert_eq!(seen.len() as u64, page.body["count"].as_u64().unwrap());
            return seen;
        };
        let mut next = body.clone();
        next["cursor"] = json!(cursor);
        page = app.list(&format!("?limit={limit}"), Some(next)).await;
    }
}

#[tokio::test]
async fn cursor_pages_are_the_skip_pages() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    seed(&app, &call_log, 11).await;
    for body in [
        json!({}),
        json!({"sort": {"createdAt": 1}}),
        json!({"query": {"isAnswered": false}}),
        json!({"query": {"incomingCallLogId": call_log}}),
        json!({"query": {"status": {"_type": "Search", "value": "ring"}}}),
        json!({"sort": {"dialDurationInSeconds": -1}}),
    ] {
        let by_cursor = follow(&app, body.clone(), 3).await;
        let all = app.list("?limit=100", Some(body.clone())).await;
        assert_eq!(by_cursor, all.ids(), "{body}");
        let unique: BTreeSet<_> = by_cursor.iter().collect();
        assert_eq!(unique.len(), by_cursor.len(), "no item twice: {body}");
    }
}

#[tokio::test]
async fn deep_skip_pages_match_the_full_list() {
    let app = TestApp::spawn().await;
    seed(&app, &random_id(), 9).await;
    let all = app.list("?limit=100", None).await.ids();
    for skip in [0, 1, 4, 8, 9, 20] {
        let page = app.list(&format!("?skip={skip}&limit=3"), None).await;
        let expected: Vec<String> = all.iter().skip(skip).take(3).cloned().collect();
        assert_eq!(page.ids(), expected, "skip {skip}");
        let filtered = app
            .list(
                &format!("?skip={skip}&limit=3"),
                Some(json!({"query": {"isAnswered": false}})),
            )
            .await;
        let all_filtered = app
            .list("?limit=100", Some(json!({"query": {"isAnswered": false}})))
            .await
            .ids();
        assert_eq!(
            filtered.ids(),
            all_filtered
                .iter()
                .skip(skip)
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn counts_stay_exact_under_concurrent_creates_and_deletes() {
    let app = TestApp::spawn().await;
    let call_logs: Vec<String> = (0..3).map(|_| random_id()).collect();
    let writers = (0..6).map(|writer| {
        let app = &app;
        let call_log = call_logs[writer % 3].clone();
        async move {
            let mut kept = 0u64;
            for round in 0..8 {
                let id = app.create_id(&call_log, json!({})).await;
                if round % 2 == 0 {
                    app.delete(&id).await.status(200);
                } else {
                    kept += 1;
                }
            }
            kept
        }
    });
    let kept: u64 = futures_sum(writers).await;
    let stored = app.all_items().await;
    assert_eq!(stored.len() as u64, kept);
    assert_eq!(app.count(None).await.body["count"], kept);
    assert_eq!(app.list("", None).await.body["count"], kept);
    for call_log in &call_logs {
        let in_log = stored
            .iter()
            .filter(|item| item["incomingCallLogId"] == call_log.as_str())
            .count();
        let counted = app
            .count(Some(json!({"query": {"incomingCallLogId": call_log}})))
            .await;
        assert_eq!(counted.body["count"], in_log, "call log {call_log}");
    }
}

/// Runs the futures concurrently and adds up their results.
async fn futures_sum<F: std::future::Future<Output = u64>>(
    futures: impl Iterator<Item = F>,
) -> u64 {
    crate::races::join_all(futures.collect())
        .await
        .into_iter()
        .sum()
}

#[tokio::test]
async fn a_failed_write_never_moves_a_count() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    let id = app.create_id(&call_log, json!({})).await;
    app.delete(&random_id()).await.status(404);
    app.send(
        "DELETE",
        &format!("/api/incoming-call-log-item/{id}"),
        &[("ApiKey", &app.key), ("If-Match", "9")],
        None,
    )
    .await
    .status(412);
    app.delete(&id).await.status(200);
    app.delete(&id).await.status(404);
    assert_eq!(app.count(None).await.body["count"], 0);
    assert_eq!(
        app.count(Some(json!({"query": {"incomingCallLogId": call_log}})))
            .await
            .body["count"],
        0
    );
}

/// Pages through `body` by cursor and deletes every item of each page before asking for the
/// next, as a clean-up job does; returns every id listed.
async fn clean_up(app: &TestApp, body: Value, limit: u32) -> Vec<String> {
    let mut listed = Vec::new();
    let mut body = body;
    for _ in 0..100 {
        let page = app
            .list(&format!("?limit={limit}"), Some(body.clone()))
            .await;
        page.status(200);
        for id in page.ids() {
            app.delete(&id).await.status(200);
            listed.push(id);
        }
        match page.body.get("nextCursor").and_then(Value::as_str) {
            Some(cursor) => body["cursor"] = json!(cursor),
            None => return listed,
        }
    }
    panic!("more than 100 pages")
}

#[tokio::test]
async fn a_clean_up_loop_by_cursor_deletes_every_item_in_every_order() {
    let app = TestApp::spawn().await;
    for body in [
        json!({}),
        json!({"sort": {"dialDurationInSeconds": 1}}),
        json!({"query": {"isAnswered": [true, false]}}),
    ] {
        let created = seed(&app, &random_id(), 23).await;
        let listed = clean_up(&app, body.clone(), 5).await;
        let unique: BTreeSet<_> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "{body}: an item twice");
        assert_eq!(listed.len(), created.len(), "{body}: every item once");
        assert_eq!(app.count(None).await.body["count"], 0, "{body}");
    }
}

#[tokio::test]
async fn a_call_logs_pages_survive_deleting_what_was_read() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    let created = seed(&app, &call_log, 11).await;
    seed(&app, &random_id(), 3).await;
    let listed = clean_up(&app, json!({"query": {"incomingCallLogId": call_log}}), 4).await;
    let expected: BTreeSet<_> = created.iter().collect();
    assert_eq!(listed.iter().collect::<BTreeSet<_>>(), expected);
    assert_eq!(listed.len(), created.len());
}

#[tokio::test]
async fn a_non_key_sort_skips_nothing_when_items_come_and_go_between_pages() {
    let app = TestApp::spawn().await;
    let log = random_id();
    for status in ["c", "a", "e", "b", "d", "f", "g"] {
        app.create_item(&log, json!({"status": status})).await;
    }
    let sort = json!({"sort": {"status": "asc"}});
    let first = app.list("?limit=3", Some(sort.clone())).await;
    let statuses = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row["status"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(statuses(&first.body), ["a", "b", "c"]);
    for id in first.ids().iter().take(2) {
        app.delete(id).await.status(200);
    }
    app.create_item(&log, json!({"status": "a0"})).await;
    app.create_item(&log, json!({"status": "d0"})).await;
    let mut next = sort.clone();
    next["cursor"] = first.body["nextCursor"].clone();
    let second = app.list("?limit=3", Some(next)).await;
    second.status(200);
    assert_eq!(statuses(&second.body), ["d", "d0", "e"]);
}

#[tokio::test]
async fn a_counter_below_zero_reads_as_0_and_is_logged() {
    use call_log_item::store::dynamo::layout::{counter_key, Scope, ITEM_COUNT};
    let app = TestApp::spawn().await;
    app.client()
        .update_item()
        .table_name(&app.config.items_table)
        .set_key(Some(counter_key(app.project, &Scope::Project)))
        .update_expression("ADD #count :drift")
        .expression_attribute_names("#count", ITEM_COUNT)
        .expression_attribute_values(
            ":drift",
            aws_sdk_dynamodb::types::AttributeValue::N("-2".into()),
        )
        .send()
        .await
        .unwrap();
    let counted = app.count(None).await;
    assert_eq!(counted.body["count"], 0, "{}", counted.body);
    let logs = crate::helpers::captured_logs();
    let line = logs
        .lines()
        .find(|line| line.contains("counter below zero") && line.contains(&app.project.to_string()))
        .unwrap_or_else(|| panic!("no warning for project {}", app.project));
    assert!(
        line.contains("\"level\":\"WARN\"") && line.contains("\"value\":-2"),
        "{line}"
    );
}
