//! `call-log-admin verify-counts --repair`: fixes the drift two verifications found alike, while
//! the API keeps writing. A scan is not a snapshot, and counts lag their writes by the stream's
//! lag, so a difference seen once may be a write in flight. A difference seen twice, some
//! seconds apart, on a counter whose value and tally mark did not move in between is drift:
//! no record moved that counter meanwhile. Each fix is conditional on what was seen:
//!
//! - a counter gets `ADD` of the difference, only if its count and its mark are still the ones
//!   both scans read (else the tally moved it meanwhile: left for the next run);
//! - a missing entry is put, a stray entry removed (entries are put and removed by key; the
//!   reads check every item an entry names, so an entry a write makes stale meanwhile gives no
//!   wrong answer, and the next verification finds it).

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::Attributes;
use super::counters::ITEM_COUNT;
use super::sdk_errors::{applied, from_sdk};
use super::tally::TALLY_MARK;
use super::verify::{Drift, Verification};
use super::DynamoStore;
use crate::model::Field;
use crate::store::StoreError;

/// What a repair did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repaired {
    /// Differences fixed.
    pub fixed: usize,
    /// Differences seen once only (in flight, or changed meanwhile): left alone.
    pub skipped: usize,
}

fn key((partition, sort): &(String, String)) -> Attributes {
    Attributes::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(partition.clone()),
        ),
        (
            Field::Id.name().to_string(),
            AttributeValue::S(sort.clone()),
        ),
    ])
}

impl DynamoStore {
    /// Fixes each difference `first` and `second` (an earlier and a later verification) both
    /// found, as the module says.
    pub async fn repair_drift(
        &self,
        first: &Verification,
        second: &Verification,
    ) -> Result<Repaired, StoreError> {
        let mut repaired = Repaired::default();
        for drift in &second.drift {
            if !first.drift.contains(drift) {
                repaired.skipped += 1;
                continue;
            }
            let fixed = match drift {
                Drift::Counter {
                    key: counter,
                    stored,
                    expected,
                    mark,
                } => {
                    self.fix_counter(counter, *stored, *expected, mark.as_deref())
                        .await?
                }
                Drift::MissingEntry(entry) => self.fix_entry(entry, true).await?,
                Drift::StrayEntry(entry) => self.fix_entry(entry, false).await?,
            };
            if fixed {
                repaired.fixed += 1;
            } else {
                repaired.skipped += 1;
            }
        }
        Ok(repaired)
    }

    async fn fix_counter(
        &self,
        counter: &(String, String),
        stored: i64,
        expected: i64,
        mark: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.items_table)
            .set_key(Some(key(counter)))
            .update_expression("ADD #count :difference")
            .expression_attribute_names("#count", ITEM_COUNT)
            .expression_attribute_names("#mark", TALLY_MARK)
            .expression_attribute_values(
                ":difference",
                AttributeValue::N((expected - stored).to_string()),
            );
        // Still as both scans read it: the same count (a missing counter reads as 0) and the
        // same mark.
        let count = if stored == 0 {
            "(attribute_not_exists(#count) OR #count = :stored)"
        } else {
            "#count = :stored"
        };
        update =
            update.expression_attribute_values(":stored", AttributeValue::N(stored.to_string()));
        update = match mark {
            Some(mark) => update
                .condition_expression(format!("{count} AND #mark = :mark"))
                .expression_attribute_values(":mark", AttributeValue::S(mark.into())),
            None => update.condition_expression(format!("{count} AND attribute_not_exists(#mark)")),
        };
        applied(update.send().await)
    }

    async fn fix_entry(&self, entry: &(String, String), present: bool) -> Result<bool, StoreError> {
        if present {
            self.client
                .put_item()
                .table_name(&self.items_table)
                .set_item(Some(key(entry)))
                .send()
                .await
                .map_err(|error| from_sdk("PutItem", error))?;
        } else {
            self.client
                .delete_item()
                .table_name(&self.items_table)
                .set_key(Some(key(entry)))
                .send()
                .await
                .map_err(|error| from_sdk("DeleteItem", error))?;
        }
        Ok(true)
    }
}
