//! Tenant isolation: a key reaches only its own project's items.

use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn another_projects_ids_are_404_and_stay_unchanged() {
    let a = TestApp::spawn().await;
    let b = TestApp::other_project().await;
    let item = b
        .create_item(&random_id(), json!({"status": "Ringing"}))
        .await;
    let id = item["_id"].as_str().unwrap();

    let get = a.get_item(id, None).await;
    get.status(404);
    let missing = a.get_item(&random_id(), None).await;
    assert_eq!(get.body, missing.body, "the same answer as a missing id");
    a.update(id, json!({"data": {"status": "Hacked"}}))
        .await
        .status(404);
    a.call(
        "POST",
        &format!("/api/incoming-call-log-item/{id}/update-item"),
        Some(json!({"data": {"status": "Hacked"}})),
    )
    .await
    .status(404);
    a.delete(id).await.status(404);
    a.call(
        "GET",
        &format!("/api/incoming-call-log-item/{id}/delete-item"),
        None,
    )
    .await
    .status(404);

    assert_eq!(
        b.get_item(id, None).await.body,
        item,
        "b's item is untouched"
    );
}

#[tokio::test]
async fn list_and_count_never_show_another_projects_items() {
    let a = TestApp::spawn().await;
    let b = TestApp::other_project().await;
    let shared_call_log = random_id();
    a.create_item(&shared_call_log, json!({})).await;
    for _ in 0..3 {
        b.create_item(&shared_call_log, json!({})).await;
    }
    let list = a.list("", None).await;
    assert_eq!(list.body["count"], 1);
    assert!(list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["projectId"] == a.project.to_string()));
    // Even through the call-log index, which both projects' items share a call log id in.
    let by_call_log = json!({"query": {"incomingCallLogId": shared_call_log}});
    assert_eq!(a.list("", Some(by_call_log.clone())).await.body["count"], 1);
    assert_eq!(a.count(Some(by_call_log)).await.body["count"], 1);
    assert_eq!(b.count(None).await.body["count"], 3);
}
