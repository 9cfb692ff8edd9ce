//! Create and update bodies: `{"data": {...}}` read into the model's [`NewItem`] and
//! [`ItemPatch`]. Names are resolved here (a relation written on create is its `…Id` field);
//! the rules are the model's.

use serde_json::Value;

use super::{data_object, input, read};
use crate::api::error::ApiError;
use crate::model::{
    Field, FieldError, Input, InputError, ItemPatch, Kind, NewItem, ObjectId, Relation,
};

/// A create body, for a caller of `project`.
pub fn new_item(body: &Value, project: ObjectId) -> Result<NewItem, ApiError> {
    let data = data_object(body)?;
    let mut sent = Vec::with_capacity(data.len());
    for (name, value) in data {
        let entry = match (Relation::from_name(name), Field::from_name(name)) {
            (Some(relation), _) => (relation.id_field(), relation_input(relation, value)?),
            (None, Some(field)) => (field, input(field, value)?),
            (None, None) => return Err(InputError::Unknown(name.clone()).into()),
        };
        sent.push(entry);
    }
    Ok(NewItem::parse(&sent, project)?)
}

/// An update body.
pub fn patch(body: &Value) -> Result<ItemPatch, ApiError> {
    let data = data_object(body)?;
    let mut sent = Vec::with_capacity(data.len());
    for (name, value) in data {
        if let Some(relation) = Relation::from_name(name) {
            return Err(InputError::NotUpdatable(relation.name()).into());
        }
        let field = Field::from_name(name).ok_or_else(|| InputError::Unknown(name.clone()))?;
        sent.push((field, input(field, value)?));
    }
    Ok(ItemPatch::parse(&sent)?)
}

/// A relation written on create, `{"_id": "…"}` (or null), read as its id.
fn relation_input(relation: Relation, value: &Value) -> Result<Input<'_>, FieldError> {
    let id_error = |rule: String| FieldError::new(format!("{}._id", relation.name()), rule);
    match value {
        Value::Null => Ok(Input::Null),
        Value::Object(object) if object.len() == 1 && object.contains_key("_id") => {
            match read(Kind::Id, &object["_id"]).map_err(id_error)? {
                Input::Text(text) => {
                    ObjectId::parse(text).map_err(id_error)?;
                    Ok(Input::Text(text))
                }
                _ => Err(id_error("must be a UUID string".into())),
            }
        }
        _ => Err(FieldError::new(
            relation.name(),
            "a relation must be written as {\"_id\": \"<uuid>\"}",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn create(data: Value) -> Result<NewItem, ApiError> {
        new_item(&json!({ "data": data }), ObjectId::parse(PROJECT).unwrap())
    }

    fn message(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        result.unwrap_err().public_message()
    }

    /// The input error a create or update was refused with.
    fn input_error(result: Result<impl std::fmt::Debug, ApiError>) -> InputError {
        match result.unwrap_err() {
            ApiError::Input(error) => error,
            other => panic!("not an input error: {other:?}"),
        }
    }

    #[test]
    fn the_documents_create_body_reads_as_its_item() {
        let item = create(json!({
            "incomingCallLogId": CALL_LOG,
            "isAnswered": true,
            "projectId": PROJECT,
            "status": "Example status",
            "callCostInUSDCents": 100
        }))
        .unwrap();
        assert_eq!(item.status.as_str(), "Example status");
        assert!(item.is_answered);
        assert_eq!(item.call_cost_in_usd_cents.get(), 100);
    }

    #[test]
    fn wrappers_digit_strings_and_relations_are_read() {
        let item = create(json!({
            "incomingCallLog": {"_id": {"_type": "ObjectID", "value": CALL_LOG}},
            "status": "x",
            "userPhoneNumber": {"_type": "Phone", "value": "+1 555-123-4567"},
            "startedAt": {"_type": "DateTime", "value": "2026-11-27T19:24:15+01:00"},
            "dialDurationInSeconds": "10",
            "callCostInUSDCents": 7.0
        }))
        .unwrap();
        assert_eq!(item.incoming_call_log_id.to_string(), CALL_LOG);
        assert_eq!(item.user_phone_number.unwrap().as_str(), "+1 555-123-4567");
        assert_eq!(
            item.started_at.unwrap().to_iso(),
            "2026-11-27T18:24:15.000Z"
        );
        assert_eq!(item.dial_duration_in_seconds.get(), 10);
        assert_eq!(item.call_cost_in_usd_cents.get(), 7);
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let error = create(json!({"incomingCallLogId": CALL_LOG, "status": "x", "stauts": "y"}));
        assert_eq!(input_error(error), InputError::Unknown("stauts".into()));
    }

    #[test]
    fn a_bad_relation_names_the_relation() {
        let shape = create(json!({"incomingCallLog": CALL_LOG, "status": "x"}));
        assert!(message(shape).contains("\"incomingCallLog\""));
        let id = create(json!({"incomingCallLog": {"_id": "nope"}, "status": "x"}));
        assert!(message(id).contains("\"incomingCallLog._id\""));
    }

    #[test]
    fn another_project_named_through_its_relation_is_403() {
        // The `projectId` spelling: `model/new_item.rs`.
        let error = create(json!({
            "incomingCallLogId": CALL_LOG, "status": "x",
            "project": {"_id": "00000000-0000-4000-8000-000000000000"}
        }));
        assert_eq!(error.unwrap_err().status(), 403);
    }

    #[test]
    fn wrong_types_name_the_field_and_the_rule() {
        for (data, fragment) in [
            (
                json!({"incomingCallLogId": 5, "status": "x"}),
                "\"incomingCallLogId\": must be a UUID",
            ),
            (
                json!({"incomingCallLogId": CALL_LOG, "status": 5}),
                "\"status\": must be a string",
            ),
            (
                json!({"incomingCallLogId": CALL_LOG, "status": "x", "isAnswered": "true"}),
                "\"isAnswered\"",
            ),
            (
                json!({"incomingCallLogId": CALL_LOG, "status": "x", "dialDurationInSeconds": 2.5}),
                "0 to 2147483647",
            ),
            (
                json!({"incomingCallLogId": CALL_LOG, "status": "x", "startedAt": 1}),
                "\"startedAt\": must be a date",
            ),
            (
                json!({"incomingCallLogId": CALL_LOG, "status": "x",
                       "endedAt": {"_type": "Phone", "value": null}}),
                "\"endedAt\": must be a date",
            ),
        ] {
            let text = message(create(data.clone()));
            assert!(text.contains(fragment), "{data}: {text}");
        }
    }

    #[test]
    fn an_update_reads_only_updatable_fields() {
        let parsed = patch(&json!({"data": {"status": "Completed", "_id": "x"}})).unwrap();
        assert_eq!(parsed.status.unwrap().as_str(), "Completed");
        let refused = |data: Value| input_error(patch(&json!({ "data": data })));
        assert_eq!(
            refused(json!({"user": {"_id": CALL_LOG}})),
            InputError::NotUpdatable("user")
        );
        assert_eq!(
            refused(json!({"colour": 1})),
            InputError::Unknown("colour".into())
        );
        assert_eq!(
            refused(json!({"version": 2})),
            InputError::VersionNotUpdatable
        );
        assert_eq!(refused(json!({})), InputError::NothingSent);
        // Where a version was sent, the answer says how to send one.
        assert!(message(patch(&json!({"data": {"version": 2}}))).contains("If-Match"));
    }
}
