//! Get, create, update and delete: each reads its input, makes one store call (through the
//! trait it needs) and says what to answer. The caller has already routed, authenticated and
//! authorized the request.

use super::error::{ApiError, RequestError, RETRY_AFTER_SECONDS};
use super::json;
use super::output::{Projected, Reply};
use super::request::ApiRequest;
use super::routes::BASE_PATH;
use crate::auth::Principal;
use crate::model::{ObjectId, Timestamp};
use crate::store::{Claim, CreatesOnce, IdempotencyKey, ItemReads, ItemWrites};

/// What a get-item body may hold.
pub(super) const GET_BODY: &[&str] = &["select"];

/// The `{id}` of the path, which must be a UUID.
pub fn item_id(raw: Option<&str>) -> Result<ObjectId, RequestError> {
    ObjectId::parse(raw.unwrap_or_default()).map_err(|_| RequestError::PathId)
}

pub async fn get_item(
    store: &impl ItemReads,
    who: &Principal,
    request: &ApiRequest,
    id: ObjectId,
) -> Result<Reply, ApiError> {
    let body = json::body_object(request, GET_BODY)?;
    let select = json::select(body.get("select"))?;
    let item = store
        .get(who.project, id)
        .await?
        .ok_or(ApiError::ItemNotFound)?;
    Ok(Reply::json(
        &Projected::new(&select, &item),
        Some(item.version),
    ))
}

/// A create; with an `Idempotency-Key`, once per key however often the client retries
/// (SPEC §4): the first request's answer again for the same body, 422 for another body, 409
/// while the first is still running.
pub async fn create(
    store: &(impl ItemWrites + CreatesOnce),
    who: &Principal,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    let idempotency_key = request.idempotency_key()?;
    let body = json::body(request)?;
    let now = Timestamp::now();
    let item = json::new_item(&body, who.project)?.into_item(who.project, now);
    let Some(key) = idempotency_key else {
        store.create(&item).await?;
        return Ok(Reply::json(&item, Some(item.version)));
    };
    let key = IdempotencyKey {
        project: who.project,
        key: key.to_string(),
        fingerprint: json::fingerprint(&request.method, BASE_PATH, &body),
    };
    match store.claim(&key, now).await? {
        Claim::Done(first) => Ok(Reply {
            replayed: true,
            ..Reply::json(&first, Some(first.version))
        }),
        Claim::InFlight => Err(ApiError::StillRunning {
            retry_after_seconds: RETRY_AFTER_SECONDS,
        }),
        Claim::OtherRequest => Err(ApiError::KeyReused),
        Claim::Claimed { token } => match store.create_once(&item, &key, &token, now).await {
            Ok(()) => Ok(Reply::json(&item, Some(item.version))),
            Err(error) => {
                // So that a retry need not wait for the claim to be abandoned.
                if let Err(cause) = store.release(&key, &token).await {
                    tracing::warn!(%cause, "could not release an idempotency claim");
                }
                Err(error.into())
            }
        },
    }
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
