//! How a read goes through DynamoDB: the `Query` of a plan, `BatchGetItem` of the items index
//! entries name, and the walk of matches in key order, at most the read cap of items examined.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};

use super::attributes::from_attributes;
use super::batches::Pacing;
use super::items::{item_key, CALL_LOG_INDEX};
use super::read_plan::{id_bounds, parse_id, Plan, Reads, BATCH_GET, ITEMS_PAGE};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId};
use crate::query::{Access, Direction};
use crate::store::{ItemReads, StoreError};

impl DynamoStore {
    pub(super) fn query(&self, plan: &Plan) -> QueryFluentBuilder {
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
            Access::Project | Access::Items(_) | Access::Value(_) | Access::AnyOf(_) => {
                request.consistent_read(true)
            }
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
    pub(super) async fn items_by_id(
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
            // DynamoDB serves what it can and hands the rest back as `UnprocessedKeys` (under
            // throttling, as often as it likes): ask again for the rest, paced, until every key
            // is served (`batches.rs`). A call that serves nothing at all is refused instead
            // (retried by the SDK, then 503); calls in a row that make no progress end the same
            // way.
            let mut pacing = Pacing::default();
            loop {
                let asked = wanted.keys().len();
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
                let rest = match output
                    .unprocessed_keys()
                    .and_then(|tables| tables.get(&self.items_table))
                {
                    Some(rest) if !rest.keys().is_empty() => rest.clone(),
                    _ => break,
                };
                pacing
                    .before_the_rest("BatchGetItem", asked, rest.keys().len())
                    .await?;
                wanted = rest;
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Visits matches in key order after `after`, reading keys only when `keys_only` and
    /// nothing is left to check on the items. `wanted` sizes the reads; `visit` may stop.
    pub(super) async fn walk(
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
        if let Some(ids) = plan.items() {
            // Read by key (`GetItem`, or one `BatchGetItem`), never a walk of the project.
            let mut ids: Vec<ObjectId> = ids
                .iter()
                .copied()
                .filter(|id| {
                    after.is_none_or(|after| match plan.direction {
                        Direction::Ascending => *id > after,
                        Direction::Descending => *id < after,
                    })
                })
                .collect();
            if plan.direction == Direction::Descending {
                ids.reverse();
            }
            let items = match ids.as_slice() {
                [] => Vec::new(),
                [id] => self.get(plan.project, *id).await?.into_iter().collect(),
                _ => self.items_by_id(plan.project, &ids).await?,
            };
            // Nothing was pushed for items read by key: the residual is the whole rest.
            for item in items.into_iter().filter(|item| plan.matches(item)) {
                if visit(item.id, Some(item)).is_break() {
                    break;
                }
            }
            return Ok(());
        }
        if plan.any_of().is_some() {
            return self
                .walk_merged(plan, after, keys_only, wanted, visit)
                .await;
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
        // Items (or entries) DynamoDB has evaluated: at most the read cap.
        let mut examined: u64 = 0;
        let mut start_key = after.map(|id| plan.start_key(id));
        loop {
            let remaining = wanted.map(|w| w.saturating_sub(seen));
            let limit = match (reads.limit(remaining), page_cap) {
                (Some(limit), Some(cap)) => Some(limit.min(cap)),
                (limit, cap) => limit.or(cap),
            };
            let left = self.read_cap.saturating_sub(examined).max(1);
            let limit = Some(limit.map_or(left, |limit| (limit as u64).min(left)) as i32);
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
            examined += output.scanned_count.max(0) as u64;
            let page = output.items.take().unwrap_or_default();
            drop(output);
            // Offers one item to `visit` when it matches; true when the walk should stop.
            let mut offer = |id: ObjectId, item: Option<Item>| -> bool {
                if item.as_ref().is_some_and(|item| !plan.matches(item)) {
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
                None => return Ok(()),
                Some(_) if examined >= self.read_cap => {
                    return Err(StoreError::TooBroad {
                        cap: self.read_cap,
                        matched: seen,
                    })
                }
                Some(last) => start_key = Some(last),
            }
        }
    }
}
