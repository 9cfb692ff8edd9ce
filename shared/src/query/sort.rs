//! `sort` (SPEC §3): keys applied in order, ties broken by `_id`; default newest first.

use std::cmp::Ordering;

use crate::model::{Field, FieldValue, Item, ObjectId, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    /// The other way.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort(Vec<(Field, Direction)>);

impl Default for Sort {
    /// `createdAt` descending: newest first.
    fn default() -> Self {
        Sort(vec![(Field::CreatedAt, Direction::Descending)])
    }
}

/// A place in a sort order: the values an item has for the sort's keys, and its `_id` (which
/// breaks ties). A cursor carries the mark of the last item shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub values: Vec<SortValue>,
    pub id: ObjectId,
}

/// A field's value, owned, as a mark keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    Null,
    Id(ObjectId),
    Text(String),
    Integer(i64),
    Date(Timestamp),
    Boolean(bool),
}

impl SortValue {
    pub fn of(value: FieldValue<'_>) -> SortValue {
        match value {
            FieldValue::Null => SortValue::Null,
            FieldValue::Id(id) => SortValue::Id(id),
            FieldValue::Text(text) => SortValue::Text(text.to_string()),
            FieldValue::Integer(number) => SortValue::Integer(number),
            FieldValue::Date(date) => SortValue::Date(date),
            FieldValue::Boolean(flag) => SortValue::Boolean(flag),
        }
    }

    pub fn as_value(&self) -> FieldValue<'_> {
        match self {
            SortValue::Null => FieldValue::Null,
            SortValue::Id(id) => FieldValue::Id(*id),
            SortValue::Text(text) => FieldValue::Text(text),
            SortValue::Integer(number) => FieldValue::Integer(*number),
            SortValue::Date(date) => FieldValue::Date(*date),
            SortValue::Boolean(flag) => FieldValue::Boolean(*flag),
        }
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
        self.compare_by(|_, field| a.get(field), a.id, |_, field| b.get(field), b.id)
    }

    /// Where `item` stands against `mark`, a place in this order (`Greater`: after it).
    pub fn compare_to_mark(&self, item: &Item, mark: &Mark) -> Ordering {
        let value = |key: usize, _| {
            mark.values
                .get(key)
                .map_or(FieldValue::Null, SortValue::as_value)
        };
        self.compare_by(|_, field| item.get(field), item.id, value, mark.id)
    }

    /// The place of `item` in this order: its values of the sort keys, and its `_id`.
    pub fn mark_of(&self, item: &Item) -> Mark {
        Mark {
            values: self
                .0
                .iter()
                .map(|(field, _)| SortValue::of(item.get(*field)))
                .collect(),
            id: item.id,
        }
    }

    /// The one comparison: `a` and `b` give the value of key number `n` (its field `f`).
    fn compare_by<'a, 'b>(
        &self,
        a: impl Fn(usize, Field) -> FieldValue<'a>,
        a_id: ObjectId,
        b: impl Fn(usize, Field) -> FieldValue<'b>,
        b_id: ObjectId,
    ) -> Ordering {
        for (n, (field, direction)) in self.0.iter().enumerate() {
            let order = compare_values(a(n, *field), b(n, *field));
            let order = match direction {
                Direction::Ascending => order,
                Direction::Descending => order.reverse(),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        let by_id = a_id.cmp(&b_id);
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
    fn an_item_stands_after_the_mark_of_any_item_before_it() {
        let items = crate::query::items_with_statuses(&["b", "a", "b", "c"]);
        for sort in [
            Sort::new(vec![(Field::Status, Direction::Ascending)]),
            Sort::new(vec![
                (Field::Status, Direction::Descending),
                (Field::StatusMessage, Direction::Ascending),
            ]),
            Sort::default(),
        ] {
            let mut sorted = items.clone();
            sorted.sort_by(|a, b| sort.compare(a, b));
            for (n, item) in sorted.iter().enumerate() {
                let mark = sort.mark_of(item);
                assert_eq!(sort.compare_to_mark(item, &mark), Ordering::Equal);
                for later in &sorted[n + 1..] {
                    assert_eq!(sort.compare_to_mark(later, &mark), Ordering::Greater);
                }
                for earlier in &sorted[..n] {
                    assert_eq!(sort.compare_to_mark(earlier, &mark), Ordering::Less);
                }
            }
        }
    }

    #[test]
    fn sort_values_round_trip_to_field_values() {
        for value in [
            FieldValue::Null,
            FieldValue::Text("x"),
            FieldValue::Integer(-3),
            FieldValue::Boolean(true),
        ] {
            assert_eq!(SortValue::of(value).as_value(), value);
        }
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
