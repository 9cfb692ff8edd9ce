//! `sort` (SPEC §3): keys applied in order, ties broken by `_id`; default newest first.

use std::cmp::Ordering;

use serde_json::Value;

use crate::error::ApiError;
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

fn direction(value: &Value) -> Option<Direction> {
    match value {
        Value::String(text) => match text.as_str() {
            "ASC" | "asc" => Some(Direction::Ascending),
            "DESC" | "desc" => Some(Direction::Descending),
            _ => None,
        },
        Value::Number(number) => match number.as_i64() {
            Some(1) => Some(Direction::Ascending),
            Some(-1) => Some(Direction::Descending),
            _ => None,
        },
        _ => None,
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
    pub fn parse(value: Option<&Value>) -> Result<Sort, ApiError> {
        let object = match value {
            None | Some(Value::Null) => return Ok(Sort::default()),
            Some(Value::Object(object)) if object.is_empty() => return Ok(Sort::default()),
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "\"sort\" must be an object such as {\"createdAt\": -1}",
                ))
            }
        };
        let mut keys = Vec::with_capacity(object.len());
        for (name, value) in object {
            let Some(field) = Field::from_name(name) else {
                return Err(ApiError::bad_request(format!(
                    "Unknown field \"{name}\" in sort; sortable: {}",
                    Field::all_names()
                )));
            };
            let Some(direction) = direction(value) else {
                return Err(ApiError::bad_request(format!(
                    "Invalid sort direction for \"{name}\": use \"ASC\", \"DESC\", 1 or -1"
                )));
            };
            keys.push((field, direction));
        }
        Ok(Sort(keys))
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
    use serde_json::json;

    #[test]
    fn the_default_is_newest_first_in_key_order() {
        assert_eq!(
            Sort::parse(None).unwrap().key_order(),
            Some(Direction::Descending)
        );
    }

    #[test]
    fn every_direction_spelling_is_accepted() {
        for (value, expected) in [
            (json!("ASC"), Direction::Ascending),
            (json!("asc"), Direction::Ascending),
            (json!(1), Direction::Ascending),
            (json!("DESC"), Direction::Descending),
            (json!("desc"), Direction::Descending),
            (json!(-1), Direction::Descending),
        ] {
            let sort = Sort::parse(Some(&json!({ "createdAt": value }))).unwrap();
            assert_eq!(sort.key_order(), Some(expected));
        }
    }

    #[test]
    fn unknown_fields_and_directions_are_rejected() {
        assert!(Sort::parse(Some(&json!({"colour": 1})))
            .unwrap_err()
            .public_message()
            .contains("colour"));
        assert!(Sort::parse(Some(&json!({"status": 0})))
            .unwrap_err()
            .public_message()
            .contains("status"));
        assert!(Sort::parse(Some(&json!({"status": "up"}))).is_err());
    }

    #[test]
    fn other_fields_need_sorting_in_the_function() {
        let sort = Sort::parse(Some(&json!({"status": "ASC", "createdAt": -1}))).unwrap();
        assert_eq!(sort.key_order(), None);
    }
}
