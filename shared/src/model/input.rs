//! What a client wrote for one field, before the field's rule is checked, and the errors of the
//! model's rules.
//!
//! The wire format (JSON, its typed wrappers, digit strings) is read in `api/`; the model only
//! ever sees these plain shapes, and answers in field names and rules, never in HTTP terms.

use super::field::Field;

/// One value as the client sent it, reduced to the shapes the model's rules tell apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    Null,
    Boolean(bool),
    /// A whole number (the wire may have spelled it `10`, `10.0` or, where a field allows it,
    /// `"10"`).
    Integer(i64),
    Text(&'a str),
    /// Anything else: a fraction, an array, an object.
    Other,
}

/// A value that breaks its field's rule: the field, as the client named it, and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid value for \"{field}\": {rule}")]
pub struct FieldError {
    pub field: String,
    pub rule: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

/// Why the fields of a create or an update were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error("Unknown field \"{0}\" in data; the fields are: {names}", names = Field::all_names())]
    Unknown(String),
    #[error("\"{0}\" is set by the server and cannot be sent on create")]
    SetByServer(&'static str),
    #[error("\"{0}\" cannot be updated")]
    NotUpdatable(&'static str),
    /// The version only moves by updates; a client names the version it expects another way.
    #[error("\"version\" cannot be updated")]
    VersionNotUpdatable,
    #[error("\"data\" is empty: send at least one field to update")]
    NothingSent,
    #[error(
        "\"data\" has no field that can be updated; updatable fields are: {names}",
        names = super::patch::updatable().map(Field::name).collect::<Vec<_>>().join(", ")
    )]
    NothingUpdatable,
    /// `projectId` names another project than the caller's.
    #[error("\"projectId\" must be the project of your API key")]
    OtherProject,
}
