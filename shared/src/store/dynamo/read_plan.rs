//! How one read of many items is planned for DynamoDB: the partition it reads, the `_id`
//! range, the filter pushed down and the rest, and how much each request asks for.

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::{project_call_log_key, Attributes, PROJECT_CALL_LOG};
use super::entries::entry_partition;
use super::expression::{pushdown, Expression};
use crate::model::{Field, ObjectId, Timestamp};
use crate::query::{Access, Direction, Filter, Tally};
use crate::store::StoreError;

/// Items evaluated per request at most (about 600 KB of items): every request stays well
/// inside the SDK's timeouts, even on a slow DynamoDB.
pub(super) const MAX_PAGE: i32 = 2000;

/// Items evaluated per request when DynamoDB counts.
pub(super) const COUNT_PAGE: i32 = MAX_PAGE;

/// Whole items (or entries whose items are fetched) per request at most, about 200 KB: what one
/// page holds in memory while it is read, so that a walk of any length (a sort over a whole
/// project) stays within a few MB, and each request well inside the SDK's timeouts.
pub(super) const ITEMS_PAGE: i32 = 500;

/// DynamoDB's limit on the keys of one `BatchGetItem`.
pub(super) const BATCH_GET: usize = 100;

/// The lowest and highest `_id` (UUIDv7) an item created at `at` can have: ids sort by their
/// first 48 bits, the creation instant in milliseconds.
pub(super) fn id_bounds(at: Timestamp) -> (String, String) {
    let millis = at.epoch_millis().max(0) as u64;
    let (high, low) = (millis >> 16, millis & 0xffff);
    (
        format!("{high:08x}-{low:04x}-0000-0000-000000000000"),
        format!("{high:08x}-{low:04x}-ffff-ffff-ffffffffffff"),
    )
}

/// One read plan, for DynamoDB: the partition it reads, the `_id` range, the pushed-down
/// filter and the rest.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub(super) project: ObjectId,
    pub(super) access: Access,
    pub(super) from: Option<Timestamp>,
    pub(super) to: Option<Timestamp>,
    pub(super) pushed: Option<Expression>,
    pub(super) residual: Filter,
    /// The start's own condition, checked on the items read ([`crate::query::ReadPlan::checked`]).
    pub(super) checked: Filter,
    pub(super) direction: Direction,
}

impl Plan {
    /// The plan of `filter`, starting at the value `start` when it pins that one among others
    /// (`DynamoStore::plan` picks the value with the fewest items).
    pub(super) fn new(
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        start: Option<&Tally>,
    ) -> Plan {
        let read = filter.read_plan_from(start);
        // Entries carry keys only: everything left is checked on the items once read.
        let (pushed, residual) = match read.access {
            Access::Value(_) | Access::AnyOf(_) | Access::Items(_) => (None, read.rest),
            _ => {
                let split = pushdown(&read.rest);
                (split.expression, split.residual)
            }
        };
        Plan {
            project,
            access: read.access,
            from: read.from,
            to: read.to,
            pushed,
            residual,
            checked: read.checked,
            direction,
        }
    }

    /// Whether an item read matches: what is left to check, and the start's own condition
    /// (its index entry may be a moment behind the item).
    pub(super) fn matches(&self, item: &crate::model::Item) -> bool {
        self.residual.matches(item) && self.checked.matches(item)
    }

    /// Whether every item the query returns is a match (nothing left to check here).
    pub(super) fn returns_only_matches(&self) -> bool {
        self.pushed.is_none() && self.residual.is_empty()
    }

    /// Whether the `createdAt` range is empty (its start after its end): nothing matches.
    pub(super) fn empty_range(&self) -> bool {
        matches!((self.from, self.to), (Some(from), Some(to)) if from > to)
    }

    /// The items the query pins by `_id`, if it pins some (sorted).
    pub(super) fn items(&self) -> Option<&[ObjectId]> {
        match &self.access {
            Access::Items(ids) => Some(ids),
            _ => None,
        }
    }

    /// Whether the query returns index entries (keys), whose items are read afterwards.
    pub(super) fn reads_entries(&self) -> bool {
        matches!(self.access, Access::Value(_) | Access::AnyOf(_))
    }

    /// The values whose entries a merged read walks together, if it is one.
    pub(super) fn any_of(&self) -> Option<&[Tally]> {
        match &self.access {
            Access::AnyOf(tallies) => Some(tallies),
            _ => None,
        }
    }

    /// The same plan, reading one value's entries: a part of a merged read.
    pub(super) fn of_value(&self, tally: &Tally) -> Plan {
        Plan {
            access: Access::Value(tally.clone()),
            ..self.clone()
        }
    }

    /// The partition key the query reads: (attribute, value).
    pub(super) fn partition(&self) -> (&'static str, String) {
        match &self.access {
            Access::Project | Access::Items(_) => {
                (Field::ProjectId.name(), self.project.to_string())
            }
            Access::CallLog(call_log) => (
                PROJECT_CALL_LOG,
                project_call_log_key(self.project, *call_log),
            ),
            Access::Value(tally) => (
                Field::ProjectId.name(),
                entry_partition(self.project, tally),
            ),
            // A merged read queries each value's plan (`Plan::of_value`); this is its first.
            Access::AnyOf(tallies) => (
                Field::ProjectId.name(),
                entry_partition(self.project, &tallies[0]),
            ),
        }
    }

    /// The key to continue after the item `after`, for the table, the index or the entries.
    pub(super) fn start_key(&self, after: ObjectId) -> Attributes {
        let id = (
            Field::Id.name().to_string(),
            AttributeValue::S(after.to_string()),
        );
        let (name, value) = self.partition();
        match &self.access {
            Access::CallLog(_) => Attributes::from([
                id,
                (name.to_string(), AttributeValue::S(value)),
                (
                    Field::ProjectId.name().to_string(),
                    AttributeValue::S(self.project.to_string()),
                ),
            ]),
            Access::Project | Access::Items(_) | Access::Value(_) | Access::AnyOf(_) => {
                Attributes::from([id, (name.to_string(), AttributeValue::S(value))])
            }
        }
    }
}

/// How much a walk reads per request: exactly what is needed when every item matches, else a
/// growing window (DynamoDB applies `Limit` before the filter).
pub(super) struct Reads {
    pub(super) exact: bool,
    pub(super) next: i32,
}

impl Reads {
    pub(super) fn new(plan: &Plan, wanted: Option<u64>) -> Reads {
        let wanted = wanted.map_or(1000, |w| w.clamp(1, 1000) as i32);
        let exact = plan.returns_only_matches();
        Reads {
            exact,
            next: if exact { wanted } else { (wanted * 2).max(64) },
        }
    }

    /// The `Limit` for the next request, given how many matches are still wanted.
    pub(super) fn limit(&mut self, remaining: Option<u64>) -> Option<i32> {
        if self.exact {
            return remaining.map(|r| r.clamp(1, 1000) as i32);
        }
        let limit = self.next.min(MAX_PAGE);
        self.next = self.next.saturating_mul(4);
        Some(limit)
    }
}

pub(super) fn parse_id(attributes: &Attributes) -> Result<ObjectId, StoreError> {
    match attributes.get(Field::Id.name()) {
        Some(AttributeValue::S(id)) => ObjectId::parse(id)
            .map_err(|_| StoreError::Corrupt(format!("stored item has a bad _id: {id}"))),
        _ => Err(StoreError::Corrupt("stored item without _id".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_bounds_enclose_every_v7_id_of_that_millisecond() {
        let at = Timestamp::parse("2026-11-27T18:24:15.123Z").unwrap();
        let (low, high) = id_bounds(at);
        for _ in 0..100 {
            let id = ObjectId::new_v7(at).to_string();
            assert!(low <= id && id <= high, "{low} {id} {high}");
        }
        let (_, before) = id_bounds(at.plus_millis(-1));
        let (after, _) = id_bounds(at.plus_millis(1));
        let id = ObjectId::new_v7(at).to_string();
        assert!(before < id && id < after);
    }
}
