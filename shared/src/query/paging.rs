//! `skip` and `limit` (SPEC §3): from the query string, else from the body; validated.

use serde_json::Value;

use crate::error::ApiError;

/// The page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub skip: u64,
    pub limit: u32,
}

impl Paging {
    pub const DEFAULT_LIMIT: u32 = 10;
    pub const MAX_LIMIT: u32 = 100;
    /// Far beyond any real page depth; keeps arithmetic on skip + limit safe.
    pub const MAX_SKIP: u64 = 1_000_000_000;

    /// `query_string` holds the raw `skip`/`limit` parameters; `body_*` the body's values.
    pub fn parse(
        query_skip: Option<&str>,
        query_limit: Option<&str>,
        body_skip: Option<&Value>,
        body_limit: Option<&Value>,
    ) -> Result<Paging, ApiError> {
        let limit = match (query_limit, body_limit) {
            (Some(text), _) => parse_limit(&Value::String(text.to_string()))?,
            (None, Some(value)) => parse_limit(value)?,
            (None, None) => Self::DEFAULT_LIMIT,
        };
        let skip = match (query_skip, body_skip) {
            (Some(text), _) => parse_skip(&Value::String(text.to_string()))?,
            (None, Some(value)) => parse_skip(value)?,
            (None, None) => 0,
        };
        Ok(Paging { skip, limit })
    }

    /// The end of the page, in items from the start.
    pub fn end(&self) -> u64 {
        self.skip + u64::from(self.limit)
    }
}

/// An integer given as a JSON number or as decimal digits in a string.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => crate::model::integral(number),
        Value::String(text) => {
            let text = text.trim();
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            text.parse().ok()
        }
        _ => None,
    }
}

fn parse_limit(value: &Value) -> Result<u32, ApiError> {
    match integer(value) {
        Some(limit) if (1..=i64::from(Paging::MAX_LIMIT)).contains(&limit) => Ok(limit as u32),
        _ => Err(ApiError::bad_request(format!(
            "\"limit\" must be an integer from 1 to {}",
            Paging::MAX_LIMIT
        ))),
    }
}

fn parse_skip(value: &Value) -> Result<u64, ApiError> {
    match integer(value) {
        Some(skip) if (0..=Paging::MAX_SKIP as i64).contains(&skip) => Ok(skip as u64),
        _ => Err(ApiError::bad_request(format!(
            "\"skip\" must be an integer from 0 to {}",
            Paging::MAX_SKIP
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_skip_0_limit_10() {
        assert_eq!(
            Paging::parse(None, None, None, None).unwrap(),
            Paging { skip: 0, limit: 10 }
        );
    }

    #[test]
    fn the_query_string_wins_over_the_body() {
        let paging =
            Paging::parse(Some("5"), Some("20"), Some(&json!(1)), Some(&json!(2))).unwrap();
        assert_eq!(paging, Paging { skip: 5, limit: 20 });
    }

    #[test]
    fn body_values_may_be_numbers_or_digit_strings() {
        let paging = Paging::parse(None, None, Some(&json!("3")), Some(&json!(7))).unwrap();
        assert_eq!(paging, Paging { skip: 3, limit: 7 });
    }

    #[test]
    fn out_of_range_or_malformed_values_are_rejected_with_the_range() {
        for limit in ["0", "-1", "101", "abc", "2.5", ""] {
            let error = Paging::parse(None, Some(limit), None, None).unwrap_err();
            assert!(error.public_message().contains("1 to 100"), "{limit}");
        }
        for skip in ["-1", "abc", "1.5", "99999999999999999999"] {
            let error = Paging::parse(Some(skip), None, None, None).unwrap_err();
            assert!(error.public_message().contains("\"skip\""), "{skip}");
        }
        assert!(Paging::parse(None, None, None, Some(&json!(true))).is_err());
        assert!(Paging::parse(None, None, None, Some(&json!(null))).is_err());
    }
}
