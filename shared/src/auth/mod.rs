//! Authentication and permissions (SPEC §6): an API key → its project + permissions, through a
//! warm cache of at most 60 s, then the permission check for the operation.

pub mod api_key;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::model::{ObjectId, Operation, Permission, Timestamp};
use crate::store::{KeyAdmin, KeyLookup, KeyRecord, StoreError};

/// Who is calling: the key's project and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub project: ObjectId,
    pub permissions: Vec<Permission>,
}

/// Why a caller was not let in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No key was sent.
    #[error("no API key")]
    MissingKey,
    /// The key is empty, malformed, unknown, expired or revoked.
    #[error("invalid API key")]
    InvalidKey,
    /// The key is valid but none of its permissions allows the operation.
    #[error("the key may not {}", .0.verb())]
    Denied(Operation),
    /// The keys could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The longest a validated key may be trusted without reading the keys table again.
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(60);

/// Turns presented API keys into principals; one per warm function, holding its key cache.
#[derive(Debug)]
pub struct Authenticator {
    ttl: Duration,
    cache: Mutex<HashMap<String, (KeyRecord, Instant)>>,
}

impl Authenticator {
    pub fn new(ttl: Duration) -> Self {
        Authenticator {
            ttl: ttl.min(MAX_CACHE_TTL),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The principal behind the key the caller presented (if any), looked up in `keys` unless
    /// cached.
    pub async fn authenticate(
        &self,
        keys: &impl KeyLookup,
        presented: Option<&str>,
    ) -> Result<Principal, AuthError> {
        let key = presented.ok_or(AuthError::MissingKey)?.trim();
        if !api_key::is_well_formed(key) {
            return Err(AuthError::InvalidKey);
        }
        let hash = api_key::hash(key);
        let record = match self.cached(&hash) {
            Some(record) => record,
            None => {
                let record = keys.find_key(&hash).await?.ok_or(AuthError::InvalidKey)?;
                self.remember(hash, record.clone());
                record
            }
        };
        if record.revoked || record.expires_at.is_some_and(|at| at <= Timestamp::now()) {
            return Err(AuthError::InvalidKey);
        }
        Ok(Principal {
            project: record.project_id,
            permissions: record.permissions,
        })
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

/// Denied unless one of the principal's permissions allows the operation.
pub fn authorize(principal: &Principal, operation: Operation) -> Result<(), AuthError> {
    let allowed = operation.allowed_by();
    if principal.permissions.iter().any(|p| allowed.contains(p)) {
        Ok(())
    } else {
        Err(AuthError::Denied(operation))
    }
}

/// Makes a new key for `project`, stores its hash, and returns the plain key: the only time it
/// exists outside the caller's hands.
pub async fn mint_key(
    keys: &impl KeyAdmin,
    project: ObjectId,
    permissions: Vec<Permission>,
    name: Option<String>,
    expires_at: Option<Timestamp>,
) -> Result<String, StoreError> {
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
    keys.put_key(&record).await?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn project() -> ObjectId {
        ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap()
    }

    fn principal(permissions: &[Permission]) -> Principal {
        Principal {
            project: project(),
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
    fn a_key_without_permissions_can_do_nothing() {
        assert_eq!(
            authorize(&principal(&[]), Operation::Create),
            Err(AuthError::Denied(Operation::Create))
        );
    }

    #[tokio::test]
    async fn a_minted_key_authenticates_as_its_project() {
        let keys = MemoryStore::new();
        let key = mint_key(
            &keys,
            project(),
            vec![Permission::ProjectMember],
            None,
            None,
        )
        .await
        .unwrap();
        let who = Authenticator::new(MAX_CACHE_TTL)
            .authenticate(&keys, Some(&format!(" {key} ")))
            .await
            .unwrap();
        assert_eq!(who, principal(&[Permission::ProjectMember]));
    }

    #[tokio::test]
    async fn missing_malformed_unknown_revoked_and_expired_keys_are_refused() {
        let keys = MemoryStore::new();
        let auth = Authenticator::new(Duration::ZERO);
        assert_eq!(
            auth.authenticate(&keys, None).await,
            Err(AuthError::MissingKey)
        );
        for presented in ["", "secret", &api_key::generate()] {
            assert_eq!(
                auth.authenticate(&keys, Some(presented)).await,
                Err(AuthError::InvalidKey),
                "{presented}"
            );
        }
        let expired = mint_key(
            &keys,
            project(),
            vec![Permission::ProjectAdmin],
            None,
            Some(Timestamp::now().plus_millis(-1)),
        )
        .await
        .unwrap();
        assert_eq!(
            auth.authenticate(&keys, Some(&expired)).await,
            Err(AuthError::InvalidKey)
        );
        let revoked = mint_key(&keys, project(), vec![Permission::ProjectAdmin], None, None)
            .await
            .unwrap();
        keys.revoke_key(&api_key::hash(&revoked)).await.unwrap();
        assert_eq!(
            auth.authenticate(&keys, Some(&revoked)).await,
            Err(AuthError::InvalidKey)
        );
    }

    #[tokio::test]
    async fn a_cached_key_is_trusted_until_its_ttl_and_no_longer() {
        let keys = MemoryStore::new();
        let key = mint_key(&keys, project(), vec![Permission::ProjectAdmin], None, None)
            .await
            .unwrap();
        let cached = Authenticator::new(MAX_CACHE_TTL);
        let uncached = Authenticator::new(Duration::ZERO);
        cached.authenticate(&keys, Some(&key)).await.unwrap();
        keys.revoke_key(&api_key::hash(&key)).await.unwrap();
        assert!(cached.authenticate(&keys, Some(&key)).await.is_ok());
        assert_eq!(
            uncached.authenticate(&keys, Some(&key)).await,
            Err(AuthError::InvalidKey)
        );
    }

    #[test]
    fn the_cache_ttl_is_at_most_60_seconds() {
        assert_eq!(
            Authenticator::new(Duration::from_secs(600)).ttl,
            MAX_CACHE_TTL
        );
    }
}
