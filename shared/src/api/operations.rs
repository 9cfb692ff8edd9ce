//! The six operations, each: parse its input, one store call, the response body.
//! The caller has already routed, authenticated and authorized the request.

use std::ops::ControlFlow;

use serde_json::{json, Map, Value};

use super::request::ApiRequest;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::model::{data_object, Item, ItemPatch, NewItem, ObjectId, Timestamp};
use crate::query::{Filter, Paging, Select, Sort};
use crate::store::ItemStore;

/// What an operation answers: a JSON body and, for a single item, its version for `ETag`.
pub struct Reply {
    pub body: Value,
    pub version: Option<i64>,
}

impl Reply {
    fn body(body: Value) -> Self {
        Reply {
            body,
            version: None,
        }
    }
}

/// The body as an object whose keys are among `allowed`; an empty body is an empty object.
fn body_object(request: &ApiRequest, allowed: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let object = match request.json_body()? {
        Value::Null => Map::new(),
        Value::Object(object) => object,
        _ => {
            return Err(ApiError::bad_request(
                "The request body must be a JSON object",
            ))
        }
    };
    if let Some(unknown) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(ApiError::bad_request(format!(
            "Unknown field \"{unknown}\" in the request body; allowed: {}",
            allowed.join(", ")
        )));
    }
    Ok(object)
}

pub fn item_id(raw: Option<&str>) -> Result<ObjectId, ApiError> {
    let raw = raw.unwrap_or_default();
    ObjectId::parse_str(raw).map_err(|_| {
        ApiError::bad_request(
            "The id in the path must be a UUID such as 550e8400-e29b-41d4-a716-446655440000",
        )
    })
}

pub async fn list(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let body = body_object(request, &["select", "query", "sort", "skip", "limit"])?;
    let paging = Paging::parse(
        request.query_param("skip"),
        request.query_param("limit"),
        body.get("skip"),
        body.get("limit"),
    )?;
    let select = Select::parse(body.get("select"))?;
    let sort = Sort::parse(body.get("sort"))?;
    let filter = Filter::parse(body.get("query"))?;

    let mut count: u64 = 0;
    let mut data: Vec<Value> = Vec::with_capacity(paging.limit as usize);
    match sort.key_order() {
        // Key order is the requested order: keep the page's window while counting the rest.
        Some(direction) => {
            store
                .scan_matching(who.project, &filter, direction, |item| {
                    if count >= paging.skip && count < paging.end() {
                        data.push(select.project(&item));
                    }
                    count += 1;
                    ControlFlow::Continue(())
                })
                .await?
        }
        // Any other order needs every match first.
        None => {
            let mut matches: Vec<Item> = Vec::new();
            store
                .scan_matching(
                    who.project,
                    &filter,
                    crate::query::Direction::Descending,
                    |item| {
                        matches.push(item);
                        ControlFlow::Continue(())
                    },
                )
                .await?;
            count = matches.len() as u64;
            matches.sort_by(|a, b| sort.compare(a, b));
            data.extend(
                matches
                    .iter()
                    .skip(paging.skip as usize)
                    .take(paging.limit as usize)
                    .map(|item| select.project(item)),
            );
        }
    }
    Ok(Reply::body(json!({
        "count": count,
        "limit": paging.limit,
        "skip": paging.skip,
        "data": data,
    })))
}

pub async fn count(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let body = body_object(request, &["query"])?;
    let filter = Filter::parse(body.get("query"))?;
    let mut count: u64 = 0;
    store
        .scan_matching(
            who.project,
            &filter,
            crate::query::Direction::Descending,
            |_| {
                count += 1;
                ControlFlow::Continue(())
            },
        )
        .await?;
    Ok(Reply::body(json!({ "count": count })))
}

pub async fn get_item(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let body = body_object(request, &["select"])?;
    let select = Select::parse(body.get("select"))?;
    let item = store
        .get(who.project, id)
        .await?
        .ok_or_else(ApiError::not_found_item)?;
    Ok(Reply {
        body: select.project(&item),
        version: Some(item.version),
    })
}

pub async fn create(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let body = request.json_body()?;
    let new_item = NewItem::parse(data_object(&body)?, who.project)?;
    let item = new_item.into_item(who.project, Timestamp::now());
    store.create(&item).await?;
    Ok(Reply {
        body: item.to_json(),
        version: Some(item.version),
    })
}

pub async fn update(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let expected_version = request.expected_version()?;
    let body = request.json_body()?;
    let patch = ItemPatch::parse(data_object(&body)?)?;
    store
        .update(who.project, id, &patch, expected_version, Timestamp::now())
        .await?;
    Ok(Reply::body(json!({})))
}

pub async fn delete(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let expected_version = request.expected_version()?;
    store.delete(who.project, id, expected_version).await?;
    Ok(Reply::body(json!({})))
}
