//! Permissions, operations, and which permissions allow which operation (SPEC §6).

/// A permission an API key carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    ProjectOwner,
    ProjectAdmin,
    ProjectMember,
    ReadIncomingCallLogItem,
    ReadAllProjectResources,
}

impl Permission {
    pub const ALL: [Permission; 5] = [
        Permission::ProjectOwner,
        Permission::ProjectAdmin,
        Permission::ProjectMember,
        Permission::ReadIncomingCallLogItem,
        Permission::ReadAllProjectResources,
    ];

    /// The stored and command-line spelling: `ProjectOwner`.
    pub fn code(self) -> &'static str {
        match self {
            Permission::ProjectOwner => "ProjectOwner",
            Permission::ProjectAdmin => "ProjectAdmin",
            Permission::ProjectMember => "ProjectMember",
            Permission::ReadIncomingCallLogItem => "ReadIncomingCallLogItem",
            Permission::ReadAllProjectResources => "ReadAllProjectResources",
        }
    }

    /// The document's spelling: `Project Owner`.
    pub fn title(self) -> &'static str {
        match self {
            Permission::ProjectOwner => "Project Owner",
            Permission::ProjectAdmin => "Project Admin",
            Permission::ProjectMember => "Project Member",
            Permission::ReadIncomingCallLogItem => "Read Incoming Call Log Item",
            Permission::ReadAllProjectResources => "Read All Project Resources",
        }
    }

    /// Reads either spelling.
    pub fn parse(text: &str) -> Option<Permission> {
        Permission::ALL
            .into_iter()
            .find(|permission| permission.code() == text || permission.title() == text)
    }
}

/// What a request does; each function serves one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    List,
    GetItem,
    Count,
    Create,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Operation::List,
        Operation::GetItem,
        Operation::Count,
        Operation::Create,
        Operation::Update,
        Operation::Delete,
    ];

    /// The function (binary and package) that serves this operation.
    pub fn function_name(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::GetItem => "get-item",
            Operation::Count => "count",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    /// The verb used in messages: "read", "create", "update", "delete".
    pub fn verb(self) -> &'static str {
        match self {
            Operation::List | Operation::GetItem | Operation::Count => "read",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    /// Any one of these allows the operation.
    pub fn allowed_by(self) -> &'static [Permission] {
        match self {
            Operation::List | Operation::GetItem | Operation::Count => &Permission::ALL,
            Operation::Create | Operation::Update | Operation::Delete => {
                &[Permission::ProjectOwner, Permission::ProjectAdmin]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_parse() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.code()), Some(permission));
            assert_eq!(Permission::parse(permission.title()), Some(permission));
        }
        assert_eq!(Permission::parse("Admin"), None);
    }

    #[test]
    fn only_owners_and_admins_write() {
        for operation in [Operation::Create, Operation::Update, Operation::Delete] {
            assert_eq!(
                operation.allowed_by(),
                &[Permission::ProjectOwner, Permission::ProjectAdmin]
            );
        }
        for operation in [Operation::List, Operation::GetItem, Operation::Count] {
            assert_eq!(operation.allowed_by().len(), 5);
        }
    }
}
