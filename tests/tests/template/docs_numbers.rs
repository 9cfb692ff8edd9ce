//! The numbers the docs state about the code, written from the code: change a limit, a timeout
//! or a template setting without the docs that state it, and this fails. (Measurements are in
//! `docs/benchmarks.md` with the command that takes them; AWS's own limits are not the
//! project's to check.) Each check is a doc and a phrase built from the value it states.

use std::collections::BTreeMap;
use std::time::Duration;

use call_log_item::api::metrics::METRICS;
use call_log_item::api::{cors, MAX_BODY_BYTES, RETRY_AFTER_SECONDS};
use call_log_item::auth::MAX_CACHE_TTL;
use call_log_item::config::{limits, MIN_CURSOR_SECRET_LEN};
use call_log_item::model::{PhoneNumber, Status, StatusMessage, WholeNumber};
use call_log_item::query::{Paging, MAX_COUNTERS_SUMMED, MAX_SORTED_DEPTH};
use call_log_item::store::{ABANDONED_CLAIM_SECONDS, IDEMPOTENCY_HOURS, MAX_ITEMS_EXAMINED};
use serde_norway::Value;

/// A doc the claims are read in: its name (for the failure) and its text.
#[derive(Clone, Copy)]
struct Doc(&'static str, &'static str);

const README: Doc = Doc("README.md", include_str!("../../../README.md"));
const API: Doc = Doc("api.md", include_str!("../../../docs/api.md"));
const ARCHITECTURE: Doc = Doc(
    "architecture.md",
    include_str!("../../../docs/architecture.md"),
);
const OPERATIONS: Doc = Doc("operations.md", include_str!("../../../docs/operations.md"));
const RELIABILITY: Doc = Doc(
    "reliability.md",
    include_str!("../../../docs/reliability.md"),
);
const SPEC: Doc = Doc("SPEC.md", include_str!("../../../docs/SPEC.md"));

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
fn check(claims: &[(Doc, String)]) {
    let mut read: BTreeMap<&str, String> = BTreeMap::new();
    let mut missing = Vec::new();
    for (Doc(name, text), phrase) in claims {
        let words = read
            .entry(name)
            .or_insert_with(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
        if !words.contains(phrase.as_str()) {
            missing.push(format!("{name}: {phrase:?}"));
        }
    }
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
        (API, format!("≤ {} chars", PhoneNumber::MAX_CHARS)),
        (SPEC, format!("≤ {} chars", PhoneNumber::MAX_CHARS)),
        (
            API,
            format!("1–{} characters after trimming", Status::MAX_CHARS),
        ),
        (
            SPEC,
            format!("1–{} chars after trimming", Status::MAX_CHARS),
        ),
        (API, format!("≤ {} characters", StatusMessage::MAX_CHARS)),
        (SPEC, format!("≤ {} chars", StatusMessage::MAX_CHARS)),
        (API, format!("0 … {}", WholeNumber::MAX)),
        (SPEC, format!("0 … {}", WholeNumber::MAX)),
        (API, format!("`limit` 1–{max_limit}")),
        (API, format!("(default {})", Paging::DEFAULT_LIMIT)),
        (
            SPEC,
            format!(
                "`limit` default {}, an integer 1…{max_limit}",
                Paging::DEFAULT_LIMIT
            ),
        ),
        (
            API,
            format!("`skip` 0 … {} (default 0)", grouped(Paging::MAX_SKIP)),
        ),
        (SPEC, format!("an integer 0…{}", grouped(Paging::MAX_SKIP))),
        (
            API,
            format!(
                "`skip` + `limit` may be at most {}",
                grouped(MAX_SORTED_DEPTH)
            ),
        ),
        (
            ARCHITECTURE,
            format!(
                "`skip + limit` ≤ {} (`MAX_SORTED_DEPTH`)",
                grouped(MAX_SORTED_DEPTH)
            ),
        ),
        (
            API,
            format!("at most **{} items**", grouped(MAX_ITEMS_EXAMINED)),
        ),
        (
            ARCHITECTURE,
            format!("({} by `ScannedCount`)", grouped(MAX_ITEMS_EXAMINED)),
        ),
        (
            API,
            format!("one of 2 to {MAX_COUNTERS_SUMMED} values of a dashboard field"),
        ),
        // "None of" sums the project's counter minus the values' (and null's, where nullable).
        (
            API,
            format!(
                "none of up to {} values ({} of the nullable",
                MAX_COUNTERS_SUMMED - 1,
                MAX_COUNTERS_SUMMED - 2
            ),
        ),
        (
            ARCHITECTURE,
            format!("a sum of up to {MAX_COUNTERS_SUMMED} counters"),
        ),
        (API, format!("body over {body_kib} KiB")),
        (SPEC, format!("body over {body_kib} KiB")),
        (ARCHITECTURE, format!("A body over {body_kib} KiB is 413.")),
        (RELIABILITY, format!("body ≤ {body_kib} KiB")),
        (API, format!("Within {IDEMPOTENCY_HOURS} hours")),
        (SPEC, format!("Within {IDEMPOTENCY_HOURS} hours")),
        (RELIABILITY, format!("({IDEMPOTENCY_HOURS} hours)")),
        (
            ARCHITECTURE,
            format!("`pending` over {ABANDONED_CLAIM_SECONDS} s"),
        ),
        (API, format!("`-Max-Age: {}`", cors::MAX_AGE)),
        (RELIABILITY, format!("`Retry-After: {RETRY_AFTER_SECONDS}`")),
        (OPERATIONS, format!("{} metrics", spelled(METRICS.len()))),
        (
            ARCHITECTURE,
            format!("(≥ {MIN_CURSOR_SECRET_LEN} characters;"),
        ),
        (
            README,
            format!("at least {MIN_CURSOR_SECRET_LEN} characters"),
        ),
        (SPEC, format!("for at most {}", spoken(MAX_CACHE_TTL))),
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
            RELIABILITY,
            format!("| connect | {} |", spoken(limits::CONNECT)),
        ),
        (
            RELIABILITY,
            format!("| one attempt of one call | {} |", spoken(limits::ATTEMPT)),
        ),
        (
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
            RELIABILITY,
            format!(
                "SDK's retries of the call, at most {})",
                spoken(limits::OPERATION)
            ),
        ),
        (
            ARCHITECTURE,
            format!(
                "connect {}, attempt {}, call {} ({} attempts), request {request}",
                spoken(limits::CONNECT),
                spoken(limits::ATTEMPT),
                spoken(limits::OPERATION),
                limits::MAX_ATTEMPTS
            ),
        ),
        (ARCHITECTURE, format!("A request has {request}")),
        (
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
    let alarms = crate::template::resources(&template)
        .into_iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .count();
    check(&[
        (
            API,
            format!("keeps the authorizer's answer for a key {reauthorize} s"),
        ),
        (
            README,
            format!("keeps its authorizer's answer for a key {reauthorize} s"),
        ),
        (
            API,
            format!(
                "for {authorizer_ttl} s, so a revoked or expired key is refused within {worst} s"
            ),
        ),
        (
            README,
            format!("the authorizer trusts a key it read for {authorizer_ttl} s"),
        ),
        (ARCHITECTURE, format!("{authorizer_ttl} on the authorizer")),
        (RELIABILITY, format!("(the Lambda timeout is {timeout} s)")),
        (OPERATIONS, format!("({retention} days)")),
        (README, format!("({retention} days)")),
        (
            OPERATIONS,
            format!(
                "throttle of {} per second",
                setting(&routes["ThrottlingRateLimit"])
            ),
        ),
        (
            OPERATIONS,
            format!("bursts of {}", setting(&routes["ThrottlingBurstLimit"])),
        ),
        (
            ARCHITECTURE,
            format!(
                "≤ {} records within {} s",
                grouped(setting(&stream["BatchSize"]).parse().unwrap()),
                setting(&stream["MaximumBatchingWindowInSeconds"])
            ),
        ),
        (
            ARCHITECTURE,
            format!("{} retries", setting(&stream["MaximumRetryAttempts"])),
        ),
        (ARCHITECTURE, format!("{} alarms", spelled(alarms))),
        (README, {
            let mut count = spelled(alarms).to_string();
            count[..1].make_ascii_uppercase();
            format!("{count} alarms come with the stack")
        }),
    ]);
}

#[test]
fn a_phrase_the_docs_lack_is_named() {
    let failed = std::panic::catch_unwind(|| {
        check(&[(API, format!("`limit` 1–{}", Paging::MAX_LIMIT + 1))]);
    });
    assert!(failed.is_err());
}
