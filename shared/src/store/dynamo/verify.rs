//! `call-log-admin verify-counts`: every counter and index entry by value in the items table,
//! against the items themselves. Reads the table with `Scan` (an operator's one-off; the
//! functions never scan), so it also finds counters and entries no item accounts for.
//!
//! A scan is not a snapshot: writes landing while it runs can show as differences that are
//! gone on the next run. Differences that stay are drift.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::{from_attributes, Attributes};
use super::counters::{counter_key, folded_tally, stored_count, tallies, Scope, ITEM_COUNT};
use super::entries::{entry_key, TALLIED};
use super::sdk_errors::from_sdk;
use super::tally::TALLY_MARK;
use super::DynamoStore;
use crate::model::{Field, ObjectId};
use crate::store::StoreError;

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verification {
    /// Items read.
    pub items: u64,
    /// Counters and entries read.
    pub counters: u64,
    pub entries: u64,
    /// Each difference, in words: a counter that is not the number of its items, an entry
    /// missing for an item, an entry for no item.
    pub differences: Vec<String>,
    /// The same differences, as `repair.rs` fixes them.
    pub drift: Vec<Drift>,
}

/// One difference between the counters or entries and the items. Keys are (partition, sort).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// A count that is not the number of its items: `key` names it (its own item's key), and
    /// `places` are where it was found (folded into the project's counter item, its own item;
    /// none if it is nowhere).
    Counter {
        key: (String, String),
        expected: i64,
        places: Vec<Place>,
    },
    /// An item's entry that is not there.
    MissingEntry((String, String)),
    /// An entry whose item is not there, or no longer has that value.
    StrayEntry((String, String)),
}

/// Where part of a count is kept, as read: the counter item's key, the attribute, its value and
/// the item's tally mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub key: (String, String),
    pub attribute: String,
    pub stored: i64,
    pub mark: Option<String>,
}

/// A table row's key as text: `partition / sort`.
fn key_text(key: &Attributes) -> (String, String) {
    let text = |field: Field| match key.get(field.name()) {
        Some(AttributeValue::S(text)) => text.clone(),
        _ => String::new(),
    };
    (text(Field::ProjectId), text(Field::Id))
}

/// What a row of the items table is, by its partition key.
enum Row {
    Item,
    Counter,
    Entry,
    Other,
}

fn row_kind(partition: &str) -> Row {
    match partition.split_once('#') {
        None if ObjectId::parse(partition).is_ok() => Row::Item,
        Some((_, "counters")) => Row::Counter,
        Some((_, "idempotency")) | None => Row::Other,
        Some(_) => Row::Entry,
    }
}

impl DynamoStore {
    /// Checks every counter and entry of `project` (of every project without one) against
    /// the items.
    pub async fn verify_counts(
        &self,
        project: Option<ObjectId>,
    ) -> Result<Verification, StoreError> {
        let wanted = |partition: &str| {
            project.is_none_or(|project| partition.starts_with(&project.to_string()))
        };
        let mut found = Verification::default();
        let mut expected_counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut expected_entries: BTreeSet<(String, String)> = BTreeSet::new();
        let mut stored_counts: BTreeMap<(String, String), Vec<Place>> = BTreeMap::new();
        let mut stored_entries: BTreeSet<(String, String)> = BTreeSet::new();
        let mut start: Option<Attributes> = None;
        loop {
            let output = self
                .client
                .scan()
                .table_name(&self.items_table)
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|error| from_sdk("Scan", error))?;
            for row in output.items() {
                let (partition, sort) = key_text(row);
                if !wanted(&partition) {
                    continue;
                }
                match row_kind(&partition) {
                    Row::Item => {
                        found.items += 1;
                        let item = from_attributes(row)?;
                        let tallied = row.contains_key(TALLIED);
                        let scopes = if tallied {
                            Scope::all_of(&item)
                        } else {
                            vec![Scope::Project]
                        };
                        for scope in scopes {
                            let key = key_text(&counter_key(item.project_id, &scope));
                            *expected_counts.entry(key).or_default() += 1;
                        }
                        if tallied {
                            for tally in tallies(&item) {
                                let key = entry_key(item.project_id, &tally, item.id);
                                expected_entries.insert(key_text(&key));
                            }
                        }
                    }
                    // Call-log counters of earlier versions: nothing reads them any more.
                    Row::Counter if sort.starts_with("callLog#") => {}
                    Row::Counter => {
                        found.counters += 1;
                        let mark = match row.get(TALLY_MARK) {
                            Some(AttributeValue::S(mark)) => Some(mark.clone()),
                            _ => None,
                        };
                        // Its own count, and (the project's item) the values folded into it.
                        let project = partition.split_once('#').map(|(p, _)| p);
                        for (attribute, value) in row {
                            let count_key = if attribute == ITEM_COUNT {
                                (partition.clone(), sort.clone())
                            } else if let Some(tally) = folded_tally(attribute) {
                                let Some(project) = project.and_then(|p| ObjectId::parse(p).ok())
                                else {
                                    continue;
                                };
                                key_text(&counter_key(project, &Scope::Value(tally)))
                            } else {
                                continue;
                            };
                            stored_counts.entry(count_key).or_default().push(Place {
                                key: (partition.clone(), sort.clone()),
                                attribute: attribute.clone(),
                                stored: stored_count(Some(value))?,
                                mark: mark.clone(),
                            });
                        }
                    }
                    Row::Entry => {
                        found.entries += 1;
                        stored_entries.insert((partition, sort));
                    }
                    Row::Other => {}
                }
            }
            match output.last_evaluated_key() {
                Some(last) if !last.is_empty() => start = Some(last.clone()),
                _ => break,
            }
        }
        let counters: BTreeSet<&(String, String)> =
            expected_counts.keys().chain(stored_counts.keys()).collect();
        for key in counters {
            let expected = expected_counts.get(key).copied().unwrap_or(0);
            let mut places = stored_counts.get(key).cloned().unwrap_or_default();
            places.sort_by(|a, b| (&a.key, &a.attribute).cmp(&(&b.key, &b.attribute)));
            let stored: i64 = places.iter().map(|place| place.stored).sum();
            if expected != stored {
                found.differences.push(format!(
                    "counter {} / {}: {stored}, but {expected} items",
                    key.0, key.1
                ));
                found.drift.push(Drift::Counter {
                    key: key.clone(),
                    expected,
                    places,
                });
            }
        }
        for key in expected_entries.difference(&stored_entries) {
            found
                .differences
                .push(format!("entry {} / {}: missing", key.0, key.1));
            found.drift.push(Drift::MissingEntry(key.clone()));
        }
        for key in stored_entries.difference(&expected_entries) {
            found
                .differences
                .push(format!("entry {} / {}: no such item there", key.0, key.1));
            found.drift.push(Drift::StrayEntry(key.clone()));
        }
        Ok(found)
    }
}
