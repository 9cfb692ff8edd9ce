//! Smoke test through the real function binaries, as `make dev` serves them (`cargo lambda
//! watch` in front). `make test` starts that server and runs this with `--include-ignored`,
//! setting `SMOKE_BASE_URL` and `SMOKE_API_KEY`; it is ignored in the plain test run.
//!
//! `make smoke URL=… KEY=…` runs the reads against a deployed stack (the stack's `ApiUrl` and
//! a key of a project); with `WRITE=1`, the round trip that creates, updates and deletes too.

use serde_json::{json, Value};

fn base() -> String {
    std::env::var("SMOKE_BASE_URL").expect("SMOKE_BASE_URL (make test sets it)")
}

fn key() -> String {
    std::env::var("SMOKE_API_KEY").expect("SMOKE_API_KEY (make test sets it)")
}

/// One HTTP call; returns the status and the JSON body.
fn call(method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    call_with(Some(&key()), method, path, body)
}

/// One HTTP call with this `ApiKey` header (or none).
fn call_with(key: Option<&str>, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .build()
        .into();
    let url = format!("{}/api/incoming-call-log-item{path}", base());
    let mut request = ureq::http::Request::builder()
        .method(method)
        .uri(&url)
        .header("Content-Type", "application/json");
    if let Some(key) = key {
        request = request.header("ApiKey", key);
    }
    let request = request
        .body(body.map(|b| b.to_string()).unwrap_or_default())
        .expect("request");
    let mut response = agent
        .run(request)
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("body");
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {url}: not JSON: {text}"));
    (status, body)
}

/// Bad keys are refused: by the function where no authorizer runs (`make dev`: 401 with the
/// API's `error`), by API Gateway's authorizer when deployed (401 `Unauthorized` without a
/// key, 403 `Forbidden` for a key it refuses: docs/api.md, "Keys at the gateway").
#[test]
#[ignore = "needs an API: run by `make test`, and by `make smoke` against a deployed stack"]
fn bad_keys_are_refused() {
    let unknown = format!("iclk_{}", "0".repeat(64));
    for (key, gateway_status) in [(None, 401), (Some("secret"), 403), (Some(&*unknown), 403)] {
        let (status, body) = call_with(key, "POST", "/count", Some(json!({})));
        let by_function = status == 401 && body["error"].is_string();
        let by_gateway = status == gateway_status
            && body == json!({"message": if status == 401 { "Unauthorized" } else { "Forbidden" }});
        assert!(by_function || by_gateway, "{key:?}: {status} {body}");
    }
}

/// The seed's list example, as sent there, and its count: read-only, on whatever the
/// project holds.
#[test]
#[ignore = "needs an API: run by `make test`, and by `make smoke` against a deployed stack"]
fn the_seeds_read_examples_answer_as_it_shows() {
    let select = json!({
        "incomingCallLogId": true,
        "isAnswered": true,
        "projectId": true,
        "status": true,
        "_id": true
    });
    for method in ["GET", "POST"] {
        let (status, list) = call(
            method,
            "/get-list?skip=0&limit=10",
            Some(json!({
                "select": select,
                "query": {"status": "Example status"},
                "sort": {"createdAt": -1}
            })),
        );
        assert_eq!(status, 200, "{method} get-list: {list}");
        assert!(list["count"].is_u64(), "{list}");
        assert_eq!((&list["limit"], &list["skip"]), (&json!(10), &json!(0)));
        let rows = list["data"].as_array().expect("data");
        assert!(rows.len() <= 10);
        for row in rows {
            let mut fields: Vec<&str> = row
                .as_object()
                .unwrap()
                .keys()
                .map(|k| k.as_str())
                .collect();
            fields.sort();
            assert_eq!(
                fields,
                [
                    "_id",
                    "incomingCallLogId",
                    "isAnswered",
                    "projectId",
                    "status"
                ]
            );
            assert_eq!(row["status"], "Example status");
        }
    }
    let (status, count) = call(
        "POST",
        "/count",
        Some(json!({"query": {"status": "Example status"}})),
    );
    assert_eq!(status, 200, "{count}");
    assert!(count["count"].is_u64(), "{count}");
    // A missing item is 404, a malformed id 400: the API answers, not a gateway default.
    let (status, _) = call("POST", &format!("/{}/get-item", uuid::Uuid::new_v4()), None);
    assert_eq!(status, 404);
    let (status, _) = call("POST", "/not-an-id/get-item", None);
    assert_eq!(status, 400);
}

#[test]
#[ignore = "needs an API: run by `make test`, and by `make smoke WRITE=1` against a deployed stack"]
fn every_route_answers_through_the_real_binaries() {
    let call_log = uuid::Uuid::new_v4().to_string();
    let (status, created) = call(
        "POST",
        "",
        Some(json!({"data": {"incomingCallLogId": call_log, "status": "Ringing"}})),
    );
    assert_eq!(status, 200, "{created}");
    let id = created["_id"].as_str().unwrap().to_string();
    // Counts follow the stream (the tally's local poller), a moment after the write.
    counted_within(json!({"incomingCallLogId": call_log}), 1);

    for method in ["GET", "POST"] {
        let (status, list) = call(
            method,
            "/get-list?limit=5",
            Some(json!({"query": {"incomingCallLogId": call_log}})),
        );
        assert_eq!(
            (status, list["count"].clone()),
            (200, json!(1)),
            "{method} get-list: {list}"
        );
        let (status, item) = call(
            method,
            &format!("/{id}/get-item"),
            Some(json!({"select": {"status": true}})),
        );
        assert_eq!(
            (status, item),
            (200, json!({"_id": id, "status": "Ringing"})),
            "{method} get-item"
        );
    }
    let (status, count) = call(
        "POST",
        "/count",
        Some(json!({"query": {"incomingCallLogId": call_log}})),
    );
    assert_eq!((status, count), (200, json!({"count": 1})));

    for (method, path) in [
        ("PUT", format!("/{id}")),
        ("POST", format!("/{id}/update-item")),
        ("GET", format!("/{id}/update-item")),
    ] {
        let (status, body) = call(
            method,
            &path,
            Some(json!({"data": {"statusMessage": method}})),
        );
        assert_eq!((status, body), (200, json!({})), "{method} {path}");
    }
    let (_, item) = call("POST", &format!("/{id}/get-item"), None);
    assert_eq!(item["statusMessage"], "GET");
    assert_eq!(item["version"], 4);

    let (status, body) = call("PATCH", &format!("/{id}"), None);
    assert_eq!(status, 405, "{body}");

    for (method, suffix) in [
        ("DELETE", ""),
        ("POST", "/delete-item"),
        ("GET", "/delete-item"),
    ] {
        let (_, created) = call(
            "POST",
            "",
            Some(json!({"data": {"incomingCallLogId": call_log, "status": "x"}})),
        );
        let other = created["_id"].as_str().unwrap();
        let (status, body) = call(method, &format!("/{other}{suffix}"), None);
        assert_eq!((status, body), (200, json!({})), "{method} delete{suffix}");
        let (status, _) = call("POST", &format!("/{other}/get-item"), None);
        assert_eq!(status, 404);
    }
    let (status, _) = call("DELETE", &format!("/{id}"), None);
    assert_eq!(status, 200);
}

/// The function logs of the run (`make test` sets `SMOKE_FUNCTION_LOG` to the local server's
/// output), one JSON value per JSON line.
fn function_log_lines() -> Vec<Value> {
    let path = std::env::var("SMOKE_FUNCTION_LOG").expect("SMOKE_FUNCTION_LOG (make test sets it)");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|line| line.starts_with('{'))
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

#[test]
#[ignore = "needs the local API: run by `make test`"]
fn the_functions_log_a_metrics_record_per_request_in_emf() {
    // At least one request of this run, so there is a record to read.
    let (status, _) = call("POST", "/count", Some(json!({})));
    assert_eq!(status, 200);
    let lines = function_log_lines();
    let records: Vec<&Value> = lines
        .iter()
        .filter(|line| line.get("_aws").is_some())
        .collect();
    assert!(!records.is_empty(), "no EMF record in the function logs");
    let request_lines: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "request")
        .collect();
    for record in &records {
        // The embedded metric format (CloudWatch's specification): a directive under `_aws`
        // naming each metric and dimension, whose values are members of the record itself.
        let aws = &record["_aws"];
        assert!(
            aws["Timestamp"]
                .as_i64()
                .is_some_and(|ms| ms > 1_700_000_000_000),
            "{record}"
        );
        let directive = &aws["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "IncomingCallLogItemApi", "{record}");
        assert_eq!(
            directive["Dimensions"],
            json!([["Service"], ["Service", "Route"]])
        );
        for dimension in ["Service", "Route"] {
            assert!(record[dimension].is_string(), "{dimension} in {record}");
        }
        let names: Vec<&str> = directive["Metrics"]
            .as_array()
            .expect("Metrics")
            .iter()
            .map(|metric| metric["Name"].as_str().expect("a Name"))
            .collect();
        assert_eq!(
            names,
            [
                "Requests",
                "ClientErrors",
                "ServerErrors",
                "Latency",
                "ColdStarts"
            ]
        );
        for name in names {
            assert!(record[name].is_number(), "{name} in {record}");
        }
        // Beside its request's log line: the same request id.
        assert!(
            request_lines
                .iter()
                .any(|line| line["request_id"] == record["request_id"]),
            "no request line for {record}"
        );
    }
    let cold: u64 = records
        .iter()
        .filter_map(|r| r["ColdStarts"].as_u64())
        .sum();
    assert!(
        cold >= 1,
        "each function process reports its cold start once"
    );
    for line in &request_lines {
        assert!(line["trace_id"].is_string(), "no trace_id in {line}");
    }
}

#[test]
#[ignore = "needs the local API: run by `make test`"]
fn the_functions_start_without_a_warning() {
    // At least one request, so each function serving it has started.
    let (status, _) = call("POST", "/count", Some(json!({})));
    assert_eq!(status, 200);
    let path = std::env::var("SMOKE_FUNCTION_LOG").expect("SMOKE_FUNCTION_LOG (make test sets it)");
    let log = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let warnings: Vec<&str> = log
        .lines()
        // What a start can warn of: the runtime's concurrency setting (cargo lambda watch sets
        // AWS_LAMBDA_MAX_CONCURRENCY), or the warm-up call failing.
        .filter(|line| {
            line.contains("AWS_LAMBDA_MAX_CONCURRENCY")
                || line.contains("concurrency-tokio")
                || line.contains("warm-up call failed")
        })
        .collect();
    assert!(warnings.is_empty(), "warnings at start: {warnings:#?}");
}

/// Waits (up to 3 s) until the count of `query` is `expected`: counts are tallied from the
/// table's stream, a moment after the writes.
fn counted_within(query: Value, expected: u64) {
    api_tests::eventually(std::time::Duration::from_secs(3), || {
        let (status, count) = call("POST", "/count", Some(json!({ "query": query })));
        assert_eq!(status, 200, "{count}");
        if count["count"] == expected {
            Ok(())
        } else {
            Err(format!("{query}: counted {count}, not {expected}"))
        }
    });
}
