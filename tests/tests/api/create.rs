//! SPEC §2 and §4: create, and every rule of the item as a table of cases.

use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn create_returns_the_complete_item_with_defaults() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    let response = app
        .create(json!({"incomingCallLogId": call_log, "status": "  Ringing  "}))
        .await;
    response.status(200);
    let item = &response.body;
    assert_eq!(item["status"], "Ringing");
    assert_eq!(item["isAnswered"], false);
    assert_eq!(item["dialDurationInSeconds"], 0);
    assert_eq!(item["callCostInUSDCents"], 0);
    assert_eq!(item["version"], 1);
    assert_eq!(item["projectId"], app.project.to_string());
    for field in [
        "userId",
        "userPhoneNumber",
        "statusMessage",
        "startedAt",
        "endedAt",
        "incomingCallPolicyEscalationRuleId",
    ] {
        assert_eq!(item[field], Value::Null, "{field}");
    }
    let created_at = item["createdAt"].as_str().unwrap();
    assert_eq!(created_at.len(), "2026-11-27T18:24:15.123Z".len());
    assert!(created_at.ends_with('Z'));
    assert_eq!(item["createdAt"], item["updatedAt"]);
    // What create answered is what is stored.
    assert_eq!(
        app.get_item(item["_id"].as_str().unwrap(), None).await.body,
        *item
    );
}

#[tokio::test]
async fn every_field_is_stored_and_returned_in_its_canonical_form() {
    let app = TestApp::spawn().await;
    let (call_log, rule, user) = (random_id(), random_id(), random_id());
    let item = app
        .create_item(
            &call_log,
            json!({
                "incomingCallPolicyEscalationRuleId": rule,
                "user": {"_id": user},
                "userPhoneNumber": {"_type": "Phone", "value": " +1 (555) 123-4567 "},
                "statusMessage": "rang 4 times",
                "dialDurationInSeconds": "10",
                "callCostInUSDCents": 2147483647,
                "startedAt": "2026-11-27T19:24:15.123456+01:00",
                "endedAt": {"_type": "DateTime", "value": "2026-11-27T18:25:00Z"},
                "isAnswered": true
            }),
        )
        .await;
    assert_eq!(item["incomingCallPolicyEscalationRuleId"], rule);
    assert_eq!(item["userId"], user);
    assert_eq!(item["userPhoneNumber"], "+1 (555) 123-4567");
    assert_eq!(item["dialDurationInSeconds"], 10);
    assert_eq!(item["callCostInUSDCents"], 2147483647);
    assert_eq!(item["startedAt"], "2026-11-27T18:24:15.123Z");
    assert_eq!(item["endedAt"], "2026-11-27T18:25:00.000Z");
    assert_eq!(item["isAnswered"], true);
}
