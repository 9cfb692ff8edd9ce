//! SPEC §2: every field through DynamoDB and back. (Each rule of the item, and the answer to a
//! create, are handler tests: `shared/src/api/tests/items.rs`.)

use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

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
