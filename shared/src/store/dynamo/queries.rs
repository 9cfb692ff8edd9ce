//! Reads of many items: counts, pages in key order, and sorted windows. Only `Query` (on the
//! table, the call-log index, or a value's index entries), `BatchGetItem` of the items those
//! entries name, and counter `GetItem`s; never `Scan`.
//!
//! Where a read starts is the query's read plan ([`Filter::read_plan`]): a call log's index
//! when it pins one, a dashboard value's entries (`entries.rs`) when it pins one, else the
//! project; within the `_id` range a `createdAt` range sets (ids are time-ordered). Costs: a
//! count answered by a counter is O(1); a page in key order reads about one page (O(page))
//! when nothing is left to check, and the items it passes over otherwise; a deep `skip` reads
//! the keys it skips; any other count or sort reads every match where the plan starts.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, Select};

use super::attributes::{from_attributes, project_call_log_key, Attributes, PROJECT_CALL_LOG};
use super::counters::{self, Scope};
use super::entries::entry_partition;
use super::expression::{pushdown, Expression};
use super::items::{item_key, CALL_LOG_INDEX};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId, Timestamp};
use crate::query::{Access, Direction, Filter, Mark, Sort, Window};
use crate::store::{ItemQueries, ItemReads, Start, StoreError};

/// Items evaluated per request at most (about 600 KB of items): every request stays well
/// inside the SDK's timeouts, even on a slow DynamoDB.
const MAX_PAGE: i32 = 2000;

/// Items evaluated per request when DynamoDB counts.
const COUNT_PAGE: i32 = MAX_PAGE;

/// Whole items (or entries whose items are fetched) per request at most, about 200 KB: what one
/// page holds in memory while it is read, so that a walk of any length (a sort over a whole
/// project) stays within a few MB, and each request well inside the SDK's timeouts.
const ITEMS_PAGE: i32 = 500;

/// DynamoDB's limit on the keys of one `BatchGetItem`.
const BATCH_GET: usize = 100;

/// The lowest and highest `_id` (UUIDv7) an item created at `at` can have: ids sort by their
/// first 48 bits, the creation instant in milliseconds.
fn id_bounds(at: Timestamp) -> (String, String) {
    let millis = at.epoch_millis().max(0) as u64;
    let (high, low) = (millis >> 16, millis & 0xffff);
    (
        format!("{high:08x}-{low:04x}-0000-0000-000000000000"),
        format!("{high:08x}-{low:04x}-ffff-ffff-ffffffffffff"),
    )
}

/// One read plan, for DynamoDB: the partition it reads, the `_id` range, the pushed-down
/// filter and the rest.
struct Plan {
    project: ObjectId,
    access: Access,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    pushed: Option<Expression>,
    residual: Filter,
    direction: Direction,
}

impl Plan {
    fn new(project: ObjectId, filter: &Filter, direction: Direction) -> Plan {
        let read = filter.read_plan();
        // Entries carry keys only: everything left is checked on the items once read.
        let (pushed, residual) = match read.access {
            Access::Value(_) | Access::Item(_) => (None, read.rest),
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
            direction,
        }
    }

    /// Whether every item the query returns is a match (nothing left to check here).
    fn returns_only_matches(&self) -> bool {
        self.pushed.is_none() && self.residual.is_empty()
    }

    /// Whether the `createdAt` range is empty (its start after its end): nothing matches.
    fn empty_range(&self) -> bool {
        matches!((self.from, self.to), (Some(from), Some(to)) if from > to)
    }

    /// The one item the query pins, if it pins one.
    fn item(&self) -> Option<ObjectId> {
        match self.access {
            Access::Item(id) => Some(id),
            _ => None,
        }
    }

    /// Whether the query returns index entries (keys), whose items are read afterwards.
    fn reads_entries(&self) -> bool {
        matches!(self.access, Access::Value(_))
    }

    /// The partition key the query reads: (attribute, value).
    fn partition(&self) -> (&'static str, String) {
        match &self.access {
            Access::Project | Access::Item(_) => {
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
        }
    }

    /// The key to continue after the item `after`, for the table, the index or the entries.
    fn start_key(&self, after: ObjectId) -> Attributes {
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
            Access::Project | Access::Item(_) | Access::Value(_) => {
                Attributes::from([id, (name.to_string(), AttributeValue::S(value))])
            }
        }
    }
}

/// How much a walk reads per request: exactly what is needed when every item matches, else a
/// growing window (DynamoDB applies `Limit` before the filter).
struct Reads {
    exact: bool,
    next: i32,
}

impl Reads {
    fn new(plan: &Plan, wanted: Option<u64>) -> Reads {
        let wanted = wanted.map_or(1000, |w| w.clamp(1, 1000) as i32);
        let exact = plan.returns_only_matches();
        Reads {
            exact,
            next: if exact { wanted } else { (wanted * 2).max(64) },
        }
    }

    /// The `Limit` for the next request, given how many matches are still wanted.
    fn limit(&mut self, remaining: Option<u64>) -> Option<i32> {
        if self.exact {
            return remaining.map(|r| r.clamp(1, 1000) as i32);
        }
        let limit = self.next.min(MAX_PAGE);
        self.next = self.next.saturating_mul(4);
        Some(limit)
    }
}

fn parse_id(attributes: &Attributes) -> Result<ObjectId, StoreError> {
    match attributes.get(Field::Id.name()) {
        Some(AttributeValue::S(id)) => ObjectId::parse(id)
            .map_err(|_| StoreError::Corrupt(format!("stored item has a bad _id: {id}"))),
        _ => Err(StoreError::Corrupt("stored item without _id".into())),
    }
}

impl DynamoStore {
    fn query(&self, plan: &Plan) -> QueryFluentBuilder {
        let (name, value) = plan.partition();
        let mut key_condition = "#pk = :pk".to_string();
        let mut request = self
            .client
            .query()
            .table_name(&self.items_table)
            .scan_index_forward(plan.direction == Direction::Ascending)
            .expression_attribute_names("#pk", name)
            .expression_attribute_values(":pk", AttributeValue::S(value));
        request = match plan.access {
            Access::CallLog(_) => request.index_name(CALL_LOG_INDEX),
            Access::Project | Access::Item(_) | Access::Value(_) => request.consistent_read(true),
        };
        if plan.from.is_some() || plan.to.is_some() {
            request = request.expression_attribute_names("#sk", Field::Id.name());
        }
        match (plan.from, plan.to) {
            (Some(from), Some(to)) => {
                key_condition.push_str(" AND #sk BETWEEN :from AND :to");
                request = request
                    .expression_attribute_values(":from", AttributeValue::S(id_bounds(from).0))
                    .expression_attribute_values(":to", AttributeValue::S(id_bounds(to).1));
            }
            (Some(from), None) => {
                key_condition.push_str(" AND #sk >= :from");
                request = request
                    .expression_attribute_values(":from", AttributeValue::S(id_bounds(from).0));
            }
            (None, Some(to)) => {
                key_condition.push_str(" AND #sk <= :to");
                request =
                    request.expression_attribute_values(":to", AttributeValue::S(id_bounds(to).1));
            }
            (None, None) => {}
        }
        request = request.key_condition_expression(key_condition);
        if let Some(expression) = &plan.pushed {
            request = request.filter_expression(&expression.text);
            for (name, field) in &expression.names {
                request = request.expression_attribute_names(name, field);
            }
            for (name, value) in &expression.values {
                request = request.expression_attribute_values(name, value.clone());
            }
        }
        request
    }

    /// The items of `project` with these ids, read consistently, in the order given (an id
    /// whose item is gone is left out).
    async fn items_by_id(
        &self,
        project: ObjectId,
        ids: &[ObjectId],
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_GET) {
            let mut wanted = KeysAndAttributes::builder()
                .set_keys(Some(
                    chunk.iter().map(|id| item_key(project, *id)).collect(),
                ))
                .consistent_read(true)
                .build()
                .expect("keys are set");
            for _ in 0..10 {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.items_table, wanted)
                    .send()
                    .await
                    .map_err(|error| from_sdk("BatchGetItem", error))?;
                for attributes in output
                    .responses()
                    .and_then(|tables| tables.get(&self.items_table))
                    .into_iter()
                    .flatten()
                {
                    let item = from_attributes(attributes)?;
                    found.insert(item.id, item);
                }
                match output
                    .unprocessed_keys()
                    .and_then(|tables| tables.get(&self.items_table))
                {
                    Some(rest) if !rest.keys().is_empty() => wanted = rest.clone(),
                    _ => break,
                }
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Visits matches in key order after `after`, reading keys only when `keys_only` and
    /// nothing is left to check on the items. `wanted` sizes the reads; `visit` may stop.
    async fn walk(
        &self,
        plan: &Plan,
        after: Option<ObjectId>,
        keys_only: bool,
        wanted: Option<u64>,
        mut visit: impl FnMut(ObjectId, Option<Item>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        if plan.empty_range() {
            return Ok(());
        }
        if let Some(id) = plan.item() {
            // One `GetItem`, never a walk of the project.
            let item = self.get(plan.project, id).await?;
            let after_start = after.is_none_or(|after| match plan.direction {
                Direction::Ascending => id > after,
                Direction::Descending => id < after,
            });
            // Nothing was pushed for one item: the residual is the whole rest.
            if let Some(item) = item.filter(|item| after_start && plan.residual.matches(item)) {
                let _ = visit(id, Some(item));
            }
            return Ok(());
        }
        let keys_only = keys_only && plan.residual.is_empty();
        let mut request = self.query(plan);
        if keys_only || plan.reads_entries() {
            request = request
                .projection_expression("#id")
                .expression_attribute_names("#id", Field::Id.name());
        }
        let mut reads = Reads::new(plan, wanted);
        let page_cap = (!keys_only).then_some(ITEMS_PAGE);
        let mut seen: u64 = 0;
        let mut start_key = after.map(|id| plan.start_key(id));
        loop {
            let remaining = wanted.map(|w| w.saturating_sub(seen));
            let limit = match (reads.limit(remaining), page_cap) {
                (Some(limit), Some(cap)) => Some(limit.min(cap)),
                (limit, cap) => limit.or(cap),
            };
            let mut output = request
                .clone()
                .set_limit(limit)
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(|error| from_sdk("Query", error))?;
            let next = output
                .last_evaluated_key
                .take()
                .filter(|key| !key.is_empty());
            let page = output.items.take().unwrap_or_default();
            drop(output);
            // Offers one item to `visit` when it matches; true when the walk should stop.
            let mut offer = |id: ObjectId, item: Option<Item>| -> bool {
                if item
                    .as_ref()
                    .is_some_and(|item| !plan.residual.matches(item))
                {
                    return false;
                }
                seen += 1;
                visit(id, item).is_break()
            };
            if keys_only {
                for attributes in &page {
                    if offer(parse_id(attributes)?, None) {
                        return Ok(());
                    }
                }
            } else if plan.reads_entries() {
                let ids: Vec<ObjectId> = page.iter().map(parse_id).collect::<Result<_, _>>()?;
                drop(page);
                for item in self.items_by_id(plan.project, &ids).await? {
                    if offer(item.id, Some(item)) {
                        return Ok(());
                    }
                }
            } else {
                // Converted one by one, each raw item freed as it goes.
                for attributes in page {
                    let item = from_attributes(&attributes)?;
                    drop(attributes);
                    if offer(item.id, Some(item)) {
                        return Ok(());
                    }
                }
            }
            match next {
                Some(last) => start_key = Some(last),
                None => return Ok(()),
            }
        }
    }
}

impl ItemQueries for DynamoStore {
    async fn count(&self, project: ObjectId, filter: &Filter) -> Result<u64, StoreError> {
        if let Some(key) = filter.count_key() {
            return counters::read(&self.client, &self.items_table, project, &Scope::of(&key))
                .await;
        }
        let plan = Plan::new(project, filter, Direction::Ascending);
        if plan.empty_range() {
            return Ok(0);
        }
        if plan.residual.is_empty() && plan.item().is_none() {
            // DynamoDB evaluates the whole filter: let it count, page by page.
            // Bounded pages keep every request well inside the SDK's timeouts.
            let request = self.query(&plan).select(Select::Count).limit(COUNT_PAGE);
            let mut total: u64 = 0;
            let mut start_key: Option<Attributes> = None;
            loop {
                let output = request
                    .clone()
                    .set_exclusive_start_key(start_key.take())
                    .send()
                    .await
                    .map_err(|error| from_sdk("Query", error))?;
                total += output.count().max(0) as u64;
                match output.last_evaluated_key() {
                    Some(last) if !last.is_empty() => start_key = Some(last.clone()),
                    _ => return Ok(total),
                }
            }
        }
        let mut total: u64 = 0;
        self.walk(&plan, None, true, None, |_, _| {
            total += 1;
            ControlFlow::Continue(())
        })
        .await?;
        Ok(total)
    }

    async fn page(
        &self,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        start: Start,
        limit: u32,
    ) -> Result<Vec<Item>, StoreError> {
        let plan = Plan::new(project, filter, direction);
        let after = match start {
            Start::After(id) => Some(id),
            Start::Skip(0) => None,
            Start::Skip(skip) => {
                // Walk past the skipped matches, reading keys only where it can.
                let mut last = None;
                let mut passed: u64 = 0;
                self.walk(&plan, None, true, Some(skip), |id, _| {
                    passed += 1;
                    last = Some(id);
                    if passed == skip {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .await?;
                if passed < skip {
                    return Ok(Vec::new());
                }
                last
            }
        };
        let mut items = Vec::with_capacity(limit as usize);
        self.walk(&plan, after, false, Some(u64::from(limit)), |_, item| {
            items.extend(item);
            if items.len() >= limit as usize {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await?;
        Ok(items)
    }

    async fn sorted_window(
        &self,
        project: ObjectId,
        filter: &Filter,
        sort: &Sort,
        after: Option<&Mark>,
        keep: usize,
    ) -> Result<(u64, Vec<Item>), StoreError> {
        let plan = Plan::new(project, filter, Direction::Ascending);
        let mut window = Window::new(sort, after, keep);
        self.walk(&plan, None, false, None, |_, item| {
            window.extend(item);
            ControlFlow::Continue(())
        })
        .await?;
        Ok((window.matches(), window.into_sorted()))
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
