//! Every file in `events/` (the samples for `sam local invoke -e` and the console's test tab)
//! goes through its function's handler and gets the status `events/expected.json` declares,
//! once its placeholders carry a real key and item id. (What the store does with them is the
//! black-box tests' concern; these check the event files.)

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use testkit::events::{PLACEHOLDER_API_KEY, PLACEHOLDER_ITEM_ID};

use super::TestApp;
use crate::api::routes::operation_for;
use crate::api::ApiRequest;
use crate::model::Operation;
use crate::store::contract::random_id;

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[tokio::test]
async fn every_sample_event_gets_its_declared_status() {
    let app = TestApp::memory().await;
    let expected: BTreeMap<String, u16> =
        serde_json::from_str(&std::fs::read_to_string(events_dir().join("expected.json")).unwrap())
            .unwrap();
    let mut files: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json") && name != "expected.json")
        .collect();
    files.sort();
    assert_eq!(
        files,
        expected.keys().cloned().collect::<Vec<_>>(),
        "events/expected.json lists exactly the event files"
    );
    assert!(
        files.len() >= 24,
        "an HTTP and a REST event for each of the 12 routes"
    );

    for file in &files {
        // A fresh item for each event, so that deletes and updates find one.
        let id = app
            .create_id(
                &random_id().to_string(),
                json!({"status": "Example status"}),
            )
            .await;
        let text = std::fs::read_to_string(events_dir().join(file))
            .unwrap()
            .replace(PLACEHOLDER_API_KEY, &app.key)
            .replace(PLACEHOLDER_ITEM_ID, &id);
        let request = ApiRequest::from_event(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        // The function API Gateway invokes (a wrong method reaches list's, which answers 405).
        let operation = operation_for(&request.method, &request.path).unwrap_or(Operation::List);
        let answer = app.handle(operation, request).await;
        assert_eq!(answer.status, expected[file], "{file}: {}", answer.body);
    }
}
