//! What list and count requests ask for (SPEC §3): the query's syntax tree and its meaning,
//! what a read needs to know up front, select, sort, paging and cursors. Pure: no I/O, no wire
//! format (the API reads these from JSON in `api/json/`).

mod counts;
mod cursor;
mod eval;
mod paging;
mod plan;
mod select;
mod sort;
mod syntax;
mod window;

pub use counts::{CounterSum, MAX_COUNTERS_SUMMED};
pub use cursor::{
    binding as cursor_binding, decode as decode_cursor, encode as encode_cursor, CursorError,
    CursorKeys, Position, Total,
};
pub use eval::{compare, text_matches};
pub use paging::Paging;
pub use plan::{Access, CountKey, ReadPlan, Tally, DASHBOARD_FIELDS};
pub use select::{Select, Selected};
pub use sort::{compare_values, Direction, Mark, Sort, SortValue};
pub use syntax::{Comparison, Condition, Filter, Operator, OperatorName, Scalar, TextMatch};
pub use window::{Window, MAX_SORTED_DEPTH};

/// Items of one project and call log, one per status, a millisecond apart: for the tests of
/// sorting and windows.
#[cfg(test)]
pub(crate) fn items_with_statuses(statuses: &[&str]) -> Vec<crate::model::Item> {
    use crate::model::{Field, Input, NewItem, ObjectId, Timestamp};
    let project = ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap();
    let at = Timestamp::parse("2026-11-27T12:00:00Z").unwrap();
    statuses
        .iter()
        .enumerate()
        .map(|(n, status)| {
            NewItem::parse(
                &[
                    (
                        Field::IncomingCallLogId,
                        Input::Text("6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                    ),
                    (Field::Status, Input::Text(status)),
                ],
                project,
            )
            .unwrap()
            .into_item(project, at.plus_millis(n as i64))
        })
        .collect()
}
