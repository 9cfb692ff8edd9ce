//! One item at a time: create, read, update, delete, and what each refuses.

use super::{create_in_order, in_call_log, patch_status, random_id, sample_item, Tested};
use crate::model::{Field, Input, ItemPatch, NewItem, Timestamp};
use crate::query::Filter;
use crate::store::StoreError;

pub async fn a_created_item_reads_back_whole(store: &impl Tested) {
    let sparse = sample_item(random_id(), "Ringing");
    // Every field set, the numbers and dates at their widest.
    let project = random_id();
    let (call_log, rule, user) = (
        random_id().to_string(),
        random_id().to_string(),
        random_id().to_string(),
    );
    let full = NewItem::parse(
        &[
            (Field::IncomingCallLogId, Input::Text(&call_log)),
            (
                Field::IncomingCallPolicyEscalationRuleId,
                Input::Text(&rule),
            ),
            (Field::UserId, Input::Text(&user)),
            (Field::UserPhoneNumber, Input::Text("+1 (555) 123-4567")),
            (Field::Status, Input::Text("Completed")),
            (Field::StatusMessage, Input::Text("rang 4 times, \u{1F4DE}")),
            (
                Field::DialDurationInSeconds,
                Input::Integer(i64::from(i32::MAX)),
            ),
            (Field::CallCostInUsdCents, Input::Integer(0)),
            (
                Field::StartedAt,
                Input::Text("2026-11-27T19:24:15.123+01:00"),
            ),
            (Field::EndedAt, Input::Text("9999-12-31T23:59:59.999Z")),
            (Field::IsAnswered, Input::Boolean(true)),
        ],
        project,
    )
    .unwrap()
    .into_item(project, Timestamp::now());
    for item in [sparse, full] {
        store.create(&item).await.unwrap();
        assert_eq!(
            store.get(item.project_id, item.id).await.unwrap(),
            Some(item)
        );
    }
}

pub async fn an_item_is_invisible_from_another_project(store: &impl Tested) {
    let item = sample_item(random_id(), "Ringing");
    store.create(&item).await.unwrap();
    assert_eq!(store.get(random_id(), item.id).await.unwrap(), None);
    assert_eq!(store.get(item.project_id, random_id()).await.unwrap(), None);
}

pub async fn a_create_never_overwrites(store: &impl Tested) {
    let item = sample_item(random_id(), "Ringing");
    store.create(&item).await.unwrap();
    let mut again = item.clone();
    again.status = patch_status("Busy").status.unwrap();
    assert_eq!(store.create(&again).await, Err(StoreError::IdTaken));
    assert_eq!(
        store.get(item.project_id, item.id).await.unwrap(),
        Some(item.clone())
    );
    store.settle().await;
    assert_eq!(
        store
            .count(item.project_id, &Filter::default())
            .await
            .unwrap(),
        1
    );
}

pub async fn an_update_changes_only_its_fields_and_moves_the_version(store: &impl Tested) {
    let item = sample_item(random_id(), "Ringing");
    store.create(&item).await.unwrap();
    let later = item.created_at.plus_millis(5);
    let patch = ItemPatch::parse(&[
        (Field::Status, Input::Text("Completed")),
        (Field::IsAnswered, Input::Boolean(true)),
    ])
    .unwrap();
    store
        .update(item.project_id, item.id, &patch, None, later)
        .await
        .unwrap();
    let stored = store.get(item.project_id, item.id).await.unwrap().unwrap();
    assert_eq!(stored, patch.apply(&item, later));
    assert_eq!((stored.version, stored.updated_at), (2, later));
}

pub async fn an_update_can_clear_a_nullable_field(store: &impl Tested) {
    let project = random_id();
    let call_log = random_id().to_string();
    let item = NewItem::parse(
        &[
            (Field::IncomingCallLogId, Input::Text(&call_log)),
            (Field::Status, Input::Text("Ringing")),
            (Field::StatusMessage, Input::Text("second ring")),
            (Field::StartedAt, Input::Text("2026-11-27T11:00:00Z")),
        ],
        project,
    )
    .unwrap()
    .into_item(project, Timestamp::now());
    store.create(&item).await.unwrap();
    let patch = ItemPatch::parse(&[
        (Field::StatusMessage, Input::Null),
        (Field::StartedAt, Input::Null),
    ])
    .unwrap();
    store
        .update(project, item.id, &patch, None, Timestamp::now())
        .await
        .unwrap();
    let stored = store.get(project, item.id).await.unwrap().unwrap();
    assert_eq!((stored.status_message, stored.started_at), (None, None));
}

pub async fn an_update_needs_the_item_and_the_expected_version(store: &impl Tested) {
    let item = sample_item(random_id(), "Ringing");
    store.create(&item).await.unwrap();
    let (project, now) = (item.project_id, Timestamp::now());
    assert_eq!(
        store
            .update(project, random_id(), &patch_status("x"), None, now)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .update(random_id(), item.id, &patch_status("x"), None, now)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .update(project, item.id, &patch_status("x"), Some(7), now)
            .await,
        Err(StoreError::VersionMismatch {
            stored: 1,
            expected: 7
        })
    );
    assert_eq!(
        store.get(project, item.id).await.unwrap(),
        Some(item.clone())
    );
    store
        .update(project, item.id, &patch_status("y"), Some(1), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .update(project, item.id, &patch_status("z"), Some(1), now)
            .await,
        Err(StoreError::VersionMismatch {
            stored: 2,
            expected: 1
        })
    );
    let stored = store.get(project, item.id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.version), ("y", 2));
}

pub async fn a_delete_removes_and_uncounts(store: &impl Tested) {
    let (project, call_log) = (random_id(), random_id());
    let items = create_in_order(store, project, call_log, &["a", "b"]).await;
    store.delete(project, items[0].id, None).await.unwrap();
    assert_eq!(store.get(project, items[0].id).await.unwrap(), None);
    store.settle().await;
    assert_eq!(store.count(project, &Filter::default()).await.unwrap(), 1);
    assert_eq!(
        store.count(project, &in_call_log(call_log)).await.unwrap(),
        1
    );
    assert_eq!(
        store.delete(project, items[0].id, None).await,
        Err(StoreError::NotFound)
    );
    store.settle().await;
    assert_eq!(store.count(project, &Filter::default()).await.unwrap(), 1);
}

pub async fn a_delete_needs_the_expected_version(store: &impl Tested) {
    let item = sample_item(random_id(), "Ringing");
    store.create(&item).await.unwrap();
    assert_eq!(
        store.delete(item.project_id, item.id, Some(2)).await,
        Err(StoreError::VersionMismatch {
            stored: 1,
            expected: 2
        })
    );
    assert!(store.get(item.project_id, item.id).await.unwrap().is_some());
    store.settle().await;
    assert_eq!(
        store
            .count(item.project_id, &Filter::default())
            .await
            .unwrap(),
        1
    );
    store
        .delete(item.project_id, item.id, Some(1))
        .await
        .unwrap();
    store.settle().await;
    assert_eq!(
        store
            .count(item.project_id, &Filter::default())
            .await
            .unwrap(),
        0
    );
}
