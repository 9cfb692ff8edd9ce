//! The floor of `make bench`: the least a `get-item` function can be. A bare `lambda_http`
//! function on the same SDK client (`config::function_client`: timeouts, retries, HTTPS
//! client, credentials) making the same DynamoDB calls as the real one's first request: the key's record by
//! its hash (a consistent `GetItem`), then the item (a consistent `GetItem`). No logging, no
//! metrics, no validation, no error handling beyond a 404: not a function to deploy.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let client = call_log_item::config::function_client()?;
    let items = std::env::var("ITEMS_TABLE")?;
    let keys = std::env::var("API_KEYS_TABLE")?;
    let (client, items, keys) = (&client, items.as_str(), keys.as_str());
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
            .cloned();
        let id = request
            .path_parameters_ref()
            .and_then(|parameters| parameters.first("id"))
            .unwrap_or_default()
            .to_string();
        let found = match project {
            Some(project) => client
                .get_item()
                .table_name(items)
                .key("projectId", project)
                .key("_id", AttributeValue::S(id))
                .consistent_read(true)
                .send()
                .await?
                .item()
                .map(|item| item.len()),
            None => None,
        };
        let response = match found {
            Some(fields) => Response::builder()
                .status(200)
                .body(Body::from(format!("{{\"fields\":{fields}}}")))?,
            None => Response::builder().status(404).body(Body::Empty)?,
        };
        Ok::<_, Error>(response)
    }))
    .await
}
