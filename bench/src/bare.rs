//! The bare SDK calls each operation makes, issued directly: what the handler adds is measured
//! against them (`bench-functions`), and what the floor function makes (`floor`).

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;
use call_log_item::api::json as api_json;
use call_log_item::model::{Item, ObjectId, Timestamp};
use call_log_item::store::dynamo::layout::{counter_key, item_key, Attributes, Scope};
use call_log_item::store::{DynamoStore, IdempotencyKey};
use call_log_item::Operation;
use serde_json::json;

/// Where the bare calls go: the tables, the store (for its transaction steps), the project.
pub struct Target {
    pub client: Client,
    pub items_table: String,
    pub store: DynamoStore,
    pub project: ObjectId,
    pub call_log: ObjectId,
}

/// The consistent `GetItem` get-item and delete both make.
async fn bare_get(client: &Client, table: &str, project: ObjectId, id: ObjectId) -> Attributes {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(item_key(project, id)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
        .unwrap_or_default()
}

/// The create the store sends: the item alone, marked tallied, with its write token.
pub async fn bare_create(client: &Client, store: &DynamoStore, item: &Item) {
    client
        .put_item()
        .table_name(store.items_table())
        .set_item(Some(store.created(item, "0123456789abcdef")))
        .condition_expression("attribute_not_exists(#id)")
        .expression_attribute_names("#id", "_id")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await
        .unwrap();
}

async fn bare_counter(client: &Client, table: &str, project: ObjectId) {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(counter_key(project, &Scope::Project)))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
}

/// The calls of a create sent with an `Idempotency-Key`: the claim (a conditional `PutItem`),
/// then the create's transaction with the record marked done in it.
pub async fn bare_keyed_create(target: &Target) {
    let item = new_item(target);
    let key = IdempotencyKey {
        project: target.project,
        key: uuid::Uuid::new_v4().to_string(),
        fingerprint: "bench".into(),
    };
    let token = uuid::Uuid::new_v4().to_string();
    let now = Timestamp::now();
    target
        .store
        .claim_request(&key, &token, now)
        .send()
        .await
        .unwrap();
    target
        .client
        .transact_write_items()
        .set_transact_items(Some(
            target.store.create_once_steps(&item, &key, &token, now),
        ))
        .send()
        .await
        .unwrap();
}

/// The item a create request of the benchmark makes.
fn new_item(target: &Target) -> Item {
    let data = json!({"incomingCallLogId": target.call_log.to_string(), "status": "Ringing", "userPhoneNumber": "+1 555-123-4567"});
    api_json::new_item(&json!({ "data": data }), target.project)
        .unwrap()
        .into_item(target.project, Timestamp::now())
}

/// The calls of one request of `operation` (on item `id` where it needs one), after the key.
pub async fn bare(operation: Operation, target: &Target, id: ObjectId) {
    let (client, table, project) = (&target.client, target.items_table.as_str(), target.project);
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
                // The page (the default limit, 10) and one item past it, as the list reads it
                // to know whether a next page follows.
                .limit(11)
                .send();
            let (page, _) = tokio::join!(query, bare_counter(client, table, project));
            page.unwrap();
        }
        Operation::Count => bare_counter(client, table, project).await,
        Operation::GetItem => {
            bare_get(client, table, project, id).await;
        }
        Operation::Create => bare_create(client, &target.store, &new_item(target)).await,
        Operation::Update => {
            // The update the store sends: the fields, updatedAt, version, and its write token
            // into the item's last four.
            client
                .update_item()
                .table_name(table)
                .set_key(Some(item_key(project, id)))
                .update_expression(
                    "SET #m = :m, #d = :d, #u = :u, #v = #v + :one, \
                     #wt3 = if_not_exists(#wt2, :none), #wt2 = if_not_exists(#wt1, :none), \
                     #wt1 = if_not_exists(#wt0, :none), #wt0 = :token",
                )
                .condition_expression(
                    "attribute_exists(#id) AND NOT (:token IN (#wt0, #wt1, #wt2, #wt3))",
                )
                .expression_attribute_names("#m", "statusMessage")
                .expression_attribute_names("#d", "dialDurationInSeconds")
                .expression_attribute_names("#u", "updatedAt")
                .expression_attribute_names("#v", "version")
                .expression_attribute_names("#id", "_id")
                .expression_attribute_names("#wt0", "wt0")
                .expression_attribute_names("#wt1", "wt1")
                .expression_attribute_names("#wt2", "wt2")
                .expression_attribute_names("#wt3", "wt3")
                .expression_attribute_values(":m", AttributeValue::S("Called back".into()))
                .expression_attribute_values(":d", AttributeValue::N("12".into()))
                .expression_attribute_values(":u", AttributeValue::S(Timestamp::now().to_iso()))
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(":none", AttributeValue::S("-".into()))
                .expression_attribute_values(
                    ":token",
                    AttributeValue::S(uuid::Uuid::new_v4().simple().to_string()[..16].to_string()),
                )
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send()
                .await
                .unwrap();
        }
        Operation::Delete => {
            // A transaction of the one conditional delete, for its client token.
            client
                .transact_write_items()
                .transact_items(target.store.delete_step(project, id, None))
                .client_request_token(uuid::Uuid::new_v4().to_string())
                .send()
                .await
                .unwrap();
        }
    }
}
