//! The API-keys table: partition key `keyHash` (SHA-256 of the key; the plain key is never
//! stored), index `byProject` (`projectId` + `createdAt`) for listing a project's keys.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::sdk_errors::{applied, from_sdk};
use super::DynamoStore;
use crate::model::{ObjectId, Permission, Timestamp};
use crate::store::{KeyAdmin, KeyLookup, KeyRecord, StoreError};

pub const PROJECT_INDEX: &str = "byProject";

fn text(attributes: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    match attributes.get(name) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    }
}

fn from_attributes(attributes: &HashMap<String, AttributeValue>) -> Result<KeyRecord, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("stored API key has a bad \"{what}\""));
    let date = |name: &str| -> Result<Option<Timestamp>, StoreError> {
        text(attributes, name)
            .map(|text| Timestamp::parse(&text).map_err(|_| corrupt(name)))
            .transpose()
    };
    let permissions = match attributes.get("permissions") {
        Some(AttributeValue::Ss(codes)) => codes
            .iter()
            .filter_map(|code| Permission::parse(code))
            .collect(),
        _ => Vec::new(),
    };
    Ok(KeyRecord {
        key_hash: text(attributes, "keyHash").ok_or_else(|| corrupt("keyHash"))?,
        project_id: text(attributes, "projectId")
            .and_then(|id| ObjectId::parse(&id).ok())
            .ok_or_else(|| corrupt("projectId"))?,
        permissions,
        name: text(attributes, "name"),
        created_at: date("createdAt")?.ok_or_else(|| corrupt("createdAt"))?,
        expires_at: date("expiresAt")?,
        revoked: matches!(attributes.get("revoked"), Some(AttributeValue::Bool(true))),
    })
}

impl KeyLookup for DynamoStore {
    async fn find_key(&self, key_hash: &str) -> Result<Option<KeyRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.keys_table)
            .key("keyHash", AttributeValue::S(key_hash.to_string()))
            // A revocation takes effect at once: never an answer from a lagging replica.
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| from_sdk("GetItem", error))?;
        output.item().map(from_attributes).transpose()
    }
}

impl KeyAdmin for DynamoStore {
    async fn put_key(&self, record: &KeyRecord) -> Result<(), StoreError> {
        let mut request = self
            .client
            .put_item()
            .table_name(&self.keys_table)
            .item("keyHash", AttributeValue::S(record.key_hash.clone()))
            .item(
                "projectId",
                AttributeValue::S(record.project_id.to_string()),
            )
            .item("createdAt", AttributeValue::S(record.created_at.to_iso()))
            .item("revoked", AttributeValue::Bool(record.revoked))
            .condition_expression("attribute_not_exists(keyHash)");
        // A string set cannot be empty: a key with no permissions has no attribute.
        if !record.permissions.is_empty() {
            let codes = record
                .permissions
                .iter()
                .map(|p| p.code().to_string())
                .collect();
            request = request.item("permissions", AttributeValue::Ss(codes));
        }
        if let Some(name) = &record.name {
            request = request.item("name", AttributeValue::S(name.clone()));
        }
        if let Some(expires_at) = record.expires_at {
            request = request.item("expiresAt", AttributeValue::S(expires_at.to_iso()));
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::IdTaken)
            }
            Err(error) => Err(from_sdk("PutItem", error)),
        }
    }

    async fn revoke_key(&self, key_hash: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.keys_table)
            .key("keyHash", AttributeValue::S(key_hash.to_string()))
            .update_expression("SET revoked = :yes, revokedAt = :now")
            .condition_expression("attribute_exists(keyHash)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":now", AttributeValue::S(Timestamp::now().to_iso()))
            .send()
            .await;
        applied(result)
    }

    async fn list_keys(&self, project: ObjectId) -> Result<Vec<KeyRecord>, StoreError> {
        let mut records = Vec::new();
        let mut start_key = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.keys_table)
                .index_name(PROJECT_INDEX)
                .key_condition_expression("projectId = :project")
                .expression_attribute_values(":project", AttributeValue::S(project.to_string()))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|error| from_sdk("Query", error))?;
            for attributes in output.items() {
                records.push(from_attributes(attributes)?);
            }
            match output.last_evaluated_key() {
                Some(last) if !last.is_empty() => start_key = Some(last.clone()),
                _ => return Ok(records),
            }
        }
    }
}
