//! What a store needs to know before it reads: whether any item can match at all, which call
//! log the query pins, and whether a counter answers it. Store-neutral; each store turns this
//! into its own reads.

use super::counts::MAX_COUNTERS_SUMMED;
use super::syntax::{Comparison, Condition, Filter, Operator, Scalar};
use crate::model::{Field, FieldValue, ObjectId, Timestamp};

/// The fields a dashboard filters on (SPEC §10): each has an index keyed by its value and exact
/// counts by value per project (a call log's are counted in its index, not kept).
pub const DASHBOARD_FIELDS: [Field; 4] = [
    Field::Status,
    Field::IsAnswered,
    Field::UserId,
    Field::IncomingCallPolicyEscalationRuleId,
];

/// A value of a dashboard field, as counts and indexes key it (`None` is null).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tally {
    pub field: Field,
    pub value: Option<String>,
}

impl Tally {
    /// The tally of `field` for `value` (a field's value on an item, or a query's scalar).
    pub fn of(field: Field, value: FieldValue<'_>) -> Tally {
        let value = match value {
            FieldValue::Null => None,
            FieldValue::Id(id) => Some(id.to_string()),
            FieldValue::Text(text) => Some(text.to_string()),
            FieldValue::Integer(number) => Some(number.to_string()),
            FieldValue::Date(date) => Some(date.to_string()),
            FieldValue::Boolean(flag) => Some(flag.to_string()),
        };
        Tally { field, value }
    }

    pub(super) fn of_scalar(field: Field, scalar: &Scalar) -> Tally {
        Tally::of(field, scalar.value())
    }
}

/// Which exact count answers a filter: the project's or a call log's, of every item or of one
/// value of a dashboard field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub call_log: Option<ObjectId>,
    pub tally: Option<Tally>,
}

/// The most ids a query may list (`_id` one of …) and still be read by key: one
/// `BatchGetItem`.
pub const MAX_IDS_READ: usize = 100;

/// Where a read starts: the key its matches share.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// Some items by key: the query pins their `_id`s (one, or one of up to
    /// [`MAX_IDS_READ`]); sorted.
    Items(Vec<ObjectId>),
    /// The whole project.
    Project,
    /// One call log (the call-log index).
    CallLog(ObjectId),
    /// The items with one (non-null) value of a dashboard field (that field's index).
    Value(Tally),
    /// The items with one of a few values of a dashboard field (those values' index entries,
    /// merged in key order); sorted, at least two.
    AnyOf(Vec<Tally>),
}

/// How a read of matches goes: where it starts, the `_id`s it covers (from a `createdAt`
/// range: ids are time-ordered), and the conditions still to check on what it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadPlan {
    pub access: Access,
    /// Created at or after this instant.
    pub from: Option<Timestamp>,
    /// Created at or before this instant.
    pub to: Option<Timestamp>,
    pub rest: Filter,
    /// The condition the start enforces by a value's index entries (a value, or one of a few),
    /// checked again on each item read: an entry can be a moment behind its item. Counts of
    /// entries alone lag the same way counters do.
    pub checked: Filter,
}

/// A plain equality on `field`: its scalar.
fn equality(condition: &Condition) -> Option<(Field, &Scalar)> {
    match condition {
        Condition::Field {
            field,
            operator: Operator::EqualTo(scalar),
        } => Some((*field, scalar)),
        _ => None,
    }
}

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
                // A field that is never null: `IsNull` matches nothing, `NotNull` everything.
                Condition::Field {
                    field,
                    operator: Operator::IsNull,
                } if !field.is_nullable() => return None,
                Condition::Field {
                    field,
                    operator: Operator::NotNull,
                } if !field.is_nullable() => {}
                other => conditions.push(other.clone()),
            }
        }
        Some(Filter { conditions })
    }

    /// Whether the filter is exactly "this call log" (so its counter answers a count).
    pub fn is_only_call_log(&self) -> bool {
        self.conditions.len() == 1 && self.call_log().is_some()
    }

    /// The exact count that answers this filter, when one does: no condition, a call log, a
    /// value (or null) of a dashboard field, or both.
    pub fn count_key(&self) -> Option<CountKey> {
        let mut key = CountKey {
            call_log: None,
            tally: None,
        };
        for condition in &self.conditions {
            let Condition::Field { field, operator } = condition else {
                return None;
            };
            let tally = match (field, operator) {
                (Field::IncomingCallLogId, Operator::EqualTo(Scalar::Id(id)))
                    if key.call_log.is_none() =>
                {
                    key.call_log = Some(*id);
                    continue;
                }
                (field, Operator::EqualTo(scalar)) if DASHBOARD_FIELDS.contains(field) => {
                    Tally::of_scalar(*field, scalar)
                }
                (field, Operator::IsNull) if DASHBOARD_FIELDS.contains(field) => Tally {
                    field: *field,
                    value: None,
                },
                _ => return None,
            };
            if key.tally.replace(tally).is_some() {
                return None;
            }
        }
        Some(key)
    }

    /// The values of dashboard fields the query pins with plain equality: each could start
    /// the read (its index entries), the one with the fewest items best.
    pub fn value_starts(&self) -> Vec<Tally> {
        self.pinned_values()
            .into_iter()
            .map(|(_, tally)| tally)
            .collect()
    }

    /// Each value a condition pins with plain equality on a dashboard field, with the
    /// condition's place.
    fn pinned_values(&self) -> Vec<(usize, Tally)> {
        self.conditions
            .iter()
            .enumerate()
            .filter_map(|(at, condition)| {
                let (field, scalar) = equality(condition)?;
                DASHBOARD_FIELDS
                    .contains(&field)
                    .then(|| (at, Tally::of_scalar(field, scalar)))
            })
            .collect()
    }

    /// How to read this filter's matches, as [`Filter::read_plan_from`] with the first value
    /// the query pins.
    pub fn read_plan(&self) -> ReadPlan {
        self.read_plan_from(None)
    }

    /// How to read this filter's matches: the items by key when it pins their `_id`s (one, or
    /// one of up to [`MAX_IDS_READ`]), a call log's index when it pins one (a call's items are
    /// few), else a dashboard field's index when it
    /// pins a value of one (`start`, if it is one of [`Filter::value_starts`]: the caller
    /// picks the one with the fewest items; else the first), else the project; within the
    /// `createdAt` range it sets, if any. The conditions the start and the range enforce are
    /// not in `rest`: nothing checks them again.
    pub fn read_plan_from(&self, start: Option<&Tally>) -> ReadPlan {
        let mut rest = self.clone();
        let call_log =
            rest.conditions
                .iter()
                .enumerate()
                .find_map(|(at, condition)| match equality(condition)? {
                    (Field::IncomingCallLogId, Scalar::Id(id)) => Some((at, *id)),
                    _ => None,
                });
        let values = rest.pinned_values();
        let value = values
            .iter()
            .find(|(_, tally)| Some(tally) == start)
            .or(values.first())
            .cloned();
        let items = rest
            .conditions
            .iter()
            .enumerate()
            .find_map(|(at, condition)| Some((at, pinned_ids(condition)?)));
        let any_of = rest
            .conditions
            .iter()
            .enumerate()
            .find_map(|(at, condition)| Some((at, any_of(condition)?)));
        let mut checked = Filter::default();
        let access = match (items, call_log, value) {
            (Some((at, ids)), _, _) => {
                rest.conditions.remove(at);
                Access::Items(ids)
            }
            (None, Some((at, id)), _) => {
                rest.conditions.remove(at);
                Access::CallLog(id)
            }
            (None, None, Some((at, tally))) => {
                checked.conditions.push(rest.conditions.remove(at));
                Access::Value(tally)
            }
            (None, None, None) => match any_of {
                Some((at, tallies)) => {
                    checked.conditions.push(rest.conditions.remove(at));
                    Access::AnyOf(tallies)
                }
                None => Access::Project,
            },
        };
        let (from, to) = created_range(&rest);
        // A read of a range of `_id`s enforces these exactly (ids carry their creation
        // millisecond); one item is read by its key alone, and checked.
        if !matches!(access, Access::Items(_)) {
            rest.conditions
                .retain(|condition| created_bound(condition).is_none());
        }
        ReadPlan {
            access,
            from,
            to,
            rest,
            checked,
        }
    }
}

/// The values a condition "one of" pins on a dashboard field, when they are a few (2 to
/// [`MAX_COUNTERS_SUMMED`], distinct, sorted): a read merges their index entries.
fn any_of(condition: &Condition) -> Option<Vec<Tally>> {
    let Condition::Field {
        field,
        operator: Operator::Includes(scalars),
    } = condition
    else {
        return None;
    };
    if !DASHBOARD_FIELDS.contains(field) {
        return None;
    }
    let mut tallies: Vec<Tally> = scalars
        .iter()
        .map(|scalar| Tally::of_scalar(*field, scalar))
        .collect();
    tallies.sort();
    tallies.dedup();
    (2..=MAX_COUNTERS_SUMMED)
        .contains(&tallies.len())
        .then_some(tallies)
}

/// The ids a condition on `_id` pins, sorted: one (equality) or up to [`MAX_IDS_READ`] (one of;
/// an empty list is settled before, as matching nothing).
fn pinned_ids(condition: &Condition) -> Option<Vec<ObjectId>> {
    let Condition::Field {
        field: Field::Id,
        operator,
    } = condition
    else {
        return None;
    };
    let scalars = match operator {
        Operator::EqualTo(scalar) => std::slice::from_ref(scalar),
        Operator::Includes(scalars) if scalars.len() <= MAX_IDS_READ => scalars.as_slice(),
        _ => return None,
    };
    let mut ids = scalars
        .iter()
        .map(|scalar| match scalar {
            Scalar::Id(id) => Some(*id),
            _ => None,
        })
        .collect::<Option<Vec<ObjectId>>>()?;
    if ids.is_empty() {
        return None;
    }
    ids.sort();
    ids.dedup();
    Some(ids)
}

/// The bounds one `createdAt` condition sets (inclusive, to the millisecond, as createdAt is
/// kept), when it is one the `_id` range enforces exactly.
fn created_bound(condition: &Condition) -> Option<(Option<Timestamp>, Option<Timestamp>)> {
    let Condition::Field {
        field: Field::CreatedAt,
        operator,
    } = condition
    else {
        return None;
    };
    match operator {
        Operator::EqualTo(Scalar::Date(at)) => Some((Some(*at), Some(*at))),
        Operator::InBetween(Scalar::Date(start), Scalar::Date(end)) => {
            Some((Some(*start), Some(*end)))
        }
        // `createdAt` is never null: the "or null" variants mean the same.
        Operator::Compare {
            comparison,
            value: Scalar::Date(at),
            or_null: _,
        } => Some(match comparison {
            Comparison::GreaterThan => (Some(at.plus_millis(1)), None),
            Comparison::GreaterThanOrEqual => (Some(*at), None),
            Comparison::LessThan => (None, Some(at.plus_millis(-1))),
            Comparison::LessThanOrEqual => (None, Some(*at)),
        }),
        _ => None,
    }
}

/// The instants a filter's `createdAt` conditions bound the matches to (inclusive).
fn created_range(filter: &Filter) -> (Option<Timestamp>, Option<Timestamp>) {
    let mut from: Option<Timestamp> = None;
    let mut to: Option<Timestamp> = None;
    for (start, end) in filter.conditions.iter().filter_map(created_bound) {
        if let Some(at) = start {
            from = Some(from.map_or(at, |f| f.max(at)));
        }
        if let Some(at) = end {
            to = Some(to.map_or(at, |t| t.min(at)));
        }
    }
    (from, to)
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

    fn date(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn counts_answer_a_call_log_a_dashboard_value_or_both() {
        let log = id(OTHER);
        let in_log = condition(Field::IncomingCallLogId, Operator::EqualTo(Scalar::Id(log)));
        let answered = condition(Field::IsAnswered, Operator::EqualTo(Scalar::Boolean(true)));
        let no_user = condition(Field::UserId, Operator::IsNull);
        let filter = |conditions: Vec<Condition>| Filter { conditions };
        assert_eq!(
            filter(vec![]).count_key(),
            Some(CountKey {
                call_log: None,
                tally: None
            })
        );
        assert_eq!(
            filter(vec![in_log.clone(), status_is("x")]).count_key(),
            Some(CountKey {
                call_log: Some(log),
                tally: Some(Tally {
                    field: Field::Status,
                    value: Some("x".into())
                })
            })
        );
        assert_eq!(
            filter(vec![answered.clone()]).count_key().unwrap().tally,
            Some(Tally {
                field: Field::IsAnswered,
                value: Some("true".into())
            })
        );
        assert_eq!(
            filter(vec![no_user]).count_key().unwrap().tally,
            Some(Tally {
                field: Field::UserId,
                value: None
            })
        );
        // Two values, or any other condition: no single count answers it.
        assert_eq!(filter(vec![answered, status_is("x")]).count_key(), None);
        let other = condition(
            Field::DialDurationInSeconds,
            Operator::EqualTo(Scalar::Integer(3)),
        );
        assert_eq!(filter(vec![other]).count_key(), None);
    }

    #[test]
    fn a_read_starts_at_the_call_log_then_a_dashboard_value_then_the_project() {
        let log = id(OTHER);
        let in_log = condition(Field::IncomingCallLogId, Operator::EqualTo(Scalar::Id(log)));
        let both = Filter {
            conditions: vec![status_is("x"), in_log.clone()],
        };
        let plan = both.read_plan();
        assert_eq!(plan.access, Access::CallLog(log));
        assert_eq!(plan.rest.conditions, vec![status_is("x")]);
        let value = Filter {
            conditions: vec![status_is("x")],
        }
        .read_plan();
        assert_eq!(
            value.access,
            Access::Value(Tally {
                field: Field::Status,
                value: Some("x".into())
            })
        );
        assert!(value.rest.is_empty());
        let search = condition(
            Field::Status,
            Operator::Text(super::super::TextMatch::Contains, "x".into()),
        );
        assert_eq!(
            Filter {
                conditions: vec![search]
            }
            .read_plan()
            .access,
            Access::Project
        );
    }

    #[test]
    fn a_created_at_range_bounds_the_ids_read() {
        let filter = Filter {
            conditions: vec![
                condition(
                    Field::CreatedAt,
                    Operator::Compare {
                        comparison: Comparison::GreaterThan,
                        value: Scalar::Date(date("2026-11-27T10:00:00Z")),
                        or_null: false,
                    },
                ),
                condition(
                    Field::CreatedAt,
                    Operator::Compare {
                        comparison: Comparison::LessThanOrEqual,
                        value: Scalar::Date(date("2026-11-27T11:00:00Z")),
                        or_null: false,
                    },
                ),
            ],
        };
        let plan = filter.read_plan();
        assert_eq!(plan.from, Some(date("2026-11-27T10:00:00.001Z")));
        assert_eq!(plan.to, Some(date("2026-11-27T11:00:00Z")));
        assert!(
            plan.rest.conditions.is_empty(),
            "the key range enforces them: not checked again"
        );
        // One item read by its key is checked against them.
        let mut one = filter.clone();
        one.conditions.push(condition(
            Field::Id,
            Operator::EqualTo(Scalar::Id(id(OTHER))),
        ));
        assert_eq!(one.read_plan().rest.conditions.len(), 2);
        let between = Filter {
            conditions: vec![condition(
                Field::CreatedAt,
                Operator::InBetween(
                    Scalar::Date(date("2026-11-27T10:00:00Z")),
                    Scalar::Date(date("2026-11-27T10:30:00Z")),
                ),
            )],
        };
        let plan = between.read_plan();
        assert_eq!(
            (plan.from, plan.to),
            (
                Some(date("2026-11-27T10:00:00Z")),
                Some(date("2026-11-27T10:30:00Z"))
            )
        );
        assert_eq!(Filter::default().read_plan().from, None);
    }

    #[test]
    fn the_read_starts_at_the_value_the_caller_picks_among_those_pinned() {
        let user = condition(Field::UserId, Operator::EqualTo(Scalar::Id(id(OTHER))));
        let filter = Filter {
            conditions: vec![status_is("Ringing"), user.clone()],
        };
        let starts = filter.value_starts();
        assert_eq!(starts.len(), 2);
        assert_eq!(filter.read_plan().access, Access::Value(starts[0].clone()));
        let plan = filter.read_plan_from(Some(&starts[1]));
        assert_eq!(plan.access, Access::Value(starts[1].clone()));
        assert_eq!(plan.rest.conditions, vec![status_is("Ringing")]);
        // A call log still comes first: its items are few.
        let mut in_call = filter.clone();
        in_call.conditions.push(condition(
            Field::IncomingCallLogId,
            Operator::EqualTo(Scalar::Id(id(PROJECT))),
        ));
        let plan = in_call.read_plan_from(Some(&starts[1]));
        assert_eq!(plan.access, Access::CallLog(id(PROJECT)));
    }

    #[test]
    fn counts_of_one_condition_on_a_dashboard_field_are_sums_of_counters() {
        let tally = |field: Field, value: Option<&str>| {
            Some(Tally {
                field,
                value: value.map(str::to_string),
            })
        };
        let on = |field: Field, operator: Operator| Filter {
            conditions: vec![condition(field, operator)],
        };
        let text = |t: &str| Scalar::Text(t.into());
        let sum = |filter: Filter| filter.counter_sum().map(|s| (s.plus, s.minus));
        assert_eq!(sum(Filter::default()), Some((vec![None], vec![])));
        assert_eq!(
            sum(on(
                Field::Status,
                Operator::Includes(vec![text("b"), text("a"), text("b")])
            )),
            Some((
                vec![
                    tally(Field::Status, Some("a")),
                    tally(Field::Status, Some("b"))
                ],
                vec![]
            ))
        );
        // Never null: not equal is the project minus the value.
        assert_eq!(
            sum(on(Field::Status, Operator::NotEqual(text("a")))),
            Some((vec![None], vec![tally(Field::Status, Some("a"))]))
        );
        // May be null: minus null too (a null field is never "not equal").
        let user = Scalar::Id(id(OTHER));
        assert_eq!(
            sum(on(Field::UserId, Operator::NotEqual(user.clone()))),
            Some((
                vec![None],
                vec![
                    tally(Field::UserId, None),
                    tally(Field::UserId, Some(OTHER))
                ]
            ))
        );
        assert_eq!(
            sum(on(Field::UserId, Operator::NotNull)),
            Some((vec![None], vec![tally(Field::UserId, None)]))
        );
        // Not a dashboard field, two conditions, or too many values: not from counters.
        assert_eq!(sum(on(Field::StatusMessage, Operator::IsNull)), None);
        assert_eq!(
            sum(Filter {
                conditions: vec![status_is("a"), status_is("b")]
            }),
            None
        );
        let many = (0..11).map(|n| text(&n.to_string())).collect();
        assert_eq!(sum(on(Field::Status, Operator::Includes(many))), None);
        // A never-null field's `IsNull` matches nothing; its `NotNull` everything.
        let project = id(PROJECT);
        assert_eq!(
            on(Field::Status, Operator::IsNull).for_project(project),
            None
        );
        assert_eq!(
            on(Field::IsAnswered, Operator::NotNull).for_project(project),
            Some(Filter::default())
        );
    }
}
