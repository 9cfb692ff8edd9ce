//! The parts of a list body besides `query`: `skip` and `limit` (query string first, then
//! body), `select`, `sort` and `cursor`.

use serde_json::{Map, Value};

use super::integral;
use crate::api::error::RequestError;
use crate::api::request::ApiRequest;
use crate::model::Field;
use crate::query::{Direction, Paging, Select, Selected, Sort};

/// `skip` and `limit`: each from the query string, else from the body; validated.
pub fn paging(
    query_skip: Option<&str>,
    query_limit: Option<&str>,
    body_skip: Option<&Value>,
    body_limit: Option<&Value>,
) -> Result<Paging, RequestError> {
    let limit = match (query_limit, body_limit) {
        (Some(text), _) => limit(&Value::String(text.to_string()))?,
        (None, Some(value)) => limit(value)?,
        (None, None) => Paging::DEFAULT_LIMIT,
    };
    let skip = match (query_skip, body_skip) {
        (Some(text), _) => skip(&Value::String(text.to_string()))?,
        (None, Some(value)) => skip(value)?,
        (None, None) => 0,
    };
    Ok(Paging { skip, limit })
}

/// An integer given as a JSON number or as decimal digits in a string.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => integral(number),
        Value::String(text) => {
            let text = text.trim();
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            text.parse().ok()
        }
        _ => None,
    }
}

fn limit(value: &Value) -> Result<u32, RequestError> {
    match integer(value) {
        Some(limit) if (1..=i64::from(Paging::MAX_LIMIT)).contains(&limit) => Ok(limit as u32),
        _ => Err(RequestError::Limit),
    }
}

fn skip(value: &Value) -> Result<u64, RequestError> {
    match integer(value) {
        Some(skip) if (0..=Paging::MAX_SKIP as i64).contains(&skip) => Ok(skip as u64),
        _ => Err(RequestError::Skip),
    }
}

/// `select`: `{"field": true, …}`; a relation may also be `{"_id": true}`.
pub fn select(value: Option<&Value>) -> Result<Select, RequestError> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Select::default()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(RequestError::SelectNotObject),
    };
    let mut wanted = Vec::with_capacity(object.len());
    for (name, flag) in object {
        let selected = Selected::from_name(name);
        let on = match (selected, flag) {
            (_, Value::Bool(on)) => *on,
            (Some(Selected::Relation(_)), Value::Object(sub)) => {
                // {"project": {"_id": true}} is the relation's only field.
                if let Some(other) = sub.keys().find(|key| key.as_str() != "_id") {
                    return Err(RequestError::SelectInRelation {
                        relation: name.clone(),
                        field: other.clone(),
                    });
                }
                true
            }
            _ => return Err(RequestError::SelectValue(name.clone())),
        };
        let Some(selected) = selected else {
            return Err(RequestError::UnknownSelectField(name.clone()));
        };
        if on {
            wanted.push(selected);
        }
    }
    Ok(Select::new(wanted))
}

fn direction(value: &Value) -> Option<Direction> {
    match value {
        Value::String(text) => match text.as_str() {
            "ASC" | "asc" => Some(Direction::Ascending),
            "DESC" | "desc" => Some(Direction::Descending),
            _ => None,
        },
        Value::Number(number) => match number.as_i64() {
            Some(1) => Some(Direction::Ascending),
            Some(-1) => Some(Direction::Descending),
            _ => None,
        },
        _ => None,
    }
}

/// `sort`: `{"field": "ASC" | "DESC" | "asc" | "desc" | 1 | -1, …}`, applied in order.
pub fn sort(value: Option<&Value>) -> Result<Sort, RequestError> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Sort::default()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(RequestError::SortNotObject),
    };
    let mut keys = Vec::with_capacity(object.len());
    for (name, value) in object {
        let Some(field) = Field::from_name(name) else {
            return Err(RequestError::UnknownSortField(name.clone()));
        };
        let Some(direction) = direction(value) else {
            return Err(RequestError::SortDirection(name.clone()));
        };
        keys.push((field, direction));
    }
    Ok(Sort::new(keys))
}

/// The cursor sent with the request, from the query string or else the body.
pub fn cursor_text<'a>(
    request: &'a ApiRequest,
    body: &'a Map<String, Value>,
) -> Result<Option<&'a str>, RequestError> {
    if let Some(cursor) = request.query_param("cursor") {
        return Ok(Some(cursor));
    }
    match body.get("cursor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(cursor)) => Ok(Some(cursor)),
        Some(_) => Err(RequestError::CursorNotText),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_skip_0_limit_10() {
        assert_eq!(
            paging(None, None, None, None).unwrap(),
            Paging { skip: 0, limit: 10 }
        );
    }

    #[test]
    fn the_query_string_wins_over_the_body() {
        let paging = paging(Some("5"), Some("20"), Some(&json!(1)), Some(&json!(2))).unwrap();
        assert_eq!(paging, Paging { skip: 5, limit: 20 });
    }

    #[test]
    fn body_values_may_be_numbers_or_digit_strings() {
        let paging = paging(None, None, Some(&json!("3")), Some(&json!(7.0))).unwrap();
        assert_eq!(paging, Paging { skip: 3, limit: 7 });
    }

    #[test]
    fn out_of_range_or_malformed_values_are_rejected() {
        for limit in ["0", "-1", "101", "abc", "2.5", ""] {
            let error = paging(None, Some(limit), None, None);
            assert_eq!(error, Err(RequestError::Limit), "{limit}");
        }
        for skip in ["-1", "abc", "1.5", "99999999999999999999"] {
            let error = paging(Some(skip), None, None, None);
            assert_eq!(error, Err(RequestError::Skip), "{skip}");
        }
        for limit in [json!(true), json!(null)] {
            let error = paging(None, None, None, Some(&limit));
            assert_eq!(error, Err(RequestError::Limit), "{limit}");
        }
    }

    #[test]
    fn a_missing_or_empty_select_means_everything() {
        assert!(select(None).unwrap().is_everything());
        assert!(select(Some(&json!({}))).unwrap().is_everything());
        assert!(select(Some(&json!({"status": false})))
            .unwrap()
            .is_everything());
    }

    #[test]
    fn unknown_select_fields_are_rejected() {
        let error = select(Some(&json!({"colour": true}))).unwrap_err();
        assert_eq!(error, RequestError::UnknownSelectField("colour".into()));
    }

    #[test]
    fn relation_subfields_other_than_id_are_rejected() {
        assert!(select(Some(&json!({"project": {"_id": true}}))).is_ok());
        let error = select(Some(&json!({"project": {"name": true}}))).unwrap_err();
        let expected = RequestError::SelectInRelation {
            relation: "project".into(),
            field: "name".into(),
        };
        assert_eq!(error, expected);
        let error = select(Some(&json!({"status": {"_id": true}}))).unwrap_err();
        assert_eq!(error, RequestError::SelectValue("status".into()));
    }

    #[test]
    fn non_boolean_select_flags_are_rejected() {
        let error = select(Some(&json!({"status": "yes"}))).unwrap_err();
        assert_eq!(error, RequestError::SelectValue("status".into()));
        let error = select(Some(&json!(["status"]))).unwrap_err();
        assert_eq!(error, RequestError::SelectNotObject);
    }

    #[test]
    fn every_sort_direction_spelling_is_accepted() {
        for (value, expected) in [
            (json!("ASC"), Direction::Ascending),
            (json!("asc"), Direction::Ascending),
            (json!(1), Direction::Ascending),
            (json!("DESC"), Direction::Descending),
            (json!("desc"), Direction::Descending),
            (json!(-1), Direction::Descending),
        ] {
            let sort = sort(Some(&json!({ "createdAt": value }))).unwrap();
            assert_eq!(sort.key_order(), Some(expected));
        }
        assert_eq!(sort(Some(&json!({}))).unwrap(), Sort::default());
    }

    #[test]
    fn unknown_sort_fields_and_directions_are_rejected() {
        let refused = |value: Value| sort(Some(&value)).unwrap_err();
        let direction = RequestError::SortDirection("status".into());
        assert_eq!(
            refused(json!({"colour": 1})),
            RequestError::UnknownSortField("colour".into())
        );
        assert_eq!(refused(json!({"status": 0})), direction);
        assert_eq!(refused(json!({"status": "up"})), direction);
        assert_eq!(refused(json!([])), RequestError::SortNotObject);
    }
}
