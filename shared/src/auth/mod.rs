//! Authentication and permissions (SPEC §6): `ApiKey` header → project + permissions, through a
//! warm cache of at most 60 s, then the permission check for the operation.

pub mod api_key;
mod permission;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use permission::{Operation, Permission};

use crate::error::ApiError;
use crate::model::{ObjectId, Timestamp};
use crate::store::{KeyRecord, KeyStore};

/// Who is calling: the key's project and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub project: ObjectId,
    pub permissions: Vec<Permission>,
}

/// The longest a validated key may be trusted without reading the keys table again.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(60);

/// Turns `ApiKey` headers into principals; one per warm function.
#[derive(Debug)]
pub struct Authenticator {
    keys: KeyStore,
    ttl: Duration,
    cache: Mutex<HashMap<String, (KeyRecord, Instant)>>,
}

impl Authenticator {
    pub fn new(keys: KeyStore, ttl: Duration) -> Self {
        Authenticator {
            keys,
            ttl: ttl.min(MAX_CACHE_TTL),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The principal behind the header's key, or 401.
    pub async fn authenticate(&self, header: Option<&str>) -> Result<Principal, ApiError> {
        let key = header.ok_or(ApiError::MissingApiKey)?.trim();
        if !api_key::is_well_formed(key) {
            return Err(ApiError::InvalidApiKey);
        }
        let hash = api_key::hash(key);
        let record = match self.cached(&hash) {
            Some(record) => record,
            None => {
                let record = self.keys.get(&hash).await?.ok_or(ApiError::InvalidApiKey)?;
                self.remember(hash, record.clone());
                record
            }
        };
        if record.revoked || record.expires_at.is_some_and(|at| at <= Timestamp::now()) {
            return Err(ApiError::InvalidApiKey);
        }
        Ok(Principal {
            project: record.project_id,
            permissions: record.permissions,
        })
    }

    /// One lookup of a key that cannot exist, to open the connection before the first request.
    pub async fn warm_up(&self) -> Result<(), ApiError> {
        self.keys.get(&"0".repeat(64)).await.map(|_| ())
    }

    fn cached(&self, hash: &str) -> Option<KeyRecord> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .get(hash)
            .filter(|(_, fetched)| fetched.elapsed() < self.ttl)
            .map(|(record, _)| record.clone())
    }

    fn remember(&self, hash: String, record: KeyRecord) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A warm function sees few keys; drop stale entries so the map cannot grow unbounded.
        if cache.len() >= 1024 {
            let ttl = self.ttl;
            cache.retain(|_, (_, fetched)| fetched.elapsed() < ttl);
        }
        cache.insert(hash, (record, Instant::now()));
    }
}

/// 403 unless one of the principal's permissions allows the operation.
pub fn authorize(principal: &Principal, operation: Operation) -> Result<(), ApiError> {
    let allowed = operation.allowed_by();
    if principal.permissions.iter().any(|p| allowed.contains(p)) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|p| p.title()).collect();
    Err(ApiError::Forbidden(format!(
        "Your API key cannot {} Incoming Call Log Item; it needs one of these permissions: {}",
        operation.verb(),
        names.join(", ")
    )))
}

/// Makes a new key for `project`, stores its hash, and returns the plain key: the only time it
/// exists outside the caller's hands.
pub async fn mint_key(
    keys: &KeyStore,
    project: ObjectId,
    permissions: Vec<Permission>,
    name: Option<String>,
    expires_at: Option<Timestamp>,
) -> Result<String, ApiError> {
    let key = api_key::generate();
    let record = KeyRecord {
        key_hash: api_key::hash(&key),
        project_id: project,
        permissions,
        name,
        created_at: Timestamp::now(),
        expires_at,
        revoked: false,
    };
    keys.put(&record).await?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(permissions: &[Permission]) -> Principal {
        Principal {
            project: ObjectId::parse_str("550e8400-e29b-41d4-a716-446655440000").unwrap(),
            permissions: permissions.to_vec(),
        }
    }

    #[test]
    fn the_permission_matrix_holds() {
        for permission in Permission::ALL {
            for operation in Operation::ALL {
                let expected = operation.allowed_by().contains(&permission);
                assert_eq!(
                    authorize(&principal(&[permission]), operation).is_ok(),
                    expected
                );
            }
        }
    }

    #[test]
    fn a_key_without_permissions_can_do_nothing_and_is_told_what_would_help() {
        let error = authorize(&principal(&[]), Operation::Create).unwrap_err();
        assert_eq!(error.status(), 403);
        assert!(error.public_message().contains("create"));
        assert!(error.public_message().contains("Project Admin"));
    }
}
