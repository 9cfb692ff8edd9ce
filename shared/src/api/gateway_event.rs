//! The API Gateway event in and the response out, as `aws_lambda_events`' own types: a REST
//! API's payload 1.0 (`ApiGatewayProxyRequest`) or an HTTP API's 2.0
//! (`ApiGatewayV2httpRequest`), told apart by the event's `version`, and the response in the
//! event's format. What the API reads from either is an [`ApiRequest`].

use std::borrow::Cow;

use base64::Engine;
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyResponse, ApiGatewayV2httpRequest,
    ApiGatewayV2httpResponse,
};
use lambda_http::aws_lambda_events::encodings::Body as EventBody;
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::http::HeaderMap;
use lambda_http::{Body, Response};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::request::ApiRequest;

/// Which payload format an event came in, and so which its response takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    /// Payload 2.0: an HTTP API's.
    Http,
    /// Payload 1.0: a REST API's, or an HTTP API's set to 1.0.
    Rest,
}

/// An event the API cannot read: the invocation fails (never a guess).
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("this function expects an Amazon API Gateway event (HTTP API payload 2.0 or REST API payload 1.0): {0}")]
    NotAnEvent(#[from] serde_json::Error),
    #[error("the event's body is marked base64 but is not valid base64")]
    Base64Body,
}

/// One invocation's event.
#[derive(Debug)]
pub enum ApiGatewayEvent {
    Rest(Box<ApiGatewayProxyRequest>),
    Http(Box<ApiGatewayV2httpRequest>),
}

/// The one field that tells the formats apart: `"version": "2.0"` is in every payload 2.0 event
/// (and only there: an HTTP API's 1.0 events say `"1.0"`, a REST API's have none).
#[derive(Deserialize)]
struct Version<'a> {
    #[serde(borrow, default)]
    version: Option<Cow<'a, str>>,
}

impl<'de> Deserialize<'de> for ApiGatewayEvent {
    /// One typed read, of the format the event's `version` names (a skim that builds nothing
    /// but that field finds it first). Trying 1.0 first built every 2.0 event's request twice,
    /// the first time to the end only to find `httpMethod` missing.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let version: Version = serde_json::from_str(text).map_err(de::Error::custom)?;
        if version.version.as_deref() == Some("2.0") {
            serde_json::from_str(text).map(|http| ApiGatewayEvent::Http(Box::new(http)))
        } else {
            serde_json::from_str(text).map(|rest| ApiGatewayEvent::Rest(Box::new(rest)))
        }
        .map_err(de::Error::custom)
    }
}

impl ApiGatewayEvent {
    /// Reads an event's JSON text.
    pub fn from_text(text: &str) -> Result<Self, EventError> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn format(&self) -> EventFormat {
        match self {
            ApiGatewayEvent::Rest(_) => EventFormat::Rest,
            ApiGatewayEvent::Http(_) => EventFormat::Http,
        }
    }

    /// The request as the API reads it: 1.0's parameters from the multi-value map when it has
    /// any, its headers from `headers` over `multiValueHeaders`; 2.0's parameters from the raw
    /// query string when there is one (as `lambda_http` reads them).
    pub fn into_request(self) -> Result<ApiRequest, EventError> {
        match self {
            ApiGatewayEvent::Rest(event) => {
                let event = *event;
                let query = if event.multi_value_query_string_parameters.is_empty() {
                    event.query_string_parameters
                } else {
                    event.multi_value_query_string_parameters
                };
                let mut headers = event.multi_value_headers;
                headers.extend(event.headers);
                let context = event.request_context;
                let admitted = context.authorizer.fields.get("lambda").cloned();
                Ok(ApiRequest::new(
                    event.http_method.as_str(),
                    event.path.unwrap_or_default(),
                    query,
                    &headers,
                    body(event.body, event.is_base64_encoded)?,
                    context.request_id,
                )
                .admitted_by_gateway(admitted))
            }
            ApiGatewayEvent::Http(event) => {
                let event = *event;
                let query = match event
                    .raw_query_string
                    .as_deref()
                    .map(str::parse::<QueryMap>)
                {
                    Some(Ok(parsed)) => parsed,
                    Some(Err(never)) => match never {},
                    None => event.query_string_parameters,
                };
                let context = event.request_context;
                let admitted = context
                    .authorizer
                    .map(|authorizer| Value::Object(authorizer.fields.into_iter().collect()));
                Ok(ApiRequest::new(
                    context.http.method.as_str(),
                    event.raw_path.unwrap_or_default(),
                    query,
                    &event.headers,
                    body(event.body, event.is_base64_encoded)?,
                    context.request_id,
                )
                .admitted_by_gateway(admitted))
            }
        }
    }
}

fn body(body: Option<String>, base64: bool) -> Result<Vec<u8>, EventError> {
    match body {
        None => Ok(Vec::new()),
        Some(text) if base64 => base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|_| EventError::Base64Body),
        Some(text) => Ok(text.into_bytes()),
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
