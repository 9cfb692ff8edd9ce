//! Everything the API reads from JSON, in one place: the body itself, its envelope (`data`,
//! the keys each operation accepts), the reference product's typed wrappers
//! (`{"_type": "ObjectID" | "DateTime" | "Phone", "value": …}`), integral numbers such as
//! `10.0` and digit strings such as `"10"`. What comes out are the domain's own types: the
//! model and the query never see JSON.

mod item;
mod list;
mod query;

use serde_json::{Map, Value};

pub use item::{new_item, patch};
pub use list::{cursor_text, paging, select, sort};
pub use query::filter;

use super::error::{QueryProblem, RequestError};
use super::request::ApiRequest;
use crate::model::{Field, FieldError, Input, Kind};

/// The reference product's typed input wrappers: `{"_type": "ObjectID", "value": ...}`.
pub const WRAPPERS: [&str; 3] = ["ObjectID", "DateTime", "Phone"];

/// The body as JSON; an empty body is `null`.
pub fn body(request: &ApiRequest) -> Result<Value, RequestError> {
    let bytes = request.body();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| RequestError::BodyNotUtf8)?;
    serde_json::from_str(text).map_err(|error| RequestError::BodyNotJson(error.to_string()))
}

/// The body as an object whose keys are among `allowed`; an empty body is an empty object.
pub fn body_object(
    request: &ApiRequest,
    allowed: &'static [&'static str],
) -> Result<Map<String, Value>, RequestError> {
    let object = match body(request)? {
        Value::Null => Map::new(),
        Value::Object(object) => object,
        _ => return Err(RequestError::BodyNotObject),
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(RequestError::UnknownBodyField {
            field: unknown.clone(),
            allowed,
        });
    }
    Ok(object)
}

/// The `data` object of a create or update body, `{"data": {...}}` and nothing else.
pub fn data_object(body: &Value) -> Result<&Map<String, Value>, RequestError> {
    let Some(object) = body.as_object() else {
        return Err(RequestError::NotADataBody);
    };
    if let Some(extra) = object.keys().find(|key| key.as_str() != "data") {
        return Err(RequestError::UnknownTopLevelField(extra.clone()));
    }
    match object.get("data") {
        Some(Value::Object(data)) => Ok(data),
        Some(_) => Err(RequestError::DataNotObject),
        None => Err(RequestError::NoData),
    }
}

/// Unwraps `{"_type": "ObjectID" | "DateTime" | "Phone", "value": v}` to `v`; any other value
/// passes as it is.
pub fn unwrap_wrapper(value: &Value) -> Result<&Value, QueryProblem> {
    let Some(object) = value.as_object() else {
        return Ok(value);
    };
    match object.get("_type").and_then(Value::as_str) {
        Some(kind) if WRAPPERS.contains(&kind) => {
            if object.len() != 2 {
                return Err(QueryProblem::WrapperKeys(kind.to_string()));
            }
            object
                .get("value")
                .ok_or_else(|| QueryProblem::WrapperValue(kind.to_string()))
        }
        _ => Ok(value),
    }
}

/// The fingerprint of a request, for its Idempotency-Key (SPEC §4): SHA-256 of the method, the
/// route and the body as canonical JSON (object keys sorted, no spaces), so the same request
/// with its keys in another order is the same request.
pub fn fingerprint(method: &str, route: &str, body: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut text = format!("{} {route}\n", method.to_ascii_uppercase());
    canonical(body, &mut text);
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (n, key) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&object[key], out);
            }
            out.push('}');
        }
        Value::Array(values) => {
            out.push('[');
            for (n, value) in values.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical(value, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A JSON number with no fractional part, as JSON Schema's `integer` counts it (`10`, `10.0`).
pub fn integral(number: &serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        let float = number.as_f64()?;
        (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
    })
}

/// Whether `text` is the digit string a whole-number field accepts for a number (`"10"`).
fn is_digit_string(text: &str) -> bool {
    !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A JSON value as the model's [`Input`], the way a field of `kind` reads it: ids, dates and
/// phone numbers may come in a typed wrapper, whole numbers as a digit string.
pub fn read(kind: Kind, value: &Value) -> Result<Input<'_>, String> {
    let unwrapped = match kind {
        Kind::Id | Kind::Date | Kind::Phone => {
            unwrap_wrapper(value).map_err(|problem| problem.to_string())?
        }
        Kind::Text | Kind::Integer | Kind::Boolean => value,
    };
    // A wrapper holds a value; a wrapped null is not the field's null.
    if unwrapped.is_null() && !value.is_null() {
        return Ok(Input::Other);
    }
    Ok(match unwrapped {
        Value::Null => Input::Null,
        Value::Bool(flag) => Input::Boolean(*flag),
        Value::Number(number) => integral(number).map_or(Input::Other, Input::Integer),
        Value::String(text) if kind == Kind::Integer && is_digit_string(text) => {
            text.parse().map_or(Input::Other, Input::Integer)
        }
        Value::String(text) => Input::Text(text),
        Value::Array(_) | Value::Object(_) => Input::Other,
    })
}

/// [`read`] for one field; a malformed wrapper names the field.
pub fn input(field: Field, value: &Value) -> Result<Input<'_>, FieldError> {
    read(field.kind(), value).map_err(|rule| FieldError::new(field.name(), rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_wrappers_unwrap_for_ids_dates_and_phones_only() {
        let id = json!({"_type": "ObjectID", "value": "550e8400-e29b-41d4-a716-446655440000"});
        assert_eq!(
            read(Kind::Id, &id).unwrap(),
            Input::Text("550e8400-e29b-41d4-a716-446655440000")
        );
        let date = json!({"_type": "DateTime", "value": "2026-11-27T18:24:15Z"});
        assert_eq!(
            read(Kind::Date, &date).unwrap(),
            Input::Text("2026-11-27T18:24:15Z")
        );
        let phone = json!({"_type": "Phone", "value": "+15551234567"});
        assert_eq!(
            read(Kind::Phone, &phone).unwrap(),
            Input::Text("+15551234567")
        );
        assert_eq!(read(Kind::Text, &phone).unwrap(), Input::Other);
    }

    #[test]
    fn a_wrapped_null_is_not_a_null() {
        let wrapped = json!({"_type": "DateTime", "value": null});
        assert_eq!(read(Kind::Date, &wrapped).unwrap(), Input::Other);
        assert_eq!(read(Kind::Date, &json!(null)).unwrap(), Input::Null);
    }

    #[test]
    fn a_wrapper_with_other_keys_is_refused() {
        let wrapped = json!({"_type": "ObjectID", "value": "x", "extra": 1});
        assert!(read(Kind::Id, &wrapped).unwrap_err().contains("exactly"));
        let error = input(Field::UserId, &wrapped).unwrap_err();
        assert_eq!(error.field, "userId");
    }

    #[test]
    fn whole_numbers_may_be_integral_numbers_or_digit_strings() {
        assert_eq!(read(Kind::Integer, &json!(10)).unwrap(), Input::Integer(10));
        assert_eq!(
            read(Kind::Integer, &json!(10.0)).unwrap(),
            Input::Integer(10)
        );
        assert_eq!(
            read(Kind::Integer, &json!("10")).unwrap(),
            Input::Integer(10)
        );
        assert_eq!(read(Kind::Integer, &json!(2.5)).unwrap(), Input::Other);
        assert_eq!(read(Kind::Integer, &json!(1e300)).unwrap(), Input::Other);
        for text in ["-1", "", "1e3", " 1", "99999999999"] {
            assert_eq!(
                read(Kind::Integer, &json!(text)).unwrap(),
                Input::Text(text)
            );
        }
        // Digit strings are numbers only where the field is a number.
        assert_eq!(read(Kind::Text, &json!("10")).unwrap(), Input::Text("10"));
    }

    #[test]
    fn other_shapes_keep_their_kind() {
        assert_eq!(
            read(Kind::Boolean, &json!(true)).unwrap(),
            Input::Boolean(true)
        );
        assert_eq!(read(Kind::Text, &json!(null)).unwrap(), Input::Null);
        assert_eq!(read(Kind::Text, &json!([])).unwrap(), Input::Other);
        assert_eq!(read(Kind::Text, &json!({})).unwrap(), Input::Other);
    }

    #[test]
    fn a_fingerprint_ignores_key_order_and_spacing_but_not_values() {
        let a =
            json!({"data": {"status": "x", "incomingCallLogId": "y", "n": [1, {"b": 2, "a": 1}]}});
        let b: Value = serde_json::from_str(
            r#"{ "data" : { "n": [1, {"a": 1, "b": 2}], "incomingCallLogId": "y", "status": "x" } }"#,
        )
        .unwrap();
        assert_eq!(fingerprint("POST", "/r", &a), fingerprint("post", "/r", &b));
        let c =
            json!({"data": {"status": "z", "incomingCallLogId": "y", "n": [1, {"b": 2, "a": 1}]}});
        assert_ne!(fingerprint("POST", "/r", &a), fingerprint("POST", "/r", &c));
        assert_ne!(fingerprint("POST", "/r", &a), fingerprint("PUT", "/r", &a));
    }

    #[test]
    fn data_must_be_an_object_under_data() {
        assert!(data_object(&json!({"data": {}})).is_ok());
        for (body, error) in [
            (json!([]), RequestError::NotADataBody),
            (json!({}), RequestError::NoData),
            (json!({"data": 1}), RequestError::DataNotObject),
            (
                json!({"data": {}, "x": 1}),
                RequestError::UnknownTopLevelField("x".into()),
            ),
            (json!(null), RequestError::NotADataBody),
        ] {
            assert_eq!(data_object(&body).unwrap_err(), error, "{body}");
        }
    }
}
