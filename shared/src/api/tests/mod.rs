//! The API's behaviour without a database: real API Gateway events (from `testkit`) through
//! [`App::handle`] on the in-memory twin ([`MemoryStore`]). Routing, parsing, authentication,
//! permissions, every operation, listing and every error mapping; the black-box tests on
//! the local engine (`tests/`) prove the real store behaves the same.
//!
//! One file per concern; every test builds its own app, so they run in parallel.

mod auth;
mod errors;
mod idempotency;
mod items;
mod listing;
mod metrics;
mod routing;

use std::time::Duration;

use lambda_http::http::HeaderMap;
use serde_json::{json, Value};
use testkit::{EventSpec, Payload};

use super::routes::{self, BASE_PATH};
use super::{ApiRequest, App};
use crate::auth::mint_key;
use crate::config::{Config, Secret};
use crate::model::{Item, ObjectId, Operation, Permission, Timestamp};
use crate::store::contract::{item_at, random_id};
use crate::store::{ItemWrites, MemoryStore, Store};

/// One answer, read back as a client would.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The `error` message (panics, naming the answer, if there is none).
    #[track_caller]
    pub fn error(&self) -> &str {
        self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {} {}", self.status, self.body))
    }

    /// Asserts the answer is the 400 of `refusal`, in its words.
    #[track_caller]
    pub fn refused(&self, refusal: crate::api::ApiError) -> &Self {
        assert_eq!(self.status, refusal.status(), "body: {}", self.body);
        assert_eq!(self.error(), refusal.public_message());
        self
    }

    #[track_caller]
    pub fn status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII"))
    }

    /// The `_id`s of a list answer's `data`.
    pub fn ids(&self) -> Vec<String> {
        self.body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("no data in {}", self.body))
            .iter()
            .map(|item| item["_id"].as_str().expect("an _id").to_string())
            .collect()
    }
}

/// An app on its own store, a project, and a Project Admin key of it.
pub struct Harness<S: Store = MemoryStore> {
    pub app: App<S>,
    pub project: ObjectId,
    pub key: String,
    pub payload: Payload,
}

pub fn config() -> Config {
    Config {
        items_table: "unused".into(),
        keys_table: "unused".into(),
        // No cache: every request reads its key, so revocations show at once.
        key_cache_ttl: Duration::ZERO,
        cursor_secret: Secret::new("unit-test cursor secret"),
        previous_cursor_secret: None,
        pending_cursor_secret: None,
        metrics_namespace: "Tests".into(),
        metrics_service: "unit".into(),
    }
}

impl Harness<MemoryStore> {
    pub async fn new() -> Self {
        Harness::on(MemoryStore::new()).await
    }
}

impl<S: Store + crate::store::KeyAdmin> Harness<S> {
    /// A harness on `store`, which also keeps the keys.
    pub async fn on(store: S) -> Self {
        let app = App::with_store(store, &config());
        let project = random_id();
        let key = mint_key(
            app.store(),
            project,
            vec![Permission::ProjectAdmin],
            None,
            None,
        )
        .await
        .expect("a key");
        Harness {
            app,
            project,
            key,
            payload: Payload::Http,
        }
    }

    /// Another key of this project, with these permissions.
    pub async fn key_with(&self, permissions: &[Permission]) -> String {
        mint_key(
            self.app.store(),
            self.project,
            permissions.to_vec(),
            None,
            None,
        )
        .await
        .expect("a key")
    }

    /// Sends one request as API Gateway would: to the function the route table names.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let route = routes::template_for(method, path);
        let spec = EventSpec::new(method, path, headers, body).on_route(route.as_deref());
        let operation = routes::operation_for(method, path).unwrap_or(Operation::List);
        self.handle(operation, request(self.payload, &spec)).await
    }

    /// Sends an already built request to the function of `operation`.
    pub async fn handle(&self, operation: Operation, request: ApiRequest) -> Answer {
        let response = self.app.handle(operation, request).await;
        let body = match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
            lambda_http::Body::Empty => Value::Null,
            other => panic!("not a text body: {other:?}"),
        };
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body,
        }
    }

    /// Sends with `key` and a JSON body.
    pub async fn call_as(
        &self,
        key: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let body = body.map(|body| body.to_string());
        let headers = [("ApiKey", key), ("Content-Type", "application/json")];
        self.send(method, path, &headers, body.as_deref()).await
    }

    /// Sends with the admin key and a JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_as(&self.key, method, path, body).await
    }

    pub async fn create(&self, data: Value) -> Answer {
        self.call("POST", BASE_PATH, Some(json!({ "data": data })))
            .await
    }

    /// Creates a valid item in `call_log` with `extra` fields; returns its `_id`.
    pub async fn create_id(&self, call_log: &str, extra: Value) -> String {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        if let Value::Object(extra) = extra {
            data.as_object_mut().expect("an object").extend(extra);
        }
        let answer = self.create(data).await;
        answer.status(200);
        answer.body["_id"].as_str().expect("an _id").to_string()
    }

    pub async fn get_item(&self, id: &str, body: Option<Value>) -> Answer {
        self.call("POST", &format!("{BASE_PATH}/{id}/get-item"), body)
            .await
    }

    pub async fn list(&self, query_string: &str, body: Option<Value>) -> Answer {
        self.call("POST", &format!("{BASE_PATH}/get-list{query_string}"), body)
            .await
    }

    pub async fn count(&self, body: Option<Value>) -> Answer {
        self.call("POST", &format!("{BASE_PATH}/count"), body).await
    }

    pub async fn update(&self, id: &str, body: Value) -> Answer {
        self.call("PUT", &format!("{BASE_PATH}/{id}"), Some(body))
            .await
    }

    pub async fn delete(&self, id: &str) -> Answer {
        self.call("DELETE", &format!("{BASE_PATH}/{id}"), None)
            .await
    }
}

impl<S: Store + crate::store::KeyAdmin + ItemWrites> Harness<S> {
    /// Stores items with these statuses straight into the store, one millisecond apart (so
    /// key order is this order), in one call log; returns them oldest first.
    pub async fn seed(&self, call_log: ObjectId, statuses: &[&str]) -> Vec<Item> {
        let start = Timestamp::parse("2026-01-01T00:00:00Z").expect("a date");
        let mut items = Vec::new();
        for (n, status) in statuses.iter().enumerate() {
            let item = item_at(self.project, call_log, status, start.plus_millis(n as i64));
            self.app.store().create(&item).await.expect("stored");
            items.push(item);
        }
        items
    }
}

/// The ids of `items`, as text, newest first (the default order).
pub fn newest_first(items: &[Item]) -> Vec<String> {
    items.iter().rev().map(|item| item.id.to_string()).collect()
}

/// The request the function reads from the event `spec` describes, in `payload`'s format.
pub(super) fn request(payload: Payload, spec: &EventSpec<'_>) -> ApiRequest {
    ApiRequest::from_event(&testkit::event_json(payload, spec)).expect("the event reads")
}
