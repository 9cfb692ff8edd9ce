//! Creating the two tables: idempotent, and waits until they and their indexes are active.
//! Used by the operator CLI and the tests; the functions never create tables.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TableDescription, TableStatus, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;

use super::attributes::PROJECT_CALL_LOG;
use super::idempotency::TTL_ATTRIBUTE;
use super::items::CALL_LOG_INDEX;
use super::keys::PROJECT_INDEX;
use super::sdk_errors::from_sdk;
use crate::store::StoreError;

/// What `create_tables` did to one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableOutcome {
    Created,
    AlreadyExisted,
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .expect("name and key type are set")
}

fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("name and type are set")
}

fn index(name: &str, partition: &str, sort: &str) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(partition, KeyType::Hash))
        .key_schema(key(sort, KeyType::Range))
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .expect("name, keys and projection are set")
}

/// The table's description; `None` when there is no such table.
async fn describe(client: &Client, table: &str) -> Result<Option<TableDescription>, StoreError> {
    match client.describe_table().table_name(table).send().await {
        Ok(output) => Ok(output.table().cloned()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(error) => Err(from_sdk("DescribeTable", error)),
    }
}

async fn wait_until_active(client: &Client, table: &str) -> Result<(), StoreError> {
    for _ in 0..600 {
        let description = describe(client, table)
            .await?
            .ok_or_else(|| StoreError::Failed(format!("table {table} does not exist")))?;
        let table_active = description.table_status() == Some(&TableStatus::Active);
        let indexes_active = description
            .global_secondary_indexes()
            .iter()
            .all(|index| index.index_status() == Some(&IndexStatus::Active));
        if table_active && indexes_active {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(StoreError::Failed(format!(
        "table {table} did not become active in 5 minutes"
    )))
}

/// What a table is made of: string key attributes, its key, one index.
struct TableShape {
    attributes: &'static [&'static str],
    partition_key: &'static str,
    sort_key: Option<&'static str>,
    /// (index name, partition key, sort key), projecting every attribute.
    index: (&'static str, &'static str, &'static str),
    /// Whether the table has a stream of new and old images.
    stream: bool,
}

/// Creates the items table if missing (`projectId` + `_id`, index `byIncomingCallLog`), turns
/// on its TTL (attribute `ttl`, which only idempotency records carry) and its stream (new and
/// old images: what the `tally` function counts from).
pub async fn create_items_table(client: &Client, table: &str) -> Result<TableOutcome, StoreError> {
    let shape = TableShape {
        attributes: &["projectId", "_id", PROJECT_CALL_LOG],
        partition_key: "projectId",
        sort_key: Some("_id"),
        index: (CALL_LOG_INDEX, PROJECT_CALL_LOG, "_id"),
        stream: true,
    };
    let outcome = create_table(client, table, &shape).await?;
    enable_ttl(client, table, TTL_ATTRIBUTE).await?;
    if outcome == TableOutcome::AlreadyExisted {
        enable_stream(client, table).await?;
    }
    Ok(outcome)
}

/// The ARN of the items table's stream, if it has one.
pub async fn stream_arn(client: &Client, table: &str) -> Result<Option<String>, StoreError> {
    let table = describe(client, table).await?;
    let enabled = table
        .as_ref()
        .and_then(|t| t.stream_specification())
        .is_some_and(|s| s.stream_enabled());
    Ok(table
        .as_ref()
        .and_then(|t| t.latest_stream_arn())
        .filter(|_| enabled)
        .map(str::to_string))
}

/// A stream of every write's new and old images.
fn new_and_old_images() -> StreamSpecification {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::NewAndOldImages)
        .build()
        .expect("flag is set")
}

/// Turns on the table's stream of new and old images on a table an earlier version made
/// without one (a table made now has it from its creation).
async fn enable_stream(client: &Client, table: &str) -> Result<(), StoreError> {
    if stream_arn(client, table).await?.is_some() {
        return Ok(());
    }
    client
        .update_table()
        .table_name(table)
        .stream_specification(new_and_old_images())
        .send()
        .await
        .map_err(|error| from_sdk("UpdateTable", error))?;
    wait_until_active(client, table).await
}

/// Turns on TTL on `attribute` unless it is on already (DynamoDB refuses to turn it on twice).
async fn enable_ttl(client: &Client, table: &str, attribute: &str) -> Result<(), StoreError> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|error| from_sdk("DescribeTimeToLive", error))?;
    let description = current.time_to_live_description();
    let on = matches!(
        description.and_then(|d| d.time_to_live_status()),
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    );
    if on && description.and_then(|d| d.attribute_name()) == Some(attribute) {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .attribute_name(attribute)
        .enabled(true)
        .build()
        .expect("attribute and flag are set");
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(|error| from_sdk("UpdateTimeToLive", error))?;
    Ok(())
}

/// Creates the API-keys table if missing (`keyHash`, index `byProject`).
pub async fn create_keys_table(client: &Client, table: &str) -> Result<TableOutcome, StoreError> {
    let shape = TableShape {
        attributes: &["keyHash", "projectId", "createdAt"],
        partition_key: "keyHash",
        sort_key: None,
        index: (PROJECT_INDEX, "projectId", "createdAt"),
        stream: false,
    };
    create_table(client, table, &shape).await
}

/// Creates `table` on demand billing unless it exists; either way waits until it is active.
/// Another process creating it at the same moment is fine too.
async fn create_table(
    client: &Client,
    table: &str,
    shape: &TableShape,
) -> Result<TableOutcome, StoreError> {
    if describe(client, table).await?.is_some() {
        wait_until_active(client, table).await?;
        return Ok(TableOutcome::AlreadyExisted);
    }
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(shape.partition_key, KeyType::Hash))
        .global_secondary_indexes(index(shape.index.0, shape.index.1, shape.index.2));
    if let Some(sort_key) = shape.sort_key {
        request = request.key_schema(key(sort_key, KeyType::Range));
    }
    if shape.stream {
        request = request.stream_specification(new_and_old_images());
    }
    for attribute in shape.attributes {
        request = request.attribute_definitions(string_attribute(attribute));
    }
    let outcome = match request.send().await {
        Ok(_) => TableOutcome::Created,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            TableOutcome::AlreadyExisted
        }
        Err(error) => return Err(from_sdk("CreateTable", error)),
    };
    wait_until_active(client, table).await?;
    Ok(outcome)
}
