//! The six operations, each: parse its input, one store call, the response body.
//! The caller has already routed, authenticated and authorized the request.

use serde_json::{Map, Value};

use super::request::ApiRequest;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::model::{data_object, ItemPatch, NewItem, ObjectId, Timestamp};
use crate::query::Select;
use crate::store::ItemStore;

/// What an operation answers: the JSON body, written, and for a single item its version for
/// `ETag`.
pub struct Reply {
    pub body: String,
    pub version: Option<i64>,
}

impl Reply {
    /// A body serialised straight from typed values (no `serde_json::Value` tree).
    pub(super) fn json(body: &impl serde::Serialize, version: Option<i64>) -> Self {
        Reply {
            body: serde_json::to_string(body).expect("response bodies always serialise"),
            version,
        }
    }

    pub(super) fn empty() -> Self {
        Reply {
            body: "{}".to_string(),
            version: None,
        }
    }
}

/// The body as an object whose keys are among `allowed`; an empty body is an empty object.
pub(super) fn body_object(
    request: &ApiRequest,
    allowed: &[&str],
) -> Result<Map<String, Value>, ApiError> {
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
    Ok(Reply::json(&select.project(&item), Some(item.version)))
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
    Ok(Reply::json(&item, Some(item.version)))
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
    Ok(Reply::empty())
}

pub async fn delete(
    store: &ItemStore,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let expected_version = request.expected_version()?;
    store.delete(who.project, id, expected_version).await?;
    Ok(Reply::empty())
}
