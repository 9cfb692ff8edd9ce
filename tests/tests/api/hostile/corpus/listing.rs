//! List and count parameters: select, sort, query, paging, cursor.

use serde_json::{json, Value};

use super::super::BASE;
use super::{case, Case};

pub fn cases(id: &str, cases: &mut Vec<Case>) {
    // List and count: select, sort, query, paging.
    let list = |body: Value| Some(body.to_string());
    for (body, names) in [
        (json!({"query": "status"}), "query"),
        (json!({"query": ["status"]}), "query"),
        (json!({"query": 5}), "query"),
        (json!({"query": {"#x": 1}}), "#x"),
        (json!({"query": {":v": 1}}), ":v"),
        (json!({"query": {"status = :v OR #x": 1}}), "status = :v"),
        (
            json!({"query": {"status": {"_type": "EqualTo", "value": {"_type": "EqualTo", "value": "x"}}}}),
            "status",
        ),
        (
            json!({"query": {"status": {"_type": "Includes", "value": [{"_type": "Search", "value": "x"}]}}}),
            "status",
        ),
        (
            json!({"query": {"status": {"_type": "MultiSearch", "value": "x", "fields": ["projectId"]}}}),
            "MultiSearch",
        ),
        (
            json!({"query": {"status": {"_type": "MultiSearch", "value": "x", "fields": []}}}),
            "MultiSearch",
        ),
        (json!({"query": {"status": {"_type": 5}}}), "_type"),
        (
            json!({"query": {"status": {"_type": "toString"}}}),
            "toString",
        ),
        (
            json!({"query": {"dialDurationInSeconds": {"_type": "GreaterThan", "value": "NaN"}}}),
            "dialDurationInSeconds",
        ),
        (
            json!({"query": {"dialDurationInSeconds": {"_type": "InBetween", "startValue": 1}}}),
            "endValue",
        ),
        (
            json!({"query": {"createdAt": {"_type": "LessThan", "value": "Infinity"}}}),
            "createdAt",
        ),
        (
            json!({"query": {"isAnswered": {"_type": "Search", "value": "t"}}}),
            "isAnswered",
        ),
        (json!({"query": {"_id": "../../etc/passwd"}}), "_id"),
        (json!({"query": {"projectId": "*"}}), "projectId"),
        (
            json!({"query": {"status": {"_type": "Includes", "value": "x"}}}),
            "status",
        ),
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list"),
            list(body.clone()),
            400,
            names,
        ));
        cases.push(case(
            "POST",
            format!("{BASE}/count"),
            list(body),
            400,
            names,
        ));
    }
    for (body, names) in [
        (json!({"select": ["status"]}), "select"),
        (json!({"select": {"#x": true}}), "#x"),
        (json!({"select": {":v": true}}), ":v"),
        (json!({"select": {"status": "yes"}}), "status"),
        (
            json!({"select": {"project": {"name": true}}}),
            "project.name",
        ),
        (json!({"sort": "createdAt"}), "sort"),
        (json!({"sort": {"#x": 1}}), "#x"),
        (json!({"sort": {"status": 2}}), "status"),
        (json!({"sort": {"status": "sideways"}}), "status"),
        (json!({"sort": {"project": 1}}), "project"),
        (json!({"skip": -1}), "skip"),
        (json!({"skip": "1e3"}), "skip"),
        (json!({"limit": 1e300}), "limit"),
        (json!({"limit": "NaN"}), "limit"),
        (json!({"limit": [10]}), "limit"),
        (json!({"cursor": "x.y"}), "cursor"),
        (json!({"cursor": {}}), "cursor"),
        (json!({"unknown": 1}), "unknown"),
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list"),
            list(body),
            400,
            names,
        ));
    }
    for query in [
        "?limit=",
        "?limit=NaN",
        "?limit=%00",
        "?skip=1;DROP",
        "?limit=10&limit=abc&skip=-0x1",
        "?cursor=%22%22",
    ] {
        cases.push(case(
            "POST",
            format!("{BASE}/get-list{query}"),
            None,
            400,
            "",
        ));
    }
    cases.push(case(
        "POST",
        format!("{BASE}/{id}/get-item"),
        list(json!({"select": {"_id": "x"}})),
        400,
        "_id",
    ));
}
