//! The cursor extension (SPEC §3): an opaque, signed position in a list, bound to the project,
//! the query and the sort it was made for. Pure: encoding, signing and checking only.
//!
//! A cursor is a *position*: the [`Mark`] of the last item shown (its sort values and `_id`),
//! so the next page starts right after it whatever was created or deleted meanwhile.
//!
//! A cursor also carries the list's `count` as the first page worked it out, so that later pages
//! never count again: a walk's count costs once, whatever the filter.
//!
//! Format: `base64url(payload) "." base64url(HMAC-SHA256(secret, payload))`, where the payload
//! is the text `3|project|binding|offset|count|last _id|value…`: `count` is a number, with `+`
//! after it when it is a lower bound ([`Total`]); then one value per sort key: `n` (null),
//! `u<uuid>`, `s<base64url text>`, `i<integer>`, `d<date>`, `t` or `f`. Cursors of version 2
//! (no count; made before the count was carried) still read, and their next page counts.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::sort::{Mark, SortValue};
use crate::model::{ObjectId, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// The version of the payload written; 2 is still read; others are refused as malformed.
const VERSION: &str = "3";
const VERSION_WITHOUT_COUNT: &str = "2";

/// A list's `count`: exact, or (when counting every match would examine more items than a
/// request may) a lower bound: the matches found within that limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: u64,
    pub at_least: bool,
}

impl Total {
    pub fn exact(count: u64) -> Total {
        Total {
            count,
            at_least: false,
        }
    }
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// How many items the pages before showed (echoed as `skip`).
    pub offset: u64,
    /// The count the first page worked out (`None` in a cursor that did not carry one).
    pub total: Option<Total>,
    /// The last item shown: the next page starts right after it.
    pub after: Mark,
}

/// The secrets cursors are signed with. New cursors are signed with `current`; a cursor signed
/// with one of `also_read` (the secret before a rotation, or the one staged for the next) is
/// still read, so that rotating the secret breaks no list being paged through
/// (docs/operations.md). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorKeys {
    current: Vec<u8>,
    also_read: Vec<Vec<u8>>,
}

impl CursorKeys {
    pub fn new(current: impl Into<Vec<u8>>) -> Self {
        CursorKeys {
            current: current.into(),
            also_read: Vec::new(),
        }
    }

    /// Also accepts cursors signed with `other` (the secret before a rotation, or the one
    /// staged for the next).
    pub fn accepting(mut self, other: impl Into<Vec<u8>>) -> Self {
        self.also_read.push(other.into());
        self
    }

    /// The secrets a cursor may be signed with, the current one first.
    fn readable(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::once(self.current.as_slice()).chain(self.also_read.iter().map(Vec::as_slice))
    }
}

impl std::fmt::Debug for CursorKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CursorKeys")
            .field("current", &"<redacted>")
            .field("also_read", &self.also_read.len())
            .finish()
    }
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

fn encode_value(value: &SortValue) -> String {
    match value {
        SortValue::Null => "n".into(),
        SortValue::Id(id) => format!("u{id}"),
        SortValue::Text(text) => format!("s{}", URL_SAFE_NO_PAD.encode(text)),
        SortValue::Integer(number) => format!("i{number}"),
        SortValue::Date(date) => format!("d{date}"),
        SortValue::Boolean(true) => "t".into(),
        SortValue::Boolean(false) => "f".into(),
    }
}

fn decode_value(text: &str) -> Option<SortValue> {
    let (tag, rest) = text.split_at_checked(1)?;
    Some(match tag {
        "n" if rest.is_empty() => SortValue::Null,
        "u" => SortValue::Id(ObjectId::parse(rest).ok()?),
        "s" => SortValue::Text(String::from_utf8(URL_SAFE_NO_PAD.decode(rest).ok()?).ok()?),
        "i" => SortValue::Integer(rest.parse().ok()?),
        "d" => SortValue::Date(Timestamp::parse(rest).ok()?),
        "t" if rest.is_empty() => SortValue::Boolean(true),
        "f" if rest.is_empty() => SortValue::Boolean(false),
        _ => return None,
    })
}

/// Makes the cursor for `position` in the list bound to `binding`.
pub fn encode(keys: &CursorKeys, project: ObjectId, binding: &str, position: &Position) -> String {
    let total = position.total.map_or(String::new(), |total| {
        format!("{}{}", total.count, if total.at_least { "+" } else { "" })
    });
    let mut payload = format!(
        "{VERSION}|{project}|{binding}|{}|{total}|{}",
        position.offset, position.after.id
    );
    for value in &position.after.values {
        payload.push('|');
        payload.push_str(&encode_value(value));
    }
    let tag = mac(&keys.current, payload.as_bytes())
        .finalize()
        .into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Reads a cursor back, refusing one that was altered or made for another project or list.
pub fn decode(
    keys: &CursorKeys,
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
    if !keys
        .readable()
        .any(|secret| mac(secret, &payload).verify_slice(&tag).is_ok())
    {
        return Err(CursorError::Altered);
    }
    let payload = String::from_utf8(payload).map_err(|_| CursorError::Malformed)?;
    let mut parts = payload.split('|');
    let mut next = || parts.next().ok_or(CursorError::Malformed);
    let version = next()?;
    if version != VERSION && version != VERSION_WITHOUT_COUNT {
        return Err(CursorError::Malformed);
    }
    if next()? != project.to_string() {
        return Err(CursorError::OtherProject);
    }
    if next()? != binding {
        return Err(CursorError::OtherList);
    }
    let offset = next()?.parse().map_err(|_| CursorError::Malformed)?;
    let total = if version == VERSION {
        match next()? {
            "" => None,
            text => {
                let (count, at_least) = match text.strip_suffix('+') {
                    Some(count) => (count, true),
                    None => (text, false),
                };
                let count = count.parse().map_err(|_| CursorError::Malformed)?;
                Some(Total { count, at_least })
            }
        }
    } else {
        None
    };
    let id = ObjectId::parse(next()?).map_err(|_| CursorError::Malformed)?;
    let values = parts
        .map(|value| decode_value(value).ok_or(CursorError::Malformed))
        .collect::<Result<_, _>>()?;
    Ok(Position {
        offset,
        total,
        after: Mark { values, id },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test secret";

    fn keys() -> CursorKeys {
        CursorKeys::new(SECRET)
    }

    fn project(n: u8) -> ObjectId {
        ObjectId::parse(&format!("550e8400-e29b-41d4-a716-4466554400{n:02}")).unwrap()
    }

    fn position() -> Position {
        Position {
            offset: 20,
            total: Some(Total {
                count: 20_000,
                at_least: true,
            }),
            after: Mark {
                values: vec![
                    SortValue::Text("a|b".into()),
                    SortValue::Null,
                    SortValue::Integer(-7),
                    SortValue::Date(Timestamp::parse("2026-11-27T18:24:15.123Z").unwrap()),
                    SortValue::Boolean(false),
                    SortValue::Id(project(3)),
                ],
                id: project(99),
            },
        }
    }

    #[test]
    fn a_cursor_reads_back_as_its_position() {
        let binding = binding(project(1), Some(r#"{"status":"x"}"#), None);
        let cursor = encode(&keys(), project(1), &binding, &position());
        assert_eq!(
            decode(&keys(), project(1), &binding, &cursor).unwrap(),
            position()
        );
        let key_order = Position {
            offset: 3,
            total: Some(Total::exact(7)),
            after: Mark {
                values: vec![],
                id: project(7),
            },
        };
        let cursor = encode(&keys(), project(1), &binding, &key_order);
        assert_eq!(
            decode(&keys(), project(1), &binding, &cursor).unwrap(),
            key_order
        );
    }

    #[test]
    fn another_project_query_or_sort_is_refused() {
        let query = r#"{"status":"x"}"#;
        let bound = binding(project(1), Some(query), None);
        let cursor = encode(&keys(), project(1), &bound, &position());
        assert_eq!(
            decode(&keys(), project(2), &bound, &cursor),
            Err(CursorError::OtherProject)
        );
        let other_query = binding(project(1), Some(r#"{"status":"y"}"#), None);
        assert_eq!(
            decode(&keys(), project(1), &other_query, &cursor),
            Err(CursorError::OtherList)
        );
        let other_sort = binding(project(1), Some(query), Some(r#"{"status":1}"#));
        assert_eq!(
            decode(&keys(), project(1), &other_sort, &cursor),
            Err(CursorError::OtherList)
        );
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let bound = binding(project(1), None, None);
        let cursor = encode(&keys(), project(1), &bound, &position());
        let (payload, tag) = cursor.split_once('.').unwrap();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap())
            .unwrap()
            .replace("|20|", "|21|");
        assert!(text.contains("|21|"));
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(text));
        assert_eq!(
            decode(&keys(), project(1), &bound, &forged),
            Err(CursorError::Altered)
        );
        assert_eq!(
            decode(
                &CursorKeys::new(b"other secret"),
                project(1),
                &bound,
                &cursor
            ),
            Err(CursorError::Altered)
        );
        for garbage in ["", "abc", "a.b", "....", "💥.💥"] {
            assert!(decode(&keys(), project(1), &bound, garbage).is_err());
        }
        assert!(CursorError::Altered.to_string().contains("altered"));
    }

    #[test]
    fn a_cursor_made_before_the_count_was_carried_still_reads() {
        let bound = binding(project(1), None, None);
        let old = format!("2|{}|{bound}|20|{}|i-7", project(1), project(99));
        let tag = mac(SECRET, old.as_bytes()).finalize().into_bytes();
        let cursor = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(old),
            URL_SAFE_NO_PAD.encode(tag)
        );
        let position = decode(&keys(), project(1), &bound, &cursor).unwrap();
        assert_eq!(position.total, None);
        assert_eq!(position.offset, 20);
        assert_eq!(position.after.values, vec![SortValue::Integer(-7)]);
    }

    #[test]
    fn a_cursor_of_the_offset_format_is_refused() {
        let bound = binding(project(1), None, None);
        let old = format!("{}|{bound}|20|{}", project(1), project(99));
        let tag = mac(SECRET, old.as_bytes()).finalize().into_bytes();
        let cursor = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(old),
            URL_SAFE_NO_PAD.encode(tag)
        );
        assert_eq!(
            decode(&keys(), project(1), &bound, &cursor),
            Err(CursorError::Malformed)
        );
    }

    #[test]
    fn after_a_rotation_cursors_of_the_previous_secret_still_read() {
        let bound = binding(project(1), None, None);
        let before = CursorKeys::new(b"secret of last month".as_slice());
        let old_cursor = encode(&before, project(1), &bound, &position());
        let rotated = CursorKeys::new(b"secret of this month".as_slice())
            .accepting(b"secret of last month".as_slice());
        assert_eq!(
            decode(&rotated, project(1), &bound, &old_cursor),
            Ok(position())
        );
        // New cursors are signed with the new secret: the old one alone no longer reads them.
        let new_cursor = encode(&rotated, project(1), &bound, &position());
        assert_eq!(
            decode(&before, project(1), &bound, &new_cursor),
            Err(CursorError::Altered)
        );
        assert_eq!(
            decode(&rotated, project(1), &bound, &new_cursor),
            Ok(position())
        );
        // Once the previous secret is dropped, its cursors are refused.
        let later = CursorKeys::new(b"secret of this month".as_slice());
        assert_eq!(
            decode(&later, project(1), &bound, &old_cursor),
            Err(CursorError::Altered)
        );
        assert!(!format!("{rotated:?}").contains("month"));
    }
}
