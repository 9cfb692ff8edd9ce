//! One dial attempt as stored ([`Item`]), and a field's value on it ([`FieldValue`]), which
//! queries, sorting and output read through [`Item::get`].

use super::field::Field;
use super::values::{ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber};

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

impl<'a> FieldValue<'a> {
    fn text(text: Option<&'a str>) -> FieldValue<'a> {
        text.map_or(FieldValue::Null, FieldValue::Text)
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
            Field::UserPhoneNumber => {
                FieldValue::text(self.user_phone_number.as_ref().map(PhoneNumber::as_str))
            }
            Field::Status => FieldValue::Text(self.status.as_str()),
            Field::StatusMessage => {
                FieldValue::text(self.status_message.as_ref().map(StatusMessage::as_str))
            }
            Field::DialDurationInSeconds => {
                FieldValue::Integer(self.dial_duration_in_seconds.get())
            }
            Field::CallCostInUsdCents => FieldValue::Integer(self.call_cost_in_usd_cents.get()),
            Field::StartedAt => optional(self.started_at, FieldValue::Date),
            Field::EndedAt => optional(self.ended_at, FieldValue::Date),
            Field::IsAnswered => FieldValue::Boolean(self.is_answered),
        }
    }
}
