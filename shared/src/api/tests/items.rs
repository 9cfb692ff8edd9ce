//! Create, get, update and delete (SPEC §2, §4, §5) through the handler.

use serde_json::{json, Value};

use super::TestApp;
use crate::api::routes::BASE_PATH;
use crate::api::RequestError;
use crate::model::{Field, InputError};
use crate::store::contract::random_id;
use crate::store::StoreError;

#[tokio::test]
async fn a_create_answers_the_whole_stored_item_with_its_etag() {
    let harness = TestApp::memory().await;
    let call_log = random_id().to_string();
    let answer = harness
        .create(json!({"incomingCallLogId": call_log, "status": " Ringing "}))
        .await;
    let item = &answer.status(200).body;
    let object = item.as_object().unwrap();
    assert_eq!(object.len(), Field::ALL.len());
    assert_eq!(item["status"], "Ringing");
    assert_eq!(item["projectId"], harness.project.to_string());
    assert_eq!(item["version"], 1);
    assert_eq!(item["isAnswered"], false);
    assert_eq!(item["dialDurationInSeconds"], 0);
    assert_eq!(item["userId"], Value::Null);
    assert_eq!(item["createdAt"], item["updatedAt"]);
    assert_eq!(answer.header("etag"), Some("\"1\""));
    let stored = harness.get_item(item["_id"].as_str().unwrap(), None).await;
    assert_eq!(&stored.status(200).body, item);
}

/// Each case: the data sent, and the field the 400 must name.
fn invalid_items() -> Vec<(Value, &'static str)> {
    let call_log = random_id().to_string();
    let with = |extra: Value| {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        for (k, v) in extra.as_object().unwrap() {
            data[k] = v.clone();
        }
        data
    };
    vec![
        (json!({"status": "Ringing"}), "incomingCallLogId"),
        (json!({"incomingCallLogId": call_log}), "status"),
        (
            with(json!({"incomingCallLogId": "abc"})),
            "incomingCallLogId",
        ),
        (
            with(json!({"incomingCallLogId": null})),
            "incomingCallLogId",
        ),
        (with(json!({"status": ""})), "status"),
        (with(json!({"status": "   "})), "status"),
        (with(json!({"status": "x".repeat(101)})), "status"),
        (with(json!({"status": 5})), "status"),
        (with(json!({"status": null})), "status"),
        (
            with(json!({"statusMessage": "x".repeat(501)})),
            "statusMessage",
        ),
        (with(json!({"statusMessage": 1})), "statusMessage"),
        (with(json!({"userPhoneNumber": "12345"})), "userPhoneNumber"),
        (
            with(json!({"userPhoneNumber": "+1 555 CALL NOW"})),
            "userPhoneNumber",
        ),
        (
            with(json!({"userPhoneNumber": "1".repeat(16)})),
            "userPhoneNumber",
        ),
        (with(json!({"userId": "not-a-uuid"})), "userId"),
        (
            with(json!({"incomingCallPolicyEscalationRuleId": 12})),
            "incomingCallPolicyEscalationRuleId",
        ),
        (
            with(json!({"dialDurationInSeconds": -1})),
            "dialDurationInSeconds",
        ),
        (
            with(json!({"dialDurationInSeconds": 2147483648_i64})),
            "dialDurationInSeconds",
        ),
        (
            with(json!({"dialDurationInSeconds": 1.5})),
            "dialDurationInSeconds",
        ),
        (
            with(json!({"dialDurationInSeconds": "ten"})),
            "dialDurationInSeconds",
        ),
        (
            with(json!({"callCostInUSDCents": null})),
            "callCostInUSDCents",
        ),
        (
            with(json!({"callCostInUSDCents": "1e2"})),
            "callCostInUSDCents",
        ),
        (with(json!({"startedAt": "yesterday"})), "startedAt"),
        (
            with(json!({"startedAt": "2026-11-27T18:00:00"})),
            "startedAt",
        ),
        (with(json!({"endedAt": 1700000000})), "endedAt"),
        (
            with(json!({"startedAt": "2026-11-27T18:00:00Z", "endedAt": "2026-11-27T17:00:00Z"})),
            "endedAt",
        ),
        (with(json!({"isAnswered": "true"})), "isAnswered"),
        (with(json!({"isAnswered": 1})), "isAnswered"),
        (with(json!({"_id": random_id().to_string()})), "_id"),
        (
            with(json!({"createdAt": "2026-11-27T18:00:00Z"})),
            "createdAt",
        ),
        (with(json!({"version": 3})), "version"),
        (with(json!({"colour": "red"})), "colour"),
        (
            with(json!({"incomingCallLog": "not-an-object"})),
            "incomingCallLog",
        ),
        (with(json!({"user": {"_id": "x"}})), "user._id"),
    ]
}

#[tokio::test]
async fn each_broken_rule_or_body_is_a_400_naming_it_and_stores_nothing() {
    let harness = TestApp::memory().await;
    for (data, field) in invalid_items() {
        let answer = harness
            .call("POST", BASE_PATH, Some(json!({ "data": data.clone() })))
            .await;
        let error = answer.status(400).error();
        assert!(
            error.contains(field),
            "{data}: {error:?} should name {field}"
        );
    }
    for (body, refusal) in [
        (json!({}), RequestError::NoData),
        (json!({"data": []}), RequestError::DataNotObject),
        (json!({"data": "x"}), RequestError::DataNotObject),
        (json!([]), RequestError::NotADataBody),
        (
            json!({"data": {}, "extra": 1}),
            RequestError::UnknownTopLevelField("extra".into()),
        ),
    ] {
        let answer = harness.call("POST", BASE_PATH, Some(body)).await;
        answer.refused(refusal.into());
    }
    assert_eq!(harness.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn a_create_for_another_project_is_403() {
    let harness = TestApp::memory().await;
    let answer = harness
        .create(json!({
            "incomingCallLogId": random_id().to_string(),
            "status": "x",
            "projectId": random_id().to_string()
        }))
        .await;
    answer.refused(InputError::OtherProject.into());
}

#[tokio::test]
async fn get_item_shows_the_selected_fields_and_the_etag() {
    let harness = TestApp::memory().await;
    let call_log = random_id().to_string();
    let id = harness
        .create_id(&call_log, json!({"userPhoneNumber": "+1 555-123-4567"}))
        .await;
    let answer = harness
        .get_item(
            &id,
            Some(json!({"select": {"status": true, "incomingCallLog": true}})),
        )
        .await;
    assert_eq!(
        answer.status(200).body,
        json!({"_id": id, "status": "Ringing", "incomingCallLog": {"_id": call_log}})
    );
    assert_eq!(answer.header("etag"), Some("\"1\""));
    let get = harness
        .call("GET", &format!("{BASE_PATH}/{id}/get-item"), None)
        .await;
    assert_eq!(get.status(200).body["userPhoneNumber"], "+1 555-123-4567");
}

#[tokio::test]
async fn get_item_of_a_missing_or_malformed_id() {
    let harness = TestApp::memory().await;
    harness
        .get_item(&random_id().to_string(), None)
        .await
        .status(404);
    let answer = harness.get_item("not-a-uuid", None).await;
    answer.refused(RequestError::PathId.into());
    let unknown = harness
        .get_item(
            &random_id().to_string(),
            Some(json!({"select": {"colour": true}})),
        )
        .await;
    unknown.refused(RequestError::UnknownSelectField("colour".into()).into());
    let extra = harness
        .get_item(&random_id().to_string(), Some(json!({"query": {}})))
        .await;
    let refusal = RequestError::UnknownBodyField {
        field: "query".into(),
        allowed: crate::api::operations::GET_BODY,
    };
    extra.refused(refusal.into());
}

#[tokio::test]
async fn an_update_changes_only_what_is_sent_and_moves_the_version_by_one() {
    let harness = TestApp::memory().await;
    let id = harness
        .create_id(
            &random_id().to_string(),
            json!({"statusMessage": "first ring"}),
        )
        .await;
    let before = harness.get_item(&id, None).await.body;
    let answer = harness
        .update(
            &id,
            json!({"data": {"status": "Completed", "isAnswered": true, "_id": id}}),
        )
        .await;
    assert_eq!(answer.status(200).body, json!({}));
    let after = harness.get_item(&id, None).await.body;
    assert_eq!(after["status"], "Completed");
    assert_eq!(after["isAnswered"], true);
    assert_eq!(after["statusMessage"], "first ring");
    assert_eq!(after["version"], 2);
    assert_eq!(after["createdAt"], before["createdAt"]);
}

#[tokio::test]
async fn every_update_and_delete_route_does_its_work() {
    let harness = TestApp::memory().await;
    let call_log = random_id().to_string();
    for method in ["POST", "GET"] {
        let id = harness.create_id(&call_log, json!({})).await;
        harness
            .call(
                method,
                &format!("{BASE_PATH}/{id}/update-item"),
                Some(json!({"data": {"status": method}})),
            )
            .await
            .status(200);
        assert_eq!(harness.get_item(&id, None).await.body["status"], method);
        harness
            .call(method, &format!("{BASE_PATH}/{id}/delete-item"), None)
            .await
            .status(200);
        harness.get_item(&id, None).await.status(404);
    }
}

#[tokio::test]
async fn if_match_guards_updates_and_deletes() {
    let harness = TestApp::memory().await;
    let id = harness.create_id(&random_id().to_string(), json!({})).await;
    let path = format!("{BASE_PATH}/{id}");
    let with_version = |version: &'static str| {
        let key = harness.key.clone();
        let path = path.clone();
        let harness = &harness;
        async move {
            let headers = [("ApiKey", key.as_str()), ("If-Match", version)];
            let body = json!({"data": {"status": version}}).to_string();
            harness.send("PUT", &path, &headers, Some(&body)).await
        }
    };
    with_version("\"1\"").await.status(200);
    let stale = with_version("1").await;
    stale.refused(
        StoreError::VersionMismatch {
            stored: 2,
            expected: 1,
        }
        .into(),
    );
    with_version("W/\"2\"").await.status(200);
    with_version("*").await.status(200);
    with_version("two")
        .await
        .refused(RequestError::IfMatch.into());
    let item = harness.get_item(&id, None).await.body;
    assert_eq!(
        (item["version"].as_i64(), item["status"].as_str()),
        (Some(4), Some("*"))
    );

    let delete = |version: &'static str| {
        let key = harness.key.clone();
        let path = path.clone();
        let harness = &harness;
        async move {
            let headers = [("ApiKey", key.as_str()), ("If-Match", version)];
            harness.send("DELETE", &path, &headers, None).await
        }
    };
    delete("3").await.status(412);
    harness.get_item(&id, None).await.status(200);
    delete("4").await.status(200);
    harness.get_item(&id, None).await.status(404);
}

/// Each case: the update body, and the text the 400 must contain.
fn invalid_updates() -> Vec<(Value, &'static str)> {
    vec![
        (json!({}), "data"),
        (json!({"data": {}}), "data"),
        (json!({"data": []}), "data"),
        (json!({"data": "x"}), "data"),
        (
            json!({"data": {"_id": random_id().to_string()}}),
            "updatable",
        ),
        (
            json!({"data": {"projectId": random_id().to_string()}}),
            "projectId",
        ),
        (
            json!({"data": {"incomingCallLogId": random_id().to_string()}}),
            "incomingCallLogId",
        ),
        (
            json!({"data": {"incomingCallPolicyEscalationRuleId": random_id().to_string()}}),
            "incomingCallPolicyEscalationRuleId",
        ),
        (
            json!({"data": {"userId": random_id().to_string()}}),
            "userId",
        ),
        (
            json!({"data": {"userPhoneNumber": "+15551234567"}}),
            "userPhoneNumber",
        ),
        (json!({"data": {"version": 7}}), "version"),
        (json!({"data": {"colour": "red"}}), "colour"),
        (json!({"data": {"status": ""}}), "status"),
        (json!({"data": {"status": null}}), "status"),
        (
            json!({"data": {"statusMessage": "x".repeat(501)}}),
            "statusMessage",
        ),
        (
            json!({"data": {"dialDurationInSeconds": -5}}),
            "dialDurationInSeconds",
        ),
        (
            json!({"data": {"callCostInUSDCents": "12.5"}}),
            "callCostInUSDCents",
        ),
        (
            json!({"data": {"startedAt": "2026-13-01T00:00:00Z"}}),
            "startedAt",
        ),
        (
            json!({"data": {"startedAt": "2026-11-27T18:00:00Z", "endedAt": "2026-11-27T17:00:00Z"}}),
            "endedAt",
        ),
        (json!({"data": {"isAnswered": "yes"}}), "isAnswered"),
        (
            json!({"data": {"user": {"_id": random_id().to_string()}}}),
            "user",
        ),
    ]
}

#[tokio::test]
async fn each_broken_update_rule_is_a_400_naming_the_field_and_changes_nothing() {
    let harness = TestApp::memory().await;
    let id = harness.create_id(&random_id().to_string(), json!({})).await;
    let before = harness.get_item(&id, None).await.body;
    for (body, expected) in invalid_updates() {
        let answer = harness.update(&id, body.clone()).await;
        let error = answer.status(400).error();
        assert!(
            error.contains(expected),
            "{body}: {error:?} should contain {expected}"
        );
    }
    assert_eq!(harness.get_item(&id, None).await.body, before);
}

#[tokio::test]
async fn updating_or_deleting_a_missing_item_is_404() {
    let harness = TestApp::memory().await;
    let missing = random_id().to_string();
    harness
        .update(&missing, json!({"data": {"status": "x"}}))
        .await
        .status(404);
    harness.delete(&missing).await.status(404);
    harness.delete("nope").await.status(400);
}

#[tokio::test]
async fn a_delete_is_for_good_and_uncounted() {
    let harness = TestApp::memory().await;
    let call_log = random_id().to_string();
    let id = harness.create_id(&call_log, json!({})).await;
    harness.create_id(&call_log, json!({})).await;
    assert_eq!(harness.delete(&id).await.status(200).body, json!({}));
    harness.get_item(&id, None).await.status(404);
    assert_eq!(harness.count(None).await.body["count"], 1);
    let in_log = harness
        .count(Some(json!({"query": {"incomingCallLogId": call_log}})))
        .await;
    assert_eq!(in_log.body["count"], 1);
    harness.delete(&id).await.status(404);
}
