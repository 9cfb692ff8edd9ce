//! Reads of many items: counts, pages in key order, and every match for in-function sorting.
//! Only `Query` (on the table or the call-log index) and counter `GetItem`s; never `Scan`.
//!
//! Costs: a count with no filter, or only `incomingCallLogId`, is one counter read (O(1)); a
//! page in key order from the start or from a cursor reads about one page (O(page)) when the
//! query has no filter, and the items it must pass over otherwise; a deep `skip` reads the keys
//! it skips (keys only when DynamoDB evaluates the whole filter); any other count or sort reads
//! every match (O(matches)).

use std::ops::ControlFlow;

use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Select};

use super::attributes::{from_attributes, project_call_log_key, Attributes, PROJECT_CALL_LOG};
use super::counters::{self, Scope};
use super::expression::{pushdown, Expression};
use super::items::CALL_LOG_INDEX;
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId};
use crate::query::{Direction, Filter};
use crate::store::{ItemQueries, Start, StoreError};

/// Items evaluated per request at most (about 600 KB of items): every request stays well
/// inside the SDK's timeouts, even on a slow DynamoDB.
const MAX_PAGE: i32 = 2000;

/// Items evaluated per request when DynamoDB counts.
const COUNT_PAGE: i32 = MAX_PAGE;

/// One read plan: the partition (project or call log), the pushed-down filter and the rest.
struct Plan {
    project: ObjectId,
    call_log: Option<ObjectId>,
    pushed: Option<Expression>,
    residual: Filter,
    direction: Direction,
}

impl Plan {
    fn new(project: ObjectId, filter: &Filter, direction: Direction) -> Plan {
        let split = pushdown(filter);
        Plan {
            project,
            call_log: filter.call_log(),
            pushed: split.expression,
            residual: split.residual,
            direction,
        }
    }

    /// Whether every item the query returns is a match (nothing left to check here).
    fn returns_only_matches(&self) -> bool {
        self.pushed.is_none() && self.residual.is_empty()
    }

    /// The key to continue after the item `after`, for the table or the index.
    fn start_key(&self, after: ObjectId) -> Attributes {
        let mut key = Attributes::from([
            (
                Field::ProjectId.name().to_string(),
                AttributeValue::S(self.project.to_string()),
            ),
            (
                Field::Id.name().to_string(),
                AttributeValue::S(after.to_string()),
            ),
        ]);
        if let Some(call_log) = self.call_log {
            key.insert(
                PROJECT_CALL_LOG.to_string(),
                AttributeValue::S(project_call_log_key(self.project, call_log)),
            );
        }
        key
    }
}

/// How much a walk reads per request: exactly what is needed when every item matches, else a
/// growing window (DynamoDB applies `Limit` before the filter).
struct Window {
    exact: bool,
    next: i32,
}

impl Window {
    fn new(plan: &Plan, wanted: Option<u64>) -> Window {
        let wanted = wanted.map_or(1000, |w| w.clamp(1, 1000) as i32);
        let exact = plan.returns_only_matches();
        Window {
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

impl DynamoStore {
    fn query(&self, plan: &Plan) -> QueryFluentBuilder {
        let mut request = self
            .client
            .query()
            .table_name(&self.items_table)
            .scan_index_forward(plan.direction == Direction::Ascending)
            .key_condition_expression("#pk = :pk");
        request = match plan.call_log {
            Some(call_log) => request
                .index_name(CALL_LOG_INDEX)
                .expression_attribute_names("#pk", PROJECT_CALL_LOG)
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(project_call_log_key(plan.project, call_log)),
                ),
            None => request
                .consistent_read(true)
                .expression_attribute_names("#pk", Field::ProjectId.name())
                .expression_attribute_values(":pk", AttributeValue::S(plan.project.to_string())),
        };
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

    /// Visits matches in key order after `after`, reading keys only when `keys_only` and the
    /// whole filter runs in DynamoDB. `wanted` sizes the reads; `visit` may stop the walk.
    async fn walk(
        &self,
        plan: &Plan,
        after: Option<ObjectId>,
        keys_only: bool,
        wanted: Option<u64>,
        mut visit: impl FnMut(ObjectId, Option<Item>) -> ControlFlow<()>,
    ) -> Result<(), StoreError> {
        let keys_only = keys_only && plan.residual.is_empty();
        let mut request = self.query(plan);
        if keys_only {
            request = request
                .projection_expression("#id")
                .expression_attribute_names("#id", Field::Id.name());
        }
        let mut window = Window::new(plan, wanted);
        let mut seen: u64 = 0;
        let mut start_key = after.map(|id| plan.start_key(id));
        loop {
            let remaining = wanted.map(|w| w.saturating_sub(seen));
            let output = request
                .clone()
                .set_limit(window.limit(remaining))
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(|error| from_sdk("Query", error))?;
            for attributes in output.items() {
                let id = match attributes.get(Field::Id.name()) {
                    Some(AttributeValue::S(id)) => ObjectId::parse(id).map_err(|_| {
                        StoreError::Corrupt(format!("stored item has a bad _id: {id}"))
                    })?,
                    _ => return Err(StoreError::Corrupt("stored item without _id".into())),
                };
                let item = if keys_only {
                    None
                } else {
                    Some(from_attributes(attributes)?)
                };
                if let Some(item) = &item {
                    if !plan.residual.matches(item) {
                        continue;
                    }
                }
                seen += 1;
                if visit(id, item).is_break() {
                    return Ok(());
                }
            }
            match output.last_evaluated_key() {
                Some(last) if !last.is_empty() => start_key = Some(last.clone()),
                _ => return Ok(()),
            }
        }
    }
}

impl ItemQueries for DynamoStore {
    async fn count(&self, project: ObjectId, filter: &Filter) -> Result<u64, StoreError> {
        if filter.is_empty() {
            return counters::read(&self.client, &self.items_table, project, Scope::Project).await;
        }
        if let Some(call_log) = filter.call_log().filter(|_| filter.is_only_call_log()) {
            return counters::read(
                &self.client,
                &self.items_table,
                project,
                Scope::CallLog(call_log),
            )
            .await;
        }
        let plan = Plan::new(project, filter, Direction::Ascending);
        if plan.residual.is_empty() {
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

    async fn all_matching(
        &self,
        project: ObjectId,
        filter: &Filter,
    ) -> Result<Vec<Item>, StoreError> {
        let plan = Plan::new(project, filter, Direction::Ascending);
        let mut items = Vec::new();
        self.walk(&plan, None, false, None, |_, item| {
            items.extend(item);
            ControlFlow::Continue(())
        })
        .await?;
        Ok(items)
    }
}
