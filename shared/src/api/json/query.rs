//! The query language (SPEC §3) read from JSON into the query's syntax tree
//! ([`crate::query::Filter`]): plain values, null, arrays, typed operators, `MultiSearch`, and
//! relation names for their `…Id` field. Every refusal names the field.

use serde_json::{Map, Value};

use super::{integral, unwrap_wrapper, WRAPPERS};
use crate::api::error::{QueryProblem as P, RequestError};
use crate::model::{Field, Kind, ObjectId, Relation, Timestamp};
use crate::query::{Comparison, Condition, Filter, Operator, OperatorName, Scalar, TextMatch};

/// Parses a value to compare `field` with.
fn scalar(field: Field, value: &Value) -> Result<Scalar, RequestError> {
    let name = field.name();
    let value = unwrap_wrapper(value).map_err(|problem| RequestError::query(name, problem))?;
    match field.kind() {
        Kind::Id => match value {
            Value::String(text) => ObjectId::parse(text)
                .map(Scalar::Id)
                .map_err(|rule| RequestError::query(name, P::Value(rule.to_string()))),
            _ => Err(RequestError::query(name, P::NotAnId)),
        },
        Kind::Date => match value {
            Value::String(text) => Timestamp::parse(text)
                .map(Scalar::Date)
                .map_err(|rule| RequestError::query(name, P::Value(rule.to_string()))),
            _ => Err(RequestError::query(name, P::NotADate)),
        },
        Kind::Text | Kind::Phone => match value {
            // Longer than any stored value: it could match nothing, and where it would become
            // part of a key (a status's index entries and counter) DynamoDB refuses it.
            Value::String(text)
                if field
                    .max_chars()
                    .is_some_and(|max| text.trim().chars().count() > max) =>
            {
                Err(RequestError::query(
                    name,
                    P::TooLong(field.max_chars().unwrap_or_default()),
                ))
            }
            Value::String(text) => Ok(Scalar::Text(if field.kind() == Kind::Phone {
                text.trim().to_string()
            } else {
                text.clone()
            })),
            _ => Err(RequestError::query(name, P::NotText)),
        },
        Kind::Integer => match value {
            Value::Number(number) => integral(number)
                .map(Scalar::Integer)
                .ok_or_else(|| RequestError::query(name, P::NotAWholeNumber)),
            Value::String(text) => text
                .trim()
                .parse::<i64>()
                .map(Scalar::Integer)
                .map_err(|_| RequestError::query(name, P::NotAWholeNumber)),
            _ => Err(RequestError::query(name, P::NotAWholeNumber)),
        },
        Kind::Boolean => match value {
            Value::Bool(flag) => Ok(Scalar::Boolean(*flag)),
            _ => Err(RequestError::query(name, P::NotABoolean)),
        },
    }
}

fn scalars(field: Field, value: &Value) -> Result<Vec<Scalar>, RequestError> {
    let Value::Array(values) = value else {
        return Err(RequestError::query(field.name(), P::NotAnArray));
    };
    values.iter().map(|value| scalar(field, value)).collect()
}

fn text_value(field: Field, object: &Map<String, Value>) -> Result<String, RequestError> {
    if !matches!(field.kind(), Kind::Text | Kind::Phone) {
        return Err(RequestError::query(
            field.name(),
            P::TextOperatorOn(field.kind()),
        ));
    }
    match object.get("value") {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(RequestError::query(field.name(), P::NeedsText)),
    }
}

fn required<'a>(
    field: Field,
    object: &'a Map<String, Value>,
    key: &'static str,
) -> Result<&'a Value, RequestError> {
    object
        .get(key)
        .ok_or_else(|| RequestError::query(field.name(), P::Needs(key)))
}

fn ordered(field: Field) -> Result<(), RequestError> {
    match field.kind() {
        Kind::Integer | Kind::Date => Ok(()),
        kind => Err(RequestError::query(field.name(), P::ComparisonOn(kind))),
    }
}

fn allowed_keys(
    field: Field,
    object: &Map<String, Value>,
    allowed: &[&str],
) -> Result<(), RequestError> {
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(extra) => Err(RequestError::query(
            field.name(),
            P::Unexpected(extra.clone()),
        )),
        None => Ok(()),
    }
}

/// Parses `{"_type": …}` on `field`.
fn typed_operator(
    field: Field,
    kind: &str,
    object: &Map<String, Value>,
) -> Result<Operator, RequestError> {
    let comparison = |comparison: Comparison, or_null: bool| -> Result<Operator, RequestError> {
        ordered(field)?;
        allowed_keys(field, object, &["_type", "value"])?;
        Ok(Operator::Compare {
            comparison,
            value: scalar(field, required(field, object, "value")?)?,
            or_null,
        })
    };
    let with_value = |keys: &[&str]| allowed_keys(field, object, keys);
    let Some(operator) = OperatorName::from_name(kind) else {
        return Err(RequestError::query(
            field.name(),
            P::UnknownOperator(kind.to_string()),
        ));
    };
    Ok(match operator {
        OperatorName::EqualTo | OperatorName::NotEqual | OperatorName::EqualToOrNull => {
            with_value(&["_type", "value"])?;
            let value = required(field, object, "value")?;
            if value.is_null() {
                return Err(RequestError::query(field.name(), P::Null));
            }
            let value = scalar(field, value)?;
            match operator {
                OperatorName::EqualTo => Operator::EqualTo(value),
                OperatorName::NotEqual => Operator::NotEqual(value),
                _ => Operator::EqualToOrNull(value),
            }
        }
        OperatorName::IsNull => {
            with_value(&["_type", "value"])?;
            Operator::IsNull
        }
        OperatorName::NotNull => {
            with_value(&["_type", "value"])?;
            Operator::NotNull
        }
        OperatorName::GreaterThan => comparison(Comparison::GreaterThan, false)?,
        OperatorName::GreaterThanOrEqual => comparison(Comparison::GreaterThanOrEqual, false)?,
        OperatorName::LessThan => comparison(Comparison::LessThan, false)?,
        OperatorName::LessThanOrEqual => comparison(Comparison::LessThanOrEqual, false)?,
        OperatorName::GreaterThanOrNull => comparison(Comparison::GreaterThan, true)?,
        OperatorName::LessThanOrNull => comparison(Comparison::LessThan, true)?,
        OperatorName::InBetween => {
            ordered(field)?;
            with_value(&["_type", "startValue", "endValue"])?;
            Operator::InBetween(
                scalar(field, required(field, object, "startValue")?)?,
                scalar(field, required(field, object, "endValue")?)?,
            )
        }
        OperatorName::Search
        | OperatorName::StartsWith
        | OperatorName::EndsWith
        | OperatorName::NotContains => {
            with_value(&["_type", "value"])?;
            let text = text_value(field, object)?;
            match operator {
                OperatorName::Search => Operator::Text(TextMatch::Contains, text),
                OperatorName::StartsWith => Operator::Text(TextMatch::StartsWith, text),
                OperatorName::EndsWith => Operator::Text(TextMatch::EndsWith, text),
                _ => Operator::NotContains(text),
            }
        }
        OperatorName::Includes | OperatorName::IncludesNone => {
            with_value(&["_type", "value"])?;
            let values = scalars(field, required(field, object, "value")?)?;
            if operator == OperatorName::Includes {
                Operator::Includes(values)
            } else {
                Operator::IncludesNone(values)
            }
        }
        // `filter` reads MultiSearch under any key before it looks for a field, so it only
        // gets here if that changes; then it is refused like a malformed one.
        OperatorName::MultiSearch => {
            return Err(RequestError::query(field.name(), P::MultiSearchShape))
        }
    })
}

fn multi_search(key: &str, object: &Map<String, Value>) -> Result<Condition, RequestError> {
    if let Some(extra) = object
        .keys()
        .find(|k| !["_type", "value", "fields"].contains(&k.as_str()))
    {
        return Err(RequestError::query(key, P::Unexpected(extra.clone())));
    }
    let Some(Value::String(text)) = object.get("value") else {
        return Err(RequestError::query(key, P::MultiSearchText));
    };
    let Some(Value::Array(names)) = object.get("fields") else {
        return Err(RequestError::query(key, P::MultiSearchFields));
    };
    if names.is_empty() {
        return Err(RequestError::query(key, P::MultiSearchNoField));
    }
    let mut fields = Vec::with_capacity(names.len());
    for name in names {
        let field = name
            .as_str()
            .and_then(Field::from_name)
            .filter(|field| matches!(field.kind(), Kind::Text | Kind::Phone))
            .ok_or_else(|| RequestError::query(key, P::MultiSearchNotText(name.to_string())))?;
        fields.push(field);
    }
    Ok(Condition::MultiSearch {
        fields,
        text: text.clone(),
    })
}

/// An object under `key`: a typed operator, a typed value (equality), or a relation's
/// `{"_id": …}` (equality on its id field).
fn object_operator(
    key: &str,
    field: Field,
    value: &Value,
    object: &Map<String, Value>,
) -> Result<Operator, RequestError> {
    let relation_id = Relation::from_name(key).is_some() && object.len() == 1;
    match object.get("_type") {
        Some(Value::String(kind)) if !WRAPPERS.contains(&kind.as_str()) => {
            typed_operator(field, kind, object)
        }
        Some(Value::String(_)) => Ok(Operator::EqualTo(scalar(field, value)?)),
        Some(_) => Err(RequestError::query(key, P::TypeNotText)),
        None if relation_id && object.contains_key("_id") => {
            Ok(Operator::EqualTo(scalar(field, &object["_id"])?))
        }
        None => Err(RequestError::query(key, P::NotAnOperator)),
    }
}

/// `query`: an object of conditions, all AND-ed.
pub fn filter(value: Option<&Value>) -> Result<Filter, RequestError> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Filter::default()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(RequestError::QueryNotObject),
    };
    let mut conditions = Vec::with_capacity(object.len());
    for (key, value) in object {
        // MultiSearch may sit under any key: the key adds no condition of its own.
        if let Some(inner) = value.as_object() {
            let kind = inner.get("_type").and_then(Value::as_str);
            if kind.and_then(OperatorName::from_name) == Some(OperatorName::MultiSearch) {
                conditions.push(multi_search(key, inner)?);
                continue;
            }
        }
        let field = match (Field::from_name(key), Relation::from_name(key)) {
            (Some(field), _) => field,
            (None, Some(relation)) => relation.id_field(),
            (None, None) => return Err(RequestError::UnknownQueryField(key.clone())),
        };
        let operator = match value {
            Value::Null => Operator::IsNull,
            Value::Array(_) => Operator::Includes(scalars(field, value)?),
            Value::Object(inner) => object_operator(key, field, value, inner)?,
            plain => Operator::EqualTo(scalar(field, plain)?),
        };
        conditions.push(Condition::Field { field, operator });
    }
    Ok(Filter { conditions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::json::new_item;
    use crate::model::Item;
    use serde_json::json;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn item(data: Value) -> Item {
        let project = ObjectId::parse(PROJECT).unwrap();
        new_item(&json!({ "data": data }), project)
            .unwrap()
            .into_item(project, Timestamp::parse("2026-11-27T12:00:00Z").unwrap())
    }

    fn ringing() -> Item {
        item(json!({
            "incomingCallLogId": CALL_LOG, "status": "Ringing", "dialDurationInSeconds": 30,
            "userPhoneNumber": "+1 555-123-4567", "startedAt": "2026-11-27T11:00:00Z"
        }))
    }

    fn matches(query: Value, item: &Item) -> bool {
        filter(Some(&query)).unwrap().matches(item)
    }

    fn rejected(query: Value) -> RequestError {
        filter(Some(&query)).unwrap_err()
    }

    fn on(key: &str, problem: P) -> RequestError {
        RequestError::query(key, problem)
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
        // A whole number may come as its digits, as skip and limit may.
        assert!(matches(json!({"dialDurationInSeconds": " 30"}), &item));
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
        let cases = [
            (
                json!({"colour": "red"}),
                RequestError::UnknownQueryField("colour".into()),
            ),
            (
                json!({"status": {"_type": "Fuzzy", "value": "x"}}),
                on("status", P::UnknownOperator("Fuzzy".into())),
            ),
            (
                json!({"isAnswered": {"_type": "GreaterThan", "value": true}}),
                on("isAnswered", P::ComparisonOn(Kind::Boolean)),
            ),
            (
                json!({"startedAt": {"_type": "InBetween", "startValue": "2026-11-27T11:00:00Z"}}),
                on("startedAt", P::Needs("endValue")),
            ),
            (
                json!({"dialDurationInSeconds": {"_type": "Search", "value": "1"}}),
                on("dialDurationInSeconds", P::TextOperatorOn(Kind::Integer)),
            ),
            (
                json!({"isAnswered": "yes"}),
                on("isAnswered", P::NotABoolean),
            ),
            (
                json!({"status": {"value": "x"}}),
                on("status", P::NotAnOperator),
            ),
            (
                json!({"status": {"_type": "EqualTo"}}),
                on("status", P::Needs("value")),
            ),
            (json!(["status"]), RequestError::QueryNotObject),
            // An operator where a value belongs, inside a value or inside a list.
            (
                json!({"status": {"_type": "EqualTo", "value": {"_type": "EqualTo", "value": "x"}}}),
                on("status", P::NotText),
            ),
            (
                json!({"status": {"_type": "Includes", "value": [{"_type": "Search", "value": "x"}]}}),
                on("status", P::NotText),
            ),
            (
                json!({"status": {"_type": "Includes", "value": "x"}}),
                on("status", P::NotAnArray),
            ),
            (
                json!({"dialDurationInSeconds": {"_type": "GreaterThan", "value": "NaN"}}),
                on("dialDurationInSeconds", P::NotAWholeNumber),
            ),
            (
                json!({"status": {"_type": 5}}),
                on("status", P::TypeNotText),
            ),
            (
                json!({"status": {"_type": "MultiSearch", "value": "x", "fields": []}}),
                on("status", P::MultiSearchNoField),
            ),
            (
                json!({"status": {"_type": "MultiSearch", "value": "x", "fields": ["projectId"]}}),
                on("status", P::MultiSearchNotText("\"projectId\"".into())),
            ),
            // Longer than any stored value (and too long for a key): the field's limit is named.
            (
                json!({ "status": "x".repeat(101) }),
                on("status", P::TooLong(100)),
            ),
            (
                json!({ "statusMessage": "x".repeat(501) }),
                on("statusMessage", P::TooLong(500)),
            ),
            (
                json!({ "userPhoneNumber": { "_type": "EqualTo", "value": "x".repeat(101) } }),
                on("userPhoneNumber", P::TooLong(30)),
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(rejected(query.clone()), expected, "{query}");
        }
        // A value its field's own rule refuses: the rule's words.
        assert!(matches!(
            rejected(json!({"startedAt": {"_type": "GreaterThan", "value": "soon"}})),
            RequestError::Query { key, problem: P::Value(_) } if key == "startedAt"
        ));
        assert!(matches!(
            rejected(json!({"_id": "abc"})),
            RequestError::Query { key, problem: P::Value(_) } if key == "_id"
        ));
    }

    #[test]
    fn relation_names_with_an_id_or_its_object_mean_the_id_field() {
        let by_id = filter(Some(&json!({"incomingCallLog": CALL_LOG}))).unwrap();
        let by_object = filter(Some(&json!({"incomingCallLog": {"_id": CALL_LOG}}))).unwrap();
        assert_eq!(by_id, by_object);
        assert_eq!(by_id.call_log().unwrap().to_string(), CALL_LOG);
    }

    #[test]
    fn every_operator_name_of_the_table_is_read() {
        for operator in OperatorName::ALL {
            let name = operator.name();
            let (key, query) = match operator {
                OperatorName::MultiSearch => (
                    "any",
                    json!({"_type": name, "value": "x", "fields": ["status"]}),
                ),
                OperatorName::InBetween => (
                    "dialDurationInSeconds",
                    json!({"_type": name, "startValue": 1, "endValue": 2}),
                ),
                OperatorName::Includes | OperatorName::IncludesNone => {
                    ("status", json!({"_type": name, "value": ["x"]}))
                }
                OperatorName::GreaterThan
                | OperatorName::GreaterThanOrEqual
                | OperatorName::LessThan
                | OperatorName::LessThanOrEqual
                | OperatorName::GreaterThanOrNull
                | OperatorName::LessThanOrNull => {
                    ("dialDurationInSeconds", json!({"_type": name, "value": 3}))
                }
                OperatorName::IsNull | OperatorName::NotNull => {
                    ("statusMessage", json!({"_type": name}))
                }
                _ => ("status", json!({"_type": name, "value": "x"})),
            };
            let parsed = filter(Some(&json!({ key: query })));
            assert!(parsed.is_ok(), "{name}: {parsed:?}");
        }
    }

    #[test]
    fn typed_wrappers_are_plain_equality() {
        let wrapped = filter(Some(
            &json!({"userId": {"_type": "ObjectID", "value": CALL_LOG}}),
        ))
        .unwrap();
        let plain = filter(Some(&json!({"userId": CALL_LOG}))).unwrap();
        assert_eq!(wrapped, plain);
    }
}
