//! What a request does. Each function serves one operation; the route table maps method and
//! path to it, and the permission matrix ([`super::Permission`]) says who may do it.

use super::permission::Permission;

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

    /// Any one of these allows the operation (SPEC §6).
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
