//! The backfill (`call-log-admin backfill`): marks items written before counts and entries by
//! value existed (those without `tallied`) as tallied, each with one `UpdateItem` conditional
//! on the item being there and untallied; the `tally` function, reading the mark's change from
//! the stream, gives the item its counts and entries — so it is exact while the API keeps
//! writing, safe to run twice, and resumable from the last page it finished.
//!
//! It reads the table with `Scan` (an operator's one-off; the functions never scan), a page
//! at a time.

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::{from_attributes, Attributes, PROJECT_CALL_LOG};
use super::entries::TALLIED;
use super::items::item_key;
use super::sdk_errors::{applied, from_sdk};
use super::DynamoStore;
use crate::model::{Field, Item};
use crate::store::StoreError;

/// What one page of the backfill did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackfillPage {
    /// Items found without counts and entries by value.
    pub found: u64,
    /// Of those, the ones this page gave them (the rest were given them meanwhile).
    pub tallied: u64,
    /// Where the next page starts; `None` when the table is done.
    pub next: Option<Attributes>,
}

impl DynamoStore {
    /// Backfills up to `limit` table entries after `start`.
    pub async fn backfill_page(
        &self,
        start: Option<Attributes>,
        limit: i32,
    ) -> Result<BackfillPage, StoreError> {
        let output = self
            .client
            .scan()
            .table_name(&self.items_table)
            .consistent_read(true)
            .filter_expression("attribute_exists(#log) AND attribute_not_exists(#tallied)")
            .expression_attribute_names("#log", PROJECT_CALL_LOG)
            .expression_attribute_names("#tallied", TALLIED)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|error| from_sdk("Scan", error))?;
        let mut page = BackfillPage {
            next: output
                .last_evaluated_key()
                .filter(|key| !key.is_empty())
                .cloned(),
            ..BackfillPage::default()
        };
        for stored in output.items() {
            page.found += 1;
            if self.mark_tallied(from_attributes(stored)?).await? {
                page.tallied += 1;
            }
        }
        Ok(page)
    }

    /// Marks one item `tallied`, unless it is; whether it did. The stream then gives it its
    /// counts and entries by value (`tally/`), exactly once.
    async fn mark_tallied(&self, item: Item) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.items_table)
            .set_key(Some(item_key(item.project_id, item.id)))
            .update_expression("SET #tallied = :one")
            .condition_expression("attribute_exists(#id) AND attribute_not_exists(#tallied)")
            .expression_attribute_names("#id", Field::Id.name())
            .expression_attribute_names("#tallied", TALLIED)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        // Not applied: deleted or tallied since it was read.
        applied(result)
    }
}

/// A page boundary as text (a table key of string attributes, as JSON), for a checkpoint file.
pub fn key_to_text(key: &Attributes) -> String {
    let strings: serde_json::Map<String, serde_json::Value> = key
        .iter()
        .filter_map(|(name, value)| match value {
            AttributeValue::S(text) => Some((name.clone(), serde_json::Value::from(text.as_str()))),
            _ => None,
        })
        .collect();
    serde_json::Value::Object(strings).to_string()
}

/// The page boundary a checkpoint file holds.
pub fn key_from_text(text: &str) -> Option<Attributes> {
    let serde_json::Value::Object(strings) = serde_json::from_str(text).ok()? else {
        return None;
    };
    let key: Attributes = strings
        .into_iter()
        .map(|(name, value)| Some((name, AttributeValue::S(value.as_str()?.to_string()))))
        .collect::<Option<_>>()?;
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_as_its_key() {
        let key = Attributes::from([
            (
                "projectId".to_string(),
                AttributeValue::S("p#status#a\nb".into()),
            ),
            ("_id".to_string(), AttributeValue::S("i=1".into())),
        ]);
        assert_eq!(key_from_text(&key_to_text(&key)), Some(key));
        assert_eq!(key_from_text(""), None);
    }
}
