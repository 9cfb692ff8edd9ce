//! The functions read API Gateway events with `api::event` (one pass, only what the API uses);
//! `lambda_http` reads them into a whole `http::Request`. Both readings must agree on everything
//! the API looks at (method, path, query parameters, the headers it reads, the body, the
//! request and trace ids) for every event `lambda_http` accepts: every sample event in
//! `events/`, and generated events of both payload formats that press on the corners (headers
//! in any case and repeated, `headers` against `multiValueHeaders`, encoded and repeated query
//! parameters, a query without its raw string, base64 bodies, missing fields).

use std::path::Path;

use base64::Engine;
use call_log_item::api::ApiRequest;
use lambda_http::{Body, RequestExt};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use testkit::{EventSpec, Payload};

/// The query parameters compared: the API's own and a few others.
const PARAMETERS: [&str; 6] = ["skip", "limit", "cursor", "a", "b", "a b"];
/// The headers compared.
const HEADERS: [&str; 4] = ["apikey", "if-match", "idempotency-key", "x-amzn-trace-id"];

/// What the API reads from a request.
#[derive(Debug, PartialEq)]
struct Read {
    method: String,
    path: String,
    parameters: Vec<Option<String>>,
    headers: Vec<Option<String>>,
    /// More than one `ApiKey` value (refused with 400).
    duplicate_api_key: bool,
    body: Vec<u8>,
    request_id: String,
    trace_id: Option<String>,
}

fn ours(text: &str) -> Read {
    let request = ApiRequest::from_event(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    Read {
        method: request.method.clone(),
        path: request.path.clone(),
        parameters: PARAMETERS
            .iter()
            .map(|name| request.query_param(name).map(str::to_string))
            .collect(),
        headers: HEADERS
            .iter()
            .map(|name| request.header(name).map(str::to_string))
            .collect(),
        duplicate_api_key: request.api_key().is_err(),
        body: request.body().to_vec(),
        request_id: request.request_id().to_string(),
        trace_id: request.trace_id().map(str::to_string),
    }
}

/// `lambda_http`'s reading, if it reads the event at all.
fn theirs(text: &str) -> Option<Read> {
    let request = lambda_http::request::from_str(text).ok()?;
    let path = match request.raw_http_path() {
        "" => request.uri().path().to_string(),
        raw => raw.to_string(),
    };
    // As the handler read them before: every pair, and a name's first value.
    let pairs: Vec<(String, String)> = request
        .query_string_parameters_ref()
        .map(|map| {
            map.iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let parameters = PARAMETERS
        .iter()
        .map(|name| {
            pairs
                .iter()
                .find(|(known, _)| known == name)
                .map(|(_, value)| value.clone())
        })
        .collect();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
    };
    let headers = HEADERS.iter().map(|name| header(name)).collect();
    let trace_id = header("x-amzn-trace-id").and_then(|value| {
        value
            .split(';')
            .find_map(|part| part.trim().strip_prefix("Root="))
            .filter(|root| !root.is_empty())
            .map(str::to_string)
    });
    let request_id = match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.request_id.clone()
        }
        Some(lambda_http::request::RequestContext::ApiGatewayV1(context)) => {
            context.request_id.clone()
        }
        _ => None,
    }
    .unwrap_or_else(|| "-".to_string());
    let duplicate_api_key = request.headers().get_all("apikey").iter().count() > 1;
    let method = request.method().as_str().to_string();
    let body = match request.into_body() {
        Body::Text(text) => text.into_bytes(),
        Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Some(Read {
        method,
        path,
        parameters,
        headers,
        duplicate_api_key,
        body,
        request_id,
        trace_id,
    })
}

fn agree(text: &str) -> Result<(), TestCaseError> {
    if let Some(expected) = theirs(text) {
        prop_assert_eq!(ours(text), expected, "{}", text);
    }
    Ok(())
}

#[test]
fn every_sample_event_reads_as_lambda_http_reads_it() {
    let events = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut read = 0;
    for entry in std::fs::read_dir(&events).expect("events/") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".http.json") && !name.ends_with(".rest.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(theirs(&text).is_some(), "{name}: lambda_http reads it");
        agree(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        read += 1;
    }
    assert!(read >= 30, "only {read} sample events");
}

#[test]
fn a_2_0_event_written_by_aws_lambda_events_reads_as_2_0() {
    // What `cargo lambda watch` (the local runner) sends: the struct serialized, with the
    // deprecated top-level `httpMethod` (GET by default) beside the real method.
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
    let headers = [("ApiKey", "iclk_1")];
    let text = testkit::event_json(
        Payload::Http,
        &EventSpec::new("POST", "/api/x/count?limit=2", &headers, Some("{}")),
    );
    let event: ApiGatewayV2httpRequest = serde_json::from_str(&text).unwrap();
    let written = serde_json::to_string(&event).unwrap();
    assert!(written.contains("\"httpMethod\":\"GET\""), "{written}");
    let read = ours(&written);
    assert_eq!(
        (read.method.as_str(), read.path.as_str()),
        ("POST", "/api/x/count")
    );
    agree(&written).unwrap();
}

#[test]
fn an_event_that_is_not_one_is_refused_not_guessed() {
    for text in ["\"text\"", "{\"headers\": 3}", "{\"body\": 3}", "not json"] {
        assert!(ApiRequest::from_event(text).is_err(), "{text}");
    }
    let mut event: Value = serde_json::from_str(&testkit::event_json(
        Payload::Http,
        &EventSpec::new("POST", "/x", &[], Some("not base64!")),
    ))
    .unwrap();
    event["isBase64Encoded"] = json!(true);
    let refused = ApiRequest::from_event(&event.to_string()).unwrap_err();
    assert!(refused.to_string().contains("base64"), "{refused}");
}

/// Header names in several cases, values with the characters that matter (commas join
/// repeats in an HTTP API; quotes and `W/` in `If-Match`; `;` and `Root=` in the trace).
fn header_entry() -> impl Strategy<Value = (String, String)> {
    let names = prop::sample::select(vec![
        "ApiKey",
        "apikey",
        "APIKEY",
        "If-Match",
        "if-match",
        "Idempotency-Key",
        "IDEMPOTENCY-KEY",
        "X-Amzn-Trace-Id",
        "x-amzn-trace-id",
        "X-Other",
        "Content-Type",
    ]);
    let values = "[a-zA-Z0-9 ,;=\"/W*é-]{0,12}";
    (names, values).prop_map(|(name, value)| (name.to_string(), value))
}

/// Query text with the characters that form decoding treats specially.
fn query_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "b", "skip", "limit", "cursor", "=", "&", "%20", "%2", "%zz", "+", ",", "1", "é",
            "%C3%A9",
        ]),
        0..14,
    )
    .prop_map(|parts| parts.concat())
}

fn object(entries: &[(String, Value)]) -> Value {
    let mut map = Map::new();
    for (name, value) in entries {
        map.insert(name.clone(), value.clone());
    }
    Value::Object(map)
}

#[derive(Debug, Clone)]
struct Shape {
    rest: bool,
    method: String,
    /// API Gateway always sends one (an event without is read with the path `/`).
    path: String,
    headers: Vec<(String, String)>,
    multi_headers: Vec<(String, Vec<String>)>,
    raw_query: Option<String>,
    parameters: Vec<(String, String)>,
    multi_parameters: Vec<(String, Vec<String>)>,
    body: Option<Vec<u8>>,
    base64: bool,
    request_id: Option<String>,
    /// A 2.0 event with the deprecated top-level `httpMethod` `aws_lambda_events` writes.
    stray_http_method: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    let names = || prop::sample::select(vec!["a", "b", "skip", "limit", "cursor", "a b"]);
    let values = || "[a-z0-9 ,%+é]{0,6}";
    (
        (
            any::<bool>(),
            prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
            "/[a-z0-9/{}-]{0,20}",
            prop::collection::vec(header_entry(), 0..6),
            prop::collection::vec(
                (
                    header_entry(),
                    prop::collection::vec("[a-z0-9 ,]{0,6}", 0..3),
                ),
                0..4,
            ),
        ),
        (
            prop::option::of(query_text()),
            prop::collection::vec((names(), values()), 0..4),
            // At least one value each: `lambda_http` panics on an empty list (API Gateway never
            // sends one; the function reads it as no value).
            prop::collection::vec((names(), prop::collection::vec(values(), 1..3)), 0..3),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
            any::<bool>(),
            prop::option::of("[a-z0-9-]{1,12}"),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (rest, method, path, headers, multi),
                (raw_query, parameters, multi_parameters, body, base64, request_id, stray),
            )| Shape {
                rest,
                method: method.to_string(),
                path,
                headers,
                multi_headers: multi.into_iter().map(|((n, _), v)| (n, v)).collect(),
                raw_query,
                parameters: parameters
                    .into_iter()
                    .map(|(n, v)| (n.to_string(), v))
                    .collect(),
                multi_parameters: multi_parameters
                    .into_iter()
                    .map(|(n, v)| (n.to_string(), v))
                    .collect(),
                body,
                base64,
                request_id,
                stray_http_method: stray,
            },
        )
}

/// A real event of the shape's format (from testkit's fixtures) with its fields replaced.
fn event_of(shape: &Shape) -> String {
    let payload = if shape.rest {
        Payload::Rest
    } else {
        Payload::Http
    };
    let mut event: Value = serde_json::from_str(&testkit::event_json(
        payload,
        &EventSpec::new(&shape.method, "/x", &[], None),
    ))
    .unwrap();
    let path_field = if shape.rest { "path" } else { "rawPath" };
    event[path_field] = json!(shape.path);
    let strings = |entries: &[(String, String)]| -> Vec<(String, Value)> {
        entries.iter().map(|(n, v)| (n.clone(), json!(v))).collect()
    };
    let lists = |entries: &[(String, Vec<String>)]| -> Vec<(String, Value)> {
        entries.iter().map(|(n, v)| (n.clone(), json!(v))).collect()
    };
    event["headers"] = object(&strings(&shape.headers));
    if shape.rest {
        event["multiValueHeaders"] = object(&lists(&shape.multi_headers));
        event["queryStringParameters"] = object(&strings(&shape.parameters));
        event["multiValueQueryStringParameters"] = object(&lists(&shape.multi_parameters));
    } else {
        match &shape.raw_query {
            Some(raw) => event["rawQueryString"] = json!(raw),
            None => {
                event.as_object_mut().unwrap().remove("rawQueryString");
            }
        }
        event["queryStringParameters"] = object(&strings(&shape.parameters));
        if shape.stray_http_method {
            event["httpMethod"] = json!("GET");
        }
    }
    let body = shape.body.as_ref().map(|bytes| {
        if shape.base64 {
            base64::engine::general_purpose::STANDARD.encode(bytes)
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        }
    });
    event["body"] = body.map_or(Value::Null, Value::String);
    event["isBase64Encoded"] = json!(shape.base64 && shape.body.is_some());
    match &shape.request_id {
        Some(id) => event["requestContext"]["requestId"] = json!(id),
        None => {
            event["requestContext"]
                .as_object_mut()
                .unwrap()
                .remove("requestId");
        }
    }
    event.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_events_read_as_lambda_http_reads_them(shape in shape()) {
        agree(&event_of(&shape))?;
    }
}
