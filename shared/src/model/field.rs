//! The names of an item's fields and relations, their kinds, and which of them a client may
//! write (SPEC §2). Every other module asks here rather than spelling field names itself.

/// What kind of value a field holds; decides which query operators fit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Text,
    Phone,
    Integer,
    Date,
    Boolean,
}

/// A field of the item, as named in JSON and in DynamoDB alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    CreatedAt,
    UpdatedAt,
    Version,
    ProjectId,
    IncomingCallLogId,
    IncomingCallPolicyEscalationRuleId,
    UserId,
    UserPhoneNumber,
    Status,
    StatusMessage,
    DialDurationInSeconds,
    CallCostInUsdCents,
    StartedAt,
    EndedAt,
    IsAnswered,
}

impl Field {
    /// Every field, in the order the document lists them.
    pub const ALL: [Field; 16] = [
        Field::Id,
        Field::CreatedAt,
        Field::UpdatedAt,
        Field::Version,
        Field::ProjectId,
        Field::IncomingCallLogId,
        Field::IncomingCallPolicyEscalationRuleId,
        Field::UserId,
        Field::UserPhoneNumber,
        Field::Status,
        Field::StatusMessage,
        Field::DialDurationInSeconds,
        Field::CallCostInUsdCents,
        Field::StartedAt,
        Field::EndedAt,
        Field::IsAnswered,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "_id",
            Field::CreatedAt => "createdAt",
            Field::UpdatedAt => "updatedAt",
            Field::Version => "version",
            Field::ProjectId => "projectId",
            Field::IncomingCallLogId => "incomingCallLogId",
            Field::IncomingCallPolicyEscalationRuleId => "incomingCallPolicyEscalationRuleId",
            Field::UserId => "userId",
            Field::UserPhoneNumber => "userPhoneNumber",
            Field::Status => "status",
            Field::StatusMessage => "statusMessage",
            Field::DialDurationInSeconds => "dialDurationInSeconds",
            Field::CallCostInUsdCents => "callCostInUSDCents",
            Field::StartedAt => "startedAt",
            Field::EndedAt => "endedAt",
            Field::IsAnswered => "isAnswered",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.name() == name)
    }

    pub fn kind(self) -> Kind {
        match self {
            Field::Id
            | Field::ProjectId
            | Field::IncomingCallLogId
            | Field::IncomingCallPolicyEscalationRuleId
            | Field::UserId => Kind::Id,
            Field::CreatedAt | Field::UpdatedAt | Field::StartedAt | Field::EndedAt => Kind::Date,
            Field::Version | Field::DialDurationInSeconds | Field::CallCostInUsdCents => {
                Kind::Integer
            }
            Field::UserPhoneNumber => Kind::Phone,
            Field::Status | Field::StatusMessage => Kind::Text,
            Field::IsAnswered => Kind::Boolean,
        }
    }

    /// The most characters a stored value of a text field has (after trimming).
    pub fn max_chars(self) -> Option<usize> {
        match self {
            Field::Status => Some(super::Status::MAX_CHARS),
            Field::StatusMessage => Some(super::StatusMessage::MAX_CHARS),
            Field::UserPhoneNumber => Some(super::PhoneNumber::MAX_CHARS),
            Field::Id
            | Field::ProjectId
            | Field::IncomingCallLogId
            | Field::IncomingCallPolicyEscalationRuleId
            | Field::UserId
            | Field::CreatedAt
            | Field::UpdatedAt
            | Field::StartedAt
            | Field::EndedAt
            | Field::Version
            | Field::DialDurationInSeconds
            | Field::CallCostInUsdCents
            | Field::IsAnswered => None,
        }
    }

    /// Whether the field may be absent (null) on a stored item.
    pub fn is_nullable(self) -> bool {
        matches!(
            self,
            Field::IncomingCallPolicyEscalationRuleId
                | Field::UserId
                | Field::UserPhoneNumber
                | Field::StatusMessage
                | Field::StartedAt
                | Field::EndedAt
        )
    }

    /// A comma-separated list of every field name, for error messages.
    pub fn all_names() -> String {
        Field::ALL.map(Field::name).join(", ")
    }
}

/// A read-only view of an `…Id` field as `{"_id": …}` (SPEC §2, relations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    Project,
    IncomingCallLog,
    IncomingCallPolicyEscalationRule,
    User,
}

impl Relation {
    pub const ALL: [Relation; 4] = [
        Relation::Project,
        Relation::IncomingCallLog,
        Relation::IncomingCallPolicyEscalationRule,
        Relation::User,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Relation::Project => "project",
            Relation::IncomingCallLog => "incomingCallLog",
            Relation::IncomingCallPolicyEscalationRule => "incomingCallPolicyEscalationRule",
            Relation::User => "user",
        }
    }

    pub fn from_name(name: &str) -> Option<Relation> {
        Relation::ALL
            .into_iter()
            .find(|relation| relation.name() == name)
    }

    /// The `…Id` field this relation is a view of.
    pub fn id_field(self) -> Field {
        match self {
            Relation::Project => Field::ProjectId,
            Relation::IncomingCallLog => Field::IncomingCallLogId,
            Relation::IncomingCallPolicyEscalationRule => Field::IncomingCallPolicyEscalationRuleId,
            Relation::User => Field::UserId,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_name_reads_back_as_its_field() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
        }
        for relation in Relation::ALL {
            assert_eq!(Relation::from_name(relation.name()), Some(relation));
        }
    }

    #[test]
    fn field_names_match_the_document() {
        assert_eq!(Field::CallCostInUsdCents.name(), "callCostInUSDCents");
        assert_eq!(Field::Id.name(), "_id");
        assert_eq!(Field::from_name("callCostInUsdCents"), None);
    }
}
