//! The API Gateway event in, the API Gateway response out: the JSON text Lambda hands the
//! function, read straight into an [`ApiRequest`], and the response in the event's format.
//!
//! Both payload formats: an HTTP API's 2.0 (what the template deploys) and a REST API's 1.0
//! (which an HTTP API can also send). A 1.0 event is told by its `httpMethod` without a 2.0
//! event's `version` or `rawPath`. The event is read as `lambda_http` reads it (the same method, path, query
//! parameters, headers and body; `tests/event_reading.rs` holds the two readings to each other
//! over every sample event and a generated corpus), but only what the API uses is kept: the
//! request context, the other headers and a URL are never built. That was most of the
//! handler's own time per request (`docs/benchmarks.md`).

use std::borrow::Cow;
use std::fmt;

use base64::Engine;
use lambda_http::aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use lambda_http::aws_lambda_events::encodings::Body as EventBody;
use lambda_http::http::HeaderMap;
use lambda_http::{Body, Response};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::authorizer::AuthorizerContext;
use super::request::{ApiRequest, Headers};

/// Which payload format an event came in, and so which its response takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    /// Payload 2.0: an HTTP API's.
    Http,
    /// Payload 1.0: a REST API's, or an HTTP API's set to 1.0.
    Rest,
}

/// An event that is not an API Gateway event the API can read.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("this function expects an Amazon API Gateway event (HTTP API payload 2.0 or REST API payload 1.0): {0}")]
    NotAnEvent(#[from] serde_json::Error),
    #[error("the event's body is marked base64 but is not valid base64")]
    Base64Body,
}

/// One invocation's event, read: the request and the format to answer in.
#[derive(Debug)]
pub struct ApiGatewayEvent {
    pub request: ApiRequest,
    pub format: EventFormat,
}

impl ApiGatewayEvent {
    /// Reads an event's JSON text.
    pub fn from_text(text: &str) -> Result<Self, EventError> {
        let event: Event = serde_json::from_str(text)?;
        event.into_api_event()
    }
}

impl<'de> Deserialize<'de> for ApiGatewayEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Event::deserialize(deserializer)?
            .into_api_event()
            .map_err(de::Error::custom)
    }
}

/// The fields of either format the API reads; serde skips the rest without building them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a> {
    /// `"2.0"` in a 2.0 event; `"1.0"` or absent in a 1.0 one.
    #[serde(default)]
    version: Option<String>,
    /// 1.0's method. A 2.0 event written by `aws_lambda_events` (as `cargo lambda watch`
    /// sends them) carries one too, a deprecated field that defaults to GET.
    #[serde(default)]
    http_method: Option<String>,
    /// 2.0 (`lambda_http` takes `path` for it too, when `rawPath` is absent).
    #[serde(default)]
    raw_path: Option<String>,
    #[serde(default)]
    path: Option<String>,
    /// 2.0: the query string as sent; the parameters are read from it when it is there.
    #[serde(default, borrow)]
    raw_query_string: Option<Cow<'a, str>>,
    #[serde(default)]
    query_string_parameters: Parameters,
    #[serde(default)]
    multi_value_query_string_parameters: Parameters,
    #[serde(default)]
    headers: Headers,
    #[serde(default)]
    multi_value_headers: Headers,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(default)]
    is_base64_encoded: bool,
    #[serde(default)]
    request_context: Context,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Context {
    #[serde(default)]
    request_id: Option<String>,
    /// 2.0: `{"method": …}`.
    #[serde(default)]
    http: Option<HttpDescription>,
    /// What the gateway's Lambda authorizer said about the key: `{"lambda": {…}}`.
    #[serde(default)]
    authorizer: Option<AuthorizerDescription>,
}

#[derive(Deserialize)]
struct AuthorizerDescription {
    /// Any JSON: a context this API's authorizer did not write is ignored, not an error.
    #[serde(default)]
    lambda: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct HttpDescription {
    #[serde(default)]
    method: Option<String>,
}

impl Event<'_> {
    fn into_api_event(self) -> Result<ApiGatewayEvent, EventError> {
        let body = match self.body {
            None => Vec::new(),
            Some(text) if self.is_base64_encoded => base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|_| EventError::Base64Body)?,
            Some(text) => text.into_owned().into_bytes(),
        };
        let request_id = self.request_context.request_id;
        let admitted = self
            .request_context
            .authorizer
            .and_then(|authorizer| authorizer.lambda)
            .and_then(|context| serde_json::from_value::<AuthorizerContext>(context).ok())
            .and_then(|context| context.principal());
        let rest = self.http_method.is_some()
            && self.raw_path.is_none()
            && self.version.as_deref() != Some("2.0");
        let (format, method, path, query, headers) = match self.http_method {
            Some(method) if rest => {
                // 1.0: a parameter's values from the multi-value map when it has any; a
                // header's from `headers` over `multiValueHeaders` (as `lambda_http` merges them).
                let query = if self.multi_value_query_string_parameters.0.is_empty() {
                    self.query_string_parameters
                } else {
                    self.multi_value_query_string_parameters
                };
                let headers = self.multi_value_headers.overridden_by(self.headers);
                (EventFormat::Rest, method, self.path, query.0, headers)
            }
            _ => {
                let method = self
                    .request_context
                    .http
                    .and_then(|http| http.method)
                    .unwrap_or_else(|| "GET".to_string());
                let query = match self.raw_query_string {
                    Some(raw) => form_urlencoded::parse(raw.as_bytes())
                        .into_owned()
                        .collect(),
                    // Without the raw string, API Gateway's joined values are split at commas.
                    None => self
                        .query_string_parameters
                        .0
                        .into_iter()
                        .flat_map(|(name, value)| {
                            value
                                .split(',')
                                .map(|part| (name.clone(), part.to_string()))
                                .collect::<Vec<_>>()
                        })
                        .collect(),
                };
                let path = self.raw_path.or(self.path);
                (EventFormat::Http, method, path, query, self.headers)
            }
        };
        let path = path
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| "/".to_string());
        Ok(ApiGatewayEvent {
            request: ApiRequest::new(method, path, query, headers, body, request_id)
                .admitted_by_gateway(admitted),
            format,
        })
    }
}

/// Query parameters as name–value pairs, a name's values in order; a map's later repeat of a
/// name replaces the earlier (a JSON object read into a map). Each value a string or a list.
#[derive(Default)]
struct Parameters(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Parameters {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Parameters;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("an object of query parameters, or null")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Parameters, M::Error> {
                let mut pairs: Vec<(String, String)> = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    let values = map.next_value::<Values>()?.values;
                    pairs.retain(|(known, _)| *known != name);
                    pairs.extend(values.into_iter().map(|value| (name.clone(), value)));
                }
                Ok(Parameters(pairs))
            }
        }
        deserializer.deserialize_option(ObjectOrNull(Pairs))
    }
}

/// Reads a JSON object with the visitor it wraps, and `null` as the empty value (API Gateway
/// sends `null` for a 1.0 event's absent headers and parameters).
pub(super) struct ObjectOrNull<V>(pub V);

impl<'de, V> Visitor<'de> for ObjectOrNull<V>
where
    V: Visitor<'de>,
    V::Value: Default,
{
    type Value = V::Value;
    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(formatter)
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        Ok(V::Value::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        Ok(V::Value::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_map(self.0)
    }
    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<V::Value, M::Error> {
        self.0.visit_map(map)
    }
}

/// A value of a `headers` or parameters object: one string, or (the multi-value objects) a list.
pub(super) struct Values {
    pub list: bool,
    pub values: Vec<String>,
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrMore;
        impl<'de> Visitor<'de> for OneOrMore {
            type Value = Values;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Values, E> {
                Ok(Values {
                    list: false,
                    values: vec![value.to_string()],
                })
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Values, E> {
                Ok(Values {
                    list: false,
                    values: vec![value],
                })
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Values, S::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element::<String>()? {
                    values.push(value);
                }
                Ok(Values { list: true, values })
            }
        }
        deserializer.deserialize_any(OneOrMore)
    }
}

/// The response in the format of the event it answers: 2.0 takes the headers as they are; 1.0
/// takes them as `multiValueHeaders` only (API Gateway would merge a copy in `headers` with
/// them and send each twice).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ApiGatewayResponse {
    Http(ApiGatewayV2httpResponse),
    Rest(ApiGatewayProxyResponse),
}

impl ApiGatewayResponse {
    pub fn new(format: EventFormat, response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let (is_base64_encoded, body) = match body {
            Body::Text(text) => (false, Some(EventBody::Text(text))),
            Body::Binary(bytes) => (true, Some(EventBody::Binary(bytes))),
            _ => (false, None),
        };
        let status_code = i64::from(parts.status.as_u16());
        match format {
            EventFormat::Http => {
                let mut response = ApiGatewayV2httpResponse::default();
                response.status_code = status_code;
                response.headers = parts.headers;
                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                ApiGatewayResponse::Http(response)
            }
            EventFormat::Rest => {
                let mut response = ApiGatewayProxyResponse::default();
                response.status_code = status_code;
                response.headers = HeaderMap::new();
                response.multi_value_headers = parts.headers;
                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                ApiGatewayResponse::Rest(response)
            }
        }
    }
}
