//! `TestApp`: a fresh project (random id, its own keys) on the shared DynamoDB Local, and plain
//! methods that send real API Gateway events through the real handler.

use std::sync::Arc;
use std::time::Duration;

use call_log_item::api::routes;
use call_log_item::auth::{mint_key, Permission};
use call_log_item::config::{dynamodb_client, Config};
use call_log_item::model::{ObjectId, Timestamp};
use call_log_item::store::{create_items_table, create_keys_table, KeyStore};
use call_log_item::{App, Operation};
use serde_json::{json, Value};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Which API Gateway payload the events use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// HTTP API, payload format 2.0.
    Http,
    /// REST API, payload format 1.0.
    Rest,
}

const HTTP_FIXTURE: &str = include_str!("../../fixtures/apigw-http-v2.json");
const REST_FIXTURE: &str = include_str!("../../fixtures/apigw-rest-v1.json");

static TABLES: OnceCell<()> = OnceCell::const_new();

pub struct TestApp {
    pub app: Arc<App>,
    pub config: Config,
    pub project: ObjectId,
    /// A Project Admin key of `project`.
    pub key: String,
    pub keys: KeyStore,
    /// The raw client, for checks below the API.
    pub client: aws_sdk_dynamodb::Client,
    pub payload: Payload,
}

#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// The `error` message of an error body (panics, naming the body, if there is none).
    pub fn error(&self) -> &str {
        self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {} {}", self.status, self.body))
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

pub fn random_id() -> String {
    Uuid::new_v4().to_string()
}

/// Credentials and region for DynamoDB Local when the environment has none.
fn local_defaults() {
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        if std::env::var_os(name).is_none() {
            // Set before any thread reads the environment: the first test to get here sets them.
            unsafe { std::env::set_var(name, value) };
        }
    }
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`, which starts DynamoDB Local"
    );
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::with_cache(Duration::from_secs(60)).await
    }

    /// A TestApp whose key cache keeps keys for `ttl`.
    pub async fn with_cache(ttl: Duration) -> TestApp {
        local_defaults();
        let mut config = Config::from_env().expect("configuration");
        config.key_cache_ttl = ttl;
        let client = dynamodb_client().await.expect("DynamoDB client");
        TABLES
            .get_or_init(|| async {
                create_items_table(&client, &config.items_table)
                    .await
                    .expect("items table");
                create_keys_table(&client, &config.keys_table)
                    .await
                    .expect("keys table");
            })
            .await;
        let keys = KeyStore::new(client.clone(), &config.keys_table);
        let project = ObjectId::parse_str(&random_id()).unwrap();
        let key = mint_key(
            &keys,
            project,
            vec![Permission::ProjectAdmin],
            Some("test".into()),
            None,
        )
        .await
        .expect("admin key");
        TestApp {
            app: Arc::new(App::new(client.clone(), &config)),
            client,
            config,
            project,
            key,
            keys,
            payload: Payload::Http,
        }
    }

    /// Another TestApp on the same tables with a different project.
    pub async fn other_project() -> TestApp {
        Self::spawn().await
    }

    pub async fn key_with(&self, permissions: &[Permission]) -> String {
        mint_key(&self.keys, self.project, permissions.to_vec(), None, None)
            .await
            .expect("key")
    }

    pub async fn key_expiring(&self, expires_at: Timestamp) -> String {
        mint_key(
            &self.keys,
            self.project,
            vec![Permission::ProjectAdmin],
            None,
            Some(expires_at),
        )
        .await
        .expect("key")
    }

    /// Sends one request as API Gateway would: to the function the route table names.
    pub async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> TestResponse {
        self.send_event(method, path_and_query, headers, body, false)
            .await
    }

    /// Sends a base64-encoded body with the event's `isBase64Encoded` flag set.
    pub async fn send_base64(&self, method: &str, path: &str, encoded_body: &str) -> TestResponse {
        let headers = [
            ("ApiKey", self.key.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.send_event(method, path, &headers, Some(encoded_body), true)
            .await
    }

    async fn send_event(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
        base64: bool,
    ) -> TestResponse {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let matched = routes::resolve(method, path).ok();
        let operation = matched
            .as_ref()
            .map_or(Operation::List, |m| m.route.operation);
        let mut event: Value = serde_json::from_str(&event(
            self.payload,
            method,
            path,
            query,
            matched.as_ref(),
            headers,
            body,
        ))
        .unwrap();
        event["isBase64Encoded"] = json!(base64);
        let event = event.to_string();
        let request = lambda_http::request::from_str(&event).expect("the event parses");
        let response = self.app.handle(operation, request).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
            other => panic!("unexpected body {other:?}"),
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends with this app's admin key and a JSON body.
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.call_as(&self.key, method, path_and_query, body).await
    }

    pub async fn call_as(
        &self,
        key: &str,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let body = body.map(|b| b.to_string());
        let headers = [("ApiKey", key), ("Content-Type", "application/json")];
        self.send(method, path_and_query, &headers, body.as_deref())
            .await
    }

    pub async fn create(&self, data: Value) -> TestResponse {
        self.call("POST", routes::BASE_PATH, Some(json!({ "data": data })))
            .await
    }

    /// Creates a valid item with `extra` fields on top of the required ones; returns it.
    pub async fn create_item(&self, call_log: &str, extra: Value) -> Value {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        if let Value::Object(extra) = extra {
            data.as_object_mut().unwrap().extend(extra);
        }
        let response = self.create(data).await;
        response.assert_status(200);
        response.body
    }

    pub async fn get_item(&self, id: &str, body: Option<Value>) -> TestResponse {
        self.call(
            "POST",
            &format!("{}/{id}/get-item", routes::BASE_PATH),
            body,
        )
        .await
    }

    pub async fn list(&self, query_string: &str, body: Option<Value>) -> TestResponse {
        let path = format!("{}/get-list{query_string}", routes::BASE_PATH);
        self.call("POST", &path, body).await
    }

    pub async fn count(&self, body: Option<Value>) -> TestResponse {
        self.call("POST", &format!("{}/count", routes::BASE_PATH), body)
            .await
    }

    pub async fn update(&self, id: &str, body: Value) -> TestResponse {
        self.call("PUT", &format!("{}/{id}", routes::BASE_PATH), Some(body))
            .await
    }

    pub async fn delete(&self, id: &str) -> TestResponse {
        self.call("DELETE", &format!("{}/{id}", routes::BASE_PATH), None)
            .await
    }

    /// Every item of this project, as stored (read through the API).
    pub async fn all_items(&self) -> Vec<Value> {
        let response = self
            .list("?limit=100", Some(json!({"sort": {"_id": 1}})))
            .await;
        response.assert_status(200);
        response.body["data"].as_array().unwrap().clone()
    }
}

/// A real API Gateway event from the fixtures, with this request's parts put in.
fn event(
    payload: Payload,
    method: &str,
    path: &str,
    query: &str,
    matched: Option<&routes::Matched>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> String {
    let query_pairs: Vec<(String, String)> = url_pairs(query);
    let path_parameters = matched
        .and_then(|m| m.id.clone())
        .map(|id| json!({ "id": id }))
        .unwrap_or(Value::Null);
    let route = matched.map_or_else(
        || path.to_string(),
        |m| format!("{}{}", routes::BASE_PATH, m.route.path),
    );
    match payload {
        Payload::Http => {
            let mut event: Value = serde_json::from_str(HTTP_FIXTURE).unwrap();
            let mut header_map = serde_json::Map::new();
            header_map.insert("host".into(), event["headers"]["host"].clone());
            header_map.insert("user-agent".into(), json!("api-tests"));
            for (name, value) in headers {
                let name = name.to_ascii_lowercase();
                // HTTP APIs join repeated headers with commas.
                let joined = match header_map.get(&name).and_then(Value::as_str) {
                    Some(existing) => format!("{existing},{value}"),
                    None => value.to_string(),
                };
                header_map.insert(name, json!(joined));
            }
            event["headers"] = Value::Object(header_map);
            event["rawPath"] = json!(path);
            event["rawQueryString"] = json!(query);
            event["routeKey"] = json!(format!("{method} {route}"));
            event["requestContext"]["routeKey"] = event["routeKey"].clone();
            event["requestContext"]["http"]["method"] = json!(method);
            event["requestContext"]["http"]["path"] = json!(path);
            event["requestContext"]["requestId"] = json!(random_id());
            if !query_pairs.is_empty() {
                let map: serde_json::Map<String, Value> = query_pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                event["queryStringParameters"] = Value::Object(map);
            }
            if !path_parameters.is_null() {
                event["pathParameters"] = path_parameters;
            }
            if let Some(body) = body {
                event["body"] = json!(body);
            }
            event.to_string()
        }
        Payload::Rest => {
            let mut event: Value = serde_json::from_str(REST_FIXTURE).unwrap();
            let mut single = serde_json::Map::new();
            let mut multi = serde_json::Map::new();
            single.insert("Host".into(), event["headers"]["Host"].clone());
            multi.insert("Host".into(), json!([event["headers"]["Host"].clone()]));
            for (name, value) in headers {
                single.insert(name.to_string(), json!(value));
                let entry = multi.entry(name.to_string()).or_insert_with(|| json!([]));
                entry.as_array_mut().unwrap().push(json!(value));
            }
            event["headers"] = Value::Object(single);
            event["multiValueHeaders"] = Value::Object(multi);
            event["httpMethod"] = json!(method);
            event["path"] = json!(path);
            event["resource"] = json!(route);
            event["requestContext"]["httpMethod"] = json!(method);
            event["requestContext"]["resourcePath"] = json!(route);
            event["requestContext"]["path"] = json!(format!("/testStage{path}"));
            event["requestContext"]["requestId"] = json!(random_id());
            let (single_query, multi_query) = if query_pairs.is_empty() {
                (Value::Null, Value::Null)
            } else {
                let single: serde_json::Map<String, Value> = query_pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                let multi: serde_json::Map<String, Value> = query_pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), json!([v])))
                    .collect();
                (Value::Object(single), Value::Object(multi))
            };
            event["queryStringParameters"] = single_query;
            event["multiValueQueryStringParameters"] = multi_query;
            event["pathParameters"] = path_parameters;
            event["body"] = body.map_or(Value::Null, |b| json!(b));
            event.to_string()
        }
    }
}

/// `a=1&b=2` as pairs (values are plain in these tests: no percent-decoding needed).
fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}
