//! The cursor extension (SPEC §3): an opaque, signed position in a list, bound to the project,
//! the query and the sort it was made for. Pure: encoding, signing and checking only.
//!
//! Format: `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, where the payload
//! is the text `project|binding|offset|last _id` (the last `_id` may be empty).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

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

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Invalid \"cursor\": {}; send back the nextCursor of the previous page with the same \
     query and sort",
    self.reason()
)]
pub enum CursorError {
    Malformed,
    Altered,
    OtherProject,
    OtherList,
}

impl CursorError {
    fn reason(self) -> &'static str {
        match self {
            CursorError::Malformed => "malformed",
            CursorError::Altered => "it was altered",
            CursorError::OtherProject => "it belongs to another project",
            CursorError::OtherList => "it was made for another query or sort",
        }
    }
}

/// What a cursor is bound to: a digest of the project, and the query and the sort as the
/// client wrote them (their canonical text; absent is empty).
pub fn binding(project: ObjectId, query: Option<&str>, sort: Option<&str>) -> String {
    let mut digest = Sha256::new();
    digest.update(project.to_string().as_bytes());
    digest.update(b"\0");
    digest.update(query.unwrap_or_default().as_bytes());
    digest.update(b"\0");
    digest.update(sort.unwrap_or_default().as_bytes());
    hex::encode(&digest.finalize()[..12])
}

fn mac(secret: &[u8], payload: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(payload);
    mac
}

/// Makes the cursor for `position` in the list bound to `binding`.
pub fn encode(secret: &[u8], project: ObjectId, binding: &str, position: &Position) -> String {
    let after = position.after.map(|id| id.to_string()).unwrap_or_default();
    let payload = format!("{project}|{binding}|{}|{after}", position.offset);
    let tag = mac(secret, payload.as_bytes()).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Reads a cursor back, refusing one that was altered or made for another project or list.
pub fn decode(
    secret: &[u8],
    project: ObjectId,
    binding: &str,
    cursor: &str,
) -> Result<Position, CursorError> {
    let (payload, tag) = cursor
        .trim()
        .split_once('.')
        .ok_or(CursorError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| CursorError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| CursorError::Malformed)?;
    mac(secret, &payload)
        .verify_slice(&tag)
        .map_err(|_| CursorError::Altered)?;
    let payload = String::from_utf8(payload).map_err(|_| CursorError::Malformed)?;
    let [cursor_project, cursor_binding, offset, after] = payload
        .split('|')
        .collect::<Vec<_>>()
        .try_into()
        .map_err(|_| CursorError::Malformed)?;
    if cursor_project != project.to_string() {
        return Err(CursorError::OtherProject);
    }
    if cursor_binding != binding {
        return Err(CursorError::OtherList);
    }
    let offset = offset.parse().map_err(|_| CursorError::Malformed)?;
    let after = match after {
        "" => None,
        id => Some(ObjectId::parse(id).map_err(|_| CursorError::Malformed)?),
    };
    Ok(Position { offset, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test secret";

    fn project(n: u8) -> ObjectId {
        ObjectId::parse(&format!("550e8400-e29b-41d4-a716-4466554400{n:02}")).unwrap()
    }

    fn position() -> Position {
        Position {
            offset: 20,
            after: Some(project(99)),
        }
    }

    #[test]
    fn a_cursor_reads_back_as_its_position() {
        let binding = binding(project(1), Some(r#"{"status":"x"}"#), None);
        let cursor = encode(SECRET, project(1), &binding, &position());
        assert_eq!(
            decode(SECRET, project(1), &binding, &cursor).unwrap(),
            position()
        );
        let without_id = Position {
            offset: 3,
            after: None,
        };
        let cursor = encode(SECRET, project(1), &binding, &without_id);
        assert_eq!(
            decode(SECRET, project(1), &binding, &cursor).unwrap(),
            without_id
        );
    }

    #[test]
    fn another_project_query_or_sort_is_refused() {
        let query = r#"{"status":"x"}"#;
        let bound = binding(project(1), Some(query), None);
        let cursor = encode(SECRET, project(1), &bound, &position());
        assert_eq!(
            decode(SECRET, project(2), &bound, &cursor),
            Err(CursorError::OtherProject)
        );
        let other_query = binding(project(1), Some(r#"{"status":"y"}"#), None);
        assert_eq!(
            decode(SECRET, project(1), &other_query, &cursor),
            Err(CursorError::OtherList)
        );
        let other_sort = binding(project(1), Some(query), Some(r#"{"status":1}"#));
        assert_eq!(
            decode(SECRET, project(1), &other_sort, &cursor),
            Err(CursorError::OtherList)
        );
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let bound = binding(project(1), None, None);
        let cursor = encode(SECRET, project(1), &bound, &position());
        let (payload, tag) = cursor.split_once('.').unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap())
            .unwrap()
            .replace("|20|", "|21|");
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(text));
        assert_eq!(
            decode(SECRET, project(1), &bound, &forged),
            Err(CursorError::Altered)
        );
        assert_eq!(
            decode(b"other secret", project(1), &bound, &cursor),
            Err(CursorError::Altered)
        );
        for garbage in ["", "abc", "a.b", "....", "💥.💥"] {
            assert!(decode(SECRET, project(1), &bound, garbage).is_err());
        }
        assert!(CursorError::Altered.to_string().contains("altered"));
    }
}
