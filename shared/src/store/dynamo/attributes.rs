//! An [`Item`] as DynamoDB attributes, and back. Null fields are absent attributes.
//!
//! Besides the item's own fields, each stored item carries `projectCallLogId`
//! (`<projectId>#<incomingCallLogId>`), the partition key of the `byIncomingCallLog` index.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::model::{
    Field, FieldValue, Item, ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber,
};
use crate::store::StoreError;

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

/// Reads one stored attribute map back; an item the code cannot read is corrupt.
pub fn from_attributes(attributes: &Attributes) -> Result<Item, StoreError> {
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
            r.parsed(f, PhoneNumber::parse)
        })?,
        status: reader.parsed(Field::Status, Status::parse)?,
        status_message: reader.optional(Field::StatusMessage, |r, f| {
            r.parsed(f, StatusMessage::parse)
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
    fn corrupt(&self, field: Field, problem: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(format!(
            "stored item has a bad \"{}\": {problem}",
            field.name()
        ))
    }

    fn text(&self, field: Field) -> Result<&str, StoreError> {
        match self.0.get(field.name()) {
            Some(AttributeValue::S(text)) => Ok(text),
            _ => Err(self.corrupt(field, "missing or not a string")),
        }
    }

    /// A text attribute read by the field's own parser (stored values were parsed on the way
    /// in, so this only fails on data written by something else).
    fn parsed<T>(
        &self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, StoreError> {
        parse(self.text(field)?).map_err(|e| self.corrupt(field, e))
    }

    fn id(&self, field: Field) -> Result<ObjectId, StoreError> {
        self.parsed(field, ObjectId::parse)
    }

    fn date(&self, field: Field) -> Result<Timestamp, StoreError> {
        self.parsed(field, Timestamp::parse)
    }

    fn number(&self, field: Field) -> Result<i64, StoreError> {
        match self.0.get(field.name()) {
            Some(AttributeValue::N(number)) => number.parse().map_err(|e| self.corrupt(field, e)),
            _ => Err(self.corrupt(field, "missing or not a number")),
        }
    }

    fn whole(&self, field: Field) -> Result<WholeNumber, StoreError> {
        let number = self.number(field)?;
        WholeNumber::new(number).ok_or_else(|| self.corrupt(field, "out of range"))
    }

    fn optional<T>(
        &self,
        field: Field,
        read: impl FnOnce(&Self, Field) -> Result<T, StoreError>,
    ) -> Result<Option<T>, StoreError> {
        match self.0.get(field.name()) {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(_) => read(self, field).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Input, NewItem};

    fn project() -> ObjectId {
        ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap()
    }

    #[test]
    fn an_item_survives_the_round_trip() {
        let item = NewItem::parse(
            &[
                (
                    Field::IncomingCallLogId,
                    Input::Text("6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                ),
                (
                    Field::IncomingCallPolicyEscalationRuleId,
                    Input::Text("7f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                ),
                (
                    Field::UserId,
                    Input::Text("8f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                ),
                (Field::UserPhoneNumber, Input::Text("+1 555-123-4567")),
                (Field::Status, Input::Text("Completed")),
                (Field::StatusMessage, Input::Text("answered on 2nd ring")),
                (Field::DialDurationInSeconds, Input::Integer(42)),
                (Field::CallCostInUsdCents, Input::Integer(7)),
                (Field::StartedAt, Input::Text("2026-11-27T11:00:00Z")),
                (Field::EndedAt, Input::Text("2026-11-27T11:00:42.5+00:00")),
                (Field::IsAnswered, Input::Boolean(true)),
            ],
            project(),
        )
        .unwrap()
        .into_item(project(), Timestamp::now());
        let attributes = to_attributes(&item);
        assert_eq!(from_attributes(&attributes).unwrap(), item);
        assert!(
            matches!(&attributes[PROJECT_CALL_LOG], AttributeValue::S(key) if key.contains('#'))
        );
    }

    #[test]
    fn null_fields_are_left_out() {
        let item = NewItem::parse(
            &[
                (
                    Field::IncomingCallLogId,
                    Input::Text("6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                ),
                (Field::Status, Input::Text("x")),
            ],
            project(),
        )
        .unwrap()
        .into_item(project(), Timestamp::now());
        let attributes = to_attributes(&item);
        assert!(!attributes.contains_key("userId"));
        assert!(!attributes.contains_key("statusMessage"));
    }

    #[test]
    fn an_unreadable_stored_item_is_corrupt() {
        let mut attributes = to_attributes(
            &NewItem::parse(
                &[
                    (
                        Field::IncomingCallLogId,
                        Input::Text("6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                    ),
                    (Field::Status, Input::Text("x")),
                ],
                project(),
            )
            .unwrap()
            .into_item(project(), Timestamp::now()),
        );
        attributes.insert("status".into(), AttributeValue::N("1".into()));
        assert!(matches!(
            from_attributes(&attributes),
            Err(StoreError::Corrupt(cause)) if cause.contains("status")
        ));
    }
}
