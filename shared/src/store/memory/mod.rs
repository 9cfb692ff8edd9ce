//! The in-memory twin of the DynamoDB store: the same rules (conditional writes, exact
//! counters kept beside the items, expected versions, key order, idempotency keys), no I/O.
//! The API's unit tests run on it, and `contract/` holds both stores to the same behaviour.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

mod queries;

use super::{
    Claim, CreatesOnce, IdempotencyKey, ItemReads, ItemWrites, KeyAdmin, KeyLookup, KeyRecord,
    StoreError, ABANDONED_CLAIM_SECONDS, IDEMPOTENCY_HOURS,
};
use crate::model::{Item, ItemPatch, ObjectId, Timestamp};

/// What one counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Counter {
    Project,
    CallLog(ObjectId),
}

/// An idempotency key as remembered: claimed by a running request, or done with its item.
#[derive(Debug, Clone)]
struct Remembered {
    fingerprint: String,
    claim: Option<(String, Timestamp)>,
    done: Option<Item>,
    expires: Timestamp,
}

#[derive(Debug, Default)]
struct State {
    /// Per project and key, what an idempotency key remembers.
    idempotency: HashMap<(ObjectId, String), Remembered>,
    /// Per project, its items by `_id` (so in key order).
    items: HashMap<ObjectId, BTreeMap<ObjectId, Item>>,
    counters: HashMap<(ObjectId, Counter), u64>,
    keys: BTreeMap<String, KeyRecord>,
}

impl State {
    /// Whether the key `id` is claimed by `token` and not done yet.
    fn holds_claim(&self, id: &(ObjectId, String), token: &str) -> bool {
        self.idempotency.get(id).is_some_and(|remembered| {
            remembered.done.is_none()
                && remembered
                    .claim
                    .as_ref()
                    .is_some_and(|(claim, _)| claim == token)
        })
    }

    fn item(&self, project: ObjectId, id: ObjectId) -> Option<&Item> {
        self.items.get(&project)?.get(&id)
    }

    /// The checks of a conditional update or delete: the item exists, at the expected version.
    fn check(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<&Item, StoreError> {
        let item = self.item(project, id).ok_or(StoreError::NotFound)?;
        match expected_version {
            Some(expected) if expected != item.version => Err(StoreError::VersionMismatch {
                stored: item.version,
                expected,
            }),
            _ => Ok(item),
        }
    }

    fn count(&mut self, project: ObjectId, call_log: ObjectId, up: bool) {
        for counter in [Counter::Project, Counter::CallLog(call_log)] {
            let value = self.counters.entry((project, counter)).or_default();
            *value = if up {
                *value + 1
            } else {
                value.saturating_sub(1)
            };
        }
    }
}

/// Items, counters and keys in memory, behind one lock: every call is atomic.
#[derive(Debug)]
pub struct MemoryStore {
    state: Mutex<State>,
    /// Items one read may examine, as [`super::DynamoStore`]'s.
    read_cap: u64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            state: Mutex::default(),
            read_cap: super::MAX_ITEMS_EXAMINED,
        }
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// The same store, letting one read examine at most `cap` items.
    pub fn with_read_cap(mut self, cap: u64) -> Self {
        self.read_cap = cap;
        self
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl ItemReads for MemoryStore {
    async fn get(&self, project: ObjectId, id: ObjectId) -> Result<Option<Item>, StoreError> {
        Ok(self.state().item(project, id).cloned())
    }
}

impl ItemWrites for MemoryStore {
    async fn create(&self, item: &Item) -> Result<(), StoreError> {
        let mut state = self.state();
        let items = state.items.entry(item.project_id).or_default();
        if items.contains_key(&item.id) {
            return Err(StoreError::IdTaken);
        }
        items.insert(item.id, item.clone());
        state.count(item.project_id, item.incoming_call_log_id, true);
        Ok(())
    }

    async fn update(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &ItemPatch,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let next = patch.apply(state.check(project, id, expected_version)?, now);
        state.items.entry(project).or_default().insert(id, next);
        Ok(())
    }

    async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let call_log = state
            .check(project, id, expected_version)?
            .incoming_call_log_id;
        if let Some(items) = state.items.get_mut(&project) {
            items.remove(&id);
        }
        state.count(project, call_log, false);
        Ok(())
    }
}

impl CreatesOnce for MemoryStore {
    async fn claim(&self, key: &IdempotencyKey, now: Timestamp) -> Result<Claim, StoreError> {
        let mut state = self.state();
        let id = (key.project, key.key.clone());
        if let Some(remembered) = state.idempotency.get(&id) {
            let abandoned = remembered.claim.as_ref().is_some_and(|(_, since)| {
                *since < now.plus_millis(-ABANDONED_CLAIM_SECONDS * 1000)
            });
            if remembered.expires > now && !abandoned {
                return Ok(if remembered.fingerprint != key.fingerprint {
                    Claim::OtherRequest
                } else if let Some(item) = &remembered.done {
                    Claim::Done(Box::new(item.clone()))
                } else {
                    Claim::InFlight
                });
            }
        }
        let token = uuid::Uuid::new_v4().to_string();
        state.idempotency.insert(
            id,
            Remembered {
                fingerprint: key.fingerprint.clone(),
                claim: Some((token.clone(), now)),
                done: None,
                expires: now.plus_millis(IDEMPOTENCY_HOURS * 3_600_000),
            },
        );
        Ok(Claim::Claimed { token })
    }

    async fn create_once(
        &self,
        item: &Item,
        key: &IdempotencyKey,
        token: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        let id = (key.project, key.key.clone());
        let ours = state.holds_claim(&id, token);
        if !ours {
            return Err(StoreError::Conflict);
        }
        let items = state.items.entry(item.project_id).or_default();
        if items.contains_key(&item.id) {
            return Err(StoreError::IdTaken);
        }
        items.insert(item.id, item.clone());
        state.count(item.project_id, item.incoming_call_log_id, true);
        state.idempotency.insert(
            id,
            Remembered {
                fingerprint: key.fingerprint.clone(),
                claim: None,
                done: Some(item.clone()),
                expires: now.plus_millis(IDEMPOTENCY_HOURS * 3_600_000),
            },
        );
        Ok(())
    }

    async fn release(&self, key: &IdempotencyKey, token: &str) -> Result<(), StoreError> {
        let mut state = self.state();
        let id = (key.project, key.key.clone());
        let ours = state.holds_claim(&id, token);
        if ours {
            state.idempotency.remove(&id);
        }
        Ok(())
    }
}

impl KeyLookup for MemoryStore {
    async fn find_key(&self, key_hash: &str) -> Result<Option<KeyRecord>, StoreError> {
        Ok(self.state().keys.get(key_hash).cloned())
    }
}

impl KeyAdmin for MemoryStore {
    async fn put_key(&self, record: &KeyRecord) -> Result<(), StoreError> {
        let mut state = self.state();
        if state.keys.contains_key(&record.key_hash) {
            return Err(StoreError::IdTaken);
        }
        state.keys.insert(record.key_hash.clone(), record.clone());
        Ok(())
    }

    async fn revoke_key(&self, key_hash: &str) -> Result<bool, StoreError> {
        Ok(match self.state().keys.get_mut(key_hash) {
            Some(record) => {
                record.revoked = true;
                true
            }
            None => false,
        })
    }

    async fn list_keys(&self, project: ObjectId) -> Result<Vec<KeyRecord>, StoreError> {
        let mut keys: Vec<KeyRecord> = self
            .state()
            .keys
            .values()
            .filter(|record| record.project_id == project)
            .cloned()
            .collect();
        keys.sort_by_key(|record| record.created_at);
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Direction, Filter};
    use crate::store::{contract, ItemQueries, Start};

    crate::store_contract_tests!(async { MemoryStore::new() });

    #[tokio::test]
    async fn the_contract_runs_on_a_fresh_store_per_test() {
        // Two stores never share state: the suite's projects are random, but the twin must
        // also not leak between instances.
        let a = MemoryStore::new();
        let b = MemoryStore::new();
        let item = contract::sample_item(
            ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap(),
            "x",
        );
        a.create(&item).await.unwrap();
        assert!(b.get(item.project_id, item.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_read_past_the_cap_stops_there_as_on_dynamodb() {
        let store = MemoryStore::new().with_read_cap(10);
        let project = contract::random_id();
        let call_log = contract::random_id();
        let start = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        for n in 0..30 {
            let status = if n % 3 == 0 { "Ringing" } else { "Completed" };
            let item = contract::item_at(project, call_log, status, start.plus_millis(n));
            store.create(&item).await.unwrap();
        }
        fn too_broad<T>(result: Result<T, StoreError>) -> bool {
            matches!(result, Err(StoreError::TooBroad { cap: 10, .. }))
        }
        // Every item of the project read to count or to skip: past the cap.
        let text = Filter {
            conditions: vec![crate::query::Condition::MultiSearch {
                fields: vec![crate::model::Field::Status],
                text: "ring".into(),
            }],
        };
        assert!(too_broad(store.count(project, &text).await));
        let skip = Start::Skip(15);
        let every = Filter::default();
        let deep = store.page(project, &every, Direction::Descending, skip, 5);
        assert!(too_broad(deep.await));
        // A value's items are where its read starts: 10 of them, within the cap.
        let ringing = contract::status_is("Ringing");
        let page = store.page(project, &ringing, Direction::Ascending, Start::Skip(0), 10);
        assert_eq!(page.await.unwrap().len(), 10);
        // A page that fills early examines no further.
        let first = store.page(project, &text, Direction::Ascending, Start::Skip(0), 3);
        assert_eq!(first.await.unwrap().len(), 3);
    }
}
