//! What the API reads from an API Gateway request: method, path, query string, the `ApiKey`,
//! `If-Match` and `Idempotency-Key` headers, the body's bytes, and the ids that tie its log
//! lines together. Both payload formats (HTTP API 2.0, REST 1.0) are read into it by
//! [`super::event`]; base64 bodies are already decoded there.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::error::ApiError;
use super::event::{ObjectOrNull, Values};
use crate::auth::Principal;

/// Bodies above this size are refused with 413 (SPEC §7).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One request, reduced to what the operations use.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    query: Vec<(String, String)>,
    headers: Headers,
    body: Vec<u8>,
    /// Lambda's request id once the runtime has set it (else API Gateway's), for the logs.
    request_id: Option<String>,
    /// Lambda's X-Ray trace header for the invocation, once the runtime has set it.
    lambda_trace: Option<String>,
    /// Who the gateway's Lambda authorizer admitted, from the event's request context (never
    /// from a header a client can send).
    admitted: Option<Principal>,
}

/// The headers the API reads, by name in any case; the others are skipped unread.
const READ_HEADERS: [&str; 4] = ["apikey", "if-match", "idempotency-key", "x-amzn-trace-id"];
const API_KEY: usize = 0;
const IF_MATCH: usize = 1;
const IDEMPOTENCY_KEY: usize = 2;
const TRACE: usize = 3;

/// The values of each of [`READ_HEADERS`], `None` where the request did not send it.
#[derive(Debug, Clone, Default)]
pub struct Headers([Option<Vec<String>>; 4]);

impl Headers {
    /// These headers with `other`'s in place of any `other` sent: how a 1.0 event's
    /// `headers` override its `multiValueHeaders`.
    pub(super) fn overridden_by(mut self, other: Headers) -> Headers {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        self
    }

    fn first(&self, which: usize) -> Option<&str> {
        self.0[which].as_ref()?.first().map(String::as_str)
    }

    /// Which of [`READ_HEADERS`] `name` is, in any case.
    fn which(name: &str) -> Option<usize> {
        READ_HEADERS
            .iter()
            .position(|read| read.eq_ignore_ascii_case(name))
    }
}

impl<'de> Deserialize<'de> for Headers {
    /// A `headers` object (one string per name: a repeated name replaces) or a
    /// `multiValueHeaders` one (a list per name: a repeated name adds), or null.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> Visitor<'de> for Read {
            type Value = Headers;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object of headers, or null")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Headers, M::Error> {
                let mut headers = Headers::default();
                while let Some(name) = map.next_key::<HeaderName>()? {
                    let Some(which) = name.0 else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    let Values { list, values } = map.next_value()?;
                    let slot = &mut headers.0[which];
                    match slot {
                        Some(known) if list => known.extend(values),
                        _ => *slot = Some(values),
                    }
                }
                Ok(headers)
            }
        }
        deserializer.deserialize_option(ObjectOrNull(Read))
    }
}

/// A header's name: which of [`READ_HEADERS`] it is, if any (read without copying it).
struct HeaderName(Option<usize>);

impl<'de> Deserialize<'de> for HeaderName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = HeaderName;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a header name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<HeaderName, E> {
                Ok(HeaderName(Headers::which(name)))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

impl ApiRequest {
    pub(super) fn new(
        method: String,
        path: String,
        query: Vec<(String, String)>,
        headers: Headers,
        body: Vec<u8>,
        request_id: Option<String>,
    ) -> ApiRequest {
        ApiRequest {
            method,
            path,
            query,
            headers,
            body,
            request_id,
            lambda_trace: None,
            admitted: None,
        }
    }

    /// The request as the gateway's authorizer admitted it, if it did.
    pub(super) fn admitted_by_gateway(mut self, admitted: Option<Principal>) -> ApiRequest {
        self.admitted = admitted;
        self
    }

    /// The key's project and permissions as the gateway's Lambda authorizer passed them on;
    /// `None` where no authorizer ran (`make dev`, `sam local`, a console test event).
    pub fn admitted(&self) -> Option<&Principal> {
        self.admitted.as_ref()
    }

    /// Reads an API Gateway event's JSON text (either payload format).
    pub fn from_event(text: &str) -> Result<ApiRequest, super::event::EventError> {
        super::event::ApiGatewayEvent::from_text(text).map(|event| event.request)
    }

    /// The request as Lambda identified its invocation: its request id (in place of API
    /// Gateway's) and X-Ray trace header (before the one API Gateway sent).
    pub fn with_lambda_context(mut self, request_id: &str, trace: Option<&str>) -> ApiRequest {
        if !request_id.is_empty() {
            self.request_id = Some(request_id.to_string());
        }
        self.lambda_trace = trace.map(str::to_string);
        self
    }

    /// The first value of one of the headers the API reads (`ApiKey`, `If-Match`,
    /// `Idempotency-Key`, `X-Amzn-Trace-Id`; any case), as sent; `None` for any other name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.first(Headers::which(name)?)
    }

    /// Lambda's request id, else API Gateway's, else "-".
    pub fn request_id(&self) -> &str {
        self.request_id.as_deref().unwrap_or("-")
    }

    /// The X-Ray trace id (`1-5759e988-bd862e3fe1be46a994272793`): from Lambda's trace
    /// header, else the `X-Amzn-Trace-Id` header API Gateway adds (`Root=…;Parent=…;…`).
    pub fn trace_id(&self) -> Option<&str> {
        self.lambda_trace
            .as_deref()
            .or_else(|| self.headers.first(TRACE))?
            .split(';')
            .find_map(|part| part.trim().strip_prefix("Root="))
            .filter(|root| !root.is_empty())
    }

    /// The `ApiKey` header; two of them are refused rather than guessed between.
    pub fn api_key(&self) -> Result<Option<&str>, ApiError> {
        match self.headers.0[API_KEY].as_deref() {
            Some([_, _, ..]) => Err(ApiError::bad_request("Send exactly one ApiKey header")),
            _ => Ok(self.headers.first(API_KEY)),
        }
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
        let Some(key) = self.headers.first(IDEMPOTENCY_KEY) else {
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
        let Some(raw) = self.headers.first(IF_MATCH) else {
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
