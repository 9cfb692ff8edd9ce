//! Real API Gateway events: the fixtures shipped in the `aws_lambda_events` crate (copied to
//! `testkit/fixtures/`), with only the method, path, path parameters, query string, headers
//! and body put in. Never hand-built structs.
//!
//! This crate knows nothing of the API it feeds: the caller names the route template a
//! request matches (`EventSpec::route`), as API Gateway would know it from its routes.

use serde_json::{json, Map, Value};

/// Which API Gateway payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// HTTP API, payload format 2.0.
    Http,
    /// REST API, payload format 1.0.
    Rest,
}

/// What the sample events in `events/` carry instead of a real API key and item id.
pub const PLACEHOLDER_API_KEY: &str = "REPLACE_WITH_YOUR_API_KEY";
pub const PLACEHOLDER_ITEM_ID: &str = "00000000-0000-7000-8000-000000000000";

const HTTP_FIXTURE: &str = include_str!("../fixtures/apigw-http-v2.json");
const REST_FIXTURE: &str = include_str!("../fixtures/apigw-rest-v1.json");

/// The parts of one request.
#[derive(Debug, Clone, Copy)]
pub struct EventSpec<'a> {
    pub method: &'a str,
    /// The path, optionally with `?query`.
    pub path: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a str>,
    /// The body is base64 and `isBase64Encoded` is set.
    pub base64: bool,
    /// The route template the path matches (`/api/items/{id}`), for the event's route key and
    /// path parameters; `None` for a path no route matches.
    pub route: Option<&'a str>,
}

impl<'a> EventSpec<'a> {
    /// A request with a plain (not base64) body, or none.
    pub fn new(
        method: &'a str,
        path: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: Option<&'a str>,
    ) -> Self {
        EventSpec {
            method,
            path,
            headers,
            body,
            base64: false,
            route: None,
        }
    }

    /// The same request, matched to the route template `route`.
    pub fn on_route(self, route: Option<&'a str>) -> Self {
        EventSpec { route, ..self }
    }
}

/// The `{name}` segments of `template` with the path's segments in their place.
fn path_parameters(template: &str, path: &str) -> Map<String, Value> {
    fn segments(text: &str) -> Vec<&str> {
        text.split('/')
            .filter(|segment| !segment.is_empty())
            .collect()
    }
    segments(template)
        .into_iter()
        .zip(segments(path))
        .filter_map(|(expected, actual)| {
            let name = expected.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_string(), json!(actual)))
        })
        .collect()
}

/// `a=1&b=2` as pairs (the tests and benchmarks send plain values: no percent-decoding).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The event's JSON text, as API Gateway would send it to the function of this route.
pub fn event_json(payload: Payload, spec: &EventSpec<'_>) -> String {
    let (path, query) = spec.path.split_once('?').unwrap_or((spec.path, ""));
    let pairs = query_pairs(query);
    let parameters = spec
        .route
        .map(|route| path_parameters(route, path))
        .unwrap_or_default();
    let path_parameters = if parameters.is_empty() {
        Value::Null
    } else {
        Value::Object(parameters)
    };
    let route = spec.route.unwrap_or(path);
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut event: Value = match payload {
        Payload::Http => {
            let mut event: Value = serde_json::from_str(HTTP_FIXTURE).expect("fixture");
            let mut headers = Map::new();
            headers.insert("host".into(), event["headers"]["host"].clone());
            headers.insert("user-agent".into(), json!("testkit"));
            for (name, value) in spec.headers {
                let name = name.to_ascii_lowercase();
                // HTTP APIs join repeated headers with commas.
                let joined = match headers.get(&name).and_then(Value::as_str) {
                    Some(existing) => format!("{existing},{value}"),
                    None => value.to_string(),
                };
                headers.insert(name, json!(joined));
            }
            event["headers"] = Value::Object(headers);
            event["rawPath"] = json!(path);
            event["rawQueryString"] = json!(query);
            event["routeKey"] = json!(format!("{} {route}", spec.method));
            event["requestContext"]["routeKey"] = event["routeKey"].clone();
            event["requestContext"]["http"]["method"] = json!(spec.method);
            event["requestContext"]["http"]["path"] = json!(path);
            event["requestContext"]["requestId"] = json!(request_id);
            if !pairs.is_empty() {
                let map: Map<String, Value> =
                    pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                event["queryStringParameters"] = Value::Object(map);
            }
            if !path_parameters.is_null() {
                event["pathParameters"] = path_parameters;
            }
            if let Some(body) = spec.body {
                event["body"] = json!(body);
            }
            event
        }
        Payload::Rest => {
            let mut event: Value = serde_json::from_str(REST_FIXTURE).expect("fixture");
            let mut single = Map::new();
            let mut multi = Map::new();
            single.insert("Host".into(), event["headers"]["Host"].clone());
            multi.insert("Host".into(), json!([event["headers"]["Host"].clone()]));
            for (name, value) in spec.headers {
                single.insert(name.to_string(), json!(value));
                let entry = multi.entry(name.to_string()).or_insert_with(|| json!([]));
                entry.as_array_mut().expect("an array").push(json!(value));
            }
            event["headers"] = Value::Object(single);
            event["multiValueHeaders"] = Value::Object(multi);
            event["httpMethod"] = json!(spec.method);
            event["path"] = json!(path);
            event["resource"] = json!(route);
            event["requestContext"]["httpMethod"] = json!(spec.method);
            event["requestContext"]["resourcePath"] = json!(route);
            event["requestContext"]["path"] = json!(format!("/testStage{path}"));
            event["requestContext"]["requestId"] = json!(request_id);
            let (single_query, multi_query) = if pairs.is_empty() {
                (Value::Null, Value::Null)
            } else {
                let single: Map<String, Value> =
                    pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                let multi: Map<String, Value> =
                    pairs.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
                (Value::Object(single), Value::Object(multi))
            };
            event["queryStringParameters"] = single_query;
            event["multiValueQueryStringParameters"] = multi_query;
            event["pathParameters"] = path_parameters;
            event["body"] = spec.body.map_or(Value::Null, |b| json!(b));
            event
        }
    };
    event["isBase64Encoded"] = json!(spec.base64);
    event.to_string()
}
