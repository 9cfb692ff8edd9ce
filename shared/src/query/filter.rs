//! `query` (SPEC §3): conditions on the item's fields, all AND-ed, and what each one means.
//!
//! [`Condition::matches`] is the one definition of every operator's meaning. The store pushes
//! the conditions DynamoDB evaluates exactly into a `FilterExpression`; the function always
//! applies [`Filter::matches`] to what comes back, so both paths give the same answer.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::model::{
    unwrap_typed_input, Field, FieldValue, Item, Kind, ObjectId, Relation, Timestamp,
};

/// A value a condition compares a field with, parsed for the field's kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Id(ObjectId),
    Text(String),
    Integer(i64),
    Date(Timestamp),
    Boolean(bool),
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

/// The parsed `query`: every condition must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
}

/// The names of the typed operators, as clients spell them in `_type`.
pub const OPERATOR_NAMES: [&str; 19] = [
    "EqualTo",
    "NotEqual",
    "EqualToOrNull",
    "IsNull",
    "NotNull",
    "GreaterThan",
    "GreaterThanOrEqual",
    "LessThan",
    "LessThanOrEqual",
    "GreaterThanOrNull",
    "LessThanOrNull",
    "InBetween",
    "Search",
    "StartsWith",
    "EndsWith",
    "NotContains",
    "Includes",
    "IncludesNone",
    "MultiSearch",
];

fn query_error(field: &str, problem: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Invalid query on \"{field}\": {problem}"))
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Id => "an id",
        Kind::Text => "text",
        Kind::Phone => "a phone number",
        Kind::Integer => "a number",
        Kind::Date => "a date",
        Kind::Boolean => "a boolean",
    }
}

/// Parses a value to compare `field` with.
fn scalar(field: Field, value: &Value) -> Result<Scalar, ApiError> {
    let name = field.name();
    let value = unwrap_typed_input(value).map_err(|problem| query_error(name, problem))?;
    match field.kind() {
        Kind::Id => ObjectId::parse(value)
            .map(Scalar::Id)
            .map_err(|rule| query_error(name, rule)),
        Kind::Date => Timestamp::parse(value)
            .map(Scalar::Date)
            .map_err(|rule| query_error(name, rule)),
        Kind::Text | Kind::Phone => match value {
            Value::String(text) => Ok(Scalar::Text(if field.kind() == Kind::Phone {
                text.trim().to_string()
            } else {
                text.clone()
            })),
            _ => Err(query_error(name, "the value must be a string")),
        },
        Kind::Integer => match value {
            Value::Number(number) => crate::model::integral(number)
                .map(Scalar::Integer)
                .ok_or_else(|| query_error(name, "the value must be a whole number")),
            Value::String(text) => text
                .trim()
                .parse::<i64>()
                .map(Scalar::Integer)
                .map_err(|_| query_error(name, "the value must be a whole number")),
            _ => Err(query_error(name, "the value must be a whole number")),
        },
        Kind::Boolean => match value {
            Value::Bool(flag) => Ok(Scalar::Boolean(*flag)),
            _ => Err(query_error(name, "the value must be true or false")),
        },
    }
}

fn scalars(field: Field, value: &Value) -> Result<Vec<Scalar>, ApiError> {
    let Value::Array(values) = value else {
        return Err(query_error(field.name(), "the value must be an array"));
    };
    values.iter().map(|value| scalar(field, value)).collect()
}

fn text_value(field: Field, object: &Map<String, Value>) -> Result<String, ApiError> {
    if !matches!(field.kind(), Kind::Text | Kind::Phone) {
        return Err(query_error(
            field.name(),
            format!("text operators do not apply to {}", kind_name(field.kind())),
        ));
    }
    match object.get("value") {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(query_error(
            field.name(),
            "the operator needs a text \"value\"",
        )),
    }
}

fn required<'a>(
    field: Field,
    object: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a Value, ApiError> {
    object
        .get(key)
        .ok_or_else(|| query_error(field.name(), format!("the operator needs \"{key}\"")))
}

fn ordered(field: Field) -> Result<(), ApiError> {
    match field.kind() {
        Kind::Integer | Kind::Date => Ok(()),
        kind => Err(query_error(
            field.name(),
            format!(
                "comparisons apply to numbers and dates, not {}",
                kind_name(kind)
            ),
        )),
    }
}

fn allowed_keys(
    field: Field,
    object: &Map<String, Value>,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(extra) => Err(query_error(
            field.name(),
            format!("unexpected \"{extra}\" in the operator"),
        )),
        None => Ok(()),
    }
}

/// Parses `{"_type": …}` on `field`.
fn typed_operator(
    field: Field,
    kind: &str,
    object: &Map<String, Value>,
) -> Result<Operator, ApiError> {
    let comparison = |comparison: Comparison, or_null: bool| -> Result<Operator, ApiError> {
        ordered(field)?;
        allowed_keys(field, object, &["_type", "value"])?;
        Ok(Operator::Compare {
            comparison,
            value: scalar(field, required(field, object, "value")?)?,
            or_null,
        })
    };
    let with_value = |keys: &[&str]| allowed_keys(field, object, keys);
    Ok(match kind {
        "EqualTo" | "NotEqual" | "EqualToOrNull" => {
            with_value(&["_type", "value"])?;
            let value = required(field, object, "value")?;
            if value.is_null() {
                return Err(query_error(
                    field.name(),
                    "the value must not be null; use IsNull",
                ));
            }
            let value = scalar(field, value)?;
            match kind {
                "EqualTo" => Operator::EqualTo(value),
                "NotEqual" => Operator::NotEqual(value),
                _ => Operator::EqualToOrNull(value),
            }
        }
        "IsNull" => {
            with_value(&["_type", "value"])?;
            Operator::IsNull
        }
        "NotNull" => {
            with_value(&["_type", "value"])?;
            Operator::NotNull
        }
        "GreaterThan" => comparison(Comparison::GreaterThan, false)?,
        "GreaterThanOrEqual" => comparison(Comparison::GreaterThanOrEqual, false)?,
        "LessThan" => comparison(Comparison::LessThan, false)?,
        "LessThanOrEqual" => comparison(Comparison::LessThanOrEqual, false)?,
        "GreaterThanOrNull" => comparison(Comparison::GreaterThan, true)?,
        "LessThanOrNull" => comparison(Comparison::LessThan, true)?,
        "InBetween" => {
            ordered(field)?;
            with_value(&["_type", "startValue", "endValue"])?;
            Operator::InBetween(
                scalar(field, required(field, object, "startValue")?)?,
                scalar(field, required(field, object, "endValue")?)?,
            )
        }
        "Search" | "StartsWith" | "EndsWith" | "NotContains" => {
            with_value(&["_type", "value"])?;
            let text = text_value(field, object)?;
            match kind {
                "Search" => Operator::Text(TextMatch::Contains, text),
                "StartsWith" => Operator::Text(TextMatch::StartsWith, text),
                "EndsWith" => Operator::Text(TextMatch::EndsWith, text),
                _ => Operator::NotContains(text),
            }
        }
        "Includes" | "IncludesNone" => {
            with_value(&["_type", "value"])?;
            let values = scalars(field, required(field, object, "value")?)?;
            if kind == "Includes" {
                Operator::Includes(values)
            } else {
                Operator::IncludesNone(values)
            }
        }
        other => {
            return Err(query_error(
                field.name(),
                format!(
                    "unknown operator \"{other}\"; the operators are: {}",
                    OPERATOR_NAMES.join(", ")
                ),
            ))
        }
    })
}

fn multi_search(key: &str, object: &Map<String, Value>) -> Result<Condition, ApiError> {
    if let Some(extra) = object
        .keys()
        .find(|k| !["_type", "value", "fields"].contains(&k.as_str()))
    {
        return Err(query_error(
            key,
            format!("unexpected \"{extra}\" in the operator"),
        ));
    }
    let Some(Value::String(text)) = object.get("value") else {
        return Err(query_error(key, "MultiSearch needs a text \"value\""));
    };
    let Some(Value::Array(names)) = object.get("fields") else {
        return Err(query_error(
            key,
            "MultiSearch needs \"fields\": an array of field names",
        ));
    };
    if names.is_empty() {
        return Err(query_error(
            key,
            "MultiSearch needs at least one field in \"fields\"",
        ));
    }
    let mut fields = Vec::with_capacity(names.len());
    for name in names {
        let field = name
            .as_str()
            .and_then(Field::from_name)
            .filter(|field| matches!(field.kind(), Kind::Text | Kind::Phone))
            .ok_or_else(|| {
                query_error(
                    key,
                    format!("MultiSearch fields must be text fields, not {name}"),
                )
            })?;
        fields.push(field);
    }
    Ok(Condition::MultiSearch {
        fields,
        text: text.clone(),
    })
}

impl Filter {
    pub fn parse(value: Option<&Value>) -> Result<Filter, ApiError> {
        let object = match value {
            None | Some(Value::Null) => return Ok(Filter::default()),
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "\"query\" must be an object such as {\"status\": \"Ringing\"}",
                ))
            }
        };
        let mut conditions = Vec::with_capacity(object.len());
        for (key, value) in object {
            // MultiSearch may sit under any key: the key adds no condition of its own.
            if let Some(inner) = value.as_object() {
                if inner.get("_type").and_then(Value::as_str) == Some("MultiSearch") {
                    conditions.push(multi_search(key, inner)?);
                    continue;
                }
            }
            let field = match (Field::from_name(key), Relation::from_name(key)) {
                (Some(field), _) => field,
                (None, Some(relation)) => relation.id_field(),
                (None, None) => {
                    return Err(ApiError::bad_request(format!(
                        "Unknown field \"{key}\" in query; the fields are: {}",
                        Field::all_names()
                    )))
                }
            };
            let operator = match value {
                Value::Null => Operator::IsNull,
                Value::Array(_) => Operator::Includes(scalars(field, value)?),
                Value::Object(inner) => match inner.get("_type") {
                    Some(Value::String(kind)) if !["ObjectID", "DateTime", "Phone"].contains(&kind.as_str()) => {
                        typed_operator(field, kind, inner)?
                    }
                    Some(Value::String(_)) => Operator::EqualTo(scalar(field, value)?),
                    Some(_) => return Err(query_error(key, "\"_type\" must be a string")),
                    None if Relation::from_name(key).is_some() && inner.len() == 1 && inner.contains_key("_id") => {
                        Operator::EqualTo(scalar(field, &inner["_id"])?)
                    }
                    None => {
                        return Err(query_error(
                            key,
                            "an object must be an operator with \"_type\", such as {\"_type\": \"EqualTo\", \"value\": …}",
                        ))
                    }
                },
                plain => Operator::EqualTo(scalar(field, plain)?),
            };
            conditions.push(Condition::Field { field, operator });
        }
        Ok(Filter { conditions })
    }

    pub fn matches(&self, item: &Item) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.matches(item))
    }

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

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
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
                other => conditions.push(other.clone()),
            }
        }
        Some(Filter { conditions })
    }

    /// Whether the filter is exactly "this call log" (so its counter answers a count).
    pub fn is_only_call_log(&self) -> bool {
        self.conditions.len() == 1 && self.call_log().is_some()
    }
}

/// Orders a field's value against a scalar of the same kind; `None` for null.
pub fn compare(value: FieldValue<'_>, scalar: &Scalar) -> Option<Ordering> {
    match (value, scalar) {
        (FieldValue::Id(a), Scalar::Id(b)) => Some(a.cmp(b)),
        (FieldValue::Text(a), Scalar::Text(b)) => Some(a.cmp(b.as_str())),
        (FieldValue::Integer(a), Scalar::Integer(b)) => Some(a.cmp(b)),
        (FieldValue::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
        (FieldValue::Boolean(a), Scalar::Boolean(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn equal(value: FieldValue<'_>, scalar: &Scalar) -> bool {
    compare(value, scalar) == Some(Ordering::Equal)
}

/// Case-insensitive text match; null never matches.
pub fn text_matches(value: FieldValue<'_>, how: TextMatch, needle: &str) -> bool {
    let FieldValue::Text(text) = value else {
        return false;
    };
    let text = text.to_lowercase();
    let needle = needle.to_lowercase();
    match how {
        TextMatch::Contains => text.contains(&needle),
        TextMatch::StartsWith => text.starts_with(&needle),
        TextMatch::EndsWith => text.ends_with(&needle),
    }
}

impl Operator {
    /// The meaning of each operator (SPEC §3), on one field's value.
    pub fn matches(&self, value: FieldValue<'_>) -> bool {
        let is_null = value == FieldValue::Null;
        match self {
            Operator::EqualTo(scalar) => equal(value, scalar),
            Operator::NotEqual(scalar) => !is_null && !equal(value, scalar),
            Operator::EqualToOrNull(scalar) => is_null || equal(value, scalar),
            Operator::IsNull => is_null,
            Operator::NotNull => !is_null,
            Operator::Compare {
                comparison,
                value: scalar,
                or_null,
            } => {
                if is_null {
                    return *or_null;
                }
                let Some(order) = compare(value, scalar) else {
                    return false;
                };
                match comparison {
                    Comparison::GreaterThan => order == Ordering::Greater,
                    Comparison::GreaterThanOrEqual => order != Ordering::Less,
                    Comparison::LessThan => order == Ordering::Less,
                    Comparison::LessThanOrEqual => order != Ordering::Greater,
                }
            }
            Operator::InBetween(start, end) => {
                compare(value, start).is_some_and(|order| order != Ordering::Less)
                    && compare(value, end).is_some_and(|order| order != Ordering::Greater)
            }
            Operator::Text(how, needle) => text_matches(value, *how, needle),
            Operator::NotContains(needle) => {
                is_null || !text_matches(value, TextMatch::Contains, needle)
            }
            Operator::Includes(values) => values.iter().any(|scalar| equal(value, scalar)),
            Operator::IncludesNone(values) => {
                !is_null && !values.iter().any(|scalar| equal(value, scalar))
            }
        }
    }
}

impl Condition {
    pub fn matches(&self, item: &Item) -> bool {
        match self {
            Condition::Field { field, operator } => operator.matches(item.get(*field)),
            Condition::MultiSearch { fields, text } => fields
                .iter()
                .any(|field| text_matches(item.get(*field), TextMatch::Contains, text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewItem;
    use serde_json::json;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn item(data: Value) -> Item {
        let project = ObjectId::parse_str(PROJECT).unwrap();
        NewItem::parse(data.as_object().unwrap(), project)
            .unwrap()
            .into_item(
                project,
                Timestamp::parse_str("2026-11-27T12:00:00Z").unwrap(),
            )
    }

    fn ringing() -> Item {
        item(json!({
            "incomingCallLogId": CALL_LOG, "status": "Ringing", "dialDurationInSeconds": 30,
            "userPhoneNumber": "+1 555-123-4567", "startedAt": "2026-11-27T11:00:00Z"
        }))
    }

    fn matches(query: Value, item: &Item) -> bool {
        Filter::parse(Some(&query)).unwrap().matches(item)
    }

    fn rejected(query: Value) -> String {
        let error = Filter::parse(Some(&query)).unwrap_err();
        assert_eq!(error.status(), 400);
        error.public_message()
    }

    #[test]
    fn plain_values_null_and_arrays() {
        let item = ringing();
        assert!(matches(json!({"status": "Ringing"}), &item));
        assert!(!matches(json!({"status": "ringing"}), &item));
        assert!(matches(json!({"statusMessage": null}), &item));
        assert!(!matches(json!({"startedAt": null}), &item));
        assert!(matches(json!({"status": ["Busy", "Ringing"]}), &item));
        assert!(!matches(json!({"status": []}), &item));
        assert!(matches(json!({"incomingCallLog": CALL_LOG}), &item));
        assert!(matches(
            json!({"isAnswered": false, "dialDurationInSeconds": 30}),
            &item
        ));
    }

    #[test]
    fn another_projects_id_matches_nothing() {
        assert!(!matches(
            json!({"projectId": "00000000-0000-4000-8000-000000000000"}),
            &ringing()
        ));
        assert!(matches(json!({"projectId": PROJECT}), &ringing()));
    }

    #[test]
    fn comparisons_and_their_null_variants() {
        let item = ringing();
        assert!(matches(
            json!({"dialDurationInSeconds": {"_type": "GreaterThan", "value": 29}}),
            &item
        ));
        assert!(!matches(
            json!({"dialDurationInSeconds": {"_type": "GreaterThan", "value": 30}}),
            &item
        ));
        assert!(matches(
            json!({"dialDurationInSeconds": {"_type": "LessThanOrEqual", "value": 30}}),
            &item
        ));
        assert!(!matches(
            json!({"endedAt": {"_type": "LessThan", "value": "2030-01-01T00:00:00Z"}}),
            &item
        ));
        assert!(matches(
            json!({"endedAt": {"_type": "LessThanOrNull", "value": "2000-01-01T00:00:00Z"}}),
            &item
        ));
        assert!(matches(
            json!({"startedAt": {"_type": "InBetween", "startValue": "2026-11-27T11:00:00Z", "endValue": "2026-11-27T11:00:00Z"}}),
            &item
        ));
    }

    #[test]
    fn text_operators_ignore_case_and_treat_null_as_stated() {
        let item = ringing();
        assert!(matches(
            json!({"status": {"_type": "Search", "value": "ING"}}),
            &item
        ));
        assert!(matches(
            json!({"status": {"_type": "StartsWith", "value": "ri"}}),
            &item
        ));
        assert!(matches(
            json!({"status": {"_type": "EndsWith", "value": "NG"}}),
            &item
        ));
        assert!(matches(
            json!({"statusMessage": {"_type": "NotContains", "value": "x"}}),
            &item
        ));
        assert!(!matches(
            json!({"statusMessage": {"_type": "Search", "value": ""}}),
            &item
        ));
        assert!(matches(
            json!({"any": {"_type": "MultiSearch", "value": "555", "fields": ["status", "userPhoneNumber"]}}),
            &item
        ));
    }

    #[test]
    fn not_equal_and_includes_none_never_match_null() {
        let item = ringing();
        assert!(!matches(
            json!({"statusMessage": {"_type": "NotEqual", "value": "x"}}),
            &item
        ));
        assert!(!matches(
            json!({"statusMessage": {"_type": "IncludesNone", "value": ["x"]}}),
            &item
        ));
        assert!(matches(
            json!({"status": {"_type": "IncludesNone", "value": []}}),
            &item
        ));
        assert!(matches(
            json!({"statusMessage": {"_type": "EqualToOrNull", "value": "x"}}),
            &item
        ));
    }

    #[test]
    fn what_does_not_fit_is_rejected_naming_the_field() {
        assert!(rejected(json!({"colour": "red"})).contains("colour"));
        assert!(rejected(json!({"status": {"_type": "Fuzzy", "value": "x"}})).contains("Fuzzy"));
        assert!(
            rejected(json!({"isAnswered": {"_type": "GreaterThan", "value": true}}))
                .contains("isAnswered")
        );
        assert!(
            rejected(json!({"startedAt": {"_type": "GreaterThan", "value": "soon"}}))
                .contains("startedAt")
        );
        assert!(rejected(
            json!({"startedAt": {"_type": "InBetween", "startValue": "2026-11-27T11:00:00Z"}})
        )
        .contains("endValue"));
        assert!(
            rejected(json!({"dialDurationInSeconds": {"_type": "Search", "value": "1"}}))
                .contains("dialDurationInSeconds")
        );
        assert!(rejected(json!({"isAnswered": "yes"})).contains("isAnswered"));
        assert!(rejected(json!({"_id": "abc"})).contains("_id"));
        assert!(rejected(json!({"status": {"value": "x"}})).contains("status"));
        assert!(rejected(json!({"status": {"_type": "EqualTo"}})).contains("value"));
        assert!(rejected(json!(["status"])).contains("query"));
    }

    #[test]
    fn project_conditions_are_settled_for_the_keys_project() {
        let project = ObjectId::parse_str(PROJECT).unwrap();
        let own = Filter::parse(Some(&json!({"projectId": PROJECT, "status": "x"}))).unwrap();
        assert_eq!(own.for_project(project).unwrap().conditions.len(), 1);
        let other = Filter::parse(Some(&json!({"projectId": CALL_LOG}))).unwrap();
        assert_eq!(other.for_project(project), None);
        let nothing = Filter::parse(Some(&json!({"status": []}))).unwrap();
        assert_eq!(nothing.for_project(project), None);
    }

    #[test]
    fn the_call_log_is_found_only_from_plain_equality() {
        let filter = Filter::parse(Some(&json!({"incomingCallLogId": CALL_LOG}))).unwrap();
        assert_eq!(filter.call_log().unwrap().to_string(), CALL_LOG);
        let filter = Filter::parse(Some(&json!({"incomingCallLogId": [CALL_LOG]}))).unwrap();
        assert_eq!(filter.call_log(), None);
    }
}
