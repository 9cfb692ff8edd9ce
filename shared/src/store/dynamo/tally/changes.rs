//! What a batch of stream records changes: which index entries by value appear or go, and how
//! much each counter moves, worked out from each record's old and new image alone (no reads).
//!
//! A record counts only for rows that are items (their partition is a project id); the
//! counters, entries and idempotency records the same table holds are skipped. An item moves
//! the count of its project always, and its counts and entries by value when its
//! image carries `tallied` (items written before those existed get them from the backfill,
//! which sets the mark; the stream then adds what the mark stands for).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::super::attributes::{from_attributes, Attributes};
use super::super::counters::{tallies, Scope};
use super::super::entries::TALLIED;
use crate::model::{Field, ObjectId};
use crate::query::Tally;
use crate::store::StoreError;

/// One stream record, as both Lambda's event and the local poller give it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// The record's sequence number in its shard (digits; fixed width within a stream).
    pub sequence: String,
    /// The row before the write (absent for an insert).
    pub old: Option<Attributes>,
    /// The row after the write (absent for a removal).
    pub new: Option<Attributes>,
}

/// An index entry that must exist (`present`) or not, as of the batch's last record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryChange {
    pub project: ObjectId,
    pub tally: Tally,
    pub id: ObjectId,
    pub present: bool,
}

/// How one counter moves: each record's step, in stream order, with its sequence number, so
/// a counter that already took some of them (a retried batch) takes only the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterChange {
    pub project: ObjectId,
    pub scope: Scope,
    pub steps: Vec<(Sequence, i64)>,
}

/// A sequence number, padded so that text order is number order whatever its width (21 to 40
/// digits on DynamoDB).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sequence(String);

/// DynamoDB's sequence numbers have at most 40 digits.
const SEQUENCE_WIDTH: usize = 40;

impl Sequence {
    pub fn new(digits: &str) -> Result<Sequence, StoreError> {
        if digits.is_empty()
            || digits.len() > SEQUENCE_WIDTH
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(StoreError::Corrupt(format!(
                "stream sequence number is not 1 to {SEQUENCE_WIDTH} digits: {digits:?}"
            )));
        }
        Ok(Sequence(format!("{digits:0>SEQUENCE_WIDTH$}")))
    }

    /// As stored in a counter's mark.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored mark read back.
    pub fn stored(text: &str) -> Result<Sequence, StoreError> {
        Sequence::new(text)
    }
}

/// Everything a batch changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub entries: Vec<EntryChange>,
    pub counters: Vec<CounterChange>,
}

/// What one image of an item is counted in, and the entries it has.
struct Footprint {
    project: ObjectId,
    id: ObjectId,
    scopes: Vec<Scope>,
    tallies: Vec<Tally>,
}

/// Whether a row is an item: its partition is a project id (counters, entries and idempotency
/// records have `<project>#…`).
fn is_item(row: &Attributes) -> bool {
    matches!(
        row.get(Field::ProjectId.name()),
        Some(AttributeValue::S(partition)) if ObjectId::parse(partition).is_ok()
    )
}

fn footprint(image: Option<&Attributes>) -> Result<Option<Footprint>, StoreError> {
    let Some(image) = image.filter(|image| is_item(image)) else {
        return Ok(None);
    };
    let item = from_attributes(image)?;
    let tallied = image.contains_key(TALLIED);
    let (scopes, tallies) = if tallied {
        (Scope::all_of(&item), tallies(&item))
    } else {
        (vec![Scope::Project], Vec::new())
    };
    Ok(Some(Footprint {
        project: item.project_id,
        id: item.id,
        scopes,
        tallies,
    }))
}

impl Changes {
    /// The changes of `records`, in the order the stream gave them.
    pub fn of(records: &[StreamRecord]) -> Result<Changes, StoreError> {
        // Keyed so that each counter and entry is written once per batch, in a stable order.
        let mut counters: BTreeMap<(ObjectId, Scope), CounterChange> = BTreeMap::new();
        let mut entries: BTreeMap<(ObjectId, Tally, ObjectId), EntryChange> = BTreeMap::new();
        for record in records {
            let old = footprint(record.old.as_ref())?;
            let new = footprint(record.new.as_ref())?;
            if old.is_none() && new.is_none() {
                continue;
            }
            let sequence = Sequence::new(&record.sequence)?;
            // What this record moves each counter by: its old image leaves, its new one comes.
            let mut moves: BTreeMap<(ObjectId, Scope), i64> = BTreeMap::new();
            for (footprint, step) in [(&old, -1), (&new, 1)] {
                let Some(footprint) = footprint else { continue };
                for scope in &footprint.scopes {
                    *moves.entry((footprint.project, scope.clone())).or_default() += step;
                }
            }
            for ((project, scope), step) in moves.into_iter().filter(|(_, step)| *step != 0) {
                counters
                    .entry((project, scope.clone()))
                    .or_insert_with(|| CounterChange {
                        project,
                        scope,
                        steps: Vec::new(),
                    })
                    .steps
                    .push((sequence.clone(), step));
            }
            // Only what this record changes: an entry both images have stays as it is.
            let entries_of = |footprint: &Option<Footprint>| match footprint {
                Some(f) => f
                    .tallies
                    .iter()
                    .map(|t| (f.project, t.clone(), f.id))
                    .collect(),
                None => Vec::new(),
            };
            let (before, after): (Vec<_>, Vec<_>) = (entries_of(&old), entries_of(&new));
            let gone = before
                .iter()
                .filter(|e| !after.contains(e))
                .map(|e| (e, false));
            let came = after
                .iter()
                .filter(|e| !before.contains(e))
                .map(|e| (e, true));
            for ((project, tally, id), present) in gone.chain(came) {
                entries.insert(
                    (*project, tally.clone(), *id),
                    EntryChange {
                        project: *project,
                        tally: tally.clone(),
                        id: *id,
                        present,
                    },
                );
            }
        }
        Ok(Changes {
            entries: entries.into_values().collect(),
            counters: counters.into_values().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Item, Status, Timestamp};
    use crate::store::contract::sample_item;
    use crate::store::dynamo::attributes::to_attributes;

    fn image(item: &Item, tallied: bool) -> Attributes {
        let mut attributes = to_attributes(item);
        if tallied {
            attributes.insert(TALLIED.into(), AttributeValue::N("1".into()));
        }
        attributes
    }

    fn record(sequence: u64, old: Option<Attributes>, new: Option<Attributes>) -> StreamRecord {
        StreamRecord {
            sequence: (100_000_000_000_000_000_000u128 + u128::from(sequence)).to_string(),
            old,
            new,
        }
    }

    fn with_status(item: &Item, status: &str) -> Item {
        let mut changed = item.clone();
        changed.status = Status::parse(status).unwrap();
        changed.version += 1;
        changed.updated_at = Timestamp::now();
        changed
    }

    fn sum(changes: &Changes, scope: &Scope) -> i64 {
        changes
            .counters
            .iter()
            .filter(|c| &c.scope == scope)
            .flat_map(|c| c.steps.iter().map(|(_, step)| step))
            .sum()
    }

    fn status(value: &str) -> Tally {
        Tally {
            field: Field::Status,
            value: Some(value.into()),
        }
    }

    #[test]
    fn a_create_counts_in_every_scope_and_puts_every_entry() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let changes = Changes::of(&[record(1, None, Some(image(&item, true)))]).unwrap();
        assert_eq!(changes.counters.len(), Scope::all_of(&item).len());
        assert!(changes
            .counters
            .iter()
            .all(|c| c.steps.len() == 1 && c.steps[0].1 == 1));
        assert_eq!(changes.entries.len(), tallies(&item).len());
        assert!(changes.entries.iter().all(|e| e.present && e.id == item.id));
    }

    #[test]
    fn a_status_update_moves_one_count_to_another_and_one_entry() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let moved = with_status(&item, "Connected");
        let changes = Changes::of(&[record(
            2,
            Some(image(&item, true)),
            Some(image(&moved, true)),
        )])
        .unwrap();
        assert_eq!(sum(&changes, &Scope::Value(status("Ringing"))), -1);
        assert_eq!(sum(&changes, &Scope::Value(status("Connected"))), 1);
        assert_eq!(sum(&changes, &Scope::Project), 0);
        // Only the counters that moved are written: the project's and the other fields' stay
        // out.
        assert_eq!(changes.counters.len(), 2);
        let entries: Vec<_> = changes
            .entries
            .iter()
            .map(|e| (e.tally.clone(), e.present))
            .collect();
        assert_eq!(
            entries,
            [(status("Connected"), true), (status("Ringing"), false)]
        );
    }

    #[test]
    fn an_update_of_other_fields_changes_nothing() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let mut touched = item.clone();
        touched.version += 1;
        let changes = Changes::of(&[record(
            3,
            Some(image(&item, true)),
            Some(image(&touched, true)),
        )])
        .unwrap();
        assert_eq!(changes, Changes::default());
    }

    #[test]
    fn a_delete_uncounts_what_the_old_image_was_counted_in() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let changes = Changes::of(&[record(4, Some(image(&item, true)), None)]).unwrap();
        assert!(changes
            .counters
            .iter()
            .all(|c| c.steps == [(c.steps[0].0.clone(), -1)]));
        assert!(changes.entries.iter().all(|e| !e.present));
        // An item never tallied was only ever counted in its project.
        let changes = Changes::of(&[record(5, Some(image(&item, false)), None)]).unwrap();
        assert_eq!(changes.counters.len(), 1);
        assert!(changes.entries.is_empty());
    }

    #[test]
    fn the_backfill_marking_an_item_tallied_adds_its_counts_by_value_and_entries() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let changes = Changes::of(&[record(
            6,
            Some(image(&item, false)),
            Some(image(&item, true)),
        )])
        .unwrap();
        assert_eq!(sum(&changes, &Scope::Project), 0);
        assert_eq!(sum(&changes, &Scope::Value(status("Ringing"))), 1);
        assert_eq!(changes.entries.len(), tallies(&item).len());
    }

    #[test]
    fn a_batch_keeps_each_counters_steps_in_stream_order_and_each_entrys_last_state() {
        let item = sample_item(ObjectId::new_v7(Timestamp::now()), "Ringing");
        let moved = with_status(&item, "Connected");
        let changes = Changes::of(&[
            record(7, None, Some(image(&item, true))),
            record(8, Some(image(&item, true)), Some(image(&moved, true))),
            record(9, Some(image(&moved, true)), None),
        ])
        .unwrap();
        let project = changes
            .counters
            .iter()
            .find(|c| c.scope == Scope::Project)
            .unwrap();
        let sequences: Vec<_> = project
            .steps
            .iter()
            .map(|(s, step)| (s.clone(), *step))
            .collect();
        assert_eq!(sequences.len(), 2);
        assert!(sequences[0].0 < sequences[1].0);
        assert_eq!(sum(&changes, &Scope::Project), 0);
        assert_eq!(sum(&changes, &Scope::Value(status("Connected"))), 0);
        assert!(
            changes.entries.iter().all(|e| !e.present),
            "{:?}",
            changes.entries
        );
    }

    #[test]
    fn rows_that_are_not_items_are_skipped() {
        let project = ObjectId::new_v7(Timestamp::now());
        let counter = Attributes::from([
            (
                Field::ProjectId.name().into(),
                AttributeValue::S(format!("{project}#counters")),
            ),
            (Field::Id.name().into(), AttributeValue::S("project".into())),
        ]);
        let changes = Changes::of(&[record(10, None, Some(counter))]).unwrap();
        assert_eq!(changes, Changes::default());
    }

    #[test]
    fn sequence_numbers_compare_as_numbers_whatever_their_width() {
        let short = Sequence::new("900000000000000000000").unwrap();
        let long = Sequence::new("1000000000000000000000").unwrap();
        assert!(short < long);
        assert!(Sequence::new("12a").is_err());
        assert!(Sequence::new("").is_err());
        assert_eq!(Sequence::stored(long.as_str()).unwrap(), long);
    }
}
