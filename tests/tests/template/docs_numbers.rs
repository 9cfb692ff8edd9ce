//! The numbers the docs state about the code, written from the code: change a limit, a timeout
//! or a template setting without the docs that state it, and this fails. (Measurements are in
//! `docs/benchmarks.md` with the command that takes them; AWS's own limits are not the
//! project's to check.) Each check is a doc and a phrase built from the value it states.

use std::time::Duration;

use call_log_item::api::metrics::METRICS;
use call_log_item::api::{cors, MAX_BODY_BYTES, RETRY_AFTER_SECONDS};
use call_log_item::auth::MAX_CACHE_TTL;
use call_log_item::config::{limits, MIN_CURSOR_SECRET_LEN};
use call_log_item::model::{PhoneNumber, Status, StatusMessage, WholeNumber};
use call_log_item::query::{Paging, MAX_COUNTERS_SUMMED, MAX_SORTED_DEPTH};
use call_log_item::store::{ABANDONED_CLAIM_SECONDS, IDEMPOTENCY_HOURS, MAX_ITEMS_EXAMINED};
use serde_norway::Value;

const README: &str = include_str!("../../../README.md");
const API: &str = include_str!("../../../docs/api.md");
const ARCHITECTURE: &str = include_str!("../../../docs/architecture.md");
const OPERATIONS: &str = include_str!("../../../docs/operations.md");
const RELIABILITY: &str = include_str!("../../../docs/reliability.md");
const SPEC: &str = include_str!("../../../docs/SPEC.md");

/// 10000 → "10,000", as the docs write numbers.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "2 s", "800 ms": a duration as the docs write it.
fn spoken(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

/// Fails naming every phrase a doc lacks (line breaks in the doc read as spaces).
fn check(claims: &[(&str, &str, String)]) {
    let missing: Vec<String> = claims
        .iter()
        .filter(|(_, doc, phrase)| {
            !doc.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(phrase.as_str())
        })
        .map(|(name, _, phrase)| format!("{name}: {phrase:?}"))
        .collect();
    assert!(
        missing.is_empty(),
        "the docs no longer state:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_limits_the_docs_state_are_the_codes() {
    let max_limit = Paging::MAX_LIMIT;
    let body_kib = MAX_BODY_BYTES / 1024;
    check(&[
        ("api.md", API, format!("≤ {} chars", PhoneNumber::MAX_CHARS)),
        (
            "SPEC.md",
            SPEC,
            format!("≤ {} chars", PhoneNumber::MAX_CHARS),
        ),
        (
            "api.md",
            API,
            format!("1–{} characters after trimming", Status::MAX_CHARS),
        ),
        (
            "SPEC.md",
            SPEC,
            format!("1–{} chars after trimming", Status::MAX_CHARS),
        ),
        (
            "api.md",
            API,
            format!("≤ {} characters", StatusMessage::MAX_CHARS),
        ),
        (
            "SPEC.md",
            SPEC,
            format!("≤ {} chars", StatusMessage::MAX_CHARS),
        ),
        ("api.md", API, format!("0 … {}", WholeNumber::MAX)),
        ("SPEC.md", SPEC, format!("0 … {}", WholeNumber::MAX)),
        ("api.md", API, format!("`limit` 1–{max_limit}")),
        (
            "api.md",
            API,
            format!("(default {})", Paging::DEFAULT_LIMIT),
        ),
        (
            "SPEC.md",
            SPEC,
            format!(
                "`limit` default {}, an integer 1…{max_limit}",
                Paging::DEFAULT_LIMIT
            ),
        ),
        (
            "api.md",
            API,
            format!("`skip` 0 … {} (default 0)", grouped(Paging::MAX_SKIP)),
        ),
        (
            "SPEC.md",
            SPEC,
            format!("an integer 0…{}", grouped(Paging::MAX_SKIP)),
        ),
        (
            "api.md",
            API,
            format!(
                "`skip` + `limit` may be at most {}",
                grouped(MAX_SORTED_DEPTH)
            ),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!(
                "`skip + limit` ≤ {} (`MAX_SORTED_DEPTH`)",
                grouped(MAX_SORTED_DEPTH)
            ),
        ),
        (
            "api.md",
            API,
            format!("at most **{} items**", grouped(MAX_ITEMS_EXAMINED)),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("({} by `ScannedCount`)", grouped(MAX_ITEMS_EXAMINED)),
        ),
        (
            "api.md",
            API,
            format!("one of 2 to {MAX_COUNTERS_SUMMED} values of a dashboard field"),
        ),
        // "None of" sums the project's counter minus the values' (and null's, where nullable).
        (
            "api.md",
            API,
            format!(
                "none of up to {} values ({} of the nullable",
                MAX_COUNTERS_SUMMED - 1,
                MAX_COUNTERS_SUMMED - 2
            ),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("a sum of up to {MAX_COUNTERS_SUMMED} counters"),
        ),
        ("api.md", API, format!("body over {body_kib} KiB")),
        ("SPEC.md", SPEC, format!("body over {body_kib} KiB")),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("A body over {body_kib} KiB is 413."),
        ),
        (
            "reliability.md",
            RELIABILITY,
            format!("body ≤ {body_kib} KiB"),
        ),
        ("api.md", API, format!("Within {IDEMPOTENCY_HOURS} hours")),
        ("SPEC.md", SPEC, format!("Within {IDEMPOTENCY_HOURS} hours")),
        (
            "reliability.md",
            RELIABILITY,
            format!("({IDEMPOTENCY_HOURS} hours)"),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("`pending` over {ABANDONED_CLAIM_SECONDS} s"),
        ),
        ("api.md", API, format!("`-Max-Age: {}`", cors::MAX_AGE)),
        (
            "reliability.md",
            RELIABILITY,
            format!("`Retry-After: {RETRY_AFTER_SECONDS}`"),
        ),
        (
            "operations.md",
            OPERATIONS,
            format!("{} metrics", spelled(METRICS.len())),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("(≥ {MIN_CURSOR_SECRET_LEN} characters;"),
        ),
        (
            "README.md",
            README,
            format!("at least {MIN_CURSOR_SECRET_LEN} characters"),
        ),
        (
            "SPEC.md",
            SPEC,
            format!("for at most {}", spoken(MAX_CACHE_TTL)),
        ),
    ]);
}

/// 5 → "five", for the counts the docs spell out.
fn spelled(n: usize) -> &'static str {
    [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ][n]
}

#[test]
fn the_timeouts_the_docs_state_are_the_codes() {
    let request = spoken(limits::REQUEST);
    check(&[
        (
            "reliability.md",
            RELIABILITY,
            format!("| connect | {} |", spoken(limits::CONNECT)),
        ),
        (
            "reliability.md",
            RELIABILITY,
            format!("| one attempt of one call | {} |", spoken(limits::ATTEMPT)),
        ),
        (
            "reliability.md",
            RELIABILITY,
            format!(
                "{} ({} attempts, {}–{} backoff)",
                spoken(limits::OPERATION),
                limits::MAX_ATTEMPTS,
                limits::INITIAL_BACKOFF.as_millis(),
                spoken(limits::MAX_BACKOFF)
            ),
        ),
        (
            "reliability.md",
            RELIABILITY,
            format!(
                "SDK's retries of the call, at most {})",
                spoken(limits::OPERATION)
            ),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!(
                "connect {}, attempt {}, call {} ({} attempts), request {request}",
                spoken(limits::CONNECT),
                spoken(limits::ATTEMPT),
                spoken(limits::OPERATION),
                limits::MAX_ATTEMPTS
            ),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("A request has {request}"),
        ),
        (
            "api.md",
            API,
            format!("{}-second deadline", limits::REQUEST.as_secs()),
        ),
    ]);
}

/// A scalar of the template as text ("30", "true"), wherever it sits.
fn setting(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

#[test]
fn the_settings_the_docs_state_are_the_templates() {
    let template = crate::template::parsed();
    let resources = &template["Resources"];
    let api = &resources["Api"]["Properties"];
    let reauthorize =
        setting(&api["Auth"]["Authorizers"]["ApiKeyAuthorizer"]["Identity"]["ReauthorizeEvery"]);
    let authorizer_ttl = setting(
        &resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
            ["KEY_CACHE_TTL_SECONDS"],
    );
    let worst: u64 = reauthorize.parse::<u64>().unwrap() + authorizer_ttl.parse::<u64>().unwrap();
    assert!(worst <= MAX_CACHE_TTL.as_secs());
    let timeout = setting(&template["Globals"]["Function"]["Timeout"]);
    let retention = setting(&resources["ApiAccessLogGroup"]["Properties"]["RetentionInDays"]);
    let routes = &api["DefaultRouteSettings"];
    let stream = &resources["TallyFunction"]["Properties"]["Events"]["ItemsStream"]["Properties"];
    let alarms = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|resource| resource["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .count();
    check(&[
        (
            "api.md",
            API,
            format!("keeps the authorizer's answer for a key {reauthorize} s"),
        ),
        (
            "README.md",
            README,
            format!("keeps its authorizer's answer for a key {reauthorize} s"),
        ),
        (
            "api.md",
            API,
            format!(
                "for {authorizer_ttl} s, so a revoked or expired key is refused within {worst} s"
            ),
        ),
        (
            "README.md",
            README,
            format!("the authorizer trusts a key it read for {authorizer_ttl} s"),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("{authorizer_ttl} on the authorizer"),
        ),
        (
            "reliability.md",
            RELIABILITY,
            format!("(the Lambda timeout is {timeout} s)"),
        ),
        ("operations.md", OPERATIONS, format!("({retention} days)")),
        ("README.md", README, format!("({retention} days)")),
        (
            "operations.md",
            OPERATIONS,
            format!(
                "throttle of {} per second",
                setting(&routes["ThrottlingRateLimit"])
            ),
        ),
        (
            "operations.md",
            OPERATIONS,
            format!("bursts of {}", setting(&routes["ThrottlingBurstLimit"])),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!(
                "≤ {} records within {} s",
                grouped(setting(&stream["BatchSize"]).parse().unwrap()),
                setting(&stream["MaximumBatchingWindowInSeconds"])
            ),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("{} retries", setting(&stream["MaximumRetryAttempts"])),
        ),
        (
            "architecture.md",
            ARCHITECTURE,
            format!("{} alarms", spelled(alarms)),
        ),
        ("README.md", README, {
            let mut count = spelled(alarms).to_string();
            count[..1].make_ascii_uppercase();
            format!("{count} alarms come with the stack")
        }),
    ]);
}

#[test]
fn a_phrase_the_docs_lack_is_named() {
    let failed = std::panic::catch_unwind(|| {
        check(&[(
            "api.md",
            API,
            format!("`limit` 1–{}", Paging::MAX_LIMIT + 1),
        )]);
    });
    assert!(failed.is_err());
}
