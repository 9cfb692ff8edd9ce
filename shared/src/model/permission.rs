//! The permissions an API key carries (SPEC §6), in their stored and their document spelling.

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
}
