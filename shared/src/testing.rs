//! The one test harness, generic over the store: [`TestApp::memory`] on the in-memory twin
//! (the crate's own tests, no database), [`TestApp::on`] on any other store (the black-box
//! tests build theirs on DynamoDB). Each has a project of its own and a Project Admin key of
//! it, and sends real API Gateway events (`testkit`) through the real handler, reading the
//! answer back as a client would. With the `test-support` feature only.

use std::sync::Arc;
use std::time::Duration;

use lambda_http::http::HeaderMap;
use serde_json::{json, Value};
use testkit::{EventSpec, Payload};

use crate::api::{routes, ApiError, ApiRequest, App};
use crate::auth::mint_key;
use crate::config::{Config, Secret};
use crate::model::{Item, ObjectId, Operation, Permission, Timestamp};
use crate::store::contract::{item_at, random_id, Settles};
use crate::store::{KeyAdmin, MemoryStore, Store};

/// One answer, read back as a client would.
#[derive(Debug, Clone)]
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

    #[track_caller]
    pub fn status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        self
    }

    /// Asserts the answer is `refusal`'s status, in its words.
    #[track_caller]
    pub fn refused(&self, refusal: ApiError) -> &Self {
        assert_eq!(self.status, refusal.status(), "body: {}", self.body);
        assert_eq!(self.error(), refusal.public_message());
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

/// An app on its store, a project, and a Project Admin key of it.
pub struct TestApp<S: Store = MemoryStore> {
    pub app: Arc<App<S>>,
    pub config: Config,
    pub project: ObjectId,
    pub key: String,
    pub payload: Payload,
    /// Whether each request first waits for the store to settle: on DynamoDB, counts and
    /// entries by value follow the writes through the table's stream, so every request is
    /// sent once the writes before it are tallied (as on AWS a moment later). Tests of the lag
    /// itself turn it off.
    pub settles: bool,
}

/// The configuration of an app on the in-memory twin: no key cache (every request reads its
/// key, so revocations show at once), a fixed cursor secret.
pub fn unit_config() -> Config {
    Config {
        items_table: "unused".into(),
        keys_table: "unused".into(),
        key_cache_ttl: Duration::ZERO,
        cursor_secret: Secret::new("unit-test cursor secret"),
        previous_cursor_secret: None,
        pending_cursor_secret: None,
        metrics_namespace: "Tests".into(),
        metrics_service: "unit".into(),
    }
}

impl TestApp<MemoryStore> {
    /// An app on a fresh in-memory twin.
    pub async fn memory() -> Self {
        TestApp::on(MemoryStore::new(), unit_config()).await
    }
}

impl<S: Store + KeyAdmin + Settles> TestApp<S> {
    /// An app on `store`, which also keeps the keys, with a new project and its admin key.
    pub async fn on(store: S, config: Config) -> Self {
        let app = App::with_store(store, &config);
        let project = random_id();
        let key = mint_key(
            app.store(),
            project,
            vec![Permission::ProjectAdmin],
            Some("test".into()),
            None,
        )
        .await
        .expect("an admin key");
        TestApp {
            app: Arc::new(app),
            config,
            project,
            key,
            payload: Payload::Http,
            settles: true,
        }
    }

    pub fn store(&self) -> &S {
        self.app.store()
    }

    /// The same project and key, served by `app`.
    pub fn with_app(&self, app: App<S>) -> Self {
        TestApp {
            app: Arc::new(app),
            ..self.with_payload(self.payload)
        }
    }

    /// The same project and key after a redeploy with `config` (the store kept).
    pub fn redeployed(self, config: &Config) -> Self {
        self.changed(|app| app.redeployed(config))
    }

    /// The same, with the app's metrics written to `metrics`.
    pub fn with_metrics(self, metrics: crate::api::metrics::Metrics) -> Self {
        self.changed(|app| app.with_metrics(metrics))
    }

    fn changed(mut self, change: impl FnOnce(App<S>) -> App<S>) -> Self {
        let app = Arc::try_unwrap(self.app).unwrap_or_else(|_| panic!("the app is shared"));
        self.app = Arc::new(change(app));
        self
    }

    /// The same app and project, sending the other kind of event.
    pub fn with_payload(&self, payload: Payload) -> Self {
        TestApp {
            app: Arc::clone(&self.app),
            config: self.config.clone(),
            project: self.project,
            key: self.key.clone(),
            payload,
            settles: self.settles,
        }
    }

    /// Another key of this project, with these permissions.
    pub async fn key_with(&self, permissions: &[Permission]) -> String {
        mint_key(self.store(), self.project, permissions.to_vec(), None, None)
            .await
            .expect("a key")
    }

    /// An admin key of this project that expires at `expires_at`.
    pub async fn key_expiring(&self, expires_at: Timestamp) -> String {
        let admin = vec![Permission::ProjectAdmin];
        mint_key(self.store(), self.project, admin, None, Some(expires_at))
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
        if self.settles {
            self.store().settle().await;
        }
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
        self.call("POST", routes::BASE_PATH, Some(json!({ "data": data })))
            .await
    }

    /// Creates a valid item in `call_log` with `extra` fields; returns it.
    pub async fn create_item(&self, call_log: &str, extra: Value) -> Value {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        if let Value::Object(extra) = extra {
            data.as_object_mut().expect("an object").extend(extra);
        }
        let answer = self.create(data).await;
        answer.status(200);
        answer.body
    }

    /// Creates a valid item (as `create_item`) and returns its `_id`.
    pub async fn create_id(&self, call_log: &str, extra: Value) -> String {
        let item = self.create_item(call_log, extra).await;
        item["_id"].as_str().expect("an _id").to_string()
    }

    pub async fn get_item(&self, id: &str, body: Option<Value>) -> Answer {
        let path = format!("{}/{id}/get-item", routes::BASE_PATH);
        self.call("POST", &path, body).await
    }

    pub async fn list(&self, query_string: &str, body: Option<Value>) -> Answer {
        let path = format!("{}/get-list{query_string}", routes::BASE_PATH);
        self.call("POST", &path, body).await
    }

    pub async fn count(&self, body: Option<Value>) -> Answer {
        let path = format!("{}/count", routes::BASE_PATH);
        self.call("POST", &path, body).await
    }

    pub async fn update(&self, id: &str, body: Value) -> Answer {
        let path = format!("{}/{id}", routes::BASE_PATH);
        self.call("PUT", &path, Some(body)).await
    }

    pub async fn delete(&self, id: &str) -> Answer {
        let path = format!("{}/{id}", routes::BASE_PATH);
        self.call("DELETE", &path, None).await
    }

    /// Every item of this project, as stored (read through the API).
    pub async fn all_items(&self) -> Vec<Value> {
        let answer = self
            .list("?limit=100", Some(json!({"sort": {"_id": 1}})))
            .await;
        answer.status(200);
        answer.body["data"].as_array().expect("data").clone()
    }

    /// Stores items with these statuses straight into the store, one millisecond apart (so
    /// key order is this order), in one call log; returns them oldest first.
    pub async fn seed(&self, call_log: ObjectId, statuses: &[&str]) -> Vec<Item> {
        let start = Timestamp::parse("2026-01-01T00:00:00Z").expect("a date");
        let mut items = Vec::new();
        for (n, status) in statuses.iter().enumerate() {
            let item = item_at(self.project, call_log, status, start.plus_millis(n as i64));
            self.store().create(&item).await.expect("stored");
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
pub fn request(payload: Payload, spec: &EventSpec<'_>) -> ApiRequest {
    ApiRequest::from_event(&testkit::event_json(payload, spec)).expect("the event reads")
}
