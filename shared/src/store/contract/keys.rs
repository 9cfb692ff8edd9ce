//! API keys: stored once, found by hash, listed oldest first, revoked.

use super::{random_id, Tested};
use crate::model::{Permission, Timestamp};
use crate::store::{KeyRecord, StoreError};

pub async fn keys_are_stored_found_listed_and_revoked(store: &impl Tested) {
    let project = random_id();
    // A key of the project created `at`, under a hash of its own.
    let record = |at: &str| KeyRecord {
        key_hash: random_id().to_string().replace('-', ""),
        project_id: project,
        permissions: vec![Permission::ProjectAdmin, Permission::ProjectMember],
        name: Some("ci".into()),
        created_at: Timestamp::parse(at).unwrap(),
        expires_at: None,
        revoked: false,
    };
    let first = record("2026-01-01T00:00:00Z");
    let second = record("2026-01-02T00:00:00Z");
    // No permissions (DynamoDB keeps no empty set) and an expiry: read back as written.
    let bare = KeyRecord {
        permissions: vec![],
        expires_at: Some(Timestamp::parse("2027-01-01T00:00:00Z").unwrap()),
        ..record("2026-01-03T00:00:00Z")
    };
    store.put_key(&second).await.unwrap();
    store.put_key(&first).await.unwrap();
    store.put_key(&bare).await.unwrap();
    assert_eq!(
        store.find_key(&bare.key_hash).await.unwrap(),
        Some(bare.clone())
    );
    assert_eq!(store.put_key(&first).await, Err(StoreError::IdTaken));
    let mut found = store.find_key(&first.key_hash).await.unwrap().unwrap();
    found.permissions.sort();
    assert_eq!(found, first);
    assert_eq!(store.find_key("0".repeat(64).as_str()).await.unwrap(), None);
    let listed: Vec<_> = store
        .list_keys(project)
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.key_hash)
        .collect();
    assert_eq!(
        listed,
        vec![
            first.key_hash.clone(),
            second.key_hash.clone(),
            bare.key_hash.clone()
        ]
    );
    assert!(store.revoke_key(&first.key_hash).await.unwrap());
    assert!(
        store
            .find_key(&first.key_hash)
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(!store.revoke_key(&"f".repeat(64)).await.unwrap());
}
