//! The log format: one JSON object per line on stdout, its fields at the top level, where
//! Lambda's JSON log format and CloudWatch Logs Insights read them.
//!
//! A line has `timestamp`, `level`, `message` and the event's fields, plus the fields of the
//! crate's spans it was written in: inside a request, `request_id` and `trace_id` (the
//! `request` span of `App::handle`), so every line of a request can be found by either.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;

/// JSON lines on stdout, at the level [`level_from`] the environment gives.
pub fn init() {
    let level = level_from(|name| std::env::var(name).ok());
    let _ = tracing::subscriber::set_global_default(json_logs(&level, std::io::stdout));
}

/// The log level: `RUST_LOG` (the template sets it from its `LogLevel`), else
/// `AWS_LAMBDA_LOG_LEVEL` (Lambda's ApplicationLogLevel, which the template leaves at TRACE so
/// that Lambda drops none of the metrics records), else `info`.
pub fn level_from(lookup: impl Fn(&str) -> Option<String>) -> String {
    ["RUST_LOG", "AWS_LAMBDA_LOG_LEVEL"]
        .into_iter()
        .find_map(|name| lookup(name).filter(|value| !value.trim().is_empty()))
        .map(|level| level.to_lowercase())
        .unwrap_or_else(|| "info".to_string())
}

/// The subscriber writing this format to `writer`, at `level`: a level (`info`), or targets
/// with levels (`call_log_item=debug,warn`); anything else means `info`.
pub fn json_logs<W>(level: &str, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .fmt_fields(JsonFields::new())
        .event_format(JsonLines)
        .with_writer(writer)
        // The builder's own filter lets everything through; `filter` decides.
        .with_max_level(tracing::level_filters::LevelFilter::TRACE)
        .finish()
        .with(filter(level))
}

/// `level` as a filter when every part of it is a level or `target=level`; else `info`.
fn filter(level: &str) -> Targets {
    let is_level = |text: &str| {
        text.trim()
            .parse::<tracing::level_filters::LevelFilter>()
            .is_ok()
    };
    let well_formed = level.split(',').all(|part| match part.split_once('=') {
        Some((target, level)) => !target.trim().is_empty() && is_level(level),
        None => is_level(part),
    });
    match level.parse::<Targets>() {
        Ok(targets) if well_formed => targets,
        _ => Targets::new().with_default(tracing::Level::INFO),
    }
}

/// Formats an event as one JSON line, the fields of the crate's enclosing spans flattened in.
struct JsonLines;

/// The spans of this crate (the request span of `App::handle`); the runtime's spans say the
/// same in other words.
const OWN_SPANS: &str = env!("CARGO_CRATE_NAME");

impl<S> FormatEvent<S, JsonFields> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, JsonFields>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        line.insert(
            "level".into(),
            Value::String(event.metadata().level().to_string()),
        );
        if let Some(scope) = context.event_scope() {
            for span in scope.from_root() {
                if !span.metadata().target().starts_with(OWN_SPANS) {
                    continue;
                }
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<JsonFields>>() else {
                    continue;
                };
                if let Ok(Value::Object(fields)) = serde_json::from_str(fields.as_str()) {
                    line.extend(fields);
                }
            }
        }
        event.record(&mut Fields(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// Collects an event's fields into the line.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Fields<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.insert(field.name().to_string(), value);
    }
}

impl Visit for Fields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, serde_json::json!(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing::Instrument;

    #[test]
    fn rust_log_wins_over_lambdas_level_which_the_template_leaves_at_trace() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        let both = env(&[("AWS_LAMBDA_LOG_LEVEL", "TRACE"), ("RUST_LOG", "warn")]);
        assert_eq!(level_from(both), "warn");
        assert_eq!(
            level_from(env(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG")])),
            "debug"
        );
        assert_eq!(level_from(env(&[("RUST_LOG", " ")])), "info");
        assert_eq!(level_from(env(&[])), "info");
    }

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    fn lines(written: &Lines) -> Vec<Value> {
        String::from_utf8(written.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect()
    }

    #[tokio::test]
    async fn every_line_of_a_request_carries_its_ids_at_the_top_level() {
        let written = Lines::default();
        let subscriber = json_logs("info", written.clone());
        let _default = tracing::subscriber::set_default(subscriber);
        tracing::info!("outside");
        let span = tracing::info_span!("request", request_id = "r-1", trace_id = "1-abc");
        async {
            tracing::warn!(cause = "slow", attempt = 2_u64, "retrying");
            tracing::info!(status = 200_u64, latency_ms = 1.5, ok = true, "request");
            tracing::debug!("below the level");
        }
        .instrument(span)
        .await;

        let lines = lines(&written);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0]["message"], "outside");
        assert!(lines[0].get("request_id").is_none());
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[1]["message"], "retrying");
        assert_eq!(lines[1]["cause"], "slow");
        assert_eq!(lines[1]["attempt"], 2);
        for line in &lines[1..] {
            assert_eq!(line["request_id"], "r-1");
            assert_eq!(line["trace_id"], "1-abc");
            assert!(line["timestamp"].as_str().unwrap().ends_with('Z'));
        }
        assert_eq!(lines[2]["status"], 200);
        assert_eq!(lines[2]["latency_ms"], 1.5);
        assert_eq!(lines[2]["ok"], true);
    }

    #[tokio::test]
    async fn spans_of_other_crates_add_nothing() {
        let written = Lines::default();
        let subscriber = json_logs("info", written.clone());
        let _default = tracing::subscriber::set_default(subscriber);
        let runtime = tracing::info_span!(target: "lambda_runtime", "invoke", requestId = "r-2");
        runtime.in_scope(|| tracing::info!("inside"));
        let lines = lines(&written);
        assert_eq!(lines[0]["message"], "inside");
        assert!(lines[0].get("requestId").is_none(), "{}", lines[0]);
    }

    #[test]
    fn the_level_is_a_level_or_targets_and_anything_else_means_info() {
        for (level, written) in [
            ("warn", vec!["warn"]),
            ("debug", vec!["debug", "info", "warn"]),
            ("call_log_item=debug,warn", vec!["debug", "info", "warn"]),
            ("other_crate=debug,warn", vec!["warn"]),
            ("not a level!", vec!["info", "warn"]),
        ] {
            let lines_written = Lines::default();
            let subscriber = json_logs(level, lines_written.clone());
            tracing::subscriber::with_default(subscriber, || {
                tracing::debug!("debug");
                tracing::info!("info");
                tracing::warn!("warn");
            });
            let messages: Vec<Value> = lines(&lines_written)
                .iter()
                .map(|line| line["message"].clone())
                .collect();
            assert_eq!(messages, written, "{level}");
        }
    }
}
