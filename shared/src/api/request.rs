//! What the API reads from an API Gateway request: method, path, query string, the `ApiKey`,
//! `If-Match` and `Idempotency-Key` headers, the body's bytes, and the ids that tie its log
//! lines together, read from the event's `aws_lambda_events` type (`gateway_event.rs`).

use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::http::HeaderMap;
use serde_json::Value;

use super::authorizer::AuthorizerContext;
use super::error::RequestError;
use crate::auth::Principal;

/// Bodies above this size are refused with 413 (SPEC §7).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One request, reduced to what the operations use.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    query: QueryMap,
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

/// The headers the API reads, by name in any case.
const READ_HEADERS: [&str; 4] = ["apikey", "if-match", "idempotency-key", "x-amzn-trace-id"];
const API_KEY: usize = 0;
const IF_MATCH: usize = 1;
const IDEMPOTENCY_KEY: usize = 2;
const TRACE: usize = 3;

/// The values of each of [`READ_HEADERS`], `None` where the request did not send it; a value
/// that is not UTF-8 is kept with its bad bytes replaced, so the checks below refuse it.
#[derive(Debug, Clone, Default)]
struct Headers([Option<Vec<String>>; 4]);

impl Headers {
    fn of(headers: &HeaderMap) -> Headers {
        Headers(READ_HEADERS.map(|name| {
            let values: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect();
            (!values.is_empty()).then_some(values)
        }))
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

impl ApiRequest {
    pub(super) fn new(
        method: &str,
        path: String,
        query: QueryMap,
        headers: &HeaderMap,
        body: Vec<u8>,
        request_id: Option<String>,
    ) -> ApiRequest {
        ApiRequest {
            method: method.to_string(),
            path: if path.is_empty() {
                "/".to_string()
            } else {
                path
            },
            query,
            headers: Headers::of(headers),
            body,
            request_id,
            lambda_trace: None,
            admitted: None,
        }
    }

    /// The request as the gateway's Lambda authorizer admitted it, from the authorizer's
    /// context in the event, if it is one this API's authorizer writes.
    pub(super) fn admitted_by_gateway(mut self, context: Option<Value>) -> ApiRequest {
        self.admitted = context.and_then(admitted);
        self
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
}

/// The principal an authorizer context names, if it is one this API's authorizer writes.
fn admitted(context: Value) -> Option<Principal> {
    serde_json::from_value::<AuthorizerContext>(context)
        .ok()?
        .principal()
}

impl ApiRequest {
    /// Reads an API Gateway event's JSON text (either payload format), as the functions do.
    pub fn from_event(text: &str) -> Result<ApiRequest, super::gateway_event::EventError> {
        super::gateway_event::ApiGatewayEvent::from_text(text)?.into_request()
    }

    /// The key's project and permissions as the gateway's Lambda authorizer passed them on;
    /// `None` where no authorizer ran (`make dev`, `sam local`, a console test event).
    pub fn admitted(&self) -> Option<&Principal> {
        self.admitted.as_ref()
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
    pub fn api_key(&self) -> Result<Option<&str>, RequestError> {
        match self.headers.0[API_KEY].as_deref() {
            Some([_, _, ..]) => Err(RequestError::DuplicateApiKey),
            _ => Ok(self.headers.first(API_KEY)),
        }
    }

    /// A query-string parameter (the first, if repeated).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.first(name)
    }

    /// The raw body (read as JSON in `api/json/`).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// `Idempotency-Key` (SPEC §4): 1 to 255 printable ASCII characters.
    pub fn idempotency_key(&self) -> Result<Option<&str>, RequestError> {
        let Some(key) = self.headers.first(IDEMPOTENCY_KEY) else {
            return Ok(None);
        };
        let printable = key.bytes().all(|b| (b' '..=b'~').contains(&b));
        if key.is_empty() || key.len() > 255 || !printable {
            return Err(RequestError::IdempotencyKey);
        }
        Ok(Some(key))
    }

    /// `If-Match: <version>` (quotes and `W/` tolerated; `*` means any version).
    pub fn expected_version(&self) -> Result<Option<i64>, RequestError> {
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
            .ok_or(RequestError::IfMatch)
    }
}

#[cfg(test)]
mod tests {
    use testkit::{EventSpec, Payload};

    use super::*;

    fn read(payload: Payload, headers: &[(&str, &str)]) -> ApiRequest {
        let spec = EventSpec::new(
            "POST",
            "/api/x/count?limit=3&cursor=ab",
            headers,
            Some("{}"),
        );
        ApiRequest::from_event(&testkit::event_json(payload, &spec)).expect("the event reads")
    }

    #[test]
    fn both_payload_formats_read_the_same_request() {
        let headers = [
            ("apikey", "k1"),
            ("If-Match", "W/\"3\""),
            (
                "X-Amzn-Trace-Id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            ),
        ];
        for payload in [Payload::Http, Payload::Rest] {
            let request = read(payload, &headers);
            assert_eq!(
                (request.method.as_str(), request.path.as_str()),
                ("POST", "/api/x/count")
            );
            assert_eq!(request.query_param("limit"), Some("3"));
            assert_eq!(request.query_param("cursor"), Some("ab"));
            assert_eq!(request.api_key(), Ok(Some("k1")));
            assert_eq!(request.header("APIKEY"), Some("k1"));
            assert_eq!(request.expected_version(), Ok(Some(3)));
            assert_eq!(
                request.trace_id(),
                Some("1-5759e988-bd862e3fe1be46a994272793")
            );
            assert_eq!(request.body(), b"{}");
            assert_ne!(request.request_id(), "-", "{payload:?}");
        }
    }

    #[test]
    fn header_values_are_checked_not_trusted() {
        // A REST event's `multiValueHeaders` with two values, not overridden by `headers`.
        let spec = EventSpec::new("POST", "/api/x/count", &[("ApiKey", "k1")], None);
        let mut event: Value =
            serde_json::from_str(&testkit::event_json(Payload::Rest, &spec)).unwrap();
        event["multiValueHeaders"]["ApiKey"] = serde_json::json!(["k1", "k2"]);
        event["headers"].as_object_mut().unwrap().remove("ApiKey");
        let request = ApiRequest::from_event(&event.to_string()).unwrap();
        assert_eq!(request.api_key(), Err(RequestError::DuplicateApiKey));
        // Not a number, or a number no stored version can have (versions start at 1).
        for if_match in ["three", "0", "-1"] {
            let request = read(Payload::Http, &[("If-Match", if_match)]);
            assert_eq!(
                request.expected_version(),
                Err(RequestError::IfMatch),
                "{if_match}"
            );
        }
    }

    #[test]
    fn an_event_that_is_not_one_is_refused_not_guessed() {
        for text in ["\"text\"", "{\"headers\": 3}", "{\"body\": 3}", "not json"] {
            assert!(ApiRequest::from_event(text).is_err(), "{text}");
        }
        let spec = EventSpec::new("POST", "/x", &[], Some("not base64!"));
        let mut event: Value =
            serde_json::from_str(&testkit::event_json(Payload::Http, &spec)).unwrap();
        event["isBase64Encoded"] = serde_json::json!(true);
        let refused = ApiRequest::from_event(&event.to_string()).unwrap_err();
        assert!(refused.to_string().contains("base64"), "{refused}");
    }
}
