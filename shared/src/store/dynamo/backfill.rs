//! The backfill (`call-log-admin backfill`): gives items written before counts and entries by
//! value existed (those without `tallied`) their counts and entries, each in one transaction
//! conditional on the item being untallied at the version read — so it is exact while the API
//! keeps writing, safe to run twice, and resumable from the last page it finished.
//!
//! It reads the table with `Scan` (an operator's one-off; the functions never scan), a page
//! at a time.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::attributes::{from_attributes, Attributes, PROJECT_CALL_LOG};
use super::counters::{tallies, Scope};
use super::entries::{put_entry, TALLIED};
use super::items::{item_key, MAX_READ_WRITE_ATTEMPTS};
use super::sdk_errors::from_sdk;
use super::transactions::Transaction;
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
            if self.tally(from_attributes(stored)?).await? {
                page.tallied += 1;
            }
        }
        Ok(page)
    }

    /// Gives one item its counts and entries by value, unless it has them; whether it did.
    async fn tally(&self, mut item: Item) -> Result<bool, StoreError> {
        for _ in 0..MAX_READ_WRITE_ATTEMPTS {
            let mark = Update::builder()
                .table_name(&self.items_table)
                .set_key(Some(item_key(item.project_id, item.id)))
                .update_expression("SET #tallied = :one")
                .condition_expression("#version = :read AND attribute_not_exists(#tallied)")
                .expression_attribute_names("#tallied", TALLIED)
                .expression_attribute_names("#version", Field::Version.name())
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(":read", AttributeValue::N(item.version.to_string()))
                .build()
                .expect("table, key and expressions are set");
            let mut steps = vec![TransactWriteItem::builder().update(mark).build()];
            for tally in tallies(&item) {
                steps.push(self.count_step(item.project_id, &Scope::Value(tally.clone()), 1));
                let in_log = Scope::CallLogValue(item.incoming_call_log_id, tally.clone());
                steps.push(self.count_step(item.project_id, &in_log, 1));
                steps.push(put_entry(
                    &self.items_table,
                    item.project_id,
                    &tally,
                    item.id,
                ));
            }
            match self.transact(steps).await {
                Ok(()) => return Ok(true),
                Err(Transaction::ConditionFailed { .. }) => {
                    // Changed, deleted or tallied since it was read: look again.
                    let Some(stored) = self.read(item.project_id, item.id).await? else {
                        return Ok(false);
                    };
                    if stored.contains_key(TALLIED) {
                        return Ok(false);
                    }
                    item = from_attributes(&stored)?;
                }
                Err(Transaction::Failed(error)) => return Err(error),
            }
        }
        Err(StoreError::Conflict)
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
