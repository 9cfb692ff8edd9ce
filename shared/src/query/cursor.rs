//! The cursor extension (SPEC §3): an opaque, signed position in a list, bound to the project,
//! the query and the sort it was made for. Pure: encoding, signing and checking only.
//!
//! Format: `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, where the payload
//! is compact JSON `{"p": project, "b": binding, "o": offset, "k": last _id}`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::model::ObjectId;

type HmacSha256 = Hmac<Sha256>;

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// How many matching items come before the next page (echoed as `skip`).
    pub offset: u64,
    /// The `_id` of the last item of the previous page, when the list is in key order.
    pub after: Option<ObjectId>,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    p: String,
    b: String,
    o: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<String>,
}

/// What a cursor is bound to: a digest of the project, the query and the sort as sent.
pub fn binding(
    project: ObjectId,
    query: Option<&serde_json::Value>,
    sort: Option<&serde_json::Value>,
) -> String {
    let mut digest = Sha256::new();
    digest.update(project.to_string().as_bytes());
    digest.update(b"\0");
    digest.update(query.map(|q| q.to_string()).unwrap_or_default().as_bytes());
    digest.update(b"\0");
    digest.update(sort.map(|s| s.to_string()).unwrap_or_default().as_bytes());
    hex::encode(&digest.finalize()[..12])
}

fn mac(secret: &[u8], payload: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(payload);
    mac
}

/// Makes the cursor for `position` in the list bound to `binding`.
pub fn encode(secret: &[u8], project: ObjectId, binding: &str, position: &Position) -> String {
    let payload = Payload {
        p: project.to_string(),
        b: binding.to_string(),
        o: position.offset,
        k: position.after.map(|id| id.to_string()),
    };
    let payload = serde_json::to_vec(&payload).expect("a cursor payload serialises");
    let tag = mac(secret, &payload).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

fn invalid(reason: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid \"cursor\": {reason}; send back the nextCursor of the previous page with the same query and sort"
    ))
}

/// Reads a cursor back, refusing one that was altered or made for another project or list.
pub fn decode(
    secret: &[u8],
    project: ObjectId,
    binding: &str,
    cursor: &str,
) -> Result<Position, ApiError> {
    let (payload, tag) = cursor
        .trim()
        .split_once('.')
        .ok_or_else(|| invalid("malformed"))?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid("malformed"))?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| invalid("malformed"))?;
    mac(secret, &payload)
        .verify_slice(&tag)
        .map_err(|_| invalid("it was altered"))?;
    let payload: Payload = serde_json::from_slice(&payload).map_err(|_| invalid("malformed"))?;
    if payload.p != project.to_string() {
        return Err(invalid("it belongs to another project"));
    }
    if payload.b != binding {
        return Err(invalid("it was made for another query or sort"));
    }
    let after = payload
        .k
        .map(|id| ObjectId::parse_str(&id).map_err(|_| invalid("malformed")))
        .transpose()?;
    Ok(Position {
        offset: payload.o,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &[u8] = b"test secret";

    fn project(n: u8) -> ObjectId {
        ObjectId::parse_str(&format!("550e8400-e29b-41d4-a716-4466554400{n:02}")).unwrap()
    }

    fn position() -> Position {
        Position {
            offset: 20,
            after: Some(project(99)),
        }
    }

    #[test]
    fn a_cursor_reads_back_as_its_position() {
        let binding = binding(project(1), Some(&json!({"status": "x"})), None);
        let cursor = encode(SECRET, project(1), &binding, &position());
        assert_eq!(
            decode(SECRET, project(1), &binding, &cursor).unwrap(),
            position()
        );
    }

    #[test]
    fn another_project_query_or_sort_is_refused() {
        let query = json!({"status": "x"});
        let bound = binding(project(1), Some(&query), None);
        let cursor = encode(SECRET, project(1), &bound, &position());
        assert!(decode(SECRET, project(2), &bound, &cursor)
            .unwrap_err()
            .public_message()
            .contains("another project"));
        let other_query = binding(project(1), Some(&json!({"status": "y"})), None);
        assert!(decode(SECRET, project(1), &other_query, &cursor).is_err());
        let other_sort = binding(project(1), Some(&query), Some(&json!({"status": 1})));
        assert!(decode(SECRET, project(1), &other_sort, &cursor).is_err());
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let bound = binding(project(1), None, None);
        let cursor = encode(SECRET, project(1), &bound, &position());
        let (payload, tag) = cursor.split_once('.').unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(payload).unwrap();
        let text = String::from_utf8(raw.clone())
            .unwrap()
            .replace("\"o\":20", "\"o\":21");
        raw = text.into_bytes();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(raw));
        assert!(decode(SECRET, project(1), &bound, &forged)
            .unwrap_err()
            .public_message()
            .contains("altered"));
        assert!(decode(b"other secret", project(1), &bound, &cursor).is_err());
        for garbage in ["", "abc", "a.b", "....", "💥.💥"] {
            assert_eq!(
                decode(SECRET, project(1), &bound, garbage)
                    .unwrap_err()
                    .status(),
                400
            );
        }
    }
}
