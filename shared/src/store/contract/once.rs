//! Idempotency keys of creates: claimed once, done with their item, replayed, refused for
//! another request, free again when released, abandoned or expired.

use super::{random_id, sample_item, Tested};
use crate::model::{ObjectId, Timestamp};
use crate::query::Filter;
use crate::store::{Claim, IdempotencyKey, StoreError};

fn key(project: ObjectId, fingerprint: &str) -> IdempotencyKey {
    IdempotencyKey {
        project,
        key: format!("order-{}", random_id()),
        fingerprint: fingerprint.to_string(),
    }
}

async fn claimed(store: &impl Tested, key: &IdempotencyKey, now: Timestamp) -> String {
    match store.claim(key, now).await.unwrap() {
        Claim::Claimed { token } => token,
        other => panic!("not claimed: {other:?}"),
    }
}

pub async fn a_key_creates_once_and_then_replays_its_item(store: &impl Tested) {
    let project = random_id();
    let key = key(project, "body-1");
    let now = Timestamp::now();
    let token = claimed(store, &key, now).await;
    let item = sample_item(project, "Ringing");
    store.create_once(&item, &key, &token, now).await.unwrap();
    assert_eq!(
        store.get(project, item.id).await.unwrap(),
        Some(item.clone())
    );
    assert_eq!(
        store.claim(&key, now).await.unwrap(),
        Claim::Done(Box::new(item.clone()))
    );
    store.settle().await;
    assert_eq!(store.count(project, &Filter::default()).await.unwrap(), 1);
}

pub async fn a_running_claim_is_in_flight_and_another_body_another_request(store: &impl Tested) {
    let project = random_id();
    let first = key(project, "body-1");
    let now = Timestamp::now();
    let token = claimed(store, &first, now).await;
    assert_eq!(store.claim(&first, now).await.unwrap(), Claim::InFlight);
    let other_body = IdempotencyKey {
        fingerprint: "body-2".into(),
        ..first.clone()
    };
    assert_eq!(
        store.claim(&other_body, now).await.unwrap(),
        Claim::OtherRequest
    );
    store
        .create_once(&sample_item(project, "x"), &first, &token, now)
        .await
        .unwrap();
    assert_eq!(
        store.claim(&other_body, now).await.unwrap(),
        Claim::OtherRequest
    );
}

pub async fn a_released_claim_is_free_and_a_done_one_stays(store: &impl Tested) {
    let project = random_id();
    let key = key(project, "body-1");
    let now = Timestamp::now();
    let token = claimed(store, &key, now).await;
    store.release(&key, &token).await.unwrap();
    let again = claimed(store, &key, now).await;
    assert_ne!(again, token);
    let item = sample_item(project, "x");
    store.create_once(&item, &key, &again, now).await.unwrap();
    store.release(&key, &again).await.unwrap();
    assert_eq!(
        store.claim(&key, now).await.unwrap(),
        Claim::Done(Box::new(item))
    );
}

pub async fn an_abandoned_claim_is_taken_over(store: &impl Tested) {
    let project = random_id();
    let key = key(project, "body-1");
    let now = Timestamp::now();
    let stale = claimed(store, &key, now.plus_millis(-31_000)).await;
    let fresh = claimed(store, &key, now).await;
    let item = sample_item(project, "x");
    assert_eq!(
        store.create_once(&item, &key, &stale, now).await,
        Err(StoreError::Conflict)
    );
    assert_eq!(store.get(project, item.id).await.unwrap(), None);
    store.create_once(&item, &key, &fresh, now).await.unwrap();
    store.settle().await;
    assert_eq!(store.count(project, &Filter::default()).await.unwrap(), 1);
}

pub async fn a_key_expires_after_a_day_and_belongs_to_one_project(store: &impl Tested) {
    let project = random_id();
    let key = key(project, "body-1");
    let now = Timestamp::now();
    let day_ago = now.plus_millis(-25 * 3_600_000);
    let token = claimed(store, &key, day_ago).await;
    store
        .create_once(&sample_item(project, "x"), &key, &token, day_ago)
        .await
        .unwrap();
    claimed(store, &key, now).await;
    let elsewhere = IdempotencyKey {
        project: random_id(),
        ..key.clone()
    };
    claimed(store, &elsewhere, now).await;
}
