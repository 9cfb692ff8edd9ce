//! The API's error and its HTTP meaning (SPEC §7): the one place where a failure of any layer
//! becomes a status and the text a client sees.
//!
//! Each layer below speaks its own words ([`InputError`], [`CursorError`], [`AuthError`],
//! [`StoreError`]); this layer's own are [`RequestError`] (what is wrong with the request as
//! read: headers, path, body, paging, select, sort, query), worded here. The `From` impls here
//! are the only mapping to HTTP. Internal causes (SDK errors, table names) live in
//! [`ApiError::Internal`] and [`ApiError::Unavailable`] and are logged, never sent.

use std::fmt;

use crate::auth::AuthError;
use crate::model::{Field, FieldError, InputError, Kind};
use crate::query::{CursorError, OperatorName, Paging, Selected, MAX_SORTED_DEPTH};
use crate::store::StoreError;

/// How long a client is told to wait when the database is unavailable (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// What is wrong with a request as read, before any item or key is looked at: each a 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("Send exactly one ApiKey header")]
    DuplicateApiKey,
    #[error("Idempotency-Key must be 1 to 255 printable ASCII characters")]
    IdempotencyKey,
    #[error("If-Match must be the item's version, a whole number such as \"3\"")]
    IfMatch,
    #[error("The id in the path must be a UUID such as 550e8400-e29b-41d4-a716-446655440000")]
    PathId,
    #[error("The request body is not valid UTF-8")]
    BodyNotUtf8,
    /// The parser's own account of where the JSON breaks.
    #[error("The request body is not valid JSON: {0}")]
    BodyNotJson(String),
    #[error("The request body must be a JSON object")]
    BodyNotObject,
    #[error("Unknown field \"{field}\" in the request body; allowed: {}", allowed.join(", "))]
    UnknownBodyField {
        field: String,
        allowed: &'static [&'static str],
    },
    #[error("The request body must be a JSON object of the form {{\"data\": {{...}}}}")]
    NotADataBody,
    #[error("Unknown top-level field \"{0}\"; the body must be {{\"data\": {{...}}}}")]
    UnknownTopLevelField(String),
    #[error("\"data\" must be a JSON object")]
    DataNotObject,
    #[error("The request body must contain \"data\": an object of the item's fields")]
    NoData,
    #[error("\"limit\" must be an integer from 1 to {}", Paging::MAX_LIMIT)]
    Limit,
    #[error("\"skip\" must be an integer from 0 to {}", Paging::MAX_SKIP)]
    Skip,
    #[error("\"cursor\" must be the nextCursor string of the previous page")]
    CursorNotText,
    #[error("Send either \"skip\" or \"cursor\", not both")]
    SkipAndCursor,
    #[error(
        "\"skip\" + \"limit\" may be at most {MAX_SORTED_DEPTH} with a sort on other fields \
         than createdAt or _id; page deeper with nextCursor"
    )]
    SortedTooDeep,
    #[error("\"select\" must be an object such as {{\"status\": true}}")]
    SelectNotObject,
    #[error("Invalid select \"{relation}.{field}\": a relation can select only \"_id\"")]
    SelectInRelation { relation: String, field: String },
    #[error("Invalid select \"{0}\": the value must be true or false")]
    SelectValue(String),
    #[error("Unknown field \"{0}\" in select; selectable: {names}", names = Selected::all_names())]
    UnknownSelectField(String),
    #[error("\"sort\" must be an object such as {{\"createdAt\": -1}}")]
    SortNotObject,
    #[error("Unknown field \"{0}\" in sort; sortable: {names}", names = Field::all_names())]
    UnknownSortField(String),
    #[error("Invalid sort direction for \"{0}\": use \"ASC\", \"DESC\", 1 or -1")]
    SortDirection(String),
    #[error("\"query\" must be an object such as {{\"status\": \"Ringing\"}}")]
    QueryNotObject,
    #[error(
        "Unknown field \"{0}\" in query; the fields are: {names}",
        names = Field::all_names()
    )]
    UnknownQueryField(String),
    /// A condition of `query`, under `key` (a field, a relation or MultiSearch's any key).
    #[error("Invalid query on \"{key}\": {problem}")]
    Query { key: String, problem: QueryProblem },
}

/// What is wrong with one condition of a `query`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryProblem {
    /// The value breaks its field's rule (an id, a date).
    #[error("{0}")]
    Value(String),
    #[error("a {0} value must have exactly \"_type\" and \"value\"")]
    WrapperKeys(String),
    #[error("a {0} value needs \"value\"")]
    WrapperValue(String),
    #[error("must be a UUID string")]
    NotAnId,
    #[error("must be a date string such as 2026-11-27T18:24:15.123Z")]
    NotADate,
    #[error("the value is longer than any stored one (at most {0} characters)")]
    TooLong(usize),
    #[error("the value must be a string")]
    NotText,
    #[error("the value must be a whole number")]
    NotAWholeNumber,
    #[error("the value must be true or false")]
    NotABoolean,
    #[error("the value must be an array")]
    NotAnArray,
    #[error("the value must not be null; use IsNull")]
    Null,
    #[error("text operators do not apply to {}", kind_name(*.0))]
    TextOperatorOn(Kind),
    #[error("comparisons apply to numbers and dates, not {}", kind_name(*.0))]
    ComparisonOn(Kind),
    #[error("the operator needs a text \"value\"")]
    NeedsText,
    #[error("the operator needs \"{0}\"")]
    Needs(&'static str),
    #[error("unexpected \"{0}\" in the operator")]
    Unexpected(String),
    #[error(
        "unknown operator \"{0}\"; the operators are: {names}",
        names = OperatorName::all_names()
    )]
    UnknownOperator(String),
    #[error("\"_type\" must be a string")]
    TypeNotText,
    #[error(
        "an object must be an operator with \"_type\", such as {{\"_type\": \"EqualTo\", \
         \"value\": …}}"
    )]
    NotAnOperator,
    #[error("MultiSearch needs \"value\" and \"fields\"")]
    MultiSearchShape,
    #[error("MultiSearch needs a text \"value\"")]
    MultiSearchText,
    #[error("MultiSearch needs \"fields\": an array of field names")]
    MultiSearchFields,
    #[error("MultiSearch needs at least one field in \"fields\"")]
    MultiSearchNoField,
    /// The JSON of what was sent in place of a text field's name.
    #[error("MultiSearch fields must be text fields, not {0}")]
    MultiSearchNotText(String),
}

impl RequestError {
    /// A problem with the condition under `key`.
    pub fn query(key: &str, problem: QueryProblem) -> RequestError {
        RequestError::Query {
            key: key.to_string(),
            problem,
        }
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Id => "an id",
        Kind::Text => "text",
        Kind::Phone => "a phone number",
        Kind::Integer => "a number",
        Kind::Date => "a date",
        Kind::Boolean => "a boolean",
    }
}

/// Why a request failed, in terms a client can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request as read is malformed.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// 400: a field breaks the item's rules (403 for another project: see `From`).
    #[error("{}", input_message(.0))]
    Input(InputError),
    /// 400: the cursor is not one this API signed for this list.
    #[error(transparent)]
    Cursor(#[from] CursorError),
    /// 400: the read would examine more than `cap` items.
    #[error(
        "This request would examine more than {cap} items, the most one request may: \
         narrow the query with an incomingCallLogId, a value of status, isAnswered, \
         userId or incomingCallPolicyEscalationRuleId, or a createdAt range; and page \
         with nextCursor rather than a deep skip"
    )]
    TooBroad { cap: u64 },
    /// 401: no API key was sent.
    #[error("An API key is required in the ApiKey header")]
    MissingApiKey,
    /// 401: the key is empty, malformed, unknown, expired or revoked.
    #[error("Invalid API Key")]
    InvalidApiKey,
    /// 403: the key is valid but lacks the permission, or names another project.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such item in the key's project (or no such item at all: the same words).
    #[error("Incoming Call Log Item not found")]
    ItemNotFound,
    /// 404: no route of the API has this path.
    #[error("No route for {method} {path}")]
    NoRoute { method: String, path: String },
    /// 404: a route of the API, but another function's (API Gateway sent it to the wrong one).
    #[error("No route for {method} {path} in this function")]
    NotThisFunction { method: String, path: String },
    /// 405: the path is known, the method is not; `allow` lists the methods that are.
    #[error("Method {method} is not allowed on this path; allowed: {}", allow.join(", "))]
    MethodNotAllowed {
        method: String,
        allow: Vec<&'static str>,
    },
    /// 409: a write lost a race that retrying the same request cannot fix.
    #[error("{0}")]
    Conflict(String),
    /// 409: a create with this Idempotency-Key is still running; `Retry-After` says when to
    /// ask again.
    #[error(
        "A request with this Idempotency-Key is still running; retry after {retry_after_seconds} s"
    )]
    StillRunning { retry_after_seconds: u32 },
    /// 412: `If-Match` named a version that is not the stored one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 422: an Idempotency-Key sent again with another request.
    #[error(
        "This Idempotency-Key was first sent with another request body; send a new key for a \
         new item"
    )]
    KeyReused,
    /// 413: the body is larger than the API accepts.
    #[error("The request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 503: the database is unreachable or throttling after retries.
    #[error("The service is temporarily unavailable; retry after {retry_after_seconds} s")]
    Unavailable {
        retry_after_seconds: u32,
        cause: String,
    },
    /// 500: a bug. The cause is logged; the client sees a generic message.
    #[error("Internal server error")]
    Internal(String),
}

/// An input error's words, with how to update a version where that is what was tried.
fn input_message(error: &InputError) -> String {
    match error {
        InputError::VersionNotUpdatable => {
            format!("{error}; send the If-Match header to update a known version")
        }
        other => other.to_string(),
    }
}

impl ApiError {
    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        ApiError::Unavailable {
            retry_after_seconds: RETRY_AFTER_SECONDS,
            cause: cause.into(),
        }
    }

    /// How long a client is told to wait before asking again, for the errors that say so.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            ApiError::Unavailable {
                retry_after_seconds,
                ..
            }
            | ApiError::StillRunning {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        }
    }

    /// The HTTP status code of this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Request(_)
            | ApiError::Input(_)
            | ApiError::Cursor(_)
            | ApiError::TooBroad { .. } => 400,
            ApiError::MissingApiKey | ApiError::InvalidApiKey => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::ItemNotFound
            | ApiError::NoRoute { .. }
            | ApiError::NotThisFunction { .. } => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict(_) | ApiError::StillRunning { .. } => 409,
            ApiError::PreconditionFailed(_) => 412,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::KeyReused => 422,
            ApiError::Internal(_) => 500,
            ApiError::Unavailable { .. } => 503,
        }
    }

    /// The message a client sees: never an internal cause.
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// The cause to log, for the errors whose cause is not shown to the client.
    pub fn log_cause(&self) -> Option<&str> {
        match self {
            ApiError::Internal(cause) | ApiError::Unavailable { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::Input(InputError::Field(error))
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::OtherProject => ApiError::Forbidden(error.to_string()),
            other => ApiError::Input(other),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::MissingKey => ApiError::MissingApiKey,
            AuthError::InvalidKey => ApiError::InvalidApiKey,
            AuthError::Denied(operation) => {
                let names: Vec<&str> = operation.allowed_by().iter().map(|p| p.title()).collect();
                ApiError::Forbidden(format!(
                    "Your API key cannot {} Incoming Call Log Item; \
                     it needs one of these permissions: {}",
                    operation.verb(),
                    names.join(", ")
                ))
            }
            AuthError::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::ItemNotFound,
            StoreError::VersionMismatch { stored, expected } => {
                ApiError::PreconditionFailed(format!(
                "If-Match: the item is at version {stored}, not {expected}; read it again and retry"
            ))
            }
            // The item kept changing under the write through every retry: contention, which
            // passes; the same request may succeed a moment later.
            StoreError::Conflict => {
                ApiError::unavailable("the item kept changing while it was being written")
            }
            StoreError::IdTaken => {
                ApiError::Conflict("An item with this id already exists; retry the request".into())
            }
            StoreError::Unavailable(cause) => ApiError::unavailable(cause),
            // Retrying cannot help: the client narrows the query (docs/api.md, *What a query
            // costs*).
            StoreError::TooBroad { cap, .. } => ApiError::TooBroad { cap },
            StoreError::Corrupt(cause) | StoreError::Failed(cause) => ApiError::Internal(cause),
        }
    }
}

#[cfg(test)]
mod tests;
