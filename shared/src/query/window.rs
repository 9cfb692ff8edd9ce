//! A bounded window on a sorted list (SPEC §8, §10): the first `keep` matches in a sort order
//! that is not the table's key order, picked from a stream of matches with memory for `keep`
//! items only, however many matches stream past. A cursor's mark skips what came before it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::sort::{Mark, Sort};
use crate::model::Item;

/// The deepest a list sorted in the function may be paged by `skip` (`skip + limit`): past it,
/// the cursor pages at the same cost and memory at any depth.
pub const MAX_SORTED_DEPTH: u64 = 10_000;

/// An item ranked by a sort: the heap keeps the worst on top, to drop it first.
struct Ranked<'a> {
    item: Item,
    sort: &'a Sort,
}

impl PartialEq for Ranked<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked<'_> {}

impl PartialOrd for Ranked<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort.compare(&self.item, &other.item)
    }
}

/// The first `keep` matches after `after` (if any), in `sort`'s order.
pub struct Window<'a> {
    sort: &'a Sort,
    after: Option<&'a Mark>,
    keep: usize,
    best: BinaryHeap<Ranked<'a>>,
    matches: u64,
}

impl<'a> Window<'a> {
    pub fn new(sort: &'a Sort, after: Option<&'a Mark>, keep: usize) -> Self {
        Window {
            sort,
            after,
            keep,
            best: BinaryHeap::with_capacity(keep.min(1024) + 1),
            matches: 0,
        }
    }

    /// One more match: counted, and kept while it is among the first `keep` after the mark.
    pub fn offer(&mut self, item: Item) {
        self.matches += 1;
        if let Some(mark) = self.after {
            if self.sort.compare_to_mark(&item, mark) != Ordering::Greater {
                return;
            }
        }
        if self.keep == 0 {
            return;
        }
        if self.best.len() == self.keep {
            let worst = self.best.peek().expect("a full window has a worst item");
            if self.sort.compare(&item, &worst.item) != Ordering::Less {
                return;
            }
            self.best.pop();
        }
        self.best.push(Ranked {
            item,
            sort: self.sort,
        });
    }

    /// Offers every item, in turn.
    pub fn extend(&mut self, items: impl IntoIterator<Item = Item>) {
        for item in items {
            self.offer(item);
        }
    }

    /// How many matches were offered.
    pub fn matches(&self) -> u64 {
        self.matches
    }

    /// The items kept, first first.
    pub fn into_sorted(self) -> Vec<Item> {
        self.best
            .into_sorted_vec()
            .into_iter()
            .map(|ranked| ranked.item)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Field;
    use crate::query::Direction;

    fn items(statuses: &[&str]) -> Vec<Item> {
        crate::query::items_with_statuses(statuses)
    }

    #[test]
    fn the_window_holds_the_first_items_of_a_full_sort_and_counts_all() {
        let all = items(&["d", "b", "e", "a", "c", "b", "f", "a"]);
        let sort = Sort::new(vec![(Field::Status, Direction::Ascending)]);
        let mut expected = all.clone();
        expected.sort_by(|a, b| sort.compare(a, b));
        for keep in [0, 1, 3, 8, 20] {
            let mut window = Window::new(&sort, None, keep);
            for item in all.iter().cloned() {
                window.offer(item);
            }
            assert_eq!(window.matches(), 8);
            let kept = window.into_sorted();
            assert_eq!(kept, expected[..keep.min(8)].to_vec(), "keep {keep}");
        }
    }

    #[test]
    fn a_mark_skips_what_comes_before_it() {
        let all = items(&["d", "b", "e", "a", "c"]);
        let sort = Sort::new(vec![(Field::Status, Direction::Descending)]);
        let mut expected = all.clone();
        expected.sort_by(|a, b| sort.compare(a, b));
        let mark = sort.mark_of(&expected[1]);
        let mut window = Window::new(&sort, Some(&mark), 2);
        for item in all {
            window.offer(item);
        }
        assert_eq!(window.matches(), 5);
        assert_eq!(window.into_sorted(), expected[2..4].to_vec());
    }
}
