//! What each operator means (SPEC §3), on an item: the one definition. DynamoDB evaluates
//! some conditions itself (`store/dynamo/expression.rs`), but every store also applies
//! [`Filter::matches`] to what it reads, so the two can never disagree on a result.

use std::cmp::Ordering;

use super::syntax::{Comparison, Condition, Filter, Operator, Scalar, TextMatch};
use crate::model::{FieldValue, Item};

/// Orders a field's value against a scalar of the same kind; `None` for null.
pub fn compare(value: FieldValue<'_>, scalar: &Scalar) -> Option<Ordering> {
    match (value, scalar) {
        (FieldValue::Id(a), Scalar::Id(b)) => Some(a.cmp(b)),
        (FieldValue::Text(a), Scalar::Text(b)) => Some(a.cmp(b.as_str())),
        (FieldValue::Integer(a), Scalar::Integer(b)) => Some(a.cmp(b)),
        (FieldValue::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
        (FieldValue::Boolean(a), Scalar::Boolean(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn equal(value: FieldValue<'_>, scalar: &Scalar) -> bool {
    compare(value, scalar) == Some(Ordering::Equal)
}

/// Case-insensitive text match; null never matches.
pub fn text_matches(value: FieldValue<'_>, how: TextMatch, needle: &str) -> bool {
    let FieldValue::Text(text) = value else {
        return false;
    };
    let text = text.to_lowercase();
    let needle = needle.to_lowercase();
    match how {
        TextMatch::Contains => text.contains(&needle),
        TextMatch::StartsWith => text.starts_with(&needle),
        TextMatch::EndsWith => text.ends_with(&needle),
    }
}

impl Operator {
    /// The meaning of each operator on one field's value.
    pub fn matches(&self, value: FieldValue<'_>) -> bool {
        let is_null = value == FieldValue::Null;
        match self {
            Operator::EqualTo(scalar) => equal(value, scalar),
            Operator::NotEqual(scalar) => !is_null && !equal(value, scalar),
            Operator::EqualToOrNull(scalar) => is_null || equal(value, scalar),
            Operator::IsNull => is_null,
            Operator::NotNull => !is_null,
            Operator::Compare {
                comparison,
                value: scalar,
                or_null,
            } => {
                if is_null {
                    return *or_null;
                }
                let Some(order) = compare(value, scalar) else {
                    return false;
                };
                match comparison {
                    Comparison::GreaterThan => order == Ordering::Greater,
                    Comparison::GreaterThanOrEqual => order != Ordering::Less,
                    Comparison::LessThan => order == Ordering::Less,
                    Comparison::LessThanOrEqual => order != Ordering::Greater,
                }
            }
            Operator::InBetween(start, end) => {
                compare(value, start).is_some_and(|order| order != Ordering::Less)
                    && compare(value, end).is_some_and(|order| order != Ordering::Greater)
            }
            Operator::Text(how, needle) => text_matches(value, *how, needle),
            Operator::NotContains(needle) => {
                is_null || !text_matches(value, TextMatch::Contains, needle)
            }
            Operator::Includes(values) => values.iter().any(|scalar| equal(value, scalar)),
            Operator::IncludesNone(values) => {
                !is_null && !values.iter().any(|scalar| equal(value, scalar))
            }
        }
    }
}

impl Condition {
    pub fn matches(&self, item: &Item) -> bool {
        match self {
            Condition::Field { field, operator } => operator.matches(item.get(*field)),
            Condition::MultiSearch { fields, text } => fields
                .iter()
                .any(|field| text_matches(item.get(*field), TextMatch::Contains, text)),
        }
    }
}

impl Filter {
    pub fn matches(&self, item: &Item) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.matches(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, Input, NewItem, ObjectId, Timestamp};

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn ringing() -> Item {
        let project = ObjectId::parse(PROJECT).unwrap();
        NewItem::parse(
            &[
                (Field::IncomingCallLogId, Input::Text(CALL_LOG)),
                (Field::Status, Input::Text("Ringing")),
                (Field::DialDurationInSeconds, Input::Integer(30)),
                (Field::UserPhoneNumber, Input::Text("+1 555-123-4567")),
                (Field::StartedAt, Input::Text("2026-11-27T11:00:00Z")),
            ],
            project,
        )
        .unwrap()
        .into_item(project, Timestamp::parse("2026-11-27T12:00:00Z").unwrap())
    }

    fn on(field: Field, operator: Operator) -> bool {
        Condition::Field { field, operator }.matches(&ringing())
    }

    fn text(value: &str) -> Scalar {
        Scalar::Text(value.to_string())
    }

    fn compare_with(comparison: Comparison, value: i64, or_null: bool) -> Operator {
        Operator::Compare {
            comparison,
            value: Scalar::Integer(value),
            or_null,
        }
    }

    #[test]
    fn equality_is_exact_and_case_sensitive() {
        assert!(on(Field::Status, Operator::EqualTo(text("Ringing"))));
        assert!(!on(Field::Status, Operator::EqualTo(text("ringing"))));
        assert!(on(Field::Status, Operator::NotEqual(text("Busy"))));
    }

    #[test]
    fn null_fields_are_not_not_equal_and_not_in_includes_none() {
        assert!(!on(Field::StatusMessage, Operator::NotEqual(text("x"))));
        assert!(!on(
            Field::StatusMessage,
            Operator::IncludesNone(vec![text("x")])
        ));
        assert!(on(Field::StatusMessage, Operator::EqualToOrNull(text("x"))));
        assert!(on(Field::StatusMessage, Operator::IsNull));
        assert!(on(Field::Status, Operator::NotNull));
    }

    #[test]
    fn comparisons_and_their_null_variants() {
        let duration = Field::DialDurationInSeconds;
        assert!(on(
            duration,
            compare_with(Comparison::GreaterThan, 29, false)
        ));
        assert!(!on(
            duration,
            compare_with(Comparison::GreaterThan, 30, false)
        ));
        assert!(on(
            duration,
            compare_with(Comparison::GreaterThanOrEqual, 30, false)
        ));
        assert!(on(
            duration,
            compare_with(Comparison::LessThanOrEqual, 30, false)
        ));
        assert!(!on(duration, compare_with(Comparison::LessThan, 30, false)));
        let before = Scalar::Date(Timestamp::parse("2000-01-01T00:00:00Z").unwrap());
        let or_null = |or_null| Operator::Compare {
            comparison: Comparison::LessThan,
            value: before.clone(),
            or_null,
        };
        assert!(!on(Field::EndedAt, or_null(false)));
        assert!(on(Field::EndedAt, or_null(true)));
    }

    #[test]
    fn in_between_is_inclusive_at_both_ends() {
        let at = Scalar::Date(Timestamp::parse("2026-11-27T11:00:00Z").unwrap());
        assert!(on(
            Field::StartedAt,
            Operator::InBetween(at.clone(), at.clone())
        ));
        let later = Scalar::Date(Timestamp::parse("2026-11-27T12:00:00Z").unwrap());
        assert!(!on(Field::StartedAt, Operator::InBetween(later, at)));
    }

    #[test]
    fn text_operators_ignore_case_and_treat_null_as_stated() {
        assert!(on(
            Field::Status,
            Operator::Text(TextMatch::Contains, "ING".into())
        ));
        assert!(on(
            Field::Status,
            Operator::Text(TextMatch::StartsWith, "ri".into())
        ));
        assert!(on(
            Field::Status,
            Operator::Text(TextMatch::EndsWith, "NG".into())
        ));
        assert!(on(Field::StatusMessage, Operator::NotContains("x".into())));
        assert!(!on(
            Field::StatusMessage,
            Operator::Text(TextMatch::Contains, String::new())
        ));
        let multi = Condition::MultiSearch {
            fields: vec![Field::Status, Field::UserPhoneNumber],
            text: "555".into(),
        };
        assert!(multi.matches(&ringing()));
    }

    #[test]
    fn includes_and_includes_none_of_nothing() {
        assert!(!on(Field::Status, Operator::Includes(vec![])));
        assert!(on(Field::Status, Operator::IncludesNone(vec![])));
        assert!(on(
            Field::Status,
            Operator::Includes(vec![text("Busy"), text("Ringing")])
        ));
    }

    #[test]
    fn a_filter_needs_every_condition() {
        let filter = Filter {
            conditions: vec![
                Condition::Field {
                    field: Field::Status,
                    operator: Operator::EqualTo(text("Ringing")),
                },
                Condition::Field {
                    field: Field::IsAnswered,
                    operator: Operator::EqualTo(Scalar::Boolean(true)),
                },
            ],
        };
        assert!(!filter.matches(&ringing()));
        assert!(Filter::default().matches(&ringing()));
    }
}
