//! The behaviour every store must have, as runnable checks: the in-memory twin's unit tests
//! and the DynamoDB tests (`tests/tests/api/store_contract.rs`) both run every check here, so
//! the twin cannot drift from the real thing.
//!
//! [`store_contract_tests!`](crate::store_contract_tests) turns the list into one test per
//! check for a given store. Each check works in projects of its own (random ids), so the
//! checks run in parallel on one shared database.
//!
//! The checks: `items.rs` (one item: create, read, update, delete), `lists.rs` (counts and
//! pages), `keys.rs` (API keys), `once.rs` (idempotency keys of creates).

mod items;
mod keys;
mod lists;
mod once;

pub use items::*;
pub use keys::*;
pub use lists::*;
pub use once::*;

use crate::model::{Field, Input, Item, ItemPatch, NewItem, ObjectId, Timestamp};
use crate::query::{Condition, Filter, Operator, Scalar};
use crate::store::{CreatesOnce, ItemQueries, ItemReads, ItemWrites, KeyAdmin, KeyLookup};

/// What a store under test must offer.
pub trait Tested:
    ItemReads + ItemWrites + ItemQueries + CreatesOnce + KeyLookup + KeyAdmin + Settles
{
}

/// Waiting until a store's counts and entries by value reflect every write made so far: they
/// move with the write in the in-memory twin, and moments later, from the table's stream, in
/// DynamoDB. Checks of counts and reads by value settle first; "exact" means exact once the
/// writes settle.
pub trait Settles: Send + Sync {
    fn settle(&self) -> impl std::future::Future<Output = ()> + Send;
}

impl Settles for crate::store::MemoryStore {
    async fn settle(&self) {}
}

impl<S: ItemReads + ItemWrites + ItemQueries + CreatesOnce + KeyLookup + KeyAdmin + Settles> Tested
    for S
{
}

/// A fresh random id (a project, a call log).
pub fn random_id() -> ObjectId {
    ObjectId::from_uuid(uuid::Uuid::new_v4())
}

/// An item of `project` in `call_log` with `status`, created at `at`.
pub fn item_at(project: ObjectId, call_log: ObjectId, status: &str, at: Timestamp) -> Item {
    let call_log = call_log.to_string();
    NewItem::parse(
        &[
            (Field::IncomingCallLogId, Input::Text(&call_log)),
            (Field::Status, Input::Text(status)),
        ],
        project,
    )
    .expect("a valid sample item")
    .into_item(project, at)
}

/// An item of `project` with `status`, in a call log of its own, created now.
pub fn sample_item(project: ObjectId, status: &str) -> Item {
    item_at(project, random_id(), status, Timestamp::now())
}

/// Creates `statuses.len()` items in `call_log`, one millisecond apart (so their ids, and
/// with them key order, follow the list), and returns them in that order.
pub(crate) async fn create_in_order(
    store: &impl Tested,
    project: ObjectId,
    call_log: ObjectId,
    statuses: &[&str],
) -> Vec<Item> {
    let start = Timestamp::parse("2026-01-01T00:00:00Z").expect("a date");
    let mut items = Vec::new();
    for (n, status) in statuses.iter().enumerate() {
        let at = start.plus_millis(n as i64);
        let item = item_at(project, call_log, status, at);
        store.create(&item).await.expect("create");
        items.push(item);
    }
    store.settle().await;
    items
}

pub(crate) fn status_is(status: &str) -> Filter {
    Filter {
        conditions: vec![Condition::Field {
            field: Field::Status,
            operator: Operator::EqualTo(Scalar::Text(status.into())),
        }],
    }
}

pub(crate) fn in_call_log(call_log: ObjectId) -> Filter {
    Filter {
        conditions: vec![Condition::Field {
            field: Field::IncomingCallLogId,
            operator: Operator::EqualTo(Scalar::Id(call_log)),
        }],
    }
}

pub(crate) fn ids(items: &[Item]) -> Vec<ObjectId> {
    items.iter().map(|item| item.id).collect()
}

pub(crate) fn patch_status(status: &str) -> ItemPatch {
    ItemPatch::parse(&[(Field::Status, Input::Text(status))]).expect("a valid patch")
}

/// One `#[tokio::test]` per check of this module, for the store `$make` (an expression
/// evaluating to a future of the store). The list is written once, in the `@list` arm; a
/// check in `contract/*.rs` that is missing from it fails the build (see [`LISTED`]).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@list (@each $make));
    };
    (@names) => {
        $crate::store_contract_tests!(@list (@stringify))
    };
    (@list ($($head:tt)*)) => {
        $crate::store_contract_tests! { $($head)*;
            a_created_item_reads_back_whole,
            an_item_is_invisible_from_another_project,
            a_create_never_overwrites,
            an_update_changes_only_its_fields_and_moves_the_version,
            an_update_can_clear_a_nullable_field,
            an_update_needs_the_item_and_the_expected_version,
            a_delete_removes_and_uncounts,
            a_delete_needs_the_expected_version,
            counts_are_exact_per_project_call_log_and_filter,
            pages_come_in_key_order_either_way,
            a_page_starts_after_a_skip_or_an_id,
            a_page_continues_after_an_item_deleted_since,
            filtered_pages_hold_only_matches_in_order,
            a_call_logs_page_holds_only_its_items,
            a_sorted_window_holds_the_first_matches_and_counts_all,
            keys_are_stored_found_listed_and_revoked,
            a_key_creates_once_and_then_replays_its_item,
            a_running_claim_is_in_flight_and_another_body_another_request,
            a_released_claim_is_free_and_a_done_one_stays,
            an_abandoned_claim_is_taken_over,
            a_key_expires_after_a_day_and_belongs_to_one_project,
        }
    };
    (@stringify; $($check:ident),* $(,)?) => {
        concat!($(" ", stringify!($check), " "),*)
    };
    (@each $make:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                let store = $make.await;
                $crate::store::contract::$check(&store).await;
            }
        )*
    };
}

/// The checks `store_contract_tests!` runs, each name between spaces.
const LISTED: &str = crate::store_contract_tests!(@names);

// Every `pub async fn` of a check file is a check, and must be listed.
const _: () = every_check_is_listed(include_str!("items.rs"));
const _: () = every_check_is_listed(include_str!("keys.rs"));
const _: () = every_check_is_listed(include_str!("lists.rs"));
const _: () = every_check_is_listed(include_str!("once.rs"));

/// Fails the build if a `pub async fn` in `source` is not in [`LISTED`].
const fn every_check_is_listed(source: &str) {
    let source = source.as_bytes();
    let marker = b"\npub async fn ";
    let mut at = 0;
    while at + marker.len() <= source.len() {
        if starts_with(source, at, marker) {
            let start = at + marker.len();
            let mut end = start;
            while end < source.len() && (source[end].is_ascii_alphanumeric() || source[end] == b'_')
            {
                end += 1;
            }
            if !is_listed(source, start, end) {
                panic!("a store-contract check is missing from store_contract_tests!'s list");
            }
            at = end;
        } else {
            at += 1;
        }
    }
}

/// Whether `source[at..]` starts with `prefix`.
const fn starts_with(source: &[u8], at: usize, prefix: &[u8]) -> bool {
    let mut n = 0;
    while n < prefix.len() {
        if at + n >= source.len() || source[at + n] != prefix[n] {
            return false;
        }
        n += 1;
    }
    true
}

/// Whether ` name ` (`source[start..end]` between spaces) is in [`LISTED`].
const fn is_listed(source: &[u8], start: usize, end: usize) -> bool {
    let listed = LISTED.as_bytes();
    let length = end - start;
    let mut at = 0;
    while at + length + 2 <= listed.len() {
        let mut n = 0;
        let mut same = listed[at] == b' ' && listed[at + length + 1] == b' ';
        while same && n < length {
            same = listed[at + 1 + n] == source[start + n];
            n += 1;
        }
        if same {
            return true;
        }
        at += 1;
    }
    false
}
