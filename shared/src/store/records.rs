//! The records a store keeps besides items.

use crate::model::{ObjectId, Permission, Timestamp};

/// One API key as stored, without the key itself (only its SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    pub key_hash: String,
    pub project_id: ObjectId,
    pub permissions: Vec<Permission>,
    pub name: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked: bool,
}
