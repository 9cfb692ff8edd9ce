//! How each kind of field reads an [`Input`]: the value's own type decides the rule, this
//! decides which shapes may carry it. Shared by create ([`super::NewItem`]) and update
//! ([`super::ItemPatch`]).

use super::field::Field;
use super::input::{FieldError, Input};
use super::values::{ObjectId, PhoneNumber, Status, StatusMessage, Timestamp, WholeNumber};

pub(super) fn id(input: Input<'_>) -> Result<ObjectId, String> {
    match input {
        Input::Text(text) => ObjectId::parse(text),
        _ => Err("must be a UUID string".into()),
    }
}

pub(super) fn status(input: Input<'_>) -> Result<Status, String> {
    match input {
        Input::Text(text) => Status::parse(text),
        _ => Err("must be a string".into()),
    }
}

pub(super) fn status_message(input: Input<'_>) -> Result<StatusMessage, String> {
    match input {
        Input::Text(text) => StatusMessage::parse(text),
        _ => Err("must be a string or null".into()),
    }
}

pub(super) fn phone_number(input: Input<'_>) -> Result<PhoneNumber, String> {
    match input {
        Input::Text(text) => PhoneNumber::parse(text),
        _ => Err("must be a string or null".into()),
    }
}

pub(super) fn whole_number(input: Input<'_>) -> Result<WholeNumber, String> {
    match input {
        Input::Integer(number) => WholeNumber::parse(number),
        _ => Err(WholeNumber::rule()),
    }
}

pub(super) fn date(input: Input<'_>) -> Result<Timestamp, String> {
    match input {
        Input::Text(text) => Timestamp::parse(text),
        _ => Err("must be a date string such as 2026-11-27T18:24:15.123Z".into()),
    }
}

pub(super) fn boolean(input: Input<'_>) -> Result<bool, String> {
    match input {
        Input::Boolean(flag) => Ok(flag),
        _ => Err("must be true or false (a JSON boolean)".into()),
    }
}

/// A field that must hold a value.
pub(super) fn required<T>(
    field: Field,
    input: Input<'_>,
    read: impl FnOnce(Input<'_>) -> Result<T, String>,
) -> Result<T, FieldError> {
    read(input).map_err(|rule| FieldError::new(field.name(), rule))
}

/// A field that may be null: null is `None`.
pub(super) fn nullable<T>(
    field: Field,
    input: Input<'_>,
    read: impl FnOnce(Input<'_>) -> Result<T, String>,
) -> Result<Option<T>, FieldError> {
    match input {
        Input::Null => Ok(None),
        input => required(field, input, read).map(Some),
    }
}

/// `endedAt` never before `startedAt`, when both are known.
pub(super) fn check_dial_window(
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
) -> Result<(), FieldError> {
    match (started_at, ended_at) {
        (Some(start), Some(end)) if end < start => Err(FieldError::new(
            Field::EndedAt.name(),
            "must not be earlier than \"startedAt\"",
        )),
        _ => Ok(()),
    }
}
