//! `sort` (SPEC §3): keys applied in order, ties broken by `_id`; default newest first.

use std::cmp::Ordering;

use crate::model::{Field, FieldValue, Item};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort(Vec<(Field, Direction)>);

impl Default for Sort {
    /// `createdAt` descending: newest first.
    fn default() -> Self {
        Sort(vec![(Field::CreatedAt, Direction::Descending)])
    }
}

/// Orders two values of one field; null sorts before any value.
pub fn compare_values(a: FieldValue<'_>, b: FieldValue<'_>) -> Ordering {
    use FieldValue::*;
    match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Null, _) => Ordering::Less,
        (_, Null) => Ordering::Greater,
        (Id(a), Id(b)) => a.cmp(&b),
        (Text(a), Text(b)) => a.cmp(b),
        (Integer(a), Integer(b)) => a.cmp(&b),
        (Date(a), Date(b)) => a.cmp(&b),
        (Boolean(a), Boolean(b)) => a.cmp(&b),
        // One field always holds one kind; mixed kinds cannot meet.
        _ => Ordering::Equal,
    }
}

impl Sort {
    /// The sort by `keys`, applied in order; no keys is the default.
    pub fn new(keys: Vec<(Field, Direction)>) -> Sort {
        if keys.is_empty() {
            return Sort::default();
        }
        Sort(keys)
    }

    pub fn keys(&self) -> &[(Field, Direction)] {
        &self.0
    }

    /// When the sort is the table's own key order (`_id`, or `createdAt`, which `_id` encodes),
    /// the direction to read it in; `None` when items must be sorted in the function.
    pub fn key_order(&self) -> Option<Direction> {
        match self.0.as_slice() {
            [(Field::Id | Field::CreatedAt, direction)] => Some(*direction),
            [(Field::CreatedAt, first), (Field::Id, second)] if first == second => Some(*first),
            _ => None,
        }
    }

    /// Compares two items by every key in order, then by `_id` in the first key's direction.
    pub fn compare(&self, a: &Item, b: &Item) -> Ordering {
        for (field, direction) in &self.0 {
            let order = compare_values(a.get(*field), b.get(*field));
            let order = match direction {
                Direction::Ascending => order,
                Direction::Descending => order.reverse(),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        let by_id = a.id.cmp(&b.id);
        match self.0.first().map(|(_, direction)| *direction) {
            Some(Direction::Descending) => by_id.reverse(),
            _ => by_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_newest_first_in_key_order() {
        assert_eq!(Sort::default().key_order(), Some(Direction::Descending));
        assert_eq!(Sort::new(vec![]), Sort::default());
    }

    #[test]
    fn id_and_created_at_are_key_order_either_way() {
        for direction in [Direction::Ascending, Direction::Descending] {
            assert_eq!(
                Sort::new(vec![(Field::Id, direction)]).key_order(),
                Some(direction)
            );
            assert_eq!(
                Sort::new(vec![(Field::CreatedAt, direction), (Field::Id, direction)]).key_order(),
                Some(direction)
            );
        }
    }

    #[test]
    fn other_fields_need_sorting_in_the_function() {
        let sort = Sort::new(vec![
            (Field::Status, Direction::Ascending),
            (Field::CreatedAt, Direction::Descending),
        ]);
        assert_eq!(sort.key_order(), None);
    }

    #[test]
    fn null_sorts_before_any_value() {
        assert_eq!(
            compare_values(FieldValue::Null, FieldValue::Integer(i64::MIN)),
            Ordering::Less
        );
        assert_eq!(
            compare_values(FieldValue::Text("b"), FieldValue::Text("a")),
            Ordering::Greater
        );
    }
}
