//! A read of a few values' index entries at once (a query's "one of" some values of a
//! dashboard field): each value's entries are read in key order, a chunk at a time, and merged
//! into one key order, so a page costs about a page per value, never a walk of the project.
//! The read cap counts every entry read, as a single value's walk does.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use super::attributes::Attributes;
use super::read_plan::{parse_id, Plan, BATCH_GET, ITEMS_PAGE};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId};
use crate::query::Direction;
use crate::store::StoreError;

/// One value's entries as they are read.
struct Part {
    plan: Plan,
    /// Ids read and not yet merged, in key order.
    ids: VecDeque<ObjectId>,
    /// Where the next read starts; none once the value's entries are all read.
    next: Option<Attributes>,
    done: bool,
}

impl DynamoStore {
    /// [`DynamoStore::walk`] for a merged read (`Access::AnyOf`).
    pub(super) async fn walk_merged(
        &self,
        plan: &Plan,
        after: Option<ObjectId>,
        keys_only: bool,
        wanted: Option<u64>,
        mut visit: impl FnMut(ObjectId, Option<Item>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let keys_only = keys_only && plan.residual.is_empty();
        let mut parts: Vec<Part> = plan
            .any_of()
            .unwrap_or_default()
            .iter()
            .map(|tally| {
                let plan = plan.of_value(tally);
                Part {
                    next: after.map(|id| plan.start_key(id)),
                    plan,
                    ids: VecDeque::new(),
                    done: false,
                }
            })
            .collect();
        let (mut examined, mut seen) = (0_u64, 0_u64);
        loop {
            // Every value still being read has its next id at hand before any is merged.
            for part in parts
                .iter_mut()
                .filter(|part| part.ids.is_empty() && !part.done)
            {
                if examined >= self.read_cap {
                    return Err(StoreError::TooBroad {
                        cap: self.read_cap,
                        matched: seen,
                    });
                }
                let still = wanted.map_or(ITEMS_PAGE as u64, |w| w.saturating_sub(seen) + 1);
                let limit = still
                    .clamp(1, ITEMS_PAGE as u64)
                    .min(self.read_cap - examined);
                let output = self
                    .query(&part.plan)
                    .projection_expression("#id")
                    .expression_attribute_names("#id", Field::Id.name())
                    .limit(limit as i32)
                    .set_exclusive_start_key(part.next.take())
                    .send()
                    .await
                    .map_err(|error| from_sdk("Query", error))?;
                examined += output.scanned_count().max(0) as u64;
                for row in output.items() {
                    part.ids.push_back(parse_id(row)?);
                }
                part.next = output
                    .last_evaluated_key()
                    .filter(|key| !key.is_empty())
                    .cloned();
                part.done = part.next.is_none();
            }
            // The ids that come next in key order, as far as every value's ids at hand reach.
            let mut batch = Vec::new();
            let mut all_read = false;
            while batch.len() < BATCH_GET
                && !parts.iter().any(|part| part.ids.is_empty() && !part.done)
            {
                let heads = parts.iter_mut().filter(|part| !part.ids.is_empty());
                let first = match plan.direction {
                    Direction::Ascending => heads.min_by_key(|part| part.ids[0]),
                    Direction::Descending => heads.max_by_key(|part| part.ids[0]),
                };
                match first.and_then(|part| part.ids.pop_front()) {
                    Some(id) => batch.push(id),
                    None => {
                        all_read = true;
                        break;
                    }
                }
            }
            if keys_only {
                for id in batch {
                    seen += 1;
                    if visit(id, None).is_break() {
                        return Ok(());
                    }
                }
            } else if !batch.is_empty() {
                for item in self.items_by_id(plan.project, &batch).await? {
                    if !plan.matches(&item) {
                        continue;
                    }
                    seen += 1;
                    if visit(item.id, Some(item)).is_break() {
                        return Ok(());
                    }
                }
            }
            if all_read {
                return Ok(());
            }
        }
    }
}
