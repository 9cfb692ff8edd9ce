//! The item and its rules (SPEC §2): field names and kinds, value types, create and update input.

mod field;
mod item;
mod values;

pub use field::{Field, Kind, Relation};
pub use item::{data_object, field_error, FieldValue, Item, ItemPatch, NewItem, RelationView};
pub use values::{
    integral, unwrap_typed_input, ObjectId, PhoneNumber, Status, StatusMessage, Timestamp,
    WholeNumber,
};
