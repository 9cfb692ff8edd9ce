//! The metrics record each request writes (CloudWatch embedded metric format), read back.

use serde_json::{json, Value};

use super::TestApp;
use crate::api::metrics::tests::assert_emf;
use crate::api::metrics::{Metrics, UNMATCHED_ROUTE};
use crate::api::routes::BASE_PATH;

#[tokio::test]
async fn every_request_writes_one_record_by_route_and_outcome() {
    let mut harness = TestApp::memory().await;
    let (metrics, recorded) = Metrics::in_memory("Tests", "unit");
    harness = harness.with_metrics(metrics);

    harness.list("", None).await.status(200);
    harness.get_item("not-an-id", None).await.status(400);
    harness
        .call("GET", "/api/incoming-call-log-item/no/such/route", None)
        .await
        .status(404);
    harness
        .call_as(
            "iclk_not-a-key",
            "POST",
            &format!("{BASE_PATH}/count"),
            Some(json!({})),
        )
        .await
        .status(401);

    let records: Vec<Value> = recorded
        .lines()
        .iter()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(records.len(), 4, "one record per request");
    for record in &records {
        assert_emf(record);
        assert_eq!(record["Service"], "unit");
        assert_eq!(record["Requests"], 1);
        assert!(record["Latency"].as_f64().unwrap() >= 0.0);
    }
    let routes: Vec<&str> = records
        .iter()
        .map(|r| r["Route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        [
            "POST /api/incoming-call-log-item/get-list",
            "POST /api/incoming-call-log-item/{id}/get-item",
            UNMATCHED_ROUTE,
            "POST /api/incoming-call-log-item/count",
        ],
        "routes by their template, never by the path asked for"
    );
    let column =
        |name: &str| -> Vec<u64> { records.iter().map(|r| r[name].as_u64().unwrap()).collect() };
    assert_eq!(column("ClientErrors"), [0, 1, 1, 1]);
    assert_eq!(column("ServerErrors"), [0, 0, 0, 0]);
    assert_eq!(column("ColdStarts"), [1, 0, 0, 0]);
}
