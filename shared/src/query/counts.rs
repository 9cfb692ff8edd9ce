//! Counts the counters answer alone (`Filter::counter_sum`): a sum of a few counters for one
//! condition on a dashboard field, and whether one counter counts exactly what a walk passes.

use super::plan::{Tally, DASHBOARD_FIELDS};
use super::syntax::{Condition, Filter, Operator, Scalar};

/// A count the counters answer alone: the sum of the `plus` counts minus the sum of the
/// `minus` ones, each the project's (`None`) or a value's (`Some`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterSum {
    pub plus: Vec<Option<Tally>>,
    pub minus: Vec<Option<Tally>>,
}

/// The most counters one count sums: each is a read or two.
pub const MAX_COUNTERS_SUMMED: usize = 10;

impl Filter {
    /// The count of a project's matches as counters give it, when they can (no call log): no
    /// condition; or one condition on a dashboard field: a value or null; one of some values
    /// (their sum); not a value, not null, none of some values (the project's count minus
    /// theirs, and minus null's where null never matches). At most [`MAX_COUNTERS_SUMMED`].
    pub fn counter_sum(&self) -> Option<CounterSum> {
        let sum = match self.conditions.as_slice() {
            [] => CounterSum {
                plus: vec![None],
                minus: vec![],
            },
            [Condition::Field { field, operator }] if DASHBOARD_FIELDS.contains(field) => {
                let field = *field;
                let null = Tally { field, value: None };
                let distinct = |scalars: &[Scalar], with_null: bool| {
                    let mut tallies: Vec<Tally> = scalars
                        .iter()
                        .map(|scalar| Tally::of_scalar(field, scalar))
                        .collect();
                    if with_null && field.is_nullable() {
                        tallies.push(null.clone());
                    }
                    tallies.sort();
                    tallies.dedup();
                    tallies.into_iter().map(Some).collect::<Vec<_>>()
                };
                let all_but = |minus: Vec<Option<Tally>>| CounterSum {
                    plus: vec![None],
                    minus,
                };
                match operator {
                    Operator::EqualTo(scalar) => CounterSum {
                        plus: distinct(std::slice::from_ref(scalar), false),
                        minus: vec![],
                    },
                    Operator::IsNull => CounterSum {
                        plus: vec![Some(null)],
                        minus: vec![],
                    },
                    Operator::Includes(scalars) => CounterSum {
                        plus: distinct(scalars, false),
                        minus: vec![],
                    },
                    // A null field is never "not equal", nor "none of".
                    Operator::NotNull => all_but(vec![Some(null)]),
                    Operator::NotEqual(scalar) => {
                        all_but(distinct(std::slice::from_ref(scalar), true))
                    }
                    Operator::IncludesNone(scalars) => all_but(distinct(scalars, true)),
                    _ => return None,
                }
            }
            _ => return None,
        };
        (sum.plus.len() + sum.minus.len() <= MAX_COUNTERS_SUMMED).then_some(sum)
    }

    /// Whether one counter counts exactly the items a read of this filter walks (no condition,
    /// or one value of a dashboard field): then a position `skip` deep is also `count - skip`
    /// from the other end, and a deep `skip` can be read from the nearer end.
    pub fn counted_as_walked(&self) -> bool {
        self.counter_sum()
            .is_some_and(|sum| sum.plus.len() == 1 && sum.minus.is_empty())
            && matches!(
                self.conditions.as_slice(),
                [] | [Condition::Field {
                    operator: Operator::EqualTo(_),
                    ..
                }]
            )
    }
}
