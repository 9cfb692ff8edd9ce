//! DynamoDB's JSON on the wire, as the injector reads and writes it: error answers, the
//! 4 KB expression limit, consumed capacity, and a `BatchGetItem` served in part.

use serde_json::{json, Map, Value};

/// An answer as it came back: its status and its whole body.
pub type Answer = (u16, Vec<u8>);

/// DynamoDB's limit on one expression (filter, condition, update, projection, key condition).
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// A DynamoDB JSON error answer.
pub fn error_response(code: &str, message: &str, reasons: Value) -> Answer {
    let mut body = json!({
        "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
        "message": message,
    });
    if !reasons.is_null() {
        body["CancellationReasons"] = reasons;
    }
    (400, body.to_string().into_bytes())
}

/// A `TransactionCanceledException` with `code` for the steps in `failed` and `None` for the
/// others of a transaction of `steps` items.
pub fn cancelled(steps: usize, failed: &[usize], code: &str) -> Answer {
    let reasons: Vec<Value> = (0..steps.max(1))
        .map(|step| {
            if failed.contains(&step) {
                json!({"Code": code, "Message": "injected"})
            } else {
                json!({"Code": "None"})
            }
        })
        .collect();
    error_response(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons",
        json!(reasons),
    )
}

/// The name of the first expression in the request over the limit, if any.
pub fn oversized_expression(request: &Value) -> Option<&'static str> {
    const NAMES: [&str; 5] = [
        "FilterExpression",
        "ConditionExpression",
        "UpdateExpression",
        "ProjectionExpression",
        "KeyConditionExpression",
    ];
    let mut requests = vec![request];
    if let Some(items) = request["TransactItems"].as_array() {
        requests.extend(items.iter().flat_map(|item| {
            item.as_object()
                .into_iter()
                .flat_map(|object| object.values())
        }));
    }
    requests.into_iter().find_map(|request| {
        NAMES.into_iter().find(|name| {
            request[*name]
                .as_str()
                .is_some_and(|text| text.len() > MAX_EXPRESSION_BYTES)
        })
    })
}

/// The request body, asking DynamoDB to return the capacity it consumes.
pub fn with_capacity_asked(body: &[u8]) -> Option<Vec<u8>> {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        return None;
    };
    object.insert("ReturnConsumedCapacity".into(), json!("TOTAL"));
    Some(Value::Object(object).to_string().into_bytes())
}

/// The (read, write) capacity units an answer of `operation` reports, over every table it
/// touched. (DynamoDB reports one `CapacityUnits` figure; a read operation's are read units.)
pub fn consumed_units(operation: &str, body: &[u8]) -> (f64, f64) {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return (0.0, 0.0);
    };
    let entries = match &answer["ConsumedCapacity"] {
        Value::Array(entries) => entries.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    let units: f64 = entries
        .iter()
        .map(|entry| entry["CapacityUnits"].as_f64().unwrap_or(0.0))
        .sum();
    let reads = [
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "TransactGetItems",
    ];
    if reads.contains(&operation) {
        (units, 0.0)
    } else {
        (0.0, units)
    }
}

/// A `BatchGetItem` request cut to its first `serve` keys: the request to send on, and what
/// the answer must hand back as `UnprocessedKeys` (None: nothing to cut).
pub fn serve_in_part(request: &Value, serve: usize) -> Option<(Value, Value)> {
    let tables = request["RequestItems"].as_object()?;
    let mut left = serve;
    let mut sent = Map::new();
    let mut unprocessed = Map::new();
    for (table, wanted) in tables {
        let keys = wanted["Keys"].as_array().cloned().unwrap_or_default();
        let take = keys.len().min(left);
        left -= take;
        if take > 0 {
            let mut part = wanted.clone();
            part["Keys"] = Value::Array(keys[..take].to_vec());
            sent.insert(table.clone(), part);
        }
        if take < keys.len() {
            let mut rest = wanted.clone();
            rest["Keys"] = Value::Array(keys[take..].to_vec());
            unprocessed.insert(table.clone(), rest);
        }
    }
    if unprocessed.is_empty() {
        return None;
    }
    let mut request = request.clone();
    request["RequestItems"] = Value::Object(sent);
    Some((request, Value::Object(unprocessed)))
}

/// The engine's answer with `unprocessed` added to its `UnprocessedKeys`.
pub fn with_unprocessed((status, body): Answer, unprocessed: &Value) -> Answer {
    let Ok(mut answer) = serde_json::from_slice::<Value>(&body) else {
        return (status, body);
    };
    if status != 200 {
        return (status, body);
    }
    let merged = answer
        .as_object_mut()
        .map(|object| object.entry("UnprocessedKeys").or_insert_with(|| json!({})));
    if let (Some(Value::Object(merged)), Some(extra)) = (merged, unprocessed.as_object()) {
        for (table, keys) in extra {
            merged.insert(table.clone(), keys.clone());
        }
    }
    (status, answer.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_over_4_kb_are_found_in_requests_and_transactions() {
        let long = "a".repeat(MAX_EXPRESSION_BYTES + 1);
        assert_eq!(
            oversized_expression(&json!({"FilterExpression": long})),
            Some("FilterExpression")
        );
        let transaction = json!({"TransactItems": [{"Update": {"UpdateExpression": long}}]});
        assert_eq!(oversized_expression(&transaction), Some("UpdateExpression"));
        let fine = "a".repeat(MAX_EXPRESSION_BYTES);
        assert_eq!(
            oversized_expression(&json!({"FilterExpression": fine})),
            None
        );
    }

    #[test]
    fn a_batch_served_in_part_hands_the_rest_back() {
        let request = json!({"RequestItems": {"t": {"Keys": [{"k": 1}, {"k": 2}, {"k": 3}], "ConsistentRead": true}}});
        let (sent, rest) = serve_in_part(&request, 1).expect("cut");
        assert_eq!(sent["RequestItems"]["t"]["Keys"], json!([{"k": 1}]));
        assert_eq!(rest["t"]["Keys"], json!([{"k": 2}, {"k": 3}]));
        assert_eq!(rest["t"]["ConsistentRead"], true);
        assert!(serve_in_part(&request, 3).is_none(), "all served");
        let answer = (200, br#"{"Responses": {"t": []}}"#.to_vec());
        let (_, merged) = with_unprocessed(answer, &rest);
        let merged: Value = serde_json::from_slice(&merged).unwrap();
        assert_eq!(
            merged["UnprocessedKeys"]["t"]["Keys"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
