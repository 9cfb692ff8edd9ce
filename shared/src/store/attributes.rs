//! An [`Item`] as DynamoDB attributes, and back. Null fields are absent attributes.
//!
//! Besides the item's own fields, each stored item carries `projectCallLogId`
//! (`<projectId>#<incomingCallLogId>`), the partition key of the `byIncomingCallLog` index.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ApiError;
use crate::model::{
    Field, FieldValue, Item, ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber,
};

pub type Attributes = HashMap<String, AttributeValue>;

/// The attribute holding the call-log index's partition key.
pub const PROJECT_CALL_LOG: &str = "projectCallLogId";

pub fn project_call_log_key(project: ObjectId, call_log: ObjectId) -> String {
    format!("{project}#{call_log}")
}

/// A field's value as an attribute; `None` for null (the attribute is left out).
pub fn field_attribute(value: FieldValue<'_>) -> Option<AttributeValue> {
    match value {
        FieldValue::Null => None,
        FieldValue::Id(id) => Some(AttributeValue::S(id.to_string())),
        FieldValue::Text(text) => Some(AttributeValue::S(text.to_string())),
        FieldValue::Integer(number) => Some(AttributeValue::N(number.to_string())),
        FieldValue::Date(date) => Some(AttributeValue::S(date.to_iso())),
        FieldValue::Boolean(flag) => Some(AttributeValue::Bool(flag)),
    }
}

pub fn to_attributes(item: &Item) -> Attributes {
    let mut attributes: Attributes = Field::ALL
        .into_iter()
        .filter_map(|field| Some((field.name().to_string(), field_attribute(item.get(field))?)))
        .collect();
    attributes.insert(
        PROJECT_CALL_LOG.to_string(),
        AttributeValue::S(project_call_log_key(
            item.project_id,
            item.incoming_call_log_id,
        )),
    );
    attributes
}

/// Reads one stored attribute map back. A malformed stored item is a bug (500), not a 400.
pub fn from_attributes(attributes: &Attributes) -> Result<Item, ApiError> {
    let reader = Reader(attributes);
    Ok(Item {
        id: reader.id(Field::Id)?,
        project_id: reader.id(Field::ProjectId)?,
        created_at: reader.date(Field::CreatedAt)?,
        updated_at: reader.date(Field::UpdatedAt)?,
        version: reader.number(Field::Version)?,
        incoming_call_log_id: reader.id(Field::IncomingCallLogId)?,
        incoming_call_policy_escalation_rule_id: reader
            .optional(Field::IncomingCallPolicyEscalationRuleId, Reader::id)?,
        user_id: reader.optional(Field::UserId, Reader::id)?,
        user_phone_number: reader.optional(Field::UserPhoneNumber, |r, f| {
            PhoneNumber::parse(&serde_json::Value::String(r.text(f)?)).map_err(|e| r.corrupt(f, e))
        })?,
        status: Status::parse(&serde_json::Value::String(reader.text(Field::Status)?))
            .map_err(|e| reader.corrupt(Field::Status, e))?,
        status_message: reader.optional(Field::StatusMessage, |r, f| {
            StatusMessage::parse(&serde_json::Value::String(r.text(f)?))
                .map_err(|e| r.corrupt(f, e))
        })?,
        dial_duration_in_seconds: reader.whole(Field::DialDurationInSeconds)?,
        call_cost_in_usd_cents: reader.whole(Field::CallCostInUsdCents)?,
        started_at: reader.optional(Field::StartedAt, Reader::date)?,
        ended_at: reader.optional(Field::EndedAt, Reader::date)?,
        is_answered: match attributes.get(Field::IsAnswered.name()) {
            Some(AttributeValue::Bool(flag)) => *flag,
            _ => return Err(reader.corrupt(Field::IsAnswered, "not a boolean")),
        },
    })
}

struct Reader<'a>(&'a Attributes);

impl Reader<'_> {
    fn corrupt(&self, field: Field, problem: impl std::fmt::Display) -> ApiError {
        ApiError::internal(format!(
            "stored item has a bad \"{}\": {problem}",
            field.name()
        ))
    }

    fn text(&self, field: Field) -> Result<String, ApiError> {
        match self.0.get(field.name()) {
            Some(AttributeValue::S(text)) => Ok(text.clone()),
            _ => Err(self.corrupt(field, "missing or not a string")),
        }
    }

    fn id(&self, field: Field) -> Result<ObjectId, ApiError> {
        ObjectId::parse_str(&self.text(field)?).map_err(|e| self.corrupt(field, e))
    }

    fn date(&self, field: Field) -> Result<Timestamp, ApiError> {
        Timestamp::parse_str(&self.text(field)?).map_err(|e| self.corrupt(field, e))
    }

    fn number(&self, field: Field) -> Result<i64, ApiError> {
        match self.0.get(field.name()) {
            Some(AttributeValue::N(number)) => number.parse().map_err(|e| self.corrupt(field, e)),
            _ => Err(self.corrupt(field, "missing or not a number")),
        }
    }

    fn whole(&self, field: Field) -> Result<WholeNumber, ApiError> {
        let number = self.number(field)?;
        WholeNumber::new(number).ok_or_else(|| self.corrupt(field, "out of range"))
    }

    fn optional<T>(
        &self,
        field: Field,
        read: impl FnOnce(&Self, Field) -> Result<T, ApiError>,
    ) -> Result<Option<T>, ApiError> {
        match self.0.get(field.name()) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(_) => read(self, field).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewItem;
    use serde_json::json;

    #[test]
    fn an_item_survives_the_round_trip() {
        let project = ObjectId::parse_str("550e8400-e29b-41d4-a716-446655440000").unwrap();
        let data = json!({
            "incomingCallLogId": "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
            "incomingCallPolicyEscalationRuleId": "7f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
            "userId": "8f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
            "userPhoneNumber": "+1 555-123-4567",
            "status": "Completed", "statusMessage": "answered on 2nd ring",
            "dialDurationInSeconds": 42, "callCostInUSDCents": "7",
            "startedAt": "2026-11-27T11:00:00Z", "endedAt": "2026-11-27T11:00:42.5+00:00",
            "isAnswered": true
        });
        let item = NewItem::parse(data.as_object().unwrap(), project)
            .unwrap()
            .into_item(project, Timestamp::now());
        let attributes = to_attributes(&item);
        assert_eq!(from_attributes(&attributes).unwrap(), item);
        assert!(
            matches!(&attributes[PROJECT_CALL_LOG], AttributeValue::S(key) if key.contains('#'))
        );
    }

    #[test]
    fn null_fields_are_left_out() {
        let project = ObjectId::parse_str("550e8400-e29b-41d4-a716-446655440000").unwrap();
        let data =
            json!({"incomingCallLogId": "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", "status": "x"});
        let item = NewItem::parse(data.as_object().unwrap(), project)
            .unwrap()
            .into_item(project, Timestamp::now());
        let attributes = to_attributes(&item);
        assert!(!attributes.contains_key("userId"));
        assert!(!attributes.contains_key("statusMessage"));
    }
}
