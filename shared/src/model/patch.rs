//! [`ItemPatch`]: the fields an update changes (SPEC §5), checked once, and how it applies.

use super::field::Field;
use super::input::{Input, InputError};
use super::item::{FieldValue, Item};
use super::rules::{self, check_dial_window, nullable, required};
use super::values::{Status, StatusMessage, Timestamp, WholeNumber};

/// Whether an update may change `field`. Every field is named, so a new one does not compile
/// until it is decided here (and, if updatable, in [`ItemPatch`]).
pub const fn is_updatable(field: Field) -> bool {
    match field {
        Field::Status
        | Field::StatusMessage
        | Field::DialDurationInSeconds
        | Field::CallCostInUsdCents
        | Field::StartedAt
        | Field::EndedAt
        | Field::IsAnswered => true,
        Field::Id
        | Field::CreatedAt
        | Field::UpdatedAt
        | Field::Version
        | Field::ProjectId
        | Field::IncomingCallLogId
        | Field::IncomingCallPolicyEscalationRuleId
        | Field::UserId
        | Field::UserPhoneNumber => false,
    }
}

/// The fields an update may change, in the document's order.
pub fn updatable() -> impl Iterator<Item = Field> {
    Field::ALL.into_iter().filter(|field| is_updatable(*field))
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
    /// Checks the fields of an update, in the order sent.
    pub fn parse(sent: &[(Field, Input<'_>)]) -> Result<ItemPatch, InputError> {
        if sent.is_empty() {
            return Err(InputError::NothingSent);
        }
        let mut patch = ItemPatch::default();
        for &(field, input) in sent {
            match field {
                // Sent back by clients that update what they read: ignored, as by the reference.
                Field::Id | Field::CreatedAt | Field::UpdatedAt => {}
                Field::Version => return Err(InputError::VersionNotUpdatable),
                Field::ProjectId
                | Field::IncomingCallLogId
                | Field::IncomingCallPolicyEscalationRuleId
                | Field::UserId
                | Field::UserPhoneNumber => return Err(InputError::NotUpdatable(field.name())),
                Field::Status => patch.status = Some(required(field, input, rules::status)?),
                Field::StatusMessage => {
                    patch.status_message = Some(nullable(field, input, rules::status_message)?)
                }
                Field::DialDurationInSeconds => {
                    patch.dial_duration_in_seconds =
                        Some(required(field, input, rules::whole_number)?)
                }
                Field::CallCostInUsdCents => {
                    patch.call_cost_in_usd_cents =
                        Some(required(field, input, rules::whole_number)?)
                }
                Field::StartedAt => patch.started_at = Some(nullable(field, input, rules::date)?),
                Field::EndedAt => patch.ended_at = Some(nullable(field, input, rules::date)?),
                Field::IsAnswered => {
                    patch.is_answered = Some(required(field, input, rules::boolean)?)
                }
            }
        }
        if patch == ItemPatch::default() {
            return Err(InputError::NothingUpdatable);
        }
        check_dial_window(patch.started_at.flatten(), patch.ended_at.flatten())?;
        Ok(patch)
    }

    /// Each field the patch changes with its new value (`Null` clears it), in the document's
    /// order.
    pub fn changes(&self) -> impl Iterator<Item = (Field, FieldValue<'_>)> {
        fn text(message: Option<&StatusMessage>) -> FieldValue<'_> {
            message.map_or(FieldValue::Null, |m| FieldValue::Text(m.as_str()))
        }
        let date = |date: Option<Timestamp>| date.map_or(FieldValue::Null, FieldValue::Date);
        let integer = |n: WholeNumber| FieldValue::Integer(n.get());
        [
            (
                Field::Status,
                self.status.as_ref().map(|s| FieldValue::Text(s.as_str())),
            ),
            (
                Field::StatusMessage,
                self.status_message.as_ref().map(|m| text(m.as_ref())),
            ),
            (
                Field::DialDurationInSeconds,
                self.dial_duration_in_seconds.map(integer),
            ),
            (
                Field::CallCostInUsdCents,
                self.call_cost_in_usd_cents.map(integer),
            ),
            (Field::StartedAt, self.started_at.map(date)),
            (Field::EndedAt, self.ended_at.map(date)),
            (Field::IsAnswered, self.is_answered.map(FieldValue::Boolean)),
        ]
        .into_iter()
        .filter_map(|(field, change)| Some((field, change?)))
    }

    /// The item after this patch, at `now`: what an update stores.
    pub fn apply(&self, item: &Item, now: Timestamp) -> Item {
        let mut next = item.clone();
        if let Some(status) = &self.status {
            next.status = status.clone();
        }
        if let Some(message) = &self.status_message {
            next.status_message = message.clone();
        }
        if let Some(seconds) = self.dial_duration_in_seconds {
            next.dial_duration_in_seconds = seconds;
        }
        if let Some(cents) = self.call_cost_in_usd_cents {
            next.call_cost_in_usd_cents = cents;
        }
        if let Some(started_at) = self.started_at {
            next.started_at = started_at;
        }
        if let Some(ended_at) = self.ended_at {
            next.ended_at = ended_at;
        }
        if let Some(answered) = self.is_answered {
            next.is_answered = answered;
        }
        next.updated_at = now;
        next.version += 1;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn patch(sent: &[(Field, Input<'static>)]) -> Result<ItemPatch, InputError> {
        ItemPatch::parse(sent)
    }

    #[test]
    fn a_patch_changes_only_what_is_sent() {
        let patch = patch(&[
            (Field::Status, Input::Text("Completed")),
            (Field::StatusMessage, Input::Null),
        ])
        .unwrap();
        assert_eq!(patch.status.as_ref().unwrap().as_str(), "Completed");
        assert_eq!(patch.status_message, Some(None));
        assert_eq!(patch.is_answered, None);
        let changed: Vec<_> = patch.changes().collect();
        assert_eq!(
            changed,
            vec![
                (Field::Status, FieldValue::Text("Completed")),
                (Field::StatusMessage, FieldValue::Null),
            ]
        );
    }

    #[test]
    fn exactly_the_updatable_fields_are_changes_of_a_patch() {
        for field in Field::ALL {
            let input = match field.kind() {
                Kind::Text => Input::Text("Done"),
                Kind::Integer => Input::Integer(5),
                Kind::Date => Input::Text("2024-01-01T00:00:00.000Z"),
                Kind::Boolean => Input::Boolean(true),
                Kind::Id => Input::Text("6579c1e2a3b4c5d6e7f80912"),
                Kind::Phone => Input::Text("+15550100"),
            };
            let changed: Vec<Field> = match patch(&[(field, input)]) {
                Ok(patch) => patch.changes().map(|(field, _)| field).collect(),
                Err(_) => Vec::new(),
            };
            let expected = if is_updatable(field) {
                vec![field]
            } else {
                vec![]
            };
            assert_eq!(changed, expected, "{field:?}");
        }
    }

    #[test]
    fn read_only_fields_in_a_patch_are_ignored() {
        let parsed = patch(&[
            (Field::Id, Input::Text("x")),
            (Field::CreatedAt, Input::Text("y")),
            (Field::UpdatedAt, Input::Text("z")),
            (Field::IsAnswered, Input::Boolean(true)),
        ])
        .unwrap();
        assert_eq!(parsed.is_answered, Some(true));
    }

    #[test]
    fn a_patch_of_nothing_or_only_read_only_fields_is_rejected() {
        assert_eq!(patch(&[]).unwrap_err(), InputError::NothingSent);
        assert_eq!(
            patch(&[(Field::Id, Input::Text("x"))]).unwrap_err(),
            InputError::NothingUpdatable
        );
    }

    #[test]
    fn fixed_fields_cannot_be_updated() {
        for field in [
            Field::ProjectId,
            Field::IncomingCallLogId,
            Field::IncomingCallPolicyEscalationRuleId,
            Field::UserId,
            Field::UserPhoneNumber,
        ] {
            let error = patch(&[(field, Input::Text("x"))]).unwrap_err();
            assert_eq!(error, InputError::NotUpdatable(field.name()));
        }
        assert_eq!(
            patch(&[(Field::Version, Input::Integer(3))]).unwrap_err(),
            InputError::VersionNotUpdatable
        );
    }

    #[test]
    fn an_end_before_the_start_in_one_patch_is_rejected() {
        let error = patch(&[
            (Field::StartedAt, Input::Text("2026-11-27T18:00:00Z")),
            (Field::EndedAt, Input::Text("2026-11-27T17:00:00Z")),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("endedAt"), "{error}");
    }

    #[test]
    fn applying_a_patch_changes_its_fields_the_date_and_the_version() {
        let now = Timestamp::parse("2026-11-27T18:00:00Z").unwrap();
        let later = Timestamp::parse("2026-11-27T19:00:00Z").unwrap();
        let project =
            super::super::ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap();
        let item = super::super::NewItem::parse(
            &[
                (
                    Field::IncomingCallLogId,
                    Input::Text("6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"),
                ),
                (Field::Status, Input::Text("Ringing")),
                (Field::StatusMessage, Input::Text("first ring")),
            ],
            project,
        )
        .unwrap()
        .into_item(project, now);
        let patch = patch(&[
            (Field::Status, Input::Text("Completed")),
            (Field::StatusMessage, Input::Null),
        ])
        .unwrap();
        let next = patch.apply(&item, later);
        assert_eq!(next.status.as_str(), "Completed");
        assert_eq!(next.status_message, None);
        assert_eq!((next.version, next.updated_at), (2, later));
        assert_eq!((next.created_at, next.id), (item.created_at, item.id));
    }
}
