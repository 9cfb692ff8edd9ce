//! Writes `events/`: an HTTP API (2.0) and a REST API (1.0) event for every route, plus a few
//! failing requests, each from the real fixtures (`testkit::event_json`). Run it after
//! changing the routes: `cargo run -p api-tests --bin write-events`. The files carry
//! placeholders (`API_KEY`, `ITEM_ID`) to replace with a real key and id; `events/expected.json`
//! says which status each file gets once they are replaced (checked by the tests).

use std::collections::BTreeMap;
use std::path::Path;

use call_log_item::api::routes;
use serde_json::{json, Value};
use testkit::{event_json, EventSpec, Payload};

const API_KEY: &str = testkit::events::PLACEHOLDER_API_KEY;
const ITEM_ID: &str = testkit::events::PLACEHOLDER_ITEM_ID;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
    std::fs::create_dir_all(&dir).expect("events/");
    let base = "/api/incoming-call-log-item";
    let create_body = json!({"data": {
        "incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000",
        "isAnswered": true,
        "status": "Example status",
        "callCostInUSDCents": 100
    }})
    .to_string();
    let select_body = json!({"select": {"incomingCallLogId": true, "isAnswered": true, "projectId": true, "status": true, "_id": true}}).to_string();
    let list_body = json!({
        "select": {"incomingCallLogId": true, "isAnswered": true, "projectId": true, "status": true, "_id": true},
        "query": {"status": "Example status"},
        "sort": {"createdAt": -1}
    })
    .to_string();
    let count_body = json!({"query": {"status": "Example status"}}).to_string();
    let update_body = json!({"data": {"isAnswered": true, "status": "Example status", "callCostInUSDCents": 100}}).to_string();
    let item = |suffix: &str| format!("{base}/{ITEM_ID}{suffix}");
    let list_path = format!("{base}/get-list?skip=0&limit=10");

    // (file stem, method, path, body, expected status)
    let cases: Vec<(&str, &str, String, Option<&str>, u16)> = vec![
        ("list-get", "GET", list_path.clone(), Some(&list_body), 200),
        ("list-post", "POST", list_path, Some(&list_body), 200),
        (
            "get-item-get",
            "GET",
            item("/get-item"),
            Some(&select_body),
            200,
        ),
        (
            "get-item-post",
            "POST",
            item("/get-item"),
            Some(&select_body),
            200,
        ),
        (
            "count",
            "POST",
            format!("{base}/count"),
            Some(&count_body),
            200,
        ),
        ("create", "POST", base.to_string(), Some(&create_body), 200),
        ("update-put", "PUT", item(""), Some(&update_body), 200),
        (
            "update-item-post",
            "POST",
            item("/update-item"),
            Some(&update_body),
            200,
        ),
        (
            "update-item-get",
            "GET",
            item("/update-item"),
            Some(&update_body),
            200,
        ),
        ("delete", "DELETE", item(""), None, 200),
        ("delete-item-post", "POST", item("/delete-item"), None, 200),
        ("delete-item-get", "GET", item("/delete-item"), None, 200),
        (
            "error-create-missing-status",
            "POST",
            base.to_string(),
            Some(r#"{"data": {"incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000"}}"#),
            400,
        ),
        (
            "error-list-limit-too-large",
            "POST",
            format!("{base}/get-list?limit=101"),
            None,
            400,
        ),
        (
            "error-get-item-not-a-uuid",
            "GET",
            format!("{base}/not-a-uuid/get-item"),
            None,
            400,
        ),
        (
            "error-count-wrong-method",
            "GET",
            format!("{base}/count"),
            None,
            405,
        ),
    ];
    let mut expected = BTreeMap::new();
    for (stem, method, path, body, status) in &cases {
        for (payload, suffix) in [(Payload::Http, "http"), (Payload::Rest, "rest")] {
            let headers = [("ApiKey", API_KEY), ("Content-Type", "application/json")];
            let route = routes::template_for(method, path);
            let spec = EventSpec::new(method, path, &headers, *body).on_route(route.as_deref());
            let event: Value = serde_json::from_str(&event_json(payload, &spec)).expect("JSON");
            let name = format!("{stem}.{suffix}.json");
            let text = serde_json::to_string_pretty(&event).expect("JSON") + "\n";
            std::fs::write(dir.join(&name), text).expect("write event");
            expected.insert(name, *status);
        }
    }
    let count_path = format!("{base}/count");
    let count_route = routes::template_for("POST", &count_path);
    let no_key = EventSpec::new("POST", &count_path, &[], None).on_route(count_route.as_deref());
    let event: Value = serde_json::from_str(&event_json(Payload::Http, &no_key)).expect("JSON");
    std::fs::write(
        dir.join("error-count-no-api-key.http.json"),
        serde_json::to_string_pretty(&event).unwrap() + "\n",
    )
    .unwrap();
    expected.insert("error-count-no-api-key.http.json".to_string(), 401);
    let expected = serde_json::to_string_pretty(&expected).expect("JSON") + "\n";
    std::fs::write(dir.join("expected.json"), expected).expect("write expected.json");
    eprintln!("wrote {} events to events/", cases.len() * 2 + 1);
}
