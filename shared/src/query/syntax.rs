//! The query language's syntax tree (SPEC §3): conditions on the item's fields, all AND-ed,
//! and the one table of the operators' names.
//!
//! What each operator means is in `eval.rs`; how a read starts is in `plan.rs`; reading a
//! query from a request body is the API's job (`api/json/query.rs`).

use crate::model::spelled::spelled_enum;
use crate::model::{Field, FieldValue, ObjectId, Timestamp};

/// A value a condition compares a field with, parsed for the field's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Id(ObjectId),
    Text(String),
    Integer(i64),
    Date(Timestamp),
    Boolean(bool),
}

impl Scalar {
    /// The value as a field of an item would hold it.
    pub fn value(&self) -> FieldValue<'_> {
        match self {
            Scalar::Id(id) => FieldValue::Id(*id),
            Scalar::Text(text) => FieldValue::Text(text),
            Scalar::Integer(number) => FieldValue::Integer(*number),
            Scalar::Date(date) => FieldValue::Date(*date),
            Scalar::Boolean(flag) => FieldValue::Boolean(*flag),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

/// A text match: case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    Contains,
    StartsWith,
    EndsWith,
}

/// What a condition asks of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    EqualTo(Scalar),
    NotEqual(Scalar),
    EqualToOrNull(Scalar),
    IsNull,
    NotNull,
    Compare {
        comparison: Comparison,
        value: Scalar,
        or_null: bool,
    },
    InBetween(Scalar, Scalar),
    Text(TextMatch, String),
    NotContains(String),
    Includes(Vec<Scalar>),
    IncludesNone(Vec<Scalar>),
}

/// One condition of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Field {
        field: Field,
        operator: Operator,
    },
    /// Case-insensitive substring on any of the fields.
    MultiSearch {
        fields: Vec<Field>,
        text: String,
    },
}

/// A whole query: every condition must hold. Empty matches every item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }
}

spelled_enum! {
    /// A typed operator as clients name it in `_type`: the one table of the operators and their
    /// spelling (SPEC §3). A new operator is a row here; the compiler then asks for its reading
    /// in `api/json/query.rs` and its meaning in `eval.rs`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum OperatorName {
        EqualTo = "EqualTo",
        NotEqual = "NotEqual",
        EqualToOrNull = "EqualToOrNull",
        IsNull = "IsNull",
        NotNull = "NotNull",
        GreaterThan = "GreaterThan",
        GreaterThanOrEqual = "GreaterThanOrEqual",
        LessThan = "LessThan",
        LessThanOrEqual = "LessThanOrEqual",
        GreaterThanOrNull = "GreaterThanOrNull",
        LessThanOrNull = "LessThanOrNull",
        InBetween = "InBetween",
        Search = "Search",
        StartsWith = "StartsWith",
        EndsWith = "EndsWith",
        NotContains = "NotContains",
        Includes = "Includes",
        IncludesNone = "IncludesNone",
        MultiSearch = "MultiSearch",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_reads_back_from_its_name() {
        for operator in OperatorName::ALL {
            let name = operator.name();
            assert_eq!(OperatorName::from_name(name), Some(operator));
            assert_eq!(operator.name(), name);
        }
        assert_eq!(OperatorName::from_name("equalTo"), None);
    }
}
