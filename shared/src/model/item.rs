//! The stored item, and the two ways a client writes one: [`NewItem`] (create) and
//! [`ItemPatch`] (update), each parsed once from the request's `data` (SPEC §2, §4, §5).

use serde_json::{Map, Value};

use super::field::{Field, Relation};
use super::values::{ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber};
use crate::error::ApiError;

/// The 400 for a value that breaks its field's rule; the message names the field.
pub fn field_error(field: &str, rule: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Invalid value for \"{field}\": {rule}"))
}

/// One dial attempt, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: ObjectId,
    pub project_id: ObjectId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    pub incoming_call_log_id: ObjectId,
    pub incoming_call_policy_escalation_rule_id: Option<ObjectId>,
    pub user_id: Option<ObjectId>,
    pub user_phone_number: Option<PhoneNumber>,
    pub status: Status,
    pub status_message: Option<StatusMessage>,
    pub dial_duration_in_seconds: WholeNumber,
    pub call_cost_in_usd_cents: WholeNumber,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub is_answered: bool,
}

/// A field's value on an item, borrowed, for queries, sorting and output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    Null,
    Id(ObjectId),
    Text(&'a str),
    Integer(i64),
    Date(Timestamp),
    Boolean(bool),
}

/// Written straight to the output: no `serde_json::Value` tree on the way to a response.
impl serde::Serialize for FieldValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            FieldValue::Null => serializer.serialize_unit(),
            FieldValue::Id(id) => serializer.collect_str(&id),
            FieldValue::Text(text) => serializer.serialize_str(text),
            FieldValue::Integer(number) => serializer.serialize_i64(number),
            FieldValue::Date(date) => serializer.collect_str(&date),
            FieldValue::Boolean(flag) => serializer.serialize_bool(flag),
        }
    }
}

/// A relation as a response shows it: `{"_id": …}`, or null.
pub struct RelationView<'a>(pub FieldValue<'a>);

impl serde::Serialize for RelationView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.0 == FieldValue::Null {
            return serializer.serialize_unit();
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("_id", &self.0)?;
        map.end()
    }
}

/// Every field of SPEC §2, in the document's order, nulls included.
impl serde::Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(Field::ALL.len()))?;
        for field in Field::ALL {
            map.serialize_entry(field.name(), &self.get(field))?;
        }
        map.end()
    }
}

fn optional<T>(value: Option<T>, to: impl FnOnce(T) -> FieldValue<'static>) -> FieldValue<'static> {
    value.map_or(FieldValue::Null, to)
}

impl Item {
    pub fn get(&self, field: Field) -> FieldValue<'_> {
        match field {
            Field::Id => FieldValue::Id(self.id),
            Field::CreatedAt => FieldValue::Date(self.created_at),
            Field::UpdatedAt => FieldValue::Date(self.updated_at),
            Field::Version => FieldValue::Integer(self.version),
            Field::ProjectId => FieldValue::Id(self.project_id),
            Field::IncomingCallLogId => FieldValue::Id(self.incoming_call_log_id),
            Field::IncomingCallPolicyEscalationRuleId => {
                optional(self.incoming_call_policy_escalation_rule_id, FieldValue::Id)
            }
            Field::UserId => optional(self.user_id, FieldValue::Id),
            Field::UserPhoneNumber => self
                .user_phone_number
                .as_ref()
                .map_or(FieldValue::Null, |phone| FieldValue::Text(phone.as_str())),
            Field::Status => FieldValue::Text(self.status.as_str()),
            Field::StatusMessage => self
                .status_message
                .as_ref()
                .map_or(FieldValue::Null, |message| {
                    FieldValue::Text(message.as_str())
                }),
            Field::DialDurationInSeconds => {
                FieldValue::Integer(self.dial_duration_in_seconds.get())
            }
            Field::CallCostInUsdCents => FieldValue::Integer(self.call_cost_in_usd_cents.get()),
            Field::StartedAt => optional(self.started_at, FieldValue::Date),
            Field::EndedAt => optional(self.ended_at, FieldValue::Date),
            Field::IsAnswered => FieldValue::Boolean(self.is_answered),
        }
    }

    /// Every field of SPEC §2, nulls included, as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("an item always serialises")
    }

    /// The relation view `{"_id": …}`, or null.
    pub fn relation(&self, relation: Relation) -> RelationView<'_> {
        RelationView(self.get(relation.id_field()))
    }
}

/// The fields a client sets when creating an item, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    pub incoming_call_log_id: ObjectId,
    pub incoming_call_policy_escalation_rule_id: Option<ObjectId>,
    pub user_id: Option<ObjectId>,
    pub user_phone_number: Option<PhoneNumber>,
    pub status: Status,
    pub status_message: Option<StatusMessage>,
    pub dial_duration_in_seconds: WholeNumber,
    pub call_cost_in_usd_cents: WholeNumber,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub is_answered: bool,
}

/// Parses a nullable field: JSON null is `None`.
fn nullable<T>(
    field: Field,
    value: &Value,
    parse: impl FnOnce(&Value) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    if value.is_null() {
        return Ok(None);
    }
    parse(value)
        .map(Some)
        .map_err(|rule| field_error(field.name(), rule))
}

fn required<T>(
    field: Field,
    value: &Value,
    parse: impl FnOnce(&Value) -> Result<T, String>,
) -> Result<T, ApiError> {
    parse(value).map_err(|rule| field_error(field.name(), rule))
}

fn parse_boolean(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "must be true or false (a JSON boolean)".to_string())
}

/// The `data` object of a create or update body.
pub fn data_object(body: &Value) -> Result<&Map<String, Value>, ApiError> {
    let Some(object) = body.as_object() else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object of the form {\"data\": {...}}",
        ));
    };
    if let Some(extra) = object.keys().find(|key| key.as_str() != "data") {
        return Err(ApiError::bad_request(format!(
            "Unknown top-level field \"{extra}\"; the body must be {{\"data\": {{...}}}}"
        )));
    }
    match object.get("data") {
        Some(Value::Object(data)) => Ok(data),
        Some(_) => Err(ApiError::bad_request("\"data\" must be a JSON object")),
        None => Err(ApiError::bad_request(
            "The request body must contain \"data\": an object of the item's fields",
        )),
    }
}

fn unknown_field(name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Unknown field \"{name}\" in data; the fields are: {}",
        Field::all_names()
    ))
}

fn check_dial_window(
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
) -> Result<(), ApiError> {
    match (started_at, ended_at) {
        (Some(start), Some(end)) if end < start => Err(field_error(
            Field::EndedAt.name(),
            "must not be earlier than \"startedAt\"",
        )),
        _ => Ok(()),
    }
}

/// A relation object written on create, `{"_id": "…"}`, read as its id.
fn relation_id(relation: Relation, value: &Value) -> Result<Option<ObjectId>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::Object(object) if object.len() == 1 && object.contains_key("_id") => {
            ObjectId::parse(&object["_id"])
                .map(Some)
                .map_err(|rule| field_error(&format!("{}._id", relation.name()), rule))
        }
        _ => Err(field_error(
            relation.name(),
            "a relation must be written as {\"_id\": \"<uuid>\"}",
        )),
    }
}

impl NewItem {
    /// Parses a create body's `data`. `project` is the API key's project: a different
    /// `projectId` is a 403, never silently replaced.
    pub fn parse(data: &Map<String, Value>, project: ObjectId) -> Result<NewItem, ApiError> {
        // Each field once, whether named directly or through its relation.
        let mut values: Vec<(Field, Value)> = Vec::with_capacity(data.len());
        for (name, value) in data {
            let (field, value) = if let Some(relation) = Relation::from_name(name) {
                let id = relation_id(relation, value)?;
                (
                    relation.id_field(),
                    id.map_or(Value::Null, |id| Value::String(id.to_string())),
                )
            } else {
                match Field::from_name(name) {
                    Some(Field::Id | Field::CreatedAt | Field::UpdatedAt | Field::Version) => {
                        return Err(ApiError::bad_request(format!(
                            "\"{name}\" is set by the server and cannot be sent on create"
                        )));
                    }
                    Some(field) => (field, value.clone()),
                    None => return Err(unknown_field(name)),
                }
            };
            if let Some((_, earlier)) = values.iter().find(|(seen, _)| *seen == field) {
                if *earlier != value {
                    return Err(field_error(
                        field.name(),
                        "is given twice (directly and through its relation) with different values",
                    ));
                }
                continue;
            }
            values.push((field, value));
        }
        let get = |field: Field| values.iter().find(|(f, _)| *f == field).map(|(_, v)| v);

        if let Some(value) = get(Field::ProjectId) {
            let sent = required(Field::ProjectId, value, ObjectId::parse)?;
            if sent != project {
                return Err(ApiError::Forbidden(
                    "\"projectId\" must be the project of your API key".to_string(),
                ));
            }
        }
        let missing = |field: Field| field_error(field.name(), "is required");
        let incoming_call_log_id = match get(Field::IncomingCallLogId) {
            Some(value) => required(Field::IncomingCallLogId, value, ObjectId::parse)?,
            None => return Err(missing(Field::IncomingCallLogId)),
        };
        let status = match get(Field::Status) {
            Some(value) => required(Field::Status, value, Status::parse)?,
            None => return Err(missing(Field::Status)),
        };
        let optional_id = |field: Field| -> Result<Option<ObjectId>, ApiError> {
            get(field).map_or(Ok(None), |value| nullable(field, value, ObjectId::parse))
        };
        let whole = |field: Field| -> Result<WholeNumber, ApiError> {
            get(field).map_or(Ok(WholeNumber::default()), |value| {
                required(field, value, WholeNumber::parse)
            })
        };
        let date = |field: Field| -> Result<Option<Timestamp>, ApiError> {
            get(field).map_or(Ok(None), |value| nullable(field, value, Timestamp::parse))
        };
        let item = NewItem {
            incoming_call_log_id,
            incoming_call_policy_escalation_rule_id: optional_id(
                Field::IncomingCallPolicyEscalationRuleId,
            )?,
            user_id: optional_id(Field::UserId)?,
            user_phone_number: get(Field::UserPhoneNumber).map_or(Ok(None), |value| {
                nullable(Field::UserPhoneNumber, value, PhoneNumber::parse)
            })?,
            status,
            status_message: get(Field::StatusMessage).map_or(Ok(None), |value| {
                nullable(Field::StatusMessage, value, StatusMessage::parse)
            })?,
            dial_duration_in_seconds: whole(Field::DialDurationInSeconds)?,
            call_cost_in_usd_cents: whole(Field::CallCostInUsdCents)?,
            started_at: date(Field::StartedAt)?,
            ended_at: date(Field::EndedAt)?,
            is_answered: get(Field::IsAnswered).map_or(Ok(false), |value| {
                required(Field::IsAnswered, value, parse_boolean)
            })?,
        };
        check_dial_window(item.started_at, item.ended_at)?;
        Ok(item)
    }

    /// The stored item: a new time-ordered id, both dates `now`, version 1.
    pub fn into_item(self, project_id: ObjectId, now: Timestamp) -> Item {
        Item {
            id: ObjectId::new_v7(now),
            project_id,
            created_at: now,
            updated_at: now,
            version: 1,
            incoming_call_log_id: self.incoming_call_log_id,
            incoming_call_policy_escalation_rule_id: self.incoming_call_policy_escalation_rule_id,
            user_id: self.user_id,
            user_phone_number: self.user_phone_number,
            status: self.status,
            status_message: self.status_message,
            dial_duration_in_seconds: self.dial_duration_in_seconds,
            call_cost_in_usd_cents: self.call_cost_in_usd_cents,
            started_at: self.started_at,
            ended_at: self.ended_at,
            is_answered: self.is_answered,
        }
    }
}

/// The fields an update changes; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemPatch {
    pub status: Option<Status>,
    pub status_message: Option<Option<StatusMessage>>,
    pub dial_duration_in_seconds: Option<WholeNumber>,
    pub call_cost_in_usd_cents: Option<WholeNumber>,
    pub started_at: Option<Option<Timestamp>>,
    pub ended_at: Option<Option<Timestamp>>,
    pub is_answered: Option<bool>,
}

impl ItemPatch {
    /// Parses an update body's `data` (SPEC §5).
    pub fn parse(data: &Map<String, Value>) -> Result<ItemPatch, ApiError> {
        if data.is_empty() {
            return Err(ApiError::bad_request(
                "\"data\" is empty: send at least one field to update",
            ));
        }
        let mut patch = ItemPatch::default();
        for (name, value) in data {
            if let Some(relation) = Relation::from_name(name) {
                return Err(ApiError::bad_request(format!(
                    "\"{}\" cannot be updated",
                    relation.name()
                )));
            }
            let Some(field) = Field::from_name(name) else {
                return Err(unknown_field(name));
            };
            match field {
                // Sent back by clients that update what they read: ignored, as by the reference.
                Field::Id | Field::CreatedAt | Field::UpdatedAt => {}
                Field::Version => {
                    return Err(ApiError::bad_request(
                        "\"version\" cannot be updated; send the If-Match header to update a known version",
                    ));
                }
                Field::ProjectId
                | Field::IncomingCallLogId
                | Field::IncomingCallPolicyEscalationRuleId
                | Field::UserId
                | Field::UserPhoneNumber => {
                    return Err(ApiError::bad_request(format!(
                        "\"{}\" cannot be updated",
                        field.name()
                    )));
                }
                Field::Status => patch.status = Some(required(field, value, Status::parse)?),
                Field::StatusMessage => {
                    patch.status_message = Some(nullable(field, value, StatusMessage::parse)?)
                }
                Field::DialDurationInSeconds => {
                    patch.dial_duration_in_seconds =
                        Some(required(field, value, WholeNumber::parse)?)
                }
                Field::CallCostInUsdCents => {
                    patch.call_cost_in_usd_cents = Some(required(field, value, WholeNumber::parse)?)
                }
                Field::StartedAt => {
                    patch.started_at = Some(nullable(field, value, Timestamp::parse)?)
                }
                Field::EndedAt => patch.ended_at = Some(nullable(field, value, Timestamp::parse)?),
                Field::IsAnswered => {
                    patch.is_answered = Some(required(field, value, parse_boolean)?)
                }
            }
        }
        if patch == ItemPatch::default() {
            return Err(ApiError::bad_request(
                "\"data\" has no field that can be updated; updatable fields are: status, statusMessage, dialDurationInSeconds, callCostInUSDCents, startedAt, endedAt, isAnswered",
            ));
        }
        check_dial_window(patch.started_at.flatten(), patch.ended_at.flatten())?;
        Ok(patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn project() -> ObjectId {
        ObjectId::parse_str(PROJECT).unwrap()
    }

    fn new_item(data: Value) -> Result<NewItem, ApiError> {
        NewItem::parse(data.as_object().unwrap(), project())
    }

    fn patch(data: Value) -> Result<ItemPatch, ApiError> {
        ItemPatch::parse(data.as_object().unwrap())
    }

    fn message(error: ApiError) -> String {
        error.public_message()
    }

    #[test]
    fn a_minimal_item_gets_its_defaults() {
        let item = new_item(json!({"incomingCallLogId": CALL_LOG, "status": "Ringing"})).unwrap();
        assert!(!item.is_answered);
        assert_eq!(item.dial_duration_in_seconds.get(), 0);
        assert_eq!(item.call_cost_in_usd_cents.get(), 0);
        assert_eq!(item.user_phone_number, None);
    }

    #[test]
    fn the_stored_item_has_every_field_in_its_json() {
        let now = Timestamp::parse_str("2026-11-27T18:24:15.123Z").unwrap();
        let item = new_item(json!({"incomingCallLogId": CALL_LOG, "status": "Ringing"}))
            .unwrap()
            .into_item(project(), now);
        let json = item.to_json();
        for field in Field::ALL {
            assert!(json.get(field.name()).is_some(), "{} missing", field.name());
        }
        assert_eq!(json["createdAt"], "2026-11-27T18:24:15.123Z");
        assert_eq!(json["version"], 1);
        assert_eq!(json["projectId"], PROJECT);
    }

    #[test]
    fn missing_required_fields_are_named() {
        assert!(message(new_item(json!({"status": "Ringing"})).unwrap_err())
            .contains("incomingCallLogId"));
        assert!(
            message(new_item(json!({"incomingCallLogId": CALL_LOG})).unwrap_err())
                .contains("status")
        );
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let error = new_item(json!({"incomingCallLogId": CALL_LOG, "status": "x", "stauts": "y"}))
            .unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(message(error).contains("\"stauts\""));
    }

    #[test]
    fn server_fields_cannot_be_sent_on_create() {
        for name in ["_id", "createdAt", "updatedAt", "version"] {
            let mut data = json!({"incomingCallLogId": CALL_LOG, "status": "x"});
            data[name] = json!("550e8400-e29b-41d4-a716-446655440000");
            let error = new_item(data).unwrap_err();
            assert_eq!(error.status(), 400);
            assert!(message(error).contains(name));
        }
    }

    #[test]
    fn another_projects_id_is_forbidden() {
        let error = new_item(json!({
            "incomingCallLogId": CALL_LOG, "status": "x",
            "projectId": "00000000-0000-4000-8000-000000000000"
        }))
        .unwrap_err();
        assert_eq!(error.status(), 403);
    }

    #[test]
    fn the_keys_own_project_id_is_accepted() {
        assert!(new_item(
            json!({"incomingCallLogId": CALL_LOG, "status": "x", "projectId": PROJECT})
        )
        .is_ok());
    }

    #[test]
    fn relation_objects_set_their_ids() {
        let item = new_item(json!({"incomingCallLog": {"_id": CALL_LOG}, "status": "x"})).unwrap();
        assert_eq!(item.incoming_call_log_id.to_string(), CALL_LOG);
    }

    #[test]
    fn a_relation_and_its_id_must_agree() {
        let error = new_item(json!({
            "incomingCallLog": {"_id": CALL_LOG},
            "incomingCallLogId": PROJECT,
            "status": "x"
        }))
        .unwrap_err();
        assert!(message(error).contains("incomingCallLogId"));
    }

    #[test]
    fn an_end_before_the_start_is_rejected() {
        let error = new_item(json!({
            "incomingCallLogId": CALL_LOG, "status": "x",
            "startedAt": "2026-11-27T18:00:00Z", "endedAt": "2026-11-27T17:59:59Z"
        }))
        .unwrap_err();
        assert!(message(error).contains("endedAt"));
    }

    #[test]
    fn is_answered_must_be_a_json_boolean() {
        for value in [json!("true"), json!(1), json!(null)] {
            let error = new_item(
                json!({"incomingCallLogId": CALL_LOG, "status": "x", "isAnswered": value}),
            )
            .unwrap_err();
            assert!(message(error).contains("isAnswered"));
        }
    }

    #[test]
    fn a_patch_changes_only_what_is_sent() {
        let patch = patch(json!({"status": "Completed", "statusMessage": null})).unwrap();
        assert_eq!(patch.status.unwrap().as_str(), "Completed");
        assert_eq!(patch.status_message, Some(None));
        assert_eq!(patch.is_answered, None);
    }

    #[test]
    fn read_only_fields_in_a_patch_are_ignored() {
        let parsed =
            patch(json!({"_id": "x", "createdAt": "y", "updatedAt": "z", "isAnswered": true}))
                .unwrap();
        assert_eq!(parsed.is_answered, Some(true));
    }

    #[test]
    fn a_patch_of_only_read_only_fields_is_rejected() {
        assert_eq!(patch(json!({"_id": "x"})).unwrap_err().status(), 400);
        assert_eq!(patch(json!({})).unwrap_err().status(), 400);
    }

    #[test]
    fn fixed_fields_cannot_be_updated() {
        for name in [
            "projectId",
            "incomingCallLogId",
            "incomingCallPolicyEscalationRuleId",
            "userId",
            "userPhoneNumber",
            "version",
            "incomingCallLog",
        ] {
            let error = patch(json!({ name: "550e8400-e29b-41d4-a716-446655440000" })).unwrap_err();
            assert_eq!(error.status(), 400);
            assert!(message(error).contains(name), "{name}");
        }
    }

    #[test]
    fn data_must_be_an_object_under_data() {
        assert!(data_object(&json!({"data": {}})).is_ok());
        for body in [
            json!([]),
            json!({}),
            json!({"data": 1}),
            json!({"data": {}, "x": 1}),
            json!(null),
        ] {
            assert_eq!(data_object(&body).unwrap_err().status(), 400, "{body}");
        }
    }
}
