//! Least privilege: each function's DynamoDB permissions in `template.yaml` are exactly the
//! actions its code performs, recorded from the SDK's own requests (an interceptor) while every
//! shape of its operation runs against the local engine. IAM checks each action inside a
//! transaction, so a `TransactWriteItems` records its `PutItem` / `UpdateItem` / `DeleteItem`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation;
use call_log_item::api::{routes, ApiRequest};
use call_log_item::config::{client_config, sdk_config};
use call_log_item::{App, Operation};
use serde_json::json;
use testkit::faults::Faults;

use crate::helpers::{random_id, OnDynamo, TestApp};
use crate::template;

type Recorded = Arc<Mutex<BTreeSet<(String, String)>>>;

/// Records (table, IAM action) of every request the client sends.
#[derive(Debug, Clone)]
struct Recorder {
    items_table: String,
    recorded: Recorded,
}

impl Recorder {
    fn record(&self, table: Option<&str>, action: &str) {
        let table = match table {
            Some(t) if t == self.items_table => "items",
            Some(_) => "keys",
            None => "?",
        };
        self.recorded
            .lock()
            .unwrap()
            .insert((table.to_string(), action.to_string()));
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "least-privilege recorder"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        if let Some(i) = input.downcast_ref::<operation::get_item::GetItemInput>() {
            self.record(i.table_name(), "GetItem");
        } else if let Some(i) = input.downcast_ref::<operation::put_item::PutItemInput>() {
            self.record(i.table_name(), "PutItem");
        } else if let Some(i) = input.downcast_ref::<operation::update_item::UpdateItemInput>() {
            self.record(i.table_name(), "UpdateItem");
        } else if let Some(i) = input.downcast_ref::<operation::delete_item::DeleteItemInput>() {
            self.record(i.table_name(), "DeleteItem");
        } else if let Some(i) = input.downcast_ref::<operation::query::QueryInput>() {
            self.record(i.table_name(), "Query");
        } else if let Some(i) = input.downcast_ref::<operation::batch_get_item::BatchGetItemInput>()
        {
            for table in i.request_items().into_iter().flat_map(|items| items.keys()) {
                self.record(Some(table), "BatchGetItem");
            }
        } else if let Some(i) =
            input.downcast_ref::<operation::batch_write_item::BatchWriteItemInput>()
        {
            for table in i.request_items().into_iter().flat_map(|items| items.keys()) {
                self.record(Some(table), "BatchWriteItem");
            }
        } else if let Some(i) =
            input.downcast_ref::<operation::transact_write_items::TransactWriteItemsInput>()
        {
            for step in i.transact_items() {
                if let Some(put) = step.put() {
                    self.record(Some(put.table_name()), "PutItem");
                }
                if let Some(update) = step.update() {
                    self.record(Some(update.table_name()), "UpdateItem");
                }
                if let Some(delete) = step.delete() {
                    self.record(Some(delete.table_name()), "DeleteItem");
                }
                if let Some(check) = step.condition_check() {
                    self.record(Some(check.table_name()), "ConditionCheckItem");
                }
            }
        } else {
            self.record(None, "an operation this test does not know: add it");
        }
        Ok(())
    }
}

async fn recording_app(test: &TestApp) -> (App, Recorded, Faults) {
    let recorded = Recorded::default();
    let faults = Faults::new();
    let shared = sdk_config().await.expect("SDK configuration");
    let config = client_config(&shared)
        .interceptor(Recorder {
            items_table: test.config.items_table.clone(),
            recorded: recorded.clone(),
        })
        .http_client(faults.http_client())
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    (App::new(client, &test.config), recorded, faults)
}

/// Sends one request to `app` as the function of `operation` receives it.
async fn send(
    app: &App,
    operation: Operation,
    (method, path, body): (&str, &str, Option<&str>),
    headers: &[(&str, &str)],
) -> u16 {
    let route = routes::template_for(method, path);
    let spec = testkit::EventSpec::new(method, path, headers, body).on_route(route.as_deref());
    let event = testkit::event_json(testkit::Payload::Http, &spec);
    app.handle(
        operation,
        ApiRequest::from_event(&event).expect("the event reads"),
    )
    .await
    .status()
    .as_u16()
}

/// Every shape of request each operation serves, with what its code then does.
fn requests(
    operation: Operation,
    id: &str,
    call_log: &str,
) -> Vec<(&'static str, String, Option<serde_json::Value>)> {
    let base = "/api/incoming-call-log-item";
    match operation {
        Operation::List => vec![
            ("POST", format!("{base}/get-list"), None),
            (
                "POST",
                format!("{base}/get-list?skip=2"),
                Some(json!({"query": {"status": "Ringing"}})),
            ),
            (
                "POST",
                format!("{base}/get-list?limit=1"),
                Some(json!({"query": {"incomingCallLogId": call_log}})),
            ),
            (
                "POST",
                format!("{base}/get-list"),
                Some(json!({"query": {"status": {"_type": "Search", "value": "ring"}}})),
            ),
            (
                "POST",
                format!("{base}/get-list"),
                Some(json!({"sort": {"status": 1}})),
            ),
        ],
        Operation::Count => vec![
            ("POST", format!("{base}/count"), None),
            (
                "POST",
                format!("{base}/count"),
                Some(json!({"query": {"incomingCallLogId": call_log}})),
            ),
            (
                "POST",
                format!("{base}/count"),
                Some(json!({"query": {"isAnswered": false}})),
            ),
            (
                "POST",
                format!("{base}/count"),
                Some(json!({"query": {"status": {"_type": "Search", "value": "ring"}}})),
            ),
            (
                "POST",
                format!("{base}/count"),
                Some(json!({"query": {"status": "Ringing", "statusMessage": null}})),
            ),
        ],
        Operation::GetItem => vec![("POST", format!("{base}/{id}/get-item"), None)],
        Operation::Create => vec![(
            "POST",
            base.to_string(),
            Some(json!({"data": {"incomingCallLogId": call_log, "status": "x"}})),
        )],
        Operation::Update => vec![
            (
                "PUT",
                format!("{base}/{id}"),
                Some(json!({"data": {"status": "y", "statusMessage": null}})),
            ),
            (
                "PUT",
                format!("{base}/{id}"),
                Some(json!({"data": {"statusMessage": "plain"}})),
            ),
        ],
        Operation::Delete => vec![
            ("DELETE", format!("{base}/{}", random_id()), None),
            ("DELETE", format!("{base}/{id}"), None),
        ],
    }
}

#[tokio::test]
async fn each_function_may_do_exactly_what_its_code_does() {
    let test = TestApp::spawn().await;
    let template = template::functions();
    let mut mismatches = BTreeMap::new();
    for operation in Operation::ALL {
        let call_log = random_id();
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(test.create_id(&call_log, json!({})).await);
        }
        // Their entries by value, for the reads that start there.
        call_log_item::local_stream::settle(test.store())
            .await
            .expect("the stream is tallied");
        let (app, recorded, faults) = recording_app(&test).await;
        let headers = [("ApiKey", test.key.as_str())];
        for (method, path, body) in requests(operation, &ids[0], &call_log) {
            let body = body.map(|b| b.to_string());
            let status = send(&app, operation, (method, &path, body.as_deref()), &headers).await;
            assert!(status < 500, "{operation:?} {method} {path}: {status}");
        }
        if operation == Operation::Create {
            // With an Idempotency-Key: the claim, the create that completes it, and the claim
            // given up when the create fails.
            let body = json!({"data": {"incomingCallLogId": call_log, "status": "x"}}).to_string();
            let keyed = [("ApiKey", test.key.as_str()), ("Idempotency-Key", "lp-1")];
            let request = ("POST", "/api/incoming-call-log-item", Some(body.as_str()));
            assert_eq!(send(&app, operation, request, &keyed).await, 200);
            faults.cancel_transactions("TransactionConflict", 100);
            let failing = [("ApiKey", test.key.as_str()), ("Idempotency-Key", "lp-2")];
            assert_eq!(send(&app, operation, request, &failing).await, 503);
        }
        let used = recorded.lock().unwrap().clone();
        let granted = template[operation.function_name()].dynamodb.clone();
        if used != granted {
            mismatches.insert(operation.function_name(), (used, granted));
        }
    }
    assert!(
        mismatches.is_empty(),
        "(used by the code, granted by template.yaml): {mismatches:#?}"
    );
}

/// A store whose client records every action it sends.
async fn recording_store(test: &TestApp, recorded: &Recorded) -> call_log_item::store::DynamoStore {
    let shared = sdk_config().await.expect("SDK configuration");
    let config = client_config(&shared)
        .interceptor(Recorder {
            items_table: test.config.items_table.clone(),
            recorded: recorded.clone(),
        })
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    call_log_item::store::DynamoStore::new(
        client,
        &test.config.items_table,
        &test.config.keys_table,
    )
}

#[tokio::test]
async fn the_tally_may_do_exactly_what_its_code_does() {
    use call_log_item::model::ObjectId;
    use call_log_item::store::contract::sample_item;
    use call_log_item::store::dynamo::StreamRecord;

    use super::tally::image;

    let test = TestApp::spawn().await;
    let recorded = Recorded::default();
    let store = recording_store(&test, &recorded).await;
    // What the stream brings: creates with a user and a rule (values counted), an update
    // that moves a status, a delete; the counts they leave move (a net of zero would not).
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let valued = || {
        let mut item = sample_item(project, "Ringing");
        item.user_id = Some(ObjectId::from_uuid(uuid::Uuid::new_v4()));
        item.incoming_call_policy_escalation_rule_id =
            Some(ObjectId::from_uuid(uuid::Uuid::new_v4()));
        item
    };
    let (gone, kept) = (valued(), valued());
    let mut answered = kept.clone();
    answered.status = call_log_item::model::Status::parse("Answered").unwrap();
    let record = |sequence: &str, old: Option<_>, new: Option<_>| StreamRecord {
        sequence: sequence.into(),
        old,
        new,
    };
    let records = [
        record("100", None, Some(image(&gone))),
        record("101", None, Some(image(&kept))),
        record("102", Some(image(&kept)), Some(image(&answered))),
        record("103", Some(image(&gone)), None),
    ];
    store.tally(&records).await.expect("the batch is tallied");
    let used = recorded.lock().unwrap().clone();
    assert_eq!(used, template::functions()["tally"].dynamodb);
}

#[tokio::test]
async fn the_authorizer_may_do_exactly_what_its_code_does() {
    use call_log_item::api::authorizer as gateway;
    use call_log_item::auth::Authenticator;

    let test = TestApp::spawn().await;
    let recorded = Recorded::default();
    let recorded_store = recording_store(&test, &recorded).await;
    let authorizer = Authenticator::new(std::time::Duration::ZERO);
    for key in [test.key.clone(), call_log_item::auth::api_key::generate()] {
        let text = include_str!("../../../events/authorizer/request.json")
            .replace(testkit::events::PLACEHOLDER_API_KEY, &key);
        let event = serde_json::from_str(&text).unwrap();
        gateway::decide(&authorizer, &recorded_store, &event)
            .await
            .unwrap();
    }
    let used = recorded.lock().unwrap().clone();
    assert_eq!(used, template::functions()["authorizer"].dynamodb);
}
