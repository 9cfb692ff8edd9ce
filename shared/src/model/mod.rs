//! The domain: the item and its rules (SPEC §2), the operations on it and the permissions that
//! allow them (SPEC §6). Pure: no I/O, no wire format, no HTTP.

mod field;
mod input;
mod item;
mod new_item;
mod operation;
mod patch;
mod permission;
mod rules;
pub(crate) mod spelled;
mod values;

pub use field::{Field, Kind, Relation};
pub use input::{FieldError, Input, InputError};
pub use item::{FieldValue, Item};
pub use new_item::NewItem;
pub use operation::Operation;
pub use patch::{is_updatable, updatable, ItemPatch};
pub use permission::Permission;
pub use values::{ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber};
