//! What a store needs to know before it reads: whether any item can match at all, which call
//! log the query pins, and whether a counter answers it. Store-neutral; each store turns this
//! into its own reads.

use super::syntax::{Condition, Filter, Operator, Scalar};
use crate::model::{Field, FieldValue, ObjectId};

impl Filter {
    /// The call log every match belongs to, when the query pins one with plain equality.
    pub fn call_log(&self) -> Option<ObjectId> {
        self.conditions
            .iter()
            .find_map(|condition| match condition {
                Condition::Field {
                    field: Field::IncomingCallLogId,
                    operator: Operator::EqualTo(Scalar::Id(id)),
                } => Some(*id),
                _ => None,
            })
    }

    /// Settles what is already known for every item of `project`: conditions on `projectId`
    /// hold or fail for all of them, and `Includes` of nothing matches nothing. `None` when no
    /// item can match, else the filter without the settled conditions.
    pub fn for_project(&self, project: ObjectId) -> Option<Filter> {
        let mut conditions = Vec::with_capacity(self.conditions.len());
        for condition in &self.conditions {
            match condition {
                Condition::Field {
                    field: Field::ProjectId,
                    operator,
                } => {
                    if !operator.matches(FieldValue::Id(project)) {
                        return None;
                    }
                }
                Condition::Field {
                    operator: Operator::Includes(values),
                    ..
                } if values.is_empty() => return None,
                other => conditions.push(other.clone()),
            }
        }
        Some(Filter { conditions })
    }

    /// Whether the filter is exactly "this call log" (so its counter answers a count).
    pub fn is_only_call_log(&self) -> bool {
        self.conditions.len() == 1 && self.call_log().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const OTHER: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn id(text: &str) -> ObjectId {
        ObjectId::parse(text).unwrap()
    }

    fn condition(field: Field, operator: Operator) -> Condition {
        Condition::Field { field, operator }
    }

    fn status_is(text: &str) -> Condition {
        condition(Field::Status, Operator::EqualTo(Scalar::Text(text.into())))
    }

    #[test]
    fn project_conditions_are_settled_for_the_callers_project() {
        let own = Filter {
            conditions: vec![
                condition(Field::ProjectId, Operator::EqualTo(Scalar::Id(id(PROJECT)))),
                status_is("x"),
            ],
        };
        assert_eq!(
            own.for_project(id(PROJECT)).unwrap().conditions,
            vec![status_is("x")]
        );
        let other = Filter {
            conditions: vec![condition(
                Field::ProjectId,
                Operator::EqualTo(Scalar::Id(id(OTHER))),
            )],
        };
        assert_eq!(other.for_project(id(PROJECT)), None);
        let nothing = Filter {
            conditions: vec![condition(Field::Status, Operator::Includes(vec![]))],
        };
        assert_eq!(nothing.for_project(id(PROJECT)), None);
    }

    #[test]
    fn the_call_log_is_found_only_from_plain_equality() {
        let pinned = Filter {
            conditions: vec![condition(
                Field::IncomingCallLogId,
                Operator::EqualTo(Scalar::Id(id(OTHER))),
            )],
        };
        assert_eq!(pinned.call_log(), Some(id(OTHER)));
        assert!(pinned.is_only_call_log());
        let listed = Filter {
            conditions: vec![condition(
                Field::IncomingCallLogId,
                Operator::Includes(vec![Scalar::Id(id(OTHER))]),
            )],
        };
        assert_eq!(listed.call_log(), None);
        let narrowed = Filter {
            conditions: vec![pinned.conditions[0].clone(), status_is("x")],
        };
        assert!(!narrowed.is_only_call_log());
    }
}
