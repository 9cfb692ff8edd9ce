//! The query language's syntax tree (SPEC §3): conditions on the item's fields, all AND-ed,
//! and the one table of the operators' names.
//!
//! What each operator means is in `eval.rs`; how a read starts is in `plan.rs`; reading a
//! query from a request body is the API's job (`api/json/query.rs`).

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

/// A typed operator as clients name it in `_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorName {
    EqualTo,
    NotEqual,
    EqualToOrNull,
    IsNull,
    NotNull,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThanOrNull,
    LessThanOrNull,
    InBetween,
    Search,
    StartsWith,
    EndsWith,
    NotContains,
    Includes,
    IncludesNone,
    MultiSearch,
}

impl OperatorName {
    /// The one table of the operators and their spelling (SPEC §3). A new operator is a row
    /// here, a variant above, its reading in `api/json/query.rs` and its meaning in `eval.rs`.
    pub const ALL: [(OperatorName, &'static str); 19] = [
        (OperatorName::EqualTo, "EqualTo"),
        (OperatorName::NotEqual, "NotEqual"),
        (OperatorName::EqualToOrNull, "EqualToOrNull"),
        (OperatorName::IsNull, "IsNull"),
        (OperatorName::NotNull, "NotNull"),
        (OperatorName::GreaterThan, "GreaterThan"),
        (OperatorName::GreaterThanOrEqual, "GreaterThanOrEqual"),
        (OperatorName::LessThan, "LessThan"),
        (OperatorName::LessThanOrEqual, "LessThanOrEqual"),
        (OperatorName::GreaterThanOrNull, "GreaterThanOrNull"),
        (OperatorName::LessThanOrNull, "LessThanOrNull"),
        (OperatorName::InBetween, "InBetween"),
        (OperatorName::Search, "Search"),
        (OperatorName::StartsWith, "StartsWith"),
        (OperatorName::EndsWith, "EndsWith"),
        (OperatorName::NotContains, "NotContains"),
        (OperatorName::Includes, "Includes"),
        (OperatorName::IncludesNone, "IncludesNone"),
        (OperatorName::MultiSearch, "MultiSearch"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(operator, _)| *operator == self)
            .map(|(_, name)| *name)
            .expect("every operator is in the table")
    }

    pub fn from_name(name: &str) -> Option<OperatorName> {
        Self::ALL
            .iter()
            .find(|(_, spelled)| *spelled == name)
            .map(|(operator, _)| *operator)
    }

    /// Every name, comma-separated, for error messages.
    pub fn all_names() -> String {
        Self::ALL.map(|(_, name)| name).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_reads_back_from_its_name() {
        for (operator, name) in OperatorName::ALL {
            assert_eq!(OperatorName::from_name(name), Some(operator));
            assert_eq!(operator.name(), name);
        }
        assert_eq!(OperatorName::from_name("equalTo"), None);
    }
}
