//! Bodies that are not what the route reads: broken or deeply nested JSON, wrong types and
//! shapes on create and update, and bodies over the size limit.

use serde_json::{json, Value};

use super::super::BASE;
use super::{body_routes, case, Case};
use crate::helpers::random_id;

pub fn cases(id: &str, cases: &mut Vec<Case>) {
    let body_routes = body_routes(id);
    // Broken JSON, on every route that reads a body.
    let broken = [
        "{",
        "}",
        "{\"data\":",
        "[1,2",
        "nul",
        "{\"a\":1,}",
        "'single'",
        "{} trailing",
        "\u{feff}{}",
        "{\"data\": {\"status\": \"x\"}",
        "{\"data\" {}}",
        "{\"\\ud800\": 1}",
    ];
    for (method, path) in &body_routes {
        for text in broken {
            cases.push(case(
                method,
                path.clone(),
                Some(text.to_string()),
                400,
                "json",
            ));
        }
    }
    // Deep nesting, on every route that reads a body.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(3000), "}".repeat(3000));
    for (method, path) in &body_routes {
        cases.push(case(method, path.clone(), Some(deep.clone()), 400, "json"));
        cases.push(case(
            method,
            path.clone(),
            Some(deep_object.clone()),
            400,
            "json",
        ));
    }
    // Wrong types and shapes.
    let create = |data: Value| Some(json!({ "data": data }).to_string());
    let call_log = random_id();
    let valid = |extra: Value| {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        for (k, v) in extra.as_object().unwrap() {
            data[k] = v.clone();
        }
        create(data)
    };
    for (data, names) in [
        (json!("string"), "data"),
        (json!(42), "data"),
        (json!([]), "data"),
        (json!(null), "data"),
        (json!(true), "data"),
    ] {
        cases.push(case("POST", BASE, create(data.clone()), 400, names));
        cases.push(case(
            "PUT",
            format!("{BASE}/{id}"),
            create(data),
            400,
            names,
        ));
    }
    for (extra, names) in [
        (
            json!({"dialDurationInSeconds": 1e300}),
            "dialDurationInSeconds",
        ),
        (
            json!({"dialDurationInSeconds": "99999999999999999999999"}),
            "dialDurationInSeconds",
        ),
        (json!({"callCostInUSDCents": "NaN"}), "callCostInUSDCents"),
        (
            json!({"callCostInUSDCents": "Infinity"}),
            "callCostInUSDCents",
        ),
        (
            json!({"callCostInUSDCents": "-Infinity"}),
            "callCostInUSDCents",
        ),
        (json!({"callCostInUSDCents": "1e999"}), "callCostInUSDCents"),
        (json!({"callCostInUSDCents": "0x10"}), "callCostInUSDCents"),
        (
            json!({"dialDurationInSeconds": -0.5}),
            "dialDurationInSeconds",
        ),
        (json!({"isAnswered": "false"}), "isAnswered"),
        (json!({"isAnswered": 0}), "isAnswered"),
        (json!({"status": ["Ringing"]}), "status"),
        (
            json!({"status": {"_type": "Phone", "value": "x"}}),
            "status",
        ),
        (json!({"status": "😀".repeat(101)}), "status"),
        (json!({"status": "\u{200b}".repeat(101)}), "status"),
        (json!({"statusMessage": "ü".repeat(501)}), "statusMessage"),
        (json!({"startedAt": "2026-02-30T00:00:00Z"}), "startedAt"),
        (json!({"startedAt": "2026-11-27T25:00:00Z"}), "startedAt"),
        (json!({"startedAt": "+275760-09-13T00:00:00Z"}), "startedAt"),
        (json!({"startedAt": "NaN"}), "startedAt"),
        (json!({"endedAt": {"_type": "DateTime"}}), "endedAt"),
        (
            json!({"userId": "550e8400-e29b-41d4-a716-44665544000Z"}),
            "userId",
        ),
        (json!({"userId": "' OR '1'='1"}), "userId"),
        (
            json!({"userPhoneNumber": "+1 555 123 4567; DROP TABLE"}),
            "userPhoneNumber",
        ),
        (
            json!({"userPhoneNumber": "\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}\u{0667}"}),
            "userPhoneNumber",
        ),
        (
            json!({"incomingCallLog": {"_id": call_log, "extra": 1}}),
            "incomingCallLog",
        ),
        (json!({"sta\u{0}tus": "x"}), "sta"),
        (json!({"#x": 1}), "#x"),
        (json!({":v": 1}), ":v"),
        (json!({"__proto__": {}}), "__proto__"),
        (json!({"constructor": 1}), "constructor"),
        (json!({"_id": random_id()}), "_id"),
        (json!({"version": 99}), "version"),
    ] {
        cases.push(case("POST", BASE, valid(extra), 400, names));
    }
    // Update: fields that cannot change, names that are not fields.
    for (data, names) in [
        (json!({"projectId": random_id()}), "projectId"),
        (
            json!({"incomingCallLogId": random_id()}),
            "incomingCallLogId",
        ),
        (
            json!({"userPhoneNumber": "+15551234567"}),
            "userPhoneNumber",
        ),
        (json!({"version": 1}), "version"),
        (json!({"#x": 1}), "#x"),
        (json!({":v": "x"}), ":v"),
        (
            json!({"status": {"_type": "EqualTo", "value": "x"}}),
            "status",
        ),
        (
            json!({"dialDurationInSeconds": "NaN"}),
            "dialDurationInSeconds",
        ),
        (json!({"updatedAt": "x", "createdAt": "y"}), "updat"),
    ] {
        cases.push(case(
            "PUT",
            format!("{BASE}/{id}"),
            create(data.clone()),
            400,
            names,
        ));
        cases.push(case(
            "POST",
            format!("{BASE}/{id}/update-item"),
            create(data),
            400,
            names,
        ));
    }
    // Oversize bodies.
    let huge =
        json!({"data": {"status": "x", "statusMessage": "y".repeat(300 * 1024)}}).to_string();
    for (method, path) in &body_routes {
        cases.push(case(
            method,
            path.clone(),
            Some(huge.clone()),
            413,
            "larger",
        ));
    }
}
