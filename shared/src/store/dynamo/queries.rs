//! Reads of many items: counts, pages in key order, and sorted windows. Only `Query` (on the
//! table, the call-log index, or a value's index entries), `BatchGetItem` of the items those
//! entries name, and counter `GetItem`s; never `Scan`. How one read walks: `walk.rs`.
//!
//! Where a read starts is the query's read plan ([`Filter::read_plan`]): a call log's index
//! when it pins one, a dashboard value's entries (`entries.rs`) when it pins one, else the
//! project; within the `_id` range a `createdAt` range sets (ids are time-ordered). Costs: a
//! count answered by a counter is O(1); a page in key order reads about one page (O(page))
//! when nothing is left to check, and the items it passes over otherwise; a deep `skip` reads
//! the keys it skips; any other count or sort reads every match where the plan starts.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::types::Select;

use super::attributes::Attributes;
use super::counters::{self, Scope};
use super::read_plan::{Plan, COUNT_PAGE};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Item, ObjectId};
use crate::query::{Access, Direction, Filter, Mark, Sort, Tally, Window};
use crate::store::{DeepSkip, ItemQueries, Start, StoreError};

impl DynamoStore {
    /// The read plan of `filter`: when it pins values of several dashboard fields (and no
    /// item or call log), it starts at the one with the fewest items, as their counters say
    /// (read now, whatever order the query names them in).
    async fn plan(
        &self,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
    ) -> Result<Plan, StoreError> {
        let starts = filter.value_starts();
        let mut smallest: Option<(u64, Tally)> = None;
        if starts.len() > 1 && matches!(filter.read_plan().access, Access::Value(_)) {
            let scopes: Vec<Scope> = starts.iter().cloned().map(Scope::Value).collect();
            let counts = counters::read_many(&self.client, &self.items_table, project, &scopes);
            for (count, tally) in counts.await?.into_iter().zip(starts) {
                if smallest.as_ref().is_none_or(|(least, _)| count < *least) {
                    smallest = Some((count, tally));
                }
            }
        }
        let start = smallest.map(|(_, tally)| tally);
        Ok(Plan::new(project, filter, direction, start.as_ref()))
    }
}

impl ItemQueries for DynamoStore {
    async fn count(&self, project: ObjectId, filter: &Filter) -> Result<u64, StoreError> {
        // Counters when they answer (a sum of a few); a call log's count from its index, below.
        if let Some(sum) = filter.counter_sum() {
            let scopes: Vec<Scope> = (sum.plus.iter().chain(&sum.minus))
                .map(|tally| tally.clone().map_or(Scope::Project, Scope::Value))
                .collect();
            let counts = counters::read_many(&self.client, &self.items_table, project, &scopes);
            let counts = counts.await?;
            let (plus, minus) = counts.split_at(sum.plus.len());
            // The value items are read apart from the project's: a write can fall between.
            let total = plus.iter().sum::<u64>() as i64 - minus.iter().sum::<u64>() as i64;
            return Ok(total.max(0) as u64);
        }
        let plan = self.plan(project, filter, Direction::Ascending).await?;
        if plan.empty_range() {
            return Ok(0);
        }
        if plan.residual.is_empty() && plan.items().is_none() && plan.any_of().is_none() {
            // DynamoDB evaluates the whole filter: let it count, page by page.
            // Bounded pages keep every request well inside the SDK's timeouts.
            let request = self.query(&plan).select(Select::Count);
            let mut total: u64 = 0;
            let mut examined: u64 = 0;
            let mut start_key: Option<Attributes> = None;
            loop {
                let left = self.read_cap.saturating_sub(examined).max(1);
                let output = request
                    .clone()
                    .limit((COUNT_PAGE as u64).min(left) as i32)
                    .set_exclusive_start_key(start_key.take())
                    .send()
                    .await
                    .map_err(|error| from_sdk("Query", error))?;
                total += output.count().max(0) as u64;
                examined += output.scanned_count().max(0) as u64;
                match output.last_evaluated_key() {
                    Some(_) if examined >= self.read_cap => {
                        return Err(StoreError::TooBroad {
                            cap: self.read_cap,
                            matched: total,
                        })
                    }
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
        // A deep skip past the middle is read from the other end, when one counter counts
        // exactly what the walk passes over (docs/api.md, *What a query costs*).
        if let Start::Skip(skip) = start {
            if skip > u64::from(limit) && filter.counted_as_walked() {
                let total = self.count(project, filter).await?;
                match DeepSkip::of(skip, limit, total) {
                    DeepSkip::Forward => {}
                    DeepSkip::PastTheEnd => return Ok(Vec::new()),
                    DeepSkip::FromTheOtherEnd { skip, take } => {
                        let plan = self.plan(project, filter, direction.reversed()).await?;
                        let mut items = self.page_of(&plan, Start::Skip(skip), take).await?;
                        items.reverse();
                        return Ok(items);
                    }
                }
            }
        }
        let plan = self.plan(project, filter, direction).await?;
        self.page_of(&plan, start, limit).await
    }

    async fn sorted_window(
        &self,
        project: ObjectId,
        filter: &Filter,
        sort: &Sort,
        after: Option<&Mark>,
        keep: usize,
    ) -> Result<(u64, Vec<Item>), StoreError> {
        let plan = self.plan(project, filter, Direction::Ascending).await?;
        let mut window = Window::new(sort, after, keep);
        self.walk(&plan, None, false, None, |_, item| {
            window.extend(item);
            ControlFlow::Continue(())
        })
        .await?;
        Ok((window.matches(), window.into_sorted()))
    }
}

impl DynamoStore {
    /// Up to `limit` matches of `plan` from `start`.
    async fn page_of(
        &self,
        plan: &Plan,
        start: Start,
        limit: u32,
    ) -> Result<Vec<Item>, StoreError> {
        let after = match start {
            Start::After(id) => Some(id),
            Start::Skip(0) => None,
            Start::Skip(skip) => {
                // Walk past the skipped matches, reading keys only where it can.
                let mut last = None;
                let mut passed: u64 = 0;
                self.walk(plan, None, true, Some(skip), |id, _| {
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
        self.walk(plan, after, false, Some(u64::from(limit)), |_, item| {
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
}
