//! The bare SDK calls each operation makes, issued directly: what the handler adds is measured
//! against them.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use call_log_item::api::json as api_json;
use call_log_item::model::{ObjectId, Timestamp};
use call_log_item::store::dynamo::{add_to_counter, counter_key, item_key, to_attributes, Scope};
use call_log_item::Operation;
use serde_json::json;

use super::Fixture;

fn counter_step(table: &str, project: ObjectId, scope: Scope, delta: i64) -> TransactWriteItem {
    TransactWriteItem::builder()
        .update(add_to_counter(table, project, scope, delta))
        .build()
}

/// The consistent `GetItem` get-item and delete both make.
async fn bare_get(client: &Client, table: &str, project: ObjectId, id: ObjectId) {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(item_key(project, id)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
}

pub async fn bare_create(
    client: &Client,
    table: &str,
    item: &std::collections::HashMap<String, AttributeValue>,
    project: ObjectId,
    call_log: ObjectId,
) {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item.clone()))
        .condition_expression("attribute_not_exists(#id)")
        .expression_attribute_names("#id", "_id")
        .build()
        .unwrap();
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(counter_step(table, project, Scope::Project, 1))
        .transact_items(counter_step(table, project, Scope::CallLog(call_log), 1))
        .send()
        .await
        .unwrap();
}

async fn bare_counter(client: &Client, table: &str, project: ObjectId) {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(counter_key(project, Scope::Project)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
}

pub async fn bare(operation: Operation, fixture: &Fixture, id: ObjectId) {
    let (client, table, project) = (
        &fixture.client,
        fixture.config.items_table.as_str(),
        fixture.project,
    );
    match operation {
        Operation::List => {
            let query = client
                .query()
                .table_name(table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", "projectId")
                .expression_attribute_values(":pk", AttributeValue::S(project.to_string()))
                .scan_index_forward(false)
                .consistent_read(true)
                .limit(10)
                .send();
            let (page, _) = tokio::join!(query, bare_counter(client, table, project));
            page.unwrap();
        }
        Operation::Count => bare_counter(client, table, project).await,
        Operation::GetItem => {
            bare_get(client, table, project, id).await;
        }
        Operation::Create => {
            let data = json!({"incomingCallLogId": fixture.call_log.to_string(), "status": "Ringing", "userPhoneNumber": "+1 555-123-4567"});
            let item = api_json::new_item(&json!({ "data": data }), project)
                .unwrap()
                .into_item(project, Timestamp::now());
            bare_create(
                client,
                table,
                &to_attributes(&item),
                project,
                fixture.call_log,
            )
            .await;
        }
        Operation::Update => {
            client
                .update_item()
                .table_name(table)
                .set_key(Some(item_key(project, id)))
                .update_expression("SET #s = :s, #d = :d, #u = :u, #v = #v + :one")
                .condition_expression("attribute_exists(#id)")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#d", "dialDurationInSeconds")
                .expression_attribute_names("#u", "updatedAt")
                .expression_attribute_names("#v", "version")
                .expression_attribute_names("#id", "_id")
                .expression_attribute_values(":s", AttributeValue::S("Completed".into()))
                .expression_attribute_values(":d", AttributeValue::N("12".into()))
                .expression_attribute_values(":u", AttributeValue::S(Timestamp::now().to_iso()))
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await
                .unwrap();
        }
        Operation::Delete => {
            bare_get(client, table, project, id).await;
            let delete = aws_sdk_dynamodb::types::Delete::builder()
                .table_name(table)
                .set_key(Some(item_key(project, id)))
                .condition_expression("attribute_exists(#id)")
                .expression_attribute_names("#id", "_id")
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .unwrap();
            client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().delete(delete).build())
                .transact_items(counter_step(table, project, Scope::Project, -1))
                .transact_items(counter_step(
                    table,
                    project,
                    Scope::CallLog(fixture.call_log),
                    -1,
                ))
                .send()
                .await
                .unwrap();
        }
    }
}
