//! What list and count requests ask for (SPEC §3): the query's syntax tree and its meaning,
//! what a read needs to know up front, select, sort, paging and cursors. Pure: no I/O, no wire
//! format (the API reads these from JSON in `api/json/`).

mod cursor;
mod eval;
mod paging;
mod plan;
mod select;
mod sort;
mod syntax;
mod window;

pub use cursor::{
    binding as cursor_binding, decode as decode_cursor, encode as encode_cursor, CursorError,
    CursorKeys, Position,
};
pub use eval::{compare, text_matches};
pub use paging::Paging;
pub use plan::{Access, CountKey, ReadPlan, Tally, DASHBOARD_FIELDS};
pub use select::{Select, Selected};
pub use sort::{compare_values, Direction, Mark, Sort, SortValue};
pub use syntax::{Comparison, Condition, Filter, Operator, OperatorName, Scalar, TextMatch};
pub use window::{Window, MAX_SORTED_DEPTH};
