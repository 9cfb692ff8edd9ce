//! [`NewItem`]: the fields a client sets when creating an item (SPEC §2, §4), checked once;
//! [`NewItem::into_item`] adds what the server sets.

use super::field::Field;
use super::input::{FieldError, Input, InputError};
use super::item::Item;
use super::rules::{self, check_dial_window, nullable, required};
use super::values::{ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber};

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

impl NewItem {
    /// Checks the fields of a create, in the order sent (a relation already read as its `…Id`
    /// field). `project` is the caller's project: a different `projectId` is refused, never
    /// silently replaced.
    pub fn parse(sent: &[(Field, Input<'_>)], project: ObjectId) -> Result<NewItem, InputError> {
        // Each field once, whether named directly or through its relation.
        let mut fields: Vec<(Field, Input<'_>)> = Vec::with_capacity(sent.len());
        for &(field, input) in sent {
            if matches!(
                field,
                Field::Id | Field::CreatedAt | Field::UpdatedAt | Field::Version
            ) {
                return Err(InputError::SetByServer(field.name()));
            }
            match fields.iter().find(|(seen, _)| *seen == field) {
                Some((_, earlier)) if *earlier != input => {
                    return Err(FieldError::new(
                        field.name(),
                        "is given twice (directly and through its relation) with different values",
                    )
                    .into())
                }
                Some(_) => {}
                None => fields.push((field, input)),
            }
        }
        let get = |field: Field| fields.iter().find(|(f, _)| *f == field).map(|(_, v)| *v);

        if let Some(input) = get(Field::ProjectId) {
            if required(Field::ProjectId, input, rules::id)? != project {
                return Err(InputError::OtherProject);
            }
        }
        let present =
            |field: Field| get(field).ok_or_else(|| FieldError::new(field.name(), "is required"));
        let incoming_call_log_id = required(
            Field::IncomingCallLogId,
            present(Field::IncomingCallLogId)?,
            rules::id,
        )?;
        let status = required(Field::Status, present(Field::Status)?, rules::status)?;
        let optional = |field: Field| get(field).unwrap_or(Input::Null);
        let whole = |field: Field| -> Result<WholeNumber, FieldError> {
            get(field).map_or(Ok(WholeNumber::default()), |input| {
                required(field, input, rules::whole_number)
            })
        };
        let item = NewItem {
            incoming_call_log_id,
            incoming_call_policy_escalation_rule_id: nullable(
                Field::IncomingCallPolicyEscalationRuleId,
                optional(Field::IncomingCallPolicyEscalationRuleId),
                rules::id,
            )?,
            user_id: nullable(Field::UserId, optional(Field::UserId), rules::id)?,
            user_phone_number: nullable(
                Field::UserPhoneNumber,
                optional(Field::UserPhoneNumber),
                rules::phone_number,
            )?,
            status,
            status_message: nullable(
                Field::StatusMessage,
                optional(Field::StatusMessage),
                rules::status_message,
            )?,
            dial_duration_in_seconds: whole(Field::DialDurationInSeconds)?,
            call_cost_in_usd_cents: whole(Field::CallCostInUsdCents)?,
            started_at: nullable(Field::StartedAt, optional(Field::StartedAt), rules::date)?,
            ended_at: nullable(Field::EndedAt, optional(Field::EndedAt), rules::date)?,
            is_answered: get(Field::IsAnswered).map_or(Ok(false), |input| {
                required(Field::IsAnswered, input, rules::boolean)
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

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn project() -> ObjectId {
        ObjectId::parse(PROJECT).unwrap()
    }

    fn minimal() -> Vec<(Field, Input<'static>)> {
        vec![
            (Field::IncomingCallLogId, Input::Text(CALL_LOG)),
            (Field::Status, Input::Text("Ringing")),
        ]
    }

    fn with(extra: &[(Field, Input<'static>)]) -> Result<NewItem, InputError> {
        let mut fields = minimal();
        fields.extend_from_slice(extra);
        NewItem::parse(&fields, project())
    }

    fn field_of(error: InputError) -> String {
        match error {
            InputError::Field(error) => error.field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn a_minimal_item_gets_its_defaults() {
        let item = with(&[]).unwrap();
        assert!(!item.is_answered);
        assert_eq!(item.dial_duration_in_seconds.get(), 0);
        assert_eq!(item.call_cost_in_usd_cents.get(), 0);
        assert_eq!(item.user_phone_number, None);
        assert_eq!(item.started_at, None);
    }

    #[test]
    fn the_stored_item_gets_a_v7_id_both_dates_and_version_1() {
        let now = Timestamp::parse("2026-11-27T18:24:15.123Z").unwrap();
        let item = with(&[]).unwrap().into_item(project(), now);
        assert_eq!(item.id.as_uuid().get_version_num(), 7);
        assert_eq!((item.created_at, item.updated_at), (now, now));
        assert_eq!(item.version, 1);
        assert_eq!(item.project_id, project());
    }

    #[test]
    fn missing_required_fields_are_named() {
        let no_log = NewItem::parse(&[(Field::Status, Input::Text("x"))], project());
        assert_eq!(field_of(no_log.unwrap_err()), "incomingCallLogId");
        let no_status = NewItem::parse(
            &[(Field::IncomingCallLogId, Input::Text(CALL_LOG))],
            project(),
        );
        assert_eq!(field_of(no_status.unwrap_err()), "status");
    }

    #[test]
    fn server_fields_cannot_be_sent_on_create() {
        for field in [
            Field::Id,
            Field::CreatedAt,
            Field::UpdatedAt,
            Field::Version,
        ] {
            let error = with(&[(field, Input::Text(PROJECT))]).unwrap_err();
            assert_eq!(error, InputError::SetByServer(field.name()));
        }
    }

    #[test]
    fn another_projects_id_is_refused() {
        let other = Input::Text("00000000-0000-4000-8000-000000000000");
        let error = with(&[(Field::ProjectId, other)]).unwrap_err();
        assert_eq!(error, InputError::OtherProject);
    }

    #[test]
    fn the_callers_own_project_id_is_accepted() {
        assert!(with(&[(Field::ProjectId, Input::Text(PROJECT))]).is_ok());
    }

    #[test]
    fn a_field_given_twice_must_agree() {
        let same = with(&[(Field::IncomingCallLogId, Input::Text(CALL_LOG))]);
        assert!(same.is_ok());
        let different = with(&[(Field::IncomingCallLogId, Input::Text(PROJECT))]);
        assert_eq!(field_of(different.unwrap_err()), "incomingCallLogId");
    }

    #[test]
    fn an_end_before_the_start_is_rejected() {
        let error = with(&[
            (Field::StartedAt, Input::Text("2026-11-27T18:00:00Z")),
            (Field::EndedAt, Input::Text("2026-11-27T17:59:59Z")),
        ])
        .unwrap_err();
        assert_eq!(field_of(error), "endedAt");
    }

    #[test]
    fn is_answered_must_be_a_boolean() {
        for input in [Input::Text("true"), Input::Integer(1), Input::Null] {
            let error = with(&[(Field::IsAnswered, input)]).unwrap_err();
            assert_eq!(field_of(error), "isAnswered");
        }
    }

    #[test]
    fn nullable_fields_accept_null_and_required_ones_do_not() {
        let item = with(&[
            (Field::UserId, Input::Null),
            (Field::StatusMessage, Input::Null),
        ])
        .unwrap();
        assert_eq!((item.user_id, item.status_message), (None, None));
        let error = NewItem::parse(
            &[
                (Field::IncomingCallLogId, Input::Text(CALL_LOG)),
                (Field::Status, Input::Null),
            ],
            project(),
        )
        .unwrap_err();
        assert_eq!(field_of(error), "status");
    }

    #[test]
    fn numbers_must_be_whole_and_in_range() {
        assert_eq!(
            with(&[(Field::CallCostInUsdCents, Input::Integer(100))])
                .unwrap()
                .call_cost_in_usd_cents
                .get(),
            100
        );
        for input in [Input::Integer(-1), Input::Other, Input::Text("10")] {
            let error = with(&[(Field::DialDurationInSeconds, input)]).unwrap_err();
            assert_eq!(field_of(error), "dialDurationInSeconds");
        }
    }
}
