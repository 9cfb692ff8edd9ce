//! The request itself: ids in the path, and the headers (key, If-Match).

use serde_json::json;

use super::super::BASE;
use super::{case, Case};

pub fn cases(id: &str, cases: &mut Vec<Case>) {
    // Path ids: injection and traversal text in the id segment.
    for bad in [
        "abc",
        "..",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "'%20OR%201=1--",
        "%3Cscript%3E",
        "550e8400-e29b-41d4-a716-44665544000Z",
        "550e8400e29b41d4a716446655440000",
        "%7Bid%7D",
        "%00",
        "null",
        "-1",
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/{bad}/get-item"),
            None,
            400,
            "id",
        ));
        cases.push(case(
            "PUT",
            format!("{BASE}/{bad}"),
            Some(json!({"data": {"status": "x"}}).to_string()),
            400,
            "id",
        ));
        cases.push(case("DELETE", format!("{BASE}/{bad}"), None, 400, "id"));
    }
    // Headers: empty, duplicated, malformed.
    let with_headers = |method: &'static str,
                        path: String,
                        headers: Vec<(&'static str, String)>,
                        status: u16,
                        names: &'static str| Case {
        method,
        path,
        headers,
        body: None,
        status,
        names,
    };
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", String::new())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", " ".into())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", "iclk_' OR 1=1 --".into())],
        401,
        "api key",
    ));
    cases.push(with_headers(
        "POST",
        format!("{BASE}/count"),
        vec![("ApiKey", "x".repeat(10_000))],
        401,
        "api key",
    ));
    for if_match in [
        "",
        "abc",
        "0",
        "-1",
        "1.5",
        "\"\"",
        "W/",
        "99999999999999999999",
    ] {
        cases.push(with_headers(
            "DELETE",
            format!("{BASE}/{id}"),
            vec![("If-Match", if_match.to_string())],
            400,
            "if-match",
        ));
    }
}
