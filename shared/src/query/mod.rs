//! What list and count requests ask for (SPEC §3): paging, select, sort and the query filter,
//! parsed from the query string and the JSON body. No I/O here.

mod cursor;
mod filter;
mod paging;
mod select;
mod sort;

pub use cursor::{
    binding as cursor_binding, decode as decode_cursor, encode as encode_cursor, Position,
};
pub use filter::{
    compare, text_matches, Comparison, Condition, Filter, Operator, Scalar, TextMatch,
    OPERATOR_NAMES,
};
pub use paging::Paging;
pub use select::{Projected, Select, Selected};
pub use sort::{compare_values, Direction, Sort};
