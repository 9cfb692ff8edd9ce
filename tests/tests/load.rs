//! A bounded load run against the local runner (the real binaries behind `cargo lambda watch`,
//! as `make dev` serves them): several concurrent clients for a fixed number of requests. It
//! must end with zero 5xx, and every create the API acknowledged must be readable afterwards
//! with exactly the fields sent. `make test` runs it with `--include-ignored`, setting
//! `SMOKE_BASE_URL` and `SMOKE_API_KEY`.

use std::time::Instant;

use serde_json::{json, Value};

const CLIENTS: usize = 8;
const REQUESTS_PER_CLIENT: usize = 40;

fn call(agent: &ureq::Agent, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let base = std::env::var("SMOKE_BASE_URL").expect("SMOKE_BASE_URL (make test sets it)");
    let key = std::env::var("SMOKE_API_KEY").expect("SMOKE_API_KEY (make test sets it)");
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{base}/api/incoming-call-log-item{path}"))
        .header("ApiKey", key)
        .header("Content-Type", "application/json")
        .body(body.map(Value::to_string).unwrap_or_default())
        .unwrap();
    let mut response = agent.run(request).expect("the local API answers");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// What one client did: requests sent, 5xx seen, creates acknowledged (with the data sent).
fn client(number: usize) -> (usize, usize, Vec<(String, Value)>) {
    let agent = agent();
    let call_log = uuid::Uuid::new_v4().to_string();
    let (mut sent, mut server_errors, mut acknowledged) = (0, 0, Vec::new());
    for i in 0..REQUESTS_PER_CLIENT {
        let (status, body, data) = match i % 6 {
            0..=2 => {
                let data = json!({
                    "incomingCallLogId": call_log,
                    "status": format!("Load {number}/{i}"),
                    "statusMessage": format!("client {number} request {i} ✓"),
                    "userPhoneNumber": "+1 (555) 010-0000",
                    "dialDurationInSeconds": i,
                    "callCostInUSDCents": number * 100 + i,
                    "startedAt": "2026-11-27T10:00:00.000Z",
                    "isAnswered": i % 2 == 0,
                });
                let (status, body) = call(&agent, "POST", "", Some(&json!({ "data": data })));
                (status, body, Some(data))
            }
            3 => {
                let (s, b) = call(
                    &agent,
                    "POST",
                    "/get-list?limit=20",
                    Some(&json!({"query": {"incomingCallLogId": call_log}})),
                );
                (s, b, None)
            }
            4 => {
                let (s, b) = call(
                    &agent,
                    "POST",
                    "/count",
                    Some(&json!({"query": {"incomingCallLogId": call_log}})),
                );
                (s, b, None)
            }
            5 if !acknowledged.is_empty() => {
                // Move an earlier item of this client to another status (and its counts).
                let (id, data): &mut (String, Value) = acknowledged.last_mut().unwrap();
                let status = format!("Load done {}", i % 2);
                let (s, b) = call(
                    &agent,
                    "PUT",
                    &format!("/{id}"),
                    Some(&json!({"data": {"status": status.clone()}})),
                );
                if s == 200 {
                    data["status"] = json!(status);
                }
                (s, b, None)
            }
            _ => {
                let (s, b) = call(&agent, "GET", "/get-list?limit=5", None);
                (s, b, None)
            }
        };
        sent += 1;
        if status >= 500 {
            server_errors += 1;
        }
        if let (200, Some(data)) = (status, data) {
            acknowledged.push((body["_id"].as_str().unwrap().to_string(), data));
        }
    }
    (sent, server_errors, acknowledged)
}

#[test]
#[ignore = "needs the local API: run by `make test`"]
fn a_bounded_load_run_loses_nothing_and_gets_no_5xx() {
    let started = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|n| std::thread::spawn(move || client(n)))
        .collect();
    let (mut sent, mut server_errors, mut acknowledged) = (0, 0, Vec::new());
    for handle in handles {
        let (s, e, a) = handle.join().unwrap();
        sent += s;
        server_errors += e;
        acknowledged.extend(a);
    }
    let elapsed = started.elapsed();
    assert_eq!(server_errors, 0, "5xx answers during the load run");

    let agent = agent();
    for (id, data) in &acknowledged {
        let (status, item) = call(&agent, "POST", &format!("/{id}/get-item"), None);
        assert_eq!(status, 200, "acknowledged item {id} is gone");
        for (field, value) in data.as_object().unwrap() {
            assert_eq!(&item[field], value, "{id}: {field}");
        }
    }
    // Counts by value equal what a walk of every item finds.
    let mut walked: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let body = cursor
            .as_ref()
            .map_or(json!({}), |c| json!({ "cursor": c }));
        let (status, page) = call(&agent, "POST", "/get-list?limit=100", Some(&body));
        assert_eq!(status, 200);
        walked.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    for query in [
        json!({"status": "Load done 0"}),
        json!({"status": "Load done 1"}),
        json!({"isAnswered": true}),
        json!({"isAnswered": false}),
    ] {
        let (field, value) = query.as_object().unwrap().iter().next().unwrap();
        let expected = walked.iter().filter(|item| &item[field] == value).count();
        // Counts follow the stream (the tally's local poller): exact once it caught up.
        api_tests::eventually(std::time::Duration::from_secs(5), || {
            let (status, counted) =
                call(&agent, "POST", "/count", Some(&json!({ "query": query })));
            assert_eq!(status, 200);
            if counted["count"] == expected {
                Ok(())
            } else {
                Err(format!("count {query}: {counted}, not {expected}"))
            }
        });
    }
    eprintln!(
        "load: {CLIENTS} clients, {sent} requests in {:.1} s, 0 5xx, {} acknowledged creates all read back exactly, counts by value equal a walk of {} items",
        elapsed.as_secs_f64(),
        acknowledged.len(),
        walked.len()
    );
}
