//! Get, create, update and delete: each reads its input, makes one store call (through the
//! trait it needs) and says what to answer. The caller has already routed, authenticated and
//! authorized the request.

use super::error::ApiError;
use super::json;
use super::output::{Projected, Reply};
use super::request::ApiRequest;
use crate::auth::Principal;
use crate::model::{ObjectId, Timestamp};
use crate::store::{ItemReads, ItemWrites};

/// The `{id}` of the path, which must be a UUID.
pub fn item_id(raw: Option<&str>) -> Result<ObjectId, ApiError> {
    ObjectId::parse(raw.unwrap_or_default()).map_err(|_| {
        ApiError::bad_request(
            "The id in the path must be a UUID such as 550e8400-e29b-41d4-a716-446655440000",
        )
    })
}

pub async fn get_item(
    store: &impl ItemReads,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let body = json::body_object(request, &["select"])?;
    let select = json::select(body.get("select"))?;
    let item = store
        .get(who.project, id)
        .await?
        .ok_or_else(ApiError::not_found_item)?;
    Ok(Reply::json(
        &Projected::new(&select, &item),
        Some(item.version),
    ))
}

pub async fn create(
    store: &impl ItemWrites,
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let new_item = json::new_item(&json::body(request)?, who.project)?;
    let item = new_item.into_item(who.project, Timestamp::now());
    store.create(&item).await?;
    Ok(Reply::json(&item, Some(item.version)))
}

pub async fn update(
    store: &impl ItemWrites,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let expected_version = request.expected_version()?;
    let patch = json::patch(&json::body(request)?)?;
    store
        .update(who.project, id, &patch, expected_version, Timestamp::now())
        .await?;
    Ok(Reply::empty())
}

pub async fn delete(
    store: &impl ItemWrites,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let expected_version = request.expected_version()?;
    store.delete(who.project, id, expected_version).await?;
    Ok(Reply::empty())
}
