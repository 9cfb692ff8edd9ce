//! Shared pieces of the benchmarks: timing statistics, the machine's description, writing a
//! section of `docs/benchmarks.md`, and the bare SDK calls of each operation (`bare`). (The Runtime API they run functions under is
//! the `runtime-api` crate.)

pub mod bare;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use call_log_item::api::{routes, ApiRequest};
use call_log_item::model::Operation;
use call_log_item::App;
use testkit::{EventSpec, Payload};

/// A number from the environment, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One request through the handler as an HTTP API event with `key`: the answer's status, its
/// body text, and how long the handler took.
pub async fn through_handler(
    app: &App,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String, Duration) {
    let headers = [("ApiKey", key), ("Content-Type", "application/json")];
    let route = routes::template_for(method, path);
    let spec = EventSpec::new(method, path, &headers, body).on_route(route.as_deref());
    let request = ApiRequest::from_event(&testkit::event_json(Payload::Http, &spec))
        .expect("the event reads");
    let operation = routes::operation_for(method, path).unwrap_or(Operation::List);
    let started = Instant::now();
    let response = app.handle(operation, request).await;
    let elapsed = started.elapsed();
    let text = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        _ => String::new(),
    };
    (response.status().as_u16(), text, elapsed)
}

/// Median of the samples (the mean of the two middle ones for an even count).
pub fn median(samples: &[Duration]) -> Duration {
    percentile(samples, 50.0)
}

/// The p-th percentile (nearest rank) of the samples.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    assert!(!samples.is_empty(), "no samples");
    let mut sorted = samples.to_vec();
    sorted.sort();
    if p == 50.0 && sorted.len().is_multiple_of(2) {
        let upper = sorted.len() / 2;
        return (sorted[upper - 1] + sorted[upper]) / 2;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn first_line(command: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(command).args(args).output().ok()?;
    String::from_utf8(output.stdout)
        .ok()?
        .lines()
        .next()
        .map(str::to_string)
}

/// "machine, cores, memory; date; commit" for the report's header.
pub fn machine_description() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown CPU")
        .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with("MemTotal"))
        .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or("? GiB".to_string(), |kib| {
            format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    let kernel = first_line("uname", &["-srm"]).unwrap_or_default();
    let commit =
        first_line("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    // Changes to the report itself (an earlier benchmark of the same run wrote its section)
    // are not changes to what is measured.
    let dirty = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!docs/benchmarks.md",
        ])
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    format!(
        "{model}, {cores} cores, {memory}, {kernel}; {}; commit {commit}{}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        }
    )
}

/// The local engine the run is against, with its version, as `scripts/dynamodb-local.sh
/// version` prints it (the bench scripts pass it in `LOCAL_ENGINE`).
pub fn engine_description() -> String {
    std::env::var("LOCAL_ENGINE").unwrap_or_else(|_| "the local engine".to_string())
}

/// Replaces the section between `<!-- NAME:start -->` and `<!-- NAME:end -->` in the file (or
/// appends it), so each benchmark rewrites only its own part of `docs/benchmarks.md`.
pub fn write_section(file: &Path, name: &str, content: &str) -> std::io::Result<()> {
    let start = format!("<!-- {name}:start -->");
    let end = format!("<!-- {name}:end -->");
    let existing = std::fs::read_to_string(file).unwrap_or_else(|_| "# Benchmarks\n".to_string());
    let section = format!("{start}\n{}\n{end}", content.trim_end());
    let updated = match (existing.find(&start), existing.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{section}{}", &existing[..a], &existing[b + end.len()..])
        }
        _ => format!("{}\n\n{section}\n", existing.trim_end()),
    };
    std::fs::write(file, updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn median_and_percentiles() {
        assert_eq!(median(&ms(&[5, 1, 3])), Duration::from_millis(3));
        assert_eq!(median(&ms(&[4, 1, 3, 2])), Duration::from_micros(2500));
        assert_eq!(
            percentile(&ms(&(1..=100).collect::<Vec<_>>()), 99.0),
            Duration::from_millis(99)
        );
    }

    #[test]
    fn a_section_is_replaced_in_place() {
        let file = std::env::temp_dir().join(format!("bench-{}.md", uuid::Uuid::new_v4()));
        std::fs::write(&file, "# Benchmarks\n\nintro\n").unwrap();
        write_section(&file, "a", "one").unwrap();
        write_section(&file, "b", "two").unwrap();
        write_section(&file, "a", "three").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("intro"));
        assert!(text.contains("three") && text.contains("two") && !text.contains("one"));
        assert!(text.find("three").unwrap() < text.find("two").unwrap());
        std::fs::remove_file(file).unwrap();
    }
}
