//! Counts and pages by value (SPEC §10): for `status`, `isAnswered`, `userId` and
//! `incomingCallPolicyEscalationRuleId`, per project and per call log, exact after creates,
//! updates that change the value, and deletes — also when they race.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

/// Every filter by value the items have, alone and with their call log.
fn filters(items: &[Value]) -> Vec<Value> {
    let mut filters = BTreeSet::new();
    for item in items {
        let log = item["incomingCallLogId"].clone();
        for field in [
            "status",
            "isAnswered",
            "userId",
            "incomingCallPolicyEscalationRuleId",
        ] {
            let value = item[field].clone();
            filters.insert(json!({ field: value.clone() }).to_string());
            filters.insert(json!({ field: value, "incomingCallLogId": log }).to_string());
        }
    }
    filters
        .into_iter()
        .map(|text| serde_json::from_str(&text).unwrap())
        .collect()
}

/// Every count and full list by value agrees with a walk of every item.
async fn check_against_a_full_walk(app: &TestApp) {
    let items = app.all_items().await;
    for query in filters(&items) {
        let object = query.as_object().unwrap();
        let expected: BTreeSet<&str> = items
            .iter()
            .filter(|item| object.iter().all(|(field, value)| item[field] == *value))
            .map(|item| item["_id"].as_str().unwrap())
            .collect();
        let count = app.count(Some(json!({ "query": query }))).await;
        assert_eq!(count.body["count"], expected.len(), "count {query}");
        let list = app
            .list(
                "?limit=100",
                Some(json!({"query": query, "select": {"_id": true}})),
            )
            .await;
        list.status(200);
        let listed: BTreeSet<&str> = list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["_id"].as_str().unwrap())
            .collect();
        assert_eq!(listed, expected, "list {query}");
        assert_eq!(list.body["count"], expected.len(), "list count {query}");
    }
}

#[tokio::test]
async fn counts_and_pages_by_value_follow_creates_updates_and_deletes() {
    let app = TestApp::spawn().await;
    let (log_a, log_b, user, rule) = (random_id(), random_id(), random_id(), random_id());
    let mut ids = Vec::new();
    for (n, status) in ["Ringing", "Busy", "Ringing", "Completed", "Busy", "Ringing"]
        .iter()
        .enumerate()
    {
        let log = if n % 2 == 0 { &log_a } else { &log_b };
        let mut extra = json!({"status": status, "isAnswered": n % 3 == 0});
        if n % 2 == 0 {
            extra["userId"] = json!(user);
            extra["incomingCallPolicyEscalationRuleId"] = json!(rule);
        }
        ids.push(app.create_id(log, extra).await);
    }
    check_against_a_full_walk(&app).await;
    app.update(
        &ids[0],
        json!({"data": {"status": "Completed", "isAnswered": true}}),
    )
    .await
    .status(200);
    app.update(&ids[1], json!({"data": {"status": "Busy"}}))
        .await
        .status(200);
    app.update(
        &ids[2],
        json!({"data": {"statusMessage": "no value changed"}}),
    )
    .await
    .status(200);
    app.delete(&ids[3]).await.status(200);
    check_against_a_full_walk(&app).await;
}

#[tokio::test]
async fn counts_by_value_stay_exact_when_creates_updates_and_deletes_race() {
    let app = TestApp::spawn().await;
    let logs: Vec<String> = (0..2).map(|_| random_id()).collect();
    let statuses = ["Ringing", "Busy", "Completed"];
    let seeded: Vec<String> = {
        let mut ids = Vec::new();
        for n in 0..6 {
            ids.push(
                app.create_id(&logs[n % 2], json!({"status": statuses[n % 3]}))
                    .await,
            );
        }
        ids
    };
    let writers = (0..6).map(|writer| {
        let app = &app;
        let log = logs[writer % 2].clone();
        let seeded = seeded.clone();
        async move {
            for round in 0..6 {
                let status = statuses[(writer + round) % 3];
                let id = app
                    .create_id(
                        &log,
                        json!({"status": status, "isAnswered": round % 2 == 0}),
                    )
                    .await;
                // Everyone changes the seeded items' values at once.
                let target = &seeded[(writer + round) % seeded.len()];
                let next =
                    json!({"data": {"status": statuses[round % 3], "isAnswered": writer % 2 == 0}});
                let updated = app.update(target, next).await;
                assert!(
                    [200, 409, 503].contains(&updated.status),
                    "{}: {}",
                    updated.status,
                    updated.body
                );
                if round % 3 == 0 {
                    app.delete(&id).await.status(200);
                } else {
                    app.update(&id, json!({"data": {"status": "Completed"}}))
                        .await
                        .status(200);
                }
            }
        }
    });
    crate::races::join_all(writers.collect()).await;
    check_against_a_full_walk(&app).await;
}
