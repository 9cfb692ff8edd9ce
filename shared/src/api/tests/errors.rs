//! SPEC §7 through the handler: every store failure's status (on a store that fails on
//! purpose), bodies that are too large or not JSON, and that no error shows internals.

use base64::Engine;
use serde_json::json;
use testkit::{EventSpec, Payload};

use super::TestApp;
use crate::api::routes::BASE_PATH;
use crate::api::{ApiError, QueryProblem, RequestError, MAX_BODY_BYTES};
use crate::model::{Item, ItemPatch, ObjectId, Operation, Timestamp};
use crate::query::{Direction, Filter, Mark, Sort};
use crate::store::{
    Claim, CreatesOnce, IdempotencyKey, ItemQueries, ItemReads, ItemWrites, KeyAdmin, KeyLookup,
    KeyRecord, MemoryStore, Start, StoreError,
};

/// Keys as the twin keeps them (or, with none, key lookups failing too); every item call
/// fails with `error`.
struct Failing {
    keys: Option<MemoryStore>,
    error: StoreError,
}

impl Failing {
    fn keys(&self) -> &MemoryStore {
        self.keys.as_ref().expect("a store with keys")
    }
}

impl crate::store::contract::Settles for Failing {
    async fn settle(&self) {}
}

impl ItemReads for Failing {
    async fn get(&self, _: ObjectId, _: ObjectId) -> Result<Option<Item>, StoreError> {
        Err(self.error.clone())
    }
}

impl ItemWrites for Failing {
    async fn create(&self, _: &Item) -> Result<(), StoreError> {
        Err(self.error.clone())
    }
    async fn update(
        &self,
        _: ObjectId,
        _: ObjectId,
        _: &ItemPatch,
        _: Option<i64>,
        _: Timestamp,
    ) -> Result<(), StoreError> {
        Err(self.error.clone())
    }
    async fn delete(&self, _: ObjectId, _: ObjectId, _: Option<i64>) -> Result<(), StoreError> {
        Err(self.error.clone())
    }
}

impl ItemQueries for Failing {
    async fn count(&self, _: ObjectId, _: &Filter) -> Result<u64, StoreError> {
        Err(self.error.clone())
    }
    async fn page(
        &self,
        _: ObjectId,
        _: &Filter,
        _: Direction,
        _: Start,
        _: u32,
    ) -> Result<Vec<Item>, StoreError> {
        Err(self.error.clone())
    }
    async fn sorted_window(
        &self,
        _: ObjectId,
        _: &Filter,
        _: &Sort,
        _: Option<&Mark>,
        _: usize,
    ) -> Result<(u64, Vec<Item>), StoreError> {
        Err(self.error.clone())
    }
}

impl CreatesOnce for Failing {
    async fn claim(&self, _: &IdempotencyKey, _: Timestamp) -> Result<Claim, StoreError> {
        Err(self.error.clone())
    }
    async fn create_once(
        &self,
        _: &Item,
        _: &IdempotencyKey,
        _: &str,
        _: Timestamp,
    ) -> Result<(), StoreError> {
        Err(self.error.clone())
    }
    async fn release(&self, _: &IdempotencyKey, _: &str) -> Result<(), StoreError> {
        Err(self.error.clone())
    }
}

impl KeyLookup for Failing {
    async fn find_key(&self, key_hash: &str) -> Result<Option<KeyRecord>, StoreError> {
        match &self.keys {
            Some(keys) => keys.find_key(key_hash).await,
            None => Err(self.error.clone()),
        }
    }
}

impl KeyAdmin for Failing {
    async fn put_key(&self, record: &KeyRecord) -> Result<(), StoreError> {
        self.keys().put_key(record).await
    }
    async fn revoke_key(&self, key_hash: &str) -> Result<bool, StoreError> {
        self.keys().revoke_key(key_hash).await
    }
    async fn list_keys(&self, project: ObjectId) -> Result<Vec<KeyRecord>, StoreError> {
        self.keys().list_keys(project).await
    }
}

/// One request per operation; (operation, status, answer).
async fn every_operation(harness: &TestApp<Failing>) -> Vec<(Operation, super::Answer)> {
    let id = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let mut answers = Vec::new();
    for (operation, method, path, body) in [
        (
            Operation::List,
            "POST",
            format!("{BASE_PATH}/get-list"),
            None,
        ),
        (
            Operation::List,
            "POST",
            format!("{BASE_PATH}/get-list"),
            Some(json!({"sort": {"status": 1}})),
        ),
        (
            Operation::GetItem,
            "POST",
            format!("{BASE_PATH}/{id}/get-item"),
            None,
        ),
        (Operation::Count, "POST", format!("{BASE_PATH}/count"), None),
        (
            Operation::Create,
            "POST",
            BASE_PATH.to_string(),
            Some(json!({"data": {"incomingCallLogId": id.to_string(), "status": "x"}})),
        ),
        (
            Operation::Update,
            "PUT",
            format!("{BASE_PATH}/{id}"),
            Some(json!({"data": {"status": "y"}})),
        ),
        (
            Operation::Delete,
            "DELETE",
            format!("{BASE_PATH}/{id}"),
            None,
        ),
    ] {
        answers.push((operation, harness.call(method, &path, body).await));
    }
    answers
}

async fn failing_with(error: StoreError) -> TestApp<Failing> {
    let failing = Failing {
        keys: Some(MemoryStore::new()),
        error,
    };
    TestApp::on(failing, super::config()).await
}

#[tokio::test]
async fn an_unavailable_database_is_503_with_retry_after_on_every_route() {
    let harness = failing_with(StoreError::Unavailable("timeout after 800 ms on t1".into())).await;
    for (operation, answer) in every_operation(&harness).await {
        assert_eq!(answer.status, 503, "{operation:?}");
        assert_eq!(answer.header("retry-after"), Some("1"), "{operation:?}");
        assert!(!answer.error().contains("t1"), "{operation:?}");
    }
}

#[tokio::test]
async fn corrupt_data_or_a_failed_call_is_a_generic_500() {
    for error in [
        StoreError::Corrupt("stored item has a bad status in t1".into()),
        StoreError::Failed("ResourceNotFoundException: t1".into()),
    ] {
        let harness = failing_with(error).await;
        for (operation, answer) in every_operation(&harness).await {
            assert_eq!(answer.status, 500, "{operation:?}");
            assert_eq!(answer.error(), "Internal server error", "{operation:?}");
        }
    }
}

#[tokio::test]
async fn a_key_lookup_that_cannot_be_made_is_503_not_401() {
    let unreachable = Failing {
        keys: None,
        error: StoreError::Unavailable("down".into()),
    };
    let app = crate::api::App::with_store(unreachable, &super::config());
    let key = crate::auth::api_key::generate();
    let path = format!("{BASE_PATH}/count");
    let headers = [("ApiKey", key.as_str())];
    let spec = EventSpec::new("POST", &path, &headers, None);
    let response = app
        .handle(Operation::Count, super::request(Payload::Http, &spec))
        .await;
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_body_over_256_kib_is_413_before_anything_else() {
    let harness = super::TestApp::memory().await;
    let big = json!({"data": {"status": "x", "statusMessage": "y".repeat(300 * 1024)}}).to_string();
    let answer = harness
        .send(
            "POST",
            BASE_PATH,
            &[("ApiKey", "not even a key")],
            Some(&big),
        )
        .await;
    answer.refused(ApiError::PayloadTooLarge {
        limit: MAX_BODY_BYTES,
    });
    // Refused before the key is even read: nothing stored.
    let with_key = harness
        .send(
            "POST",
            BASE_PATH,
            &[("ApiKey", harness.key.as_str())],
            Some(&big),
        )
        .await;
    with_key.status(413);
    assert_eq!(harness.count(None).await.body["count"], 0);
}

/// The refusal of `body`, in the JSON reader's own words of where it breaks.
fn not_json(body: &str) -> ApiError {
    let reader = serde_json::from_str::<serde_json::Value>(body).unwrap_err();
    RequestError::BodyNotJson(reader.to_string()).into()
}

#[tokio::test]
async fn malformed_json_is_400_saying_where() {
    let harness = super::TestApp::memory().await;
    let body = "{\"data\": {\"status\": }";
    let answer = harness
        .send(
            "POST",
            BASE_PATH,
            &[("ApiKey", harness.key.as_str())],
            Some(body),
        )
        .await;
    let refusal = not_json(body);
    assert!(refusal.to_string().contains("line 1 column"), "{refusal}");
    answer.refused(refusal);
    assert_eq!(
        harness.count(None).await.body["count"],
        0,
        "nothing created"
    );
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400() {
    let harness = super::TestApp::memory().await;
    let encoded = base64::engine::general_purpose::STANDARD.encode([0x7b, 0xff, 0xfe, 0x7d]);
    let headers = [("ApiKey", harness.key.as_str())];
    let path = format!("{BASE_PATH}/count");
    let mut spec = EventSpec::new("POST", &path, &headers, Some(&encoded));
    spec.base64 = true;
    let answer = harness
        .handle(Operation::Count, super::request(Payload::Http, &spec))
        .await;
    answer.refused(RequestError::BodyNotUtf8.into());
}

#[tokio::test]
async fn every_answer_is_json_with_its_content_type() {
    let harness = super::TestApp::memory().await;
    for answer in [
        harness.list("", None).await,
        harness.list("?limit=0", None).await,
        harness.call("PATCH", BASE_PATH, None).await,
    ] {
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn a_refused_request_never_reaches_the_store() {
    // Every item call of this store is a 500: a refusal that reached it would not be a 400.
    let harness = failing_with(StoreError::Failed("reached".into())).await;
    let id = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let (item, list, count) = (
        format!("{BASE_PATH}/{id}"),
        format!("{BASE_PATH}/get-list"),
        format!("{BASE_PATH}/count"),
    );
    // Nested past the JSON reader's depth limit: refused, not a stack overflow.
    let deep_array = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    let key = [("ApiKey", harness.key.as_str())];
    for (method, path) in [("POST", BASE_PATH), ("PUT", &item), ("POST", &list)] {
        for body in [&deep_array, &deep_object] {
            let answer = harness.send(method, path, &key, Some(body)).await;
            answer.refused(not_json(body));
        }
    }
    let query = json!({"query": {"status": {"_type": "Includes", "value": "x"}}});
    for path in [&list, &count] {
        let answer = harness.call("POST", path, Some(query.clone())).await;
        answer.refused(RequestError::query("status", QueryProblem::NotAnArray).into());
    }
    let stale = [("ApiKey", harness.key.as_str()), ("If-Match", "0")];
    let answer = harness.send("DELETE", &item, &stale, None).await;
    answer.refused(RequestError::IfMatch.into());
}
