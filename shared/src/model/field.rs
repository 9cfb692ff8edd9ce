//! The names of an item's fields and relations, their kinds, and which of them a client may
//! write (SPEC §2). Every other module asks here rather than spelling field names itself.

use super::spelled::spelled_enum;

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

spelled_enum! {
    /// A field of the item, as named in JSON and in DynamoDB alike, in the document's order.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Field {
        Id = "_id",
        CreatedAt = "createdAt",
        UpdatedAt = "updatedAt",
        Version = "version",
        ProjectId = "projectId",
        IncomingCallLogId = "incomingCallLogId",
        IncomingCallPolicyEscalationRuleId = "incomingCallPolicyEscalationRuleId",
        UserId = "userId",
        UserPhoneNumber = "userPhoneNumber",
        Status = "status",
        StatusMessage = "statusMessage",
        DialDurationInSeconds = "dialDurationInSeconds",
        CallCostInUsdCents = "callCostInUSDCents",
        StartedAt = "startedAt",
        EndedAt = "endedAt",
        IsAnswered = "isAnswered",
    }
}

impl Field {
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
}

spelled_enum! {
    /// A read-only view of an `…Id` field as `{"_id": …}` (SPEC §2, relations).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Relation {
        Project = "project",
        IncomingCallLog = "incomingCallLog",
        IncomingCallPolicyEscalationRule = "incomingCallPolicyEscalationRule",
        User = "user",
    }
}

impl Relation {
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
