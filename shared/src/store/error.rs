//! What can go wrong in a store, in the store's own words. The API decides what each means
//! to a client (`api/error.rs`).

/// Why a store call did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The item (or key) does not exist.
    #[error("no such item")]
    NotFound,
    /// A write expected another version than the one stored.
    #[error("the item is at version {stored}, not {expected}")]
    VersionMismatch { stored: i64, expected: i64 },
    /// The item changed between the write's read and the write itself.
    #[error("the item changed while it was being written")]
    Conflict,
    /// A create met an existing item (or key) with the same id.
    #[error("an item with this id already exists")]
    IdTaken,
    /// The database cannot be reached in time, or throttles, or keeps conflicting after the
    /// retries: trying again later may succeed.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A read would examine more items than a request may (`cap`, the store's read cap):
    /// stopped there, having found `matched` matches. The query is the client's to narrow.
    #[error("the read would examine more than {cap} items")]
    TooBroad { cap: u64, matched: u64 },
    /// Stored data the code cannot read: a bug, or data written by something else.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// Anything else: a bug or a misconfiguration (a missing table, a refused permission).
    #[error("the database call failed: {0}")]
    Failed(String),
}
