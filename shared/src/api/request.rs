//! What the API reads from an API Gateway request: method, path, query string, the `ApiKey`
//! and `If-Match` headers, and the body's bytes. Both payload formats (HTTP API 2.0, REST 1.0)
//! arrive here as one `lambda_http::Request`; base64 bodies are already decoded.

use lambda_http::{Body, Request, RequestExt};

use super::error::ApiError;

/// Bodies above this size are refused with 413 (SPEC §7).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One request, reduced to what the operations use.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    query: Vec<(String, String)>,
    api_key: Option<String>,
    duplicate_api_key: bool,
    if_match: Option<String>,
    idempotency_key: Option<String>,
    body: Vec<u8>,
}

impl ApiRequest {
    /// Takes the request apart; the body is moved, not copied.
    pub fn from_lambda(request: Request) -> ApiRequest {
        let path = request.raw_http_path().to_string();
        let path = if path.is_empty() {
            request.uri().path().to_string()
        } else {
            path
        };
        let query = request
            .query_string_parameters_ref()
            .map(|params| {
                params
                    .iter()
                    .map(|(name, value)| (name.to_string(), value.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let mut api_keys = request.headers().get_all("apikey").iter();
        let api_key = api_keys
            .next()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let duplicate_api_key = api_keys.next().is_some();
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let if_match = header("if-match");
        let idempotency_key = header("idempotency-key");
        let method = request.method().as_str().to_string();
        let body = match request.into_body() {
            Body::Text(text) => text.into_bytes(),
            Body::Binary(bytes) => bytes,
            _ => Vec::new(),
        };
        ApiRequest {
            method,
            path,
            query,
            api_key,
            duplicate_api_key,
            if_match,
            idempotency_key,
            body,
        }
    }

    /// The `ApiKey` header; two of them are refused rather than guessed between.
    pub fn api_key(&self) -> Result<Option<&str>, ApiError> {
        if self.duplicate_api_key {
            return Err(ApiError::bad_request("Send exactly one ApiKey header"));
        }
        Ok(self.api_key.as_deref())
    }

    /// A query-string parameter (the first, if repeated).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The raw body (read as JSON in `api/json/`).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// `Idempotency-Key` (SPEC §4): 1 to 255 printable ASCII characters.
    pub fn idempotency_key(&self) -> Result<Option<&str>, ApiError> {
        let Some(key) = self.idempotency_key.as_deref() else {
            return Ok(None);
        };
        let printable = key.bytes().all(|b| (b' '..=b'~').contains(&b));
        if key.is_empty() || key.len() > 255 || !printable {
            return Err(ApiError::bad_request(
                "Idempotency-Key must be 1 to 255 printable ASCII characters",
            ));
        }
        Ok(Some(key))
    }

    /// `If-Match: <version>` (quotes and `W/` tolerated; `*` means any version).
    pub fn expected_version(&self) -> Result<Option<i64>, ApiError> {
        let Some(raw) = &self.if_match else {
            return Ok(None);
        };
        let text = raw.trim();
        if text == "*" {
            return Ok(None);
        }
        let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
        text.parse::<i64>()
            .ok()
            .filter(|version| *version >= 1)
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "If-Match must be the item's version, a whole number such as \"3\"",
                )
            })
    }
}
