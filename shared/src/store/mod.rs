//! Storage: what the API needs of a store, as small traits sized to each operation, and two
//! stores that keep them — DynamoDB ([`DynamoStore`]) and an in-memory twin (`MemoryStore`,
//! behind the `test-support` feature) held to the same behaviour tests (`contract/`).
//!
//! The rules every store keeps: writes are conditional (create never overwrites, update and
//! delete need the item, an expected version must be the stored one), counts are exact, pages come in key
//! order (`_id`, a UUIDv7, so creation order), and a store speaks in [`StoreError`], never in
//! HTTP terms.

#[cfg(any(test, feature = "test-support"))]
pub mod contract;
pub mod drift;
pub mod dynamo;
mod error;
#[cfg(any(test, feature = "test-support"))]
mod memory;
mod records;

use std::future::Future;

pub use dynamo::DynamoStore;
pub use error::StoreError;
#[cfg(any(test, feature = "test-support"))]
pub use memory::MemoryStore;
pub use records::KeyRecord;

use crate::model::{Item, ItemPatch, ObjectId, Timestamp};
use crate::query::{Direction, Filter, Mark, Sort};

/// How many items (or index entries) one read of a request may examine, by default: a count, a
/// page, a skip or a sorted window that would examine more stops there with
/// [`StoreError::TooBroad`]. About 5 MB of items, a few `Query` calls of DynamoDB's 1 MB
/// each: well under a second on DynamoDB, far inside the request's deadline.
pub const MAX_ITEMS_EXAMINED: u64 = 10_000;

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After this many matches.
    Skip(u64),
    /// After the item with this id (a cursor).
    After(ObjectId),
}

/// How a page `skip` deep is read once its list's total is known exactly: forward as asked;
/// nothing (past the end); or, past the middle, `take` items from the other end after
/// skipping `skip` there, to be turned back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeepSkip {
    Forward,
    PastTheEnd,
    FromTheOtherEnd { skip: u64, take: u32 },
}

impl DeepSkip {
    pub(crate) fn of(skip: u64, limit: u32, total: u64) -> DeepSkip {
        if skip >= total {
            return DeepSkip::PastTheEnd;
        }
        if total - skip >= skip {
            return DeepSkip::Forward;
        }
        let end = (skip + u64::from(limit)).min(total);
        DeepSkip::FromTheOtherEnd {
            skip: total - end,
            take: (end - skip) as u32,
        }
    }
}

/// Reading one item.
pub trait ItemReads: Send + Sync {
    /// The item with this id in this project, read consistently.
    fn get(
        &self,
        project: ObjectId,
        id: ObjectId,
    ) -> impl Future<Output = Result<Option<Item>, StoreError>> + Send;
}

/// Writing items. Every write is conditional, and counted where it changes a count.
pub trait ItemWrites: Send + Sync {
    /// Stores a new item and counts it, atomically; never overwrites one
    /// ([`StoreError::IdTaken`]).
    fn create(&self, item: &Item) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Applies `patch` atomically: only its fields change, `updatedAt` becomes `now` and the
    /// version goes up by one. With `expected_version`, only at that version
    /// ([`StoreError::VersionMismatch`]); a missing item is [`StoreError::NotFound`].
    fn update(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &ItemPatch,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes the item for good and uncounts it, atomically; with `expected_version`, only at
    /// that version.
    fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Reading many items of one project. `filter` is already settled for the project
/// ([`Filter::for_project`]).
pub trait ItemQueries: Send + Sync {
    /// Exactly how many of the project's items match.
    fn count(
        &self,
        project: ObjectId,
        filter: &Filter,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Up to `limit` matching items in key order (`direction`), starting at `start`.
    fn page(
        &self,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        start: Start,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Item>, StoreError>> + Send;

    /// The first `keep` matching items in `sort`'s order (after `after`, if given), and how
    /// many items match in all: every match is read, but only `keep` are held
    /// ([`crate::query::Window`]), so memory is bounded whatever the project's size.
    fn sorted_window(
        &self,
        project: ObjectId,
        filter: &Filter,
        sort: &Sort,
        after: Option<&Mark>,
        keep: usize,
    ) -> impl Future<Output = Result<(u64, Vec<Item>), StoreError>> + Send;
}

/// Finding an API key by the hash of the key.
pub trait KeyLookup: Send + Sync {
    fn find_key(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = Result<Option<KeyRecord>, StoreError>> + Send;
}

/// Keeping API keys: what the operator's CLI does.
pub trait KeyAdmin: KeyLookup {
    /// Stores a new key record; never overwrites one ([`StoreError::IdTaken`]).
    fn put_key(&self, record: &KeyRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks a key revoked; `false` when no such key exists.
    fn revoke_key(&self, key_hash: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A project's keys, oldest first.
    fn list_keys(
        &self,
        project: ObjectId,
    ) -> impl Future<Output = Result<Vec<KeyRecord>, StoreError>> + Send;
}

/// A create's idempotency key (SPEC §4), as a store keeps it: the client's key, scoped to the
/// caller's project, with the fingerprint of the request it was first sent with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub project: ObjectId,
    pub key: String,
    pub fingerprint: String,
}

/// How long a store remembers an idempotency key (SPEC §4: 24 hours).
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// How long a claim on a key may stay unfinished before another request may take it over: far
/// longer than any request runs (Lambda stops one after 10 s), so only a crashed one's.
pub const ABANDONED_CLAIM_SECONDS: i64 = 30;

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// The key is this request's now; `token` proves it to [`CreatesOnce::create_once`].
    Claimed { token: String },
    /// A request with this key and fingerprint already created this item.
    Done(Box<Item>),
    /// A request with this key and fingerprint is still running.
    InFlight,
    /// The key was first used with another fingerprint.
    OtherRequest,
}

/// Creates that happen once per idempotency key, however often the client retries.
pub trait CreatesOnce: Send + Sync {
    /// Claims `key` for this request, unless a request with it is running or done. An expired
    /// key (older than [`IDEMPOTENCY_HOURS`]) is free again.
    fn claim(
        &self,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> impl Future<Output = Result<Claim, StoreError>> + Send;

    /// Creates `item` (as [`ItemWrites::create`]) and marks `key` done with it, atomically:
    /// "created" and "remembered" cannot disagree. [`StoreError::Conflict`] when the claim was
    /// taken over meanwhile.
    fn create_once(
        &self,
        item: &Item,
        key: &IdempotencyKey,
        token: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Gives up an unfinished claim (the create failed), so a retry need not wait; a claim that
    /// is done or not ours is left alone.
    fn release(
        &self,
        key: &IdempotencyKey,
        token: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Everything the API's functions need of one store.
pub trait Store: ItemReads + ItemWrites + ItemQueries + CreatesOnce + KeyLookup {}

impl<S: ItemReads + ItemWrites + ItemQueries + CreatesOnce + KeyLookup> Store for S {}

#[cfg(test)]
mod tests {
    use super::DeepSkip;

    #[test]
    fn a_skip_past_the_middle_is_read_from_the_other_end() {
        assert_eq!(DeepSkip::of(20, 5, 50), DeepSkip::Forward);
        assert_eq!(DeepSkip::of(25, 5, 50), DeepSkip::Forward);
        // Items 43..48 of 50 are items 2..7 from the other end.
        assert_eq!(
            DeepSkip::of(43, 5, 50),
            DeepSkip::FromTheOtherEnd { skip: 2, take: 5 }
        );
        // A short last page.
        assert_eq!(
            DeepSkip::of(47, 5, 50),
            DeepSkip::FromTheOtherEnd { skip: 0, take: 3 }
        );
        assert_eq!(DeepSkip::of(50, 5, 50), DeepSkip::PastTheEnd);
    }
}
