//! API keys: how a plain key looks, how it is made, and the SHA-256 hash that is all we store.

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Every key starts with this, so a leaked key is recognisable in a scan.
pub const PREFIX: &str = "iclk_";
const SECRET_HEX_LEN: usize = 64;

/// A new random key: the prefix and 256 bits from the OS random source, in hex.
pub fn generate() -> String {
    let mut secret = String::with_capacity(PREFIX.len() + SECRET_HEX_LEN);
    secret.push_str(PREFIX);
    // Two v4 UUIDs: 244 random bits from the OS source (getrandom), plus fixed version bits.
    for _ in 0..2 {
        secret.push_str(&hex::encode(Uuid::new_v4().as_bytes()));
    }
    secret
}

/// Whether the text can be a key at all; anything else is rejected before any lookup.
pub fn is_well_formed(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(|secret| {
        secret.len() == SECRET_HEX_LEN
            && secret
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The stored form of a key: lowercase hex of its SHA-256.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_well_formed_and_distinct() {
        let a = generate();
        let b = generate();
        assert!(is_well_formed(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_keys_are_recognised() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("iclk_"));
        assert!(!is_well_formed(&format!("iclk_{}", "A".repeat(64))));
        assert!(!is_well_formed(&format!("other_{}", "a".repeat(64))));
        assert!(!is_well_formed(&format!("iclk_{}", "a".repeat(65))));
    }

    #[test]
    fn the_hash_is_sha256_hex_and_hides_the_key() {
        let key = generate();
        let hashed = hash(&key);
        assert_eq!(hashed.len(), 64);
        assert!(!hashed.contains(&key[PREFIX.len()..]));
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
