//! The floor of `make bench`: the least a function can be. A bare `lambda_http` function on
//! the functions' SDK client (`config::function_client`: timeouts, retries, HTTPS client,
//! credentials) making the same DynamoDB calls as the real function's first request: the key's
//! record by its hash (a consistent `GetItem`), then the operation's own calls (`bench::bare`,
//! the calls the warm benchmark times). `FLOOR_OPERATION` names the operation (`get-item`,
//! `create`, …). No logging, metrics, validation or error handling: not a function to deploy.

use aws_sdk_dynamodb::types::AttributeValue;
use bench::bare::{bare, Target};
use call_log_item::model::ObjectId;
use call_log_item::store::DynamoStore;
use call_log_item::Operation;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let wanted = std::env::var("FLOOR_OPERATION")?;
    let operation = Operation::ALL
        .into_iter()
        .find(|operation| operation.function_name() == wanted)
        .ok_or("FLOOR_OPERATION: a function name")?;
    let client = call_log_item::config::function_client()?;
    let items = std::env::var("ITEMS_TABLE")?;
    let keys = std::env::var("API_KEYS_TABLE")?;
    let store = DynamoStore::new(client.clone(), &items, &keys);
    let (client, items, keys, store) = (&client, items.as_str(), keys.as_str(), &store);
    lambda_http::run(service_fn(move |request: Request| async move {
        let key = request
            .headers()
            .get("ApiKey")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let record = client
            .get_item()
            .table_name(keys)
            .key(
                "keyHash",
                AttributeValue::S(call_log_item::auth::api_key::hash(key)),
            )
            .consistent_read(true)
            .send()
            .await?;
        let project = record
            .item()
            .and_then(|record| record.get("projectId"))
            .and_then(|project| project.as_s().ok())
            .and_then(|project| ObjectId::parse(project).ok())
            .ok_or("an unknown key")?;
        let id = request
            .path_parameters_ref()
            .and_then(|parameters| parameters.first("id"))
            .and_then(|id| ObjectId::parse(id).ok())
            .unwrap_or_else(|| ObjectId::from_uuid(uuid::Uuid::new_v4()));
        let target = Target {
            client: client.clone(),
            items_table: items.to_string(),
            store: store.clone(),
            project,
            call_log: ObjectId::from_uuid(uuid::Uuid::new_v4()),
        };
        bare(operation, &target, id).await;
        Ok::<_, Error>(Response::builder().status(200).body(Body::from("{}"))?)
    }))
    .await
}
