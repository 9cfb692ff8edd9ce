//! Per-request metrics as CloudWatch embedded metric format (EMF): one JSON line per request
//! on stdout, beside the request's log line. CloudWatch Logs turns it into metrics as Lambda
//! ships the log: no API call, no agent, no extra latency.
//!
//! Each record counts the request (`Requests`), whether it failed on the client's side
//! (`ClientErrors`, a 4xx) or the service's (`ServerErrors`, a 5xx), how long it took
//! (`Latency`) and whether it was the first request of a new execution environment
//! (`ColdStarts`), once for the whole service and once per route. A request that read counters
//! below zero (drift, `store/drift.rs`) writes a second record with `CountersBelowZero`, for
//! the whole service: only then, so the metric costs nothing while there is no drift.

use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(any(test, feature = "test-support"))]
use std::sync::{Arc, Mutex};

use serde_json::json;

/// Every metric of a record, with its CloudWatch unit.
pub const METRICS: [(&str, &str); 5] = [
    ("Requests", "Count"),
    ("ClientErrors", "Count"),
    ("ServerErrors", "Count"),
    ("Latency", "Milliseconds"),
    ("ColdStarts", "Count"),
];

/// The metric of drift, in a record of its own (only when there is some), by `Service` only.
pub const DRIFT_METRIC: (&str, &str) = ("CountersBelowZero", "Count");

/// The dimension sets every metric is published under: the whole service, and each route.
pub const DIMENSION_SETS: [&[&str]; 2] = [&["Service"], &["Service", "Route"]];

/// The `Route` of a request that matched no route: one value, so that probing random paths
/// cannot create metrics without end (each distinct dimension value is a metric, and billed).
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// One request, as the metrics see it.
#[derive(Debug, Clone, Copy)]
pub struct Measured<'a> {
    /// The route's method and path template (`GET /api/…/{id}/get-item`), or
    /// [`UNMATCHED_ROUTE`].
    pub route: &'a str,
    pub status: u16,
    pub latency_ms: f64,
    pub request_id: &'a str,
    /// Counters the request read below zero.
    pub counters_below_zero: u32,
}

/// Where the records go.
#[derive(Debug, Clone)]
enum Sink {
    Stdout,
    #[cfg(any(test, feature = "test-support"))]
    Memory(Arc<Mutex<Vec<String>>>),
}

/// Writes one EMF record per request.
#[derive(Debug)]
pub struct Metrics {
    /// What every record says after its timestamp: the metric directive (namespace,
    /// dimensions, metrics) and the `Service` dimension, as JSON text, made once.
    fixed: String,
    /// The same for the drift record.
    drift_fixed: String,
    /// Until the first request is recorded: it is the cold start of this environment.
    cold: AtomicBool,
    sink: Sink,
}

/// The records a [`Metrics::in_memory`] has written, for tests.
#[cfg(any(test, feature = "test-support"))]
#[derive(Debug, Clone)]
pub struct Recorded(Arc<Mutex<Vec<String>>>);

#[cfg(any(test, feature = "test-support"))]
impl Recorded {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Metrics {
    /// Records to stdout, where Lambda collects them into the function's log group.
    pub fn new(namespace: &str, service: &str) -> Self {
        Metrics::with_sink(namespace, service, Sink::Stdout)
    }

    /// Records kept in memory, for tests.
    #[cfg(any(test, feature = "test-support"))]
    pub fn in_memory(namespace: &str, service: &str) -> (Self, Recorded) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let metrics = Metrics::with_sink(namespace, service, Sink::Memory(Arc::clone(&lines)));
        (metrics, Recorded(lines))
    }

    fn with_sink(namespace: &str, service: &str, sink: Sink) -> Self {
        let directive = json!([{
            "Namespace": namespace,
            "Dimensions": DIMENSION_SETS,
            "Metrics": METRICS
                .iter()
                .map(|(name, unit)| json!({"Name": name, "Unit": unit}))
                .collect::<Vec<_>>(),
        }]);
        let drift = json!([{
            "Namespace": namespace,
            "Dimensions": [["Service"]],
            "Metrics": [{"Name": DRIFT_METRIC.0, "Unit": DRIFT_METRIC.1}],
        }]);
        // What follows a record's timestamp: its directive, closing `_aws`, then `Service`.
        let after_timestamp = |directive: serde_json::Value| {
            format!(
                ",\"CloudWatchMetrics\":{directive}}},\"Service\":{}",
                json!(service)
            )
        };
        Metrics {
            fixed: after_timestamp(directive),
            drift_fixed: after_timestamp(drift),
            cold: AtomicBool::new(true),
            sink,
        }
    }

    /// Writes the record of one request.
    pub fn record(&self, measured: &Measured<'_>) {
        let cold = self.cold.swap(false, Ordering::Relaxed);
        let timestamp = chrono::Utc::now().timestamp_millis();
        self.write(self.line(measured, cold, timestamp));
        if measured.counters_below_zero > 0 {
            self.write(format!(
                "{{\"_aws\":{{\"Timestamp\":{timestamp}{fixed},\"{name}\":{count},\"request_id\":{id}}}",
                fixed = self.drift_fixed,
                name = DRIFT_METRIC.0,
                count = measured.counters_below_zero,
                id = json!(measured.request_id),
            ));
        }
    }

    fn write(&self, line: String) {
        match &self.sink {
            Sink::Stdout => println!("{line}"),
            #[cfg(any(test, feature = "test-support"))]
            Sink::Memory(lines) => lines.lock().unwrap_or_else(|e| e.into_inner()).push(line),
        }
    }

    /// The EMF record: the metric directive under `_aws`, then each dimension and metric as
    /// a top-level member, as the specification requires. Written as text (it is on every
    /// request's path): only the route and the request id need escaping.
    fn line(&self, measured: &Measured<'_>, cold: bool, timestamp_ms: i64) -> String {
        let class = measured.status / 100;
        format!(
            "{{\"_aws\":{{\"Timestamp\":{timestamp_ms}{fixed},\"Route\":{route},\"Requests\":1,\
             \"ClientErrors\":{client},\"ServerErrors\":{server},\"Latency\":{latency},\
             \"ColdStarts\":{cold},\"status\":{status},\"request_id\":{request_id}}}",
            fixed = self.fixed,
            route = json!(measured.route),
            client = u8::from(class == 4),
            server = u8::from(class == 5),
            latency = round_ms(measured.latency_ms),
            cold = u8::from(cold),
            status = measured.status,
            request_id = json!(measured.request_id),
        )
    }
}

/// Milliseconds to the microsecond: what the graphs can show, and a shorter line.
fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn measured(status: u16) -> Measured<'static> {
        Measured {
            route: "POST /api/incoming-call-log-item/get-list",
            status,
            latency_ms: 12.345_678,
            request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            counters_below_zero: 0,
        }
    }

    #[test]
    fn drift_writes_a_record_of_its_own_and_only_then() {
        let (metrics, recorded) = Metrics::in_memory("Calls", "prod-stack");
        metrics.record(&measured(200));
        assert_eq!(recorded.lines().len(), 1, "no drift, no drift record");
        metrics.record(&Measured {
            counters_below_zero: 2,
            ..measured(200)
        });
        let lines = recorded.lines();
        assert_eq!(lines.len(), 3);
        let drift = parse(&lines[2]);
        assert_emf(&drift);
        assert_eq!(drift["CountersBelowZero"], 2);
        assert_eq!(drift["Service"], "prod-stack");
        assert_eq!(
            drift["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Service"]])
        );
    }

    use serde_json::Value;

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).expect("a record is one JSON object")
    }

    /// Checks a record against the EMF specification: a directive under `_aws` with a
    /// millisecond timestamp; each dimension a top-level string; each metric a top-level
    /// number; at most 30 dimensions a set and 100 metrics a directive.
    pub fn assert_emf(record: &Value) {
        let aws = &record["_aws"];
        assert!(aws["Timestamp"].as_i64().unwrap() > 1_700_000_000_000);
        let directives = aws["CloudWatchMetrics"].as_array().unwrap();
        assert!(!directives.is_empty());
        for directive in directives {
            assert!(!directive["Namespace"].as_str().unwrap().is_empty());
            for set in directive["Dimensions"].as_array().unwrap() {
                let set = set.as_array().unwrap();
                assert!(set.len() <= 30);
                for dimension in set {
                    let value = &record[dimension.as_str().unwrap()];
                    assert!(value.is_string(), "dimension {dimension} is {value}");
                }
            }
            let metrics = directive["Metrics"].as_array().unwrap();
            assert!(metrics.len() <= 100);
            for metric in metrics {
                let name = metric["Name"].as_str().unwrap();
                assert!(
                    record[name].is_number(),
                    "metric {name} is {}",
                    record[name]
                );
                assert!(metric["Unit"].is_string());
            }
        }
    }

    #[test]
    fn a_record_is_valid_emf_and_says_what_happened() {
        let (metrics, recorded) = Metrics::in_memory("Calls", "prod-stack");
        metrics.record(&measured(200));
        metrics.record(&measured(404));
        metrics.record(&measured(503));
        let records: Vec<Value> = recorded.lines().iter().map(|l| parse(l)).collect();
        for record in &records {
            assert_emf(record);
            assert_eq!(record["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Calls");
            assert_eq!(record["Service"], "prod-stack");
            assert_eq!(record["Route"], "POST /api/incoming-call-log-item/get-list");
            assert_eq!(record["Requests"], 1);
            assert_eq!(record["Latency"], 12.346);
        }
        let column = |name: &str| -> Vec<i64> {
            records
                .iter()
                .map(|record| record[name].as_i64().unwrap())
                .collect()
        };
        assert_eq!(column("ClientErrors"), [0, 1, 0]);
        assert_eq!(column("ServerErrors"), [0, 0, 1]);
        assert_eq!(
            column("ColdStarts"),
            [1, 0, 0],
            "only the first request is cold"
        );
        assert_eq!(column("status"), [200, 404, 503]);
    }

    #[test]
    fn every_metric_and_dimension_is_declared_once() {
        let (metrics, recorded) = Metrics::in_memory("Calls", "s");
        metrics.record(&measured(200));
        let record = parse(&recorded.lines()[0]);
        let declared = &record["_aws"]["CloudWatchMetrics"][0];
        let names: Vec<&str> = declared["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|metric| metric["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, METRICS.map(|(name, _)| name));
        assert_eq!(
            declared["Dimensions"],
            json!([["Service"], ["Service", "Route"]])
        );
    }
}
