//! Hostile input: a corpus of malformed requests across every route. Each answers a 4xx with
//! an `{"error"}` that names the problem, and the stored data (items and counters, read raw) is
//! byte-for-byte the same after the whole corpus. Then a fuzz run of arbitrary bodies, query
//! strings and path ids: never a 5xx, never a panic.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{random_id, Payload, TestApp};

const BASE: &str = "/api/incoming-call-log-item";

/// One malformed request and what its answer must say.
struct Case {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Option<String>,
    status: u16,
    /// A fragment the error must contain (case-insensitive).
    names: &'static str,
}

fn case(
    method: &'static str,
    path: impl Into<String>,
    body: Option<String>,
    status: u16,
    names: &'static str,
) -> Case {
    Case {
        method,
        path: path.into(),
        headers: Vec::new(),
        body,
        status,
        names,
    }
}

/// Every stored attribute of the project (items and counters), as text, in key order.
async fn snapshot(app: &TestApp) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for partition in [app.project.to_string(), format!("{}#counters", app.project)] {
        let output = app
            .client
            .query()
            .table_name(&app.config.items_table)
            .key_condition_expression("projectId = :p")
            .expression_attribute_values(":p", AttributeValue::S(partition.clone()))
            .consistent_read(true)
            .send()
            .await
            .unwrap();
        for item in output.items() {
            let id = format!("{partition}/{:?}", item["_id"]);
            let sorted: BTreeMap<_, _> = item
                .iter()
                .map(|(k, v)| (k.clone(), format!("{v:?}")))
                .collect();
            rows.insert(id, format!("{sorted:?}"));
        }
    }
    rows
}

fn corpus(id: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let body_routes: Vec<(&'static str, String)> = vec![
        ("POST", format!("{BASE}/get-list")),
        ("GET", format!("{BASE}/get-list")),
        ("POST", format!("{BASE}/{id}/get-item")),
        ("POST", format!("{BASE}/count")),
        ("POST", BASE.to_string()),
        ("PUT", format!("{BASE}/{id}")),
        ("POST", format!("{BASE}/{id}/update-item")),
        ("GET", format!("{BASE}/{id}/update-item")),
    ];
    // Broken JSON, on every route that reads a body.
    let broken = [
        "{",
        "}",
        "{\"data\":",
        "[1,2",
        "nul",
        "{\"a\":1,}",
        "'single'",
        "{} trailing",
        "\u{feff}{}",
        "{\"data\": {\"status\": \"x\"}",
        "{\"data\" {}}",
        "{\"\\ud800\": 1}",
    ];
    for (method, path) in &body_routes {
        for text in broken {
            cases.push(case(
                method,
                path.clone(),
                Some(text.to_string()),
                400,
                "json",
            ));
        }
    }
    // Deep nesting, on every route that reads a body.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    for (method, path) in &body_routes {
        cases.push(case(method, path.clone(), Some(deep.clone()), 400, "json"));
        cases.push(case(
            method,
            path.clone(),
            Some(deep_object.clone()),
            400,
            "json",
        ));
    }
    // Wrong types and shapes.
    let create = |data: Value| Some(json!({ "data": data }).to_string());
    let call_log = random_id();
    let valid = |extra: Value| {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        for (k, v) in extra.as_object().unwrap() {
            data[k] = v.clone();
        }
        create(data)
    };
    for (data, names) in [
        (json!("string"), "data"),
        (json!(42), "data"),
        (json!([]), "data"),
        (json!(null), "data"),
        (json!(true), "data"),
    ] {
        cases.push(case("POST", BASE, create(data.clone()), 400, names));
        cases.push(case(
            "PUT",
            format!("{BASE}/{id}"),
            create(data),
            400,
            names,
        ));
    }
    for (extra, names) in [
        (
            json!({"dialDurationInSeconds": 1e300}),
            "dialDurationInSeconds",
        ),
        (
            json!({"dialDurationInSeconds": "99999999999999999999999"}),
            "dialDurationInSeconds",
        ),
        (json!({"callCostInUSDCents": "NaN"}), "callCostInUSDCents"),
        (
            json!({"callCostInUSDCents": "Infinity"}),
            "callCostInUSDCents",
        ),
        (
            json!({"callCostInUSDCents": "-Infinity"}),
            "callCostInUSDCents",
        ),
        (json!({"callCostInUSDCents": "1e999"}), "callCostInUSDCents"),
        (json!({"callCostInUSDCents": "0x10"}), "callCostInUSDCents"),
        (
            json!({"dialDurationInSeconds": -0.5}),
            "dialDurationInSeconds",
        ),
        (json!({"isAnswered": "false"}), "isAnswered"),
        (json!({"isAnswered": 0}), "isAnswered"),
        (json!({"status": ["Ringing"]}), "status"),
        (
            json!({"status": {"_type": "Phone", "value": "x"}}),
            "status",
        ),
        (json!({"status": "😀".repeat(101)}), "status"),
        (json!({"status": "\u{200b}".repeat(101)}), "status"),
        (json!({"statusMessage": "ü".repeat(501)}), "statusMessage"),
        (json!({"startedAt": "2026-02-30T00:00:00Z"}), "startedAt"),
        (json!({"startedAt": "2026-11-27T25:00:00Z"}), "startedAt"),
        (json!({"startedAt": "+275760-09-13T00:00:00Z"}), "startedAt"),
        (json!({"startedAt": "NaN"}), "startedAt"),
        (json!({"endedAt": {"_type": "DateTime"}}), "endedAt"),
        (
            json!({"userId": "550e8400-e29b-41d4-a716-44665544000Z"}),
            "userId",
        ),
        (json!({"userId": "' OR '1'='1"}), "userId"),
        (
            json!({"userPhoneNumber": "+1 555 123 4567; DROP TABLE"}),
            "userPhoneNumber",
        ),
        (
            json!({"userPhoneNumber": "\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}"}),
            "userPhoneNumber",
        ),
        (
            json!({"incomingCallLog": {"_id": call_log, "extra": 1}}),
            "incomingCallLog",
        ),
        (json!({"sta\u{0}tus": "x"}), "sta"),
        (json!({"#x": 1}), "#x"),
        (json!({":v": 1}), ":v"),
        (json!({"__proto__": {}}), "__proto__"),
        (json!({"constructor": 1}), "constructor"),
        (json!({"_id": random_id()}), "_id"),
        (json!({"version": 99}), "version"),
    ] {
        cases.push(case("POST", BASE, valid(extra), 400, names));
    }
    // Update: fields that cannot change, names that are not fields.
    for (data, names) in [
        (json!({"projectId": random_id()}), "projectId"),
        (
            json!({"incomingCallLogId": random_id()}),
            "incomingCallLogId",
        ),
        (
            json!({"userPhoneNumber": "+15551234567"}),
            "userPhoneNumber",
        ),
        (json!({"version": 1}), "version"),
        (json!({"#x": 1}), "#x"),
        (json!({":v": "x"}), ":v"),
        (
            json!({"status": {"_type": "EqualTo", "value": "x"}}),
            "status",
        ),
        (
            json!({"dialDurationInSeconds": "NaN"}),
            "dialDurationInSeconds",
        ),
        (json!({"updatedAt": "x", "createdAt": "y"}), "updat"),
    ] {
        cases.push(case(
            "PUT",
            format!("{BASE}/{id}"),
            create(data.clone()),
            400,
            names,
        ));
        cases.push(case(
            "POST",
            format!("{BASE}/{id}/update-item"),
            create(data),
            400,
            names,
        ));
    }
    // List and count: select, sort, query, paging.
    let list = |body: Value| Some(body.to_string());
    for (body, names) in [
        (json!({"query": "status"}), "query"),
        (json!({"query": ["status"]}), "query"),
        (json!({"query": 5}), "query"),
        (json!({"query": {"#x": 1}}), "#x"),
        (json!({"query": {":v": 1}}), ":v"),
        (json!({"query": {"status = :v OR #x": 1}}), "status = :v"),
        (
            json!({"query": {"status": {"_type": "EqualTo", "value": {"_type": "EqualTo", "value": "x"}}}}),
            "status",
        ),
        (
            json!({"query": {"status": {"_type": "Includes", "value": [{"_type": "Search", "value": "x"}]}}}),
            "status",
        ),
        (
            json!({"query": {"status": {"_type": "MultiSearch", "value": "x", "fields": ["projectId"]}}}),
            "MultiSearch",
        ),
        (
            json!({"query": {"status": {"_type": "MultiSearch", "value": "x", "fields": []}}}),
            "MultiSearch",
        ),
        (json!({"query": {"status": {"_type": 5}}}), "_type"),
        (
            json!({"query": {"status": {"_type": "toString"}}}),
            "toString",
        ),
        (
            json!({"query": {"dialDurationInSeconds": {"_type": "GreaterThan", "value": "NaN"}}}),
            "dialDurationInSeconds",
        ),
        (
            json!({"query": {"dialDurationInSeconds": {"_type": "InBetween", "startValue": 1}}}),
            "endValue",
        ),
        (
            json!({"query": {"createdAt": {"_type": "LessThan", "value": "Infinity"}}}),
            "createdAt",
        ),
        (
            json!({"query": {"isAnswered": {"_type": "Search", "value": "t"}}}),
            "isAnswered",
        ),
        (json!({"query": {"_id": "../../etc/passwd"}}), "_id"),
        (json!({"query": {"projectId": "*"}}), "projectId"),
        (
            json!({"query": {"status": {"_type": "Includes", "value": "x"}}}),
            "status",
        ),
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list"),
            list(body.clone()),
            400,
            names,
        ));
        cases.push(case(
            "POST",
            format!("{BASE}/count"),
            list(body),
            400,
            names,
        ));
    }
    for (body, names) in [
        (json!({"select": ["status"]}), "select"),
        (json!({"select": {"#x": true}}), "#x"),
        (json!({"select": {":v": true}}), ":v"),
        (json!({"select": {"status": "yes"}}), "status"),
        (
            json!({"select": {"project": {"name": true}}}),
            "project.name",
        ),
        (json!({"sort": "createdAt"}), "sort"),
        (json!({"sort": {"#x": 1}}), "#x"),
        (json!({"sort": {"status": 2}}), "status"),
        (json!({"sort": {"status": "sideways"}}), "status"),
        (json!({"sort": {"project": 1}}), "project"),
        (json!({"skip": -1}), "skip"),
        (json!({"skip": "1e3"}), "skip"),
        (json!({"limit": 1e300}), "limit"),
        (json!({"limit": "NaN"}), "limit"),
        (json!({"limit": [10]}), "limit"),
        (json!({"cursor": "x.y"}), "cursor"),
        (json!({"cursor": {}}), "cursor"),
        (json!({"unknown": 1}), "unknown"),
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list"),
            list(body),
            400,
            names,
        ));
    }
    for query in [
        "?limit=",
        "?limit=NaN",
        "?limit=%00",
        "?skip=1;DROP",
        "?limit=10&limit=abc&skip=-0x1",
        "?cursor=%22%22",
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list{query}"),
            None,
            400,
            "",
        ));
    }
    cases.push(case(
        "POST",
        format!("{BASE}/{id}/get-item"),
        list(json!({"select": {"_id": "x"}})),
        400,
        "_id",
    ));
    // Path ids: injection and traversal text in the id segment.
    for bad in [
        "abc",
        "..",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "'%20OR%201=1--",
        "%3Cscript%3E",
        "550e8400-e29b-41d4-a716-44665544000Z",
        "550e8400e29b41d4a716446655440000",
        "%7Bid%7D",
        "%00",
        "null",
        "-1",
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/{bad}/get-item"),
            None,
            400,
            "id",
        ));
        cases.push(case(
            "PUT",
            format!("{BASE}/{bad}"),
            create(json!({"status": "x"})),
            400,
            "id",
        ));
        cases.push(case("DELETE", format!("{BASE}/{bad}"), None, 400, "id"));
    }
    // Headers: empty, duplicated, malformed.
    let with_headers = |method: &'static str,
                        path: String,
                        headers: Vec<(&'static str, String)>,
                        status: u16,
                        names: &'static str| Case {
        method,
        path,
        headers,
        body: None,
        status,
        names,
    };
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", String::new())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", " ".into())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", "iclk_' OR 1=1 --".into())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", "x".repeat(10_000))],
        401,
        "api key",
    ));
    for if_match in [
        "",
        "abc",
        "0",
        "-1",
        "1.5",
        "\"\"",
        "W/",
        "99999999999999999999",
    ] {
        cases.push(with_headers(
            "DELETE",
            format!("{BASE}/{id}"),
            vec![("If-Match", if_match.to_string())],
            400,
            "if-match",
        ));
    }
    // Oversize bodies.
    let huge =
        json!({"data": {"status": "x", "statusMessage": "y".repeat(300 * 1024)}}).to_string();
    for (method, path) in &body_routes {
        cases.push(case(
            method,
            path.clone(),
            Some(huge.clone()),
            413,
            "larger",
        ));
    }
    cases
}

#[tokio::test]
async fn every_malformed_request_is_a_named_4xx_and_changes_nothing() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.create_item(&random_id(), json!({"statusMessage": "kept"}))
            .await;
    }
    let id = app.all_items().await[0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = snapshot(&app).await;
    let cases = corpus(&id);
    assert!(cases.len() >= 150, "{} cases", cases.len());
    for (index, case) in cases.iter().enumerate() {
        // The key comes first; a case that sets ApiKey itself replaces it.
        let mut headers: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
        if !case.headers.iter().any(|(name, _)| *name == "ApiKey") {
            headers.push(("ApiKey", app.key.as_str()));
        }
        headers.extend(case.headers.iter().map(|(n, v)| (*n, v.as_str())));
        let response = app
            .send(case.method, &case.path, &headers, case.body.as_deref())
            .await;
        let label = format!(
            "#{index} {} {} {:?}",
            case.method,
            case.path,
            case.body
                .as_deref()
                .map(|b| b.chars().take(120).collect::<String>())
        );
        assert_eq!(response.status, case.status, "{label}: {}", response.body);
        let error = response.error().to_lowercase();
        assert!(!error.is_empty(), "{label}");
        assert!(
            error.contains(&case.names.to_lowercase()),
            "{label}: {error:?} should name {:?}",
            case.names
        );
    }
    assert_eq!(snapshot(&app).await, before, "the stored data changed");
    eprintln!(
        "hostile corpus: {} malformed requests, all 4xx, data unchanged",
        cases.len()
    );
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400() {
    let app = TestApp::spawn().await;
    let encoded = base64::engine::general_purpose::STANDARD.encode([0x7b, 0xff, 0xfe, 0x7d]);
    let response = app
        .send_base64("POST", &format!("{BASE}/count"), &encoded)
        .await;
    assert!(response.assert_status(400).error().contains("UTF-8"));
}

/// Arbitrary JSON, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z_#:$ .\\-0-9\u{0}-\u{10ffff}]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "status",
            "_id",
            "projectId",
            "incomingCallLogId",
            "createdAt",
            "_type",
            "EqualTo",
            "Search",
            "InBetween",
            "MultiSearch",
            "Includes",
            "value",
            "fields",
            "ASC",
            "-1",
            "2026-11-27T00:00:00Z",
            "550e8400-e29b-41d4-a716-446655440000",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "data",
                    "query",
                    "select",
                    "sort",
                    "skip",
                    "limit",
                    "cursor",
                    "status",
                    "_type",
                    "value",
                    "startValue",
                    "endValue",
                    "fields",
                    "_id",
                    "isAnswered",
                    "dialDurationInSeconds",
                    "startedAt",
                    "project",
                    "incomingCallLog",
                    "x",
                ]),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

#[test]
fn fuzzed_requests_never_get_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, id) = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let id = app.create_id(&random_id(), json!({})).await;
        (app, id)
    });
    let routes = [
        ("POST", format!("{BASE}/get-list")),
        ("GET", format!("{BASE}/get-list")),
        ("POST", format!("{BASE}/{id}/get-item")),
        ("POST", format!("{BASE}/count")),
        ("POST", BASE.to_string()),
        ("PUT", format!("{BASE}/{id}")),
        ("GET", format!("{BASE}/{id}/update-item")),
        ("POST", format!("{BASE}/{id}/delete-item")),
    ];
    let strategy = (
        0..routes.len(),
        any_json(),
        "[a-z0-9=&%._~-]{0,20}",
        "[a-zA-Z0-9%._~'-]{0,40}",
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let rest_app = app.with_payload(Payload::Rest);
    let served = std::cell::Cell::new(0u32);
    runner
        .run(&strategy, |(route, body, query, path_id, rest)| {
            let app = if rest { &rest_app } else { &app };
            let (method, path) = &routes[route];
            let path = if path_id.is_empty() {
                path.clone()
            } else {
                path.replace(&id, &path_id)
            };
            let path = format!("{path}?{query}");
            let text = body.to_string();
            let headers = [("ApiKey", app.key.as_str())];
            let response = runtime.block_on(app.send(method, &path, &headers, Some(&text)));
            prop_assert!(
                response.status < 500,
                "{method} {path} {text}: {} {}",
                response.status,
                response.body
            );
            if response.status >= 400 {
                prop_assert!(response.body["error"].is_string(), "{}", response.body);
            }
            served.set(served.get() + 1);
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz: {} requests, no 5xx", served.get());
}
