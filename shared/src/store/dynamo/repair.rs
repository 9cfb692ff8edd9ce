//! `call-log-admin verify-counts --repair`: fixes the drift two verifications found alike, while
//! the API keeps writing. A scan is not a snapshot, and counts lag their writes by the stream's
//! lag, so a difference seen once may be a write in flight. A difference seen twice, some
//! seconds apart, on a counter whose value and tally mark did not move in between is drift:
//! no record moved that counter meanwhile. Each fix is conditional on what was seen:
//!
//! - a count gets `ADD` of the difference where it is kept (folded into the project's counter
//!   item, or its own item; its own item if it is nowhere), only if every place it is kept still
//!   holds the count and the mark both scans read (else the tally moved it meanwhile: left for
//!   the next run): one transaction that fixes one place and checks the others;
//! - a missing entry is put, a stray entry removed (entries are put and removed by key; the
//!   reads check every item an entry names, so an entry a write makes stale meanwhile gives no
//!   wrong answer, and the next verification finds it).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem, Update};

use super::attributes::Attributes;
use super::counters::ITEM_COUNT;
use super::sdk_errors::from_sdk;
use super::tally::TALLY_MARK;
use super::verify::{Drift, Place, Verification};
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
                    expected,
                    places,
                } => self.fix_counter(counter, *expected, places).await?,
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
        expected: i64,
        places: &[Place],
    ) -> Result<bool, StoreError> {
        let nowhere = [Place {
            key: counter.clone(),
            attribute: ITEM_COUNT.to_string(),
            stored: 0,
            mark: None,
        }];
        let places = if places.is_empty() {
            &nowhere[..]
        } else {
            places
        };
        let stored: i64 = places.iter().map(|place| place.stored).sum();
        let difference = AttributeValue::N((expected - stored).to_string());
        let (target, others) = places.split_first().expect("one place at least");
        let (condition, names, mut values) = unchanged(target);
        values.insert(":difference".to_string(), difference);
        // One transaction, whatever the number of places: the fix, and a check of each other
        // place.
        let mut steps = vec![TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.items_table)
                    .set_key(Some(key(&target.key)))
                    .update_expression("ADD #count :difference")
                    .condition_expression(condition)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(Some(values))
                    .build()
                    .expect("table, key and expression are set"),
            )
            .build()];
        for other in others {
            let (condition, names, values) = unchanged(other);
            steps.push(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(&self.items_table)
                            .set_key(Some(key(&other.key)))
                            .condition_expression(condition)
                            .set_expression_attribute_names(Some(names))
                            .set_expression_attribute_values(Some(values))
                            .build()
                            .expect("table, key and condition are set"),
                    )
                    .build(),
            );
        }
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(steps))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(from_sdk("TransactWriteItems", error)),
        }
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

/// The condition that a place still holds what both scans read (the same count, a missing one
/// read as 0, and the same mark), with its names (`#count`, `#mark`) and values.
fn unchanged(
    place: &Place,
) -> (
    String,
    HashMap<String, String>,
    HashMap<String, AttributeValue>,
) {
    let names = HashMap::from([
        ("#count".to_string(), place.attribute.clone()),
        ("#mark".to_string(), TALLY_MARK.to_string()),
    ]);
    let mut values = HashMap::from([(
        ":stored".to_string(),
        AttributeValue::N(place.stored.to_string()),
    )]);
    let count = if place.stored == 0 {
        "(attribute_not_exists(#count) OR #count = :stored)"
    } else {
        "#count = :stored"
    };
    let condition = match &place.mark {
        Some(mark) => {
            values.insert(":mark".to_string(), AttributeValue::S(mark.clone()));
            format!("{count} AND #mark = :mark")
        }
        None => format!("{count} AND attribute_not_exists(#mark)"),
    };
    (condition, names, values)
}
