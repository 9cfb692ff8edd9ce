//! The twin's reads of many items: counts, pages and sorted windows, examining the items a
//! DynamoDB read would (where it starts, within the `createdAt` range) and stopping at the same
//! read cap.

use super::{Counter, MemoryStore, State};
use crate::model::{Item, ObjectId};
use crate::query::{Access, Direction, Filter, Mark, Sort, Tally, Window};
use crate::store::{DeepSkip, ItemQueries, Start, StoreError};

impl State {
    /// The items a read of `filter` examines, in key order (`direction`), each with whether it
    /// matches: those where DynamoDB's read would start (the item, the call log, the value, or
    /// the project; within the `createdAt` range), so that the read cap falls where it does
    /// there.
    fn examined<'a>(
        &'a self,
        project: ObjectId,
        filter: &'a Filter,
        direction: Direction,
    ) -> Box<dyn Iterator<Item = (&'a Item, bool)> + 'a> {
        let Some(items) = self.items.get(&project) else {
            return Box::new(std::iter::empty());
        };
        // Starting where DynamoDB's would: at the pinned value with the fewest items.
        let start = filter.value_starts().into_iter().min_by_key(|tally| {
            items
                .values()
                .filter(|item| Tally::of(tally.field, item.get(tally.field)) == *tally)
                .count()
        });
        let plan = filter.read_plan_from(start.as_ref());
        let examined = items
            .values()
            .filter(move |item| {
                let at_start = match &plan.access {
                    Access::Items(ids) => ids.binary_search(&item.id).is_ok(),
                    Access::Project => true,
                    Access::CallLog(call_log) => item.incoming_call_log_id == *call_log,
                    Access::Value(tally) => Tally::of(tally.field, item.get(tally.field)) == *tally,
                    Access::AnyOf(tallies) => tallies
                        .iter()
                        .any(|tally| Tally::of(tally.field, item.get(tally.field)) == *tally),
                };
                at_start
                    && plan.from.is_none_or(|from| item.created_at >= from)
                    && plan.to.is_none_or(|to| item.created_at <= to)
            })
            .map(move |item| (item, filter.matches(item)));
        match direction {
            Direction::Ascending => Box::new(examined),
            Direction::Descending => Box::new(examined.rev()),
        }
    }
}

/// Items examined by one read, against the cap: [`StoreError::TooBroad`] when one more would
/// be examined past it.
struct Examining {
    cap: u64,
    examined: u64,
    matched: u64,
}

impl Examining {
    fn new(cap: u64) -> Self {
        Examining {
            cap,
            examined: 0,
            matched: 0,
        }
    }

    /// Takes one more examined item; whether it matches.
    fn take(&mut self, matches: bool) -> Result<bool, StoreError> {
        if self.examined >= self.cap {
            return Err(StoreError::TooBroad {
                cap: self.cap,
                matched: self.matched,
            });
        }
        self.examined += 1;
        self.matched += u64::from(matches);
        Ok(matches)
    }
}

impl ItemQueries for MemoryStore {
    async fn count(&self, project: ObjectId, filter: &Filter) -> Result<u64, StoreError> {
        let state = self.state();
        let counter = match filter.call_log() {
            None if filter.is_empty() => Some(Counter::Project),
            Some(call_log) if filter.is_only_call_log() => Some(Counter::CallLog(call_log)),
            _ => None,
        };
        if let Some(counter) = counter {
            return Ok(state
                .counters
                .get(&(project, counter))
                .copied()
                .unwrap_or(0));
        }
        if filter.count_key().is_some() || filter.counter_sum().is_some() {
            // DynamoDB answers these from counters (a value's, or a sum of a few) or its
            // call-log index: no read cap.
            let all = state.examined(project, filter, Direction::Ascending);
            return Ok(all.filter(|(_, matches)| *matches).count() as u64);
        }
        let mut examining = Examining::new(self.read_cap);
        for (_, matches) in state.examined(project, filter, Direction::Ascending) {
            examining.take(matches)?;
        }
        Ok(examining.matched)
    }

    async fn page(
        &self,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        start: Start,
        limit: u32,
    ) -> Result<Vec<Item>, StoreError> {
        let state = self.state();
        // A deep skip past the middle is read from the other end, as DynamoDB's store does.
        if let Start::Skip(skip) = start {
            if skip > u64::from(limit) && filter.counted_as_walked() {
                let examined = state.examined(project, filter, direction);
                let total = examined.filter(|(_, matches)| *matches).count() as u64;
                match DeepSkip::of(skip, limit, total) {
                    DeepSkip::Forward => {}
                    DeepSkip::PastTheEnd => return Ok(Vec::new()),
                    DeepSkip::FromTheOtherEnd { skip, take } => {
                        let reversed = direction.reversed();
                        let skip = Start::Skip(skip);
                        let mut items =
                            state.page(self.read_cap, project, filter, reversed, skip, take)?;
                        items.reverse();
                        return Ok(items);
                    }
                }
            }
        }
        state.page(self.read_cap, project, filter, direction, start, limit)
    }

    async fn sorted_window(
        &self,
        project: ObjectId,
        filter: &Filter,
        sort: &Sort,
        after: Option<&Mark>,
        keep: usize,
    ) -> Result<(u64, Vec<Item>), StoreError> {
        let state = self.state();
        let mut examining = Examining::new(self.read_cap);
        let mut window = Window::new(sort, after, keep);
        for (item, matches) in state.examined(project, filter, Direction::Ascending) {
            if examining.take(matches)? {
                window.offer(item.clone());
            }
        }
        Ok((window.matches(), window.into_sorted()))
    }
}

impl State {
    /// Up to `limit` matches from `start`, examining at most `cap` items.
    fn page(
        &self,
        cap: u64,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        start: Start,
        limit: u32,
    ) -> Result<Vec<Item>, StoreError> {
        let mut examining = Examining::new(cap);
        let mut skip = match start {
            Start::Skip(skip) => skip,
            Start::After(_) => 0,
        };
        let mut page = Vec::new();
        for (item, matches) in self.examined(project, filter, direction) {
            if let Start::After(after) = start {
                let passed = match direction {
                    Direction::Ascending => item.id <= after,
                    Direction::Descending => item.id >= after,
                };
                if passed {
                    // DynamoDB starts the read after it: not examined.
                    continue;
                }
            }
            if page.len() == limit as usize {
                break;
            }
            if !examining.take(matches)? {
                continue;
            }
            if skip > 0 {
                skip -= 1;
            } else {
                page.push(item.clone());
            }
        }
        Ok(page)
    }
}
