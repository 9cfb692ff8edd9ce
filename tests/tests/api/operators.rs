//! Every query operator against every field kind, null fields included, through DynamoDB and in
//! the function: the API's answer (pushed-down filter + residual) must equal the function-side
//! meaning (`Filter::matches`) applied to the stored items. A property test does the same for
//! random combinations of conditions.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::api::json;
use call_log_item::model::{Field, Item, Kind};
use call_log_item::store::dynamo::layout::from_attributes;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

/// Items with every field set on some and null on others.
async fn seed(app: &TestApp) -> Vec<Value> {
    let (log_a, log_b, rule, alice, bob) = (
        random_id(),
        random_id(),
        random_id(),
        random_id(),
        random_id(),
    );
    let rows = [
        json!({"incomingCallLogId": log_a, "status": "Ringing"}),
        json!({"incomingCallLogId": log_a, "status": "Completed", "statusMessage": "Answered by Alice",
               "userId": alice, "userPhoneNumber": "+1 555-123-4567", "incomingCallPolicyEscalationRuleId": rule,
               "dialDurationInSeconds": 42, "callCostInUSDCents": 7, "isAnswered": true,
               "startedAt": "2026-11-27T10:00:00Z", "endedAt": "2026-11-27T10:00:42Z"}),
        json!({"incomingCallLogId": log_a, "status": "NoAnswer", "statusMessage": "no answer after 30 s",
               "userId": bob, "userPhoneNumber": "+44 20 7946 0958", "incomingCallPolicyEscalationRuleId": rule,
               "dialDurationInSeconds": 30, "callCostInUSDCents": 3, "startedAt": "2026-11-27T11:00:00Z"}),
        json!({"incomingCallLogId": log_b, "status": "busy", "statusMessage": "BUSY line",
               "userId": alice, "userPhoneNumber": "(555) 000-1111",
               "dialDurationInSeconds": 5, "callCostInUSDCents": 1, "endedAt": "2026-11-28T00:00:00Z"}),
        json!({"incomingCallLogId": log_b, "status": "Escalated", "dialDurationInSeconds": 2147483647,
               "callCostInUSDCents": 0, "isAnswered": false, "startedAt": "2025-01-01T00:00:00.001Z"}),
    ];
    let mut created = Vec::new();
    for row in rows {
        let response = app.create(row).await;
        response.status(200);
        created.push(response.body);
    }
    created
}

/// The project's items as stored, read below the API.
async fn stored_items(app: &TestApp) -> Vec<Item> {
    let output = app
        .client()
        .query()
        .table_name(&app.config.items_table)
        .key_condition_expression("projectId = :p")
        .expression_attribute_values(":p", AttributeValue::S(app.project.to_string()))
        .send()
        .await
        .unwrap();
    output
        .items()
        .iter()
        .map(|a| from_attributes(a).unwrap())
        .collect()
}

/// The ids the API lists for `query`, after checking count agrees.
async fn api_ids(app: &TestApp, query: &Value) -> Result<BTreeSet<String>, String> {
    let list = app
        .list(
            "?limit=100",
            Some(json!({ "query": query, "select": {"_id": true} })),
        )
        .await;
    if list.status != 200 {
        return Err(format!("{query}: {} {}", list.status, list.body));
    }
    let count = app.count(Some(json!({ "query": query }))).await;
    let ids: BTreeSet<String> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["_id"].as_str().unwrap().to_string())
        .collect();
    if count.body["count"] != ids.len() || list.body["count"] != ids.len() {
        return Err(format!(
            "{query}: list {} / count {} / rows {}",
            list.body["count"],
            count.body["count"],
            ids.len()
        ));
    }
    Ok(ids)
}

fn local_ids(items: &[Item], query: &Value) -> BTreeSet<String> {
    let filter = json::filter(Some(query)).unwrap();
    items
        .iter()
        .filter(|item| filter.matches(item))
        .map(|item| item.id.to_string())
        .collect()
}

/// Values of `field` across the items (non-null), as JSON, to build conditions from.
fn values_of(items: &[Value], field: Field) -> Vec<Value> {
    let mut values: Vec<Value> = items
        .iter()
        .map(|item| item[field.name()].clone())
        .filter(|v| !v.is_null())
        .collect();
    values.dedup();
    values
}

/// Every operator that fits `field`, with values taken from the data (and one that matches none).
fn conditions_for(field: Field, values: &[Value]) -> Vec<Value> {
    let first = values.first().cloned().unwrap_or(json!(null));
    let last = values.last().cloned().unwrap_or(json!(null));
    let mut conditions = vec![
        json!(null),
        json!({"_type": "IsNull"}),
        json!({"_type": "NotNull"}),
    ];
    if !first.is_null() {
        conditions.extend([
            first.clone(),
            json!([first, last]),
            json!({"_type": "EqualTo", "value": first}),
            json!({"_type": "NotEqual", "value": first}),
            json!({"_type": "EqualToOrNull", "value": first}),
            json!({"_type": "Includes", "value": [first, last]}),
            json!({"_type": "Includes", "value": []}),
            json!({"_type": "IncludesNone", "value": [first]}),
            json!({"_type": "IncludesNone", "value": []}),
        ]);
    }
    match field.kind() {
        Kind::Integer | Kind::Date if !first.is_null() => {
            for op in [
                "GreaterThan",
                "GreaterThanOrEqual",
                "LessThan",
                "LessThanOrEqual",
                "GreaterThanOrNull",
                "LessThanOrNull",
            ] {
                conditions.push(json!({"_type": op, "value": first}));
                conditions.push(json!({"_type": op, "value": last}));
            }
            conditions.push(json!({"_type": "InBetween", "startValue": first, "endValue": last}));
            conditions.push(json!({"_type": "InBetween", "startValue": last, "endValue": first}));
        }
        Kind::Text | Kind::Phone if !first.is_null() => {
            let text = first.as_str().unwrap();
            let middle: String = text
                .chars()
                .skip(1)
                .take(3)
                .collect::<String>()
                .to_uppercase();
            let head: String = text.chars().take(2).collect::<String>().to_lowercase();
            let tail: String = text
                .chars()
                .rev()
                .take(2)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
                .to_uppercase();
            conditions.extend([
                json!({"_type": "Search", "value": middle}),
                json!({"_type": "StartsWith", "value": head}),
                json!({"_type": "EndsWith", "value": tail}),
                json!({"_type": "NotContains", "value": middle}),
                json!({"_type": "Search", "value": "zzz-none"}),
            ]);
        }
        _ => {}
    }
    conditions
}

#[tokio::test]
async fn every_operator_on_every_field_means_the_same_in_dynamodb_and_in_the_function() {
    let app = TestApp::spawn().await;
    let created = seed(&app).await;
    let items = stored_items(&app).await;
    assert_eq!(items.len(), created.len());
    let mut cases = 0;
    for field in Field::ALL {
        for condition in conditions_for(field, &values_of(&created, field)) {
            let query = json!({ field.name(): condition });
            let expected = local_ids(&items, &query);
            let got = api_ids(&app, &query)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got, expected, "{query}");
            cases += 1;
        }
    }
    let multi = json!({"anything": {"_type": "MultiSearch", "value": "ali", "fields": ["status", "statusMessage"]}});
    assert_eq!(
        api_ids(&app, &multi).await.unwrap(),
        local_ids(&items, &multi)
    );
    assert!(cases > 200, "{cases} cases");
}

/// A random condition on a random field, from the same space as the table above.
fn condition_strategy(created: Vec<Value>) -> impl Strategy<Value = Value> {
    let fields: Vec<Field> = Field::ALL.to_vec();
    (0..fields.len(), any::<prop::sample::Index>()).prop_map(move |(field_index, pick)| {
        let field = fields[field_index];
        let conditions = conditions_for(field, &values_of(&created, field));
        json!({ field.name(): pick.get(&conditions) })
    })
}

#[test]
fn random_combinations_agree_between_dynamodb_and_the_function() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, created, items) = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let created = seed(&app).await;
        let items = stored_items(&app).await;
        (app, created, items)
    });
    let strategy = prop::collection::vec(condition_strategy(created), 1..4).prop_map(|parts| {
        let mut query = serde_json::Map::new();
        for part in parts {
            query.extend(part.as_object().unwrap().clone());
        }
        Value::Object(query)
    });
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |query| {
            let got = runtime
                .block_on(api_ids(&app, &query))
                .map_err(TestCaseError::fail)?;
            prop_assert_eq!(got, local_ids(&items, &query), "{}", query);
            Ok(())
        })
        .unwrap();
}
