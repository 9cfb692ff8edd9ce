//! List and count (SPEC §3) through the handler: skip and limit, cursors, count, sort, select
//! and query, on items stored in a known order.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{config, newest_first, TestApp};
use crate::api::{QueryProblem, RequestError};
use crate::config::Secret;
use crate::query::CursorError;
use crate::store::contract::random_id;

#[tokio::test]
async fn the_default_list_is_newest_first_with_the_total_count() {
    let harness = TestApp::memory().await;
    let items = harness.seed(random_id(), &["a", "b", "c", "d", "e"]).await;
    let answer = harness.list("", None).await;
    let body = &answer.status(200).body;
    assert_eq!(
        (
            body["count"].as_u64(),
            body["limit"].as_u64(),
            body["skip"].as_u64()
        ),
        (Some(5), Some(10), Some(0))
    );
    assert_eq!(answer.ids(), newest_first(&items));
    assert!(body.get("nextCursor").is_none());
    let get = harness
        .call("GET", "/api/incoming-call-log-item/get-list?limit=2", None)
        .await;
    assert_eq!(get.status(200).ids(), newest_first(&items)[..2].to_vec());
}

#[tokio::test]
async fn skip_and_limit_come_from_the_query_string_before_the_body() {
    let harness = TestApp::memory().await;
    let items = harness.seed(random_id(), &["a", "b", "c", "d", "e"]).await;
    let newest = newest_first(&items);
    let answer = harness
        .list("?skip=1&limit=2", Some(json!({"skip": 3, "limit": 1})))
        .await;
    assert_eq!(answer.status(200).ids(), newest[1..3].to_vec());
    assert_eq!(
        (answer.body["skip"].as_u64(), answer.body["limit"].as_u64()),
        (Some(1), Some(2))
    );
    let from_body = harness
        .list("", Some(json!({"skip": "3", "limit": 1})))
        .await;
    assert_eq!(from_body.status(200).ids(), newest[3..4].to_vec());
    let past_the_end = harness.list("?skip=9", None).await;
    assert_eq!(past_the_end.status(200).ids(), Vec::<String>::new());
    assert_eq!(past_the_end.body["count"], 5);
}

#[tokio::test]
async fn bad_skip_and_limit_are_400_with_the_range() {
    // Every malformed value: `json/list.rs`. Here, that the list answers the refusal.
    let harness = TestApp::memory().await;
    let answer = harness.list("?limit=101", None).await;
    answer.refused(RequestError::Limit.into());
    let answer = harness.list("?skip=-1", None).await;
    answer.refused(RequestError::Skip.into());
}

/// Follows `nextCursor` from the first page; the ids in order.
async fn follow(harness: &TestApp, mut body: Value, limit: u32) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..50 {
        let page = harness
            .list(&format!("?limit={limit}"), Some(body.clone()))
            .await;
        ids.extend(page.status(200).ids());
        match page.body.get("nextCursor").and_then(Value::as_str) {
            Some(cursor) => body["cursor"] = json!(cursor),
            None => return ids,
        }
    }
    panic!("more than 50 pages")
}

#[tokio::test]
async fn cursors_survive_a_rotation_of_the_secret_while_the_previous_one_is_accepted() {
    let mut harness = TestApp::memory().await;
    harness.seed(random_id(), &["a", "b", "c", "d", "e"]).await;
    let first = harness.list("?limit=2", None).await;
    let cursor = first.status(200).body["nextCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let second = harness
        .list("?limit=2", Some(json!({ "cursor": cursor })))
        .await;
    let expected = second.status(200).ids();

    // put-secret-value, then a deploy with AcceptPreviousCursorSecret=true.
    let mut rotated = config();
    rotated.cursor_secret = Secret::new("the cursor secret after the rotation");
    rotated.previous_cursor_secret = Some(config().cursor_secret);
    harness = harness.redeployed(&rotated);
    let resumed = harness
        .list("?limit=2", Some(json!({ "cursor": cursor })))
        .await;
    assert_eq!(
        resumed.status(200).ids(),
        expected,
        "a live cursor keeps working"
    );
    let next = resumed.body["nextCursor"].as_str().unwrap().to_string();

    // A day later, AcceptPreviousCursorSecret=false: cursors of the new secret still work,
    // those of the old one are refused as any altered cursor is.
    let mut settled = config();
    settled.cursor_secret = Secret::new("the cursor secret after the rotation");
    harness = harness.redeployed(&settled);
    harness
        .list("?limit=2", Some(json!({ "cursor": next })))
        .await
        .status(200);
    let refused = harness
        .list("?limit=2", Some(json!({ "cursor": cursor })))
        .await;
    refused.refused(CursorError::Altered.into());
}

#[tokio::test]
async fn following_cursors_lists_every_item_once_in_every_order() {
    let harness = TestApp::memory().await;
    let statuses = ["b", "a", "c", "a", "b", "c", "a"];
    let items = harness.seed(random_id(), &statuses).await;
    for body in [
        json!({}),
        json!({"sort": {"createdAt": 1}}),
        json!({"sort": {"_id": -1}}),
        json!({"sort": {"status": "asc"}}),
        json!({"query": {"status": ["a", "c"]}, "sort": {"status": -1}}),
    ] {
        let all = harness.list("?limit=100", Some(body.clone())).await;
        let by_cursor = follow(&harness, body.clone(), 2).await;
        assert_eq!(by_cursor, all.status(200).ids(), "{body}");
        let unique: BTreeSet<_> = by_cursor.iter().collect();
        assert_eq!(unique.len(), by_cursor.len(), "{body}");
    }
    assert_eq!(follow(&harness, json!({}), 3).await, newest_first(&items));
}

#[tokio::test]
async fn a_cursor_page_echoes_its_offset_as_skip() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["a", "b", "c", "d", "e"]).await;
    let first = harness.list("?limit=2", None).await;
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let second = harness
        .list(&format!("?limit=2&cursor={cursor}"), None)
        .await;
    assert_eq!(second.status(200).body["skip"], 2);
    assert_eq!(second.body["count"], 5);
}

#[tokio::test]
async fn bad_cursors_are_400() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["a", "b", "c"]).await;
    let first = harness
        .list(
            "?limit=1",
            Some(json!({"query": {"status": ["a", "b", "c"]}})),
        )
        .await;
    let cursor = first.body["nextCursor"].as_str().unwrap().to_string();
    let other_query = harness
        .list(
            "?limit=1",
            Some(json!({"query": {"status": ["a"]}, "cursor": cursor})),
        )
        .await;
    other_query.refused(CursorError::OtherList.into());
    let mut altered = cursor.clone().into_bytes();
    altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let answer = harness
        .list(
            "?limit=1",
            Some(json!({"query": {"status": ["a", "b", "c"]}, "cursor": altered})),
        )
        .await;
    // One byte changed: no longer readable, or readable but not as signed.
    let refusals = [CursorError::Malformed, CursorError::Altered].map(|e| e.to_string());
    assert!(refusals
        .iter()
        .any(|refusal| refusal == answer.status(400).error()));
    let both = harness
        .list(
            "?skip=1",
            Some(json!({"query": {"status": ["a", "b", "c"]}, "cursor": cursor})),
        )
        .await;
    both.refused(RequestError::SkipAndCursor.into());
    harness
        .list("", Some(json!({"cursor": 5})))
        .await
        .status(400);
    let other = TestApp::memory().await;
    let elsewhere = other
        .list(
            "?limit=1",
            Some(json!({"query": {"status": ["a", "b", "c"]}, "cursor": cursor})),
        )
        .await;
    elsewhere.refused(CursorError::OtherProject.into());
}

#[tokio::test]
async fn counts_agree_with_the_lists() {
    let harness = TestApp::memory().await;
    let (log_a, log_b) = (random_id(), random_id());
    harness.seed(log_a, &["Ringing", "Busy", "Ringing"]).await;
    harness.seed(log_b, &["Ringing"]).await;
    for (query, expected) in [
        (json!({}), 4),
        (json!({"incomingCallLogId": log_a.to_string()}), 3),
        (json!({"incomingCallLog": {"_id": log_b.to_string()}}), 1),
        (json!({"status": "Ringing"}), 3),
        (json!({"status": {"_type": "Search", "value": "us"}}), 1),
        (
            json!({"status": "Ringing", "incomingCallLogId": log_a.to_string()}),
            2,
        ),
        (json!({"status": []}), 0),
        // Another project, by id or by relation: settled before any read, nothing matches.
        (json!({"projectId": random_id().to_string()}), 0),
        (json!({"project": {"_id": random_id().to_string()}}), 0),
        (json!({"projectId": harness.project.to_string()}), 4),
    ] {
        let count = harness.count(Some(json!({ "query": query }))).await;
        assert_eq!(
            count.status(200).body,
            json!({ "count": expected }),
            "{query}"
        );
        let list = harness
            .list("?limit=100", Some(json!({ "query": query })))
            .await;
        assert_eq!(list.status(200).body["count"], expected, "{query}");
        assert_eq!(list.ids().len(), expected, "{query}");
    }
}

#[tokio::test]
async fn sorts_apply_in_order_with_ties_broken_by_id() {
    let harness = TestApp::memory().await;
    let items = harness.seed(random_id(), &["b", "a", "b", "a"]).await;
    let id = |n: usize| items[n].id.to_string();
    let ascending = harness.list("", Some(json!({"sort": {"status": 1}}))).await;
    assert_eq!(
        ascending.status(200).ids(),
        vec![id(1), id(3), id(0), id(2)]
    );
    let descending = harness
        .list("", Some(json!({"sort": {"status": "DESC"}})))
        .await;
    assert_eq!(
        descending.status(200).ids(),
        vec![id(2), id(0), id(3), id(1)]
    );
    let two_keys = harness
        .list(
            "",
            Some(json!({"sort": {"status": "asc", "createdAt": -1}})),
        )
        .await;
    assert_eq!(two_keys.status(200).ids(), vec![id(3), id(1), id(2), id(0)]);
    let oldest = harness
        .list("", Some(json!({"sort": {"createdAt": "asc"}})))
        .await;
    assert_eq!(oldest.status(200).ids(), vec![id(0), id(1), id(2), id(3)]);
}

#[tokio::test]
async fn a_sort_field_need_not_be_selected() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["b", "a"]).await;
    let answer = harness
        .list(
            "",
            Some(json!({"sort": {"status": 1}, "select": {"isAnswered": true}})),
        )
        .await;
    for item in answer.status(200).body["data"].as_array().unwrap() {
        assert_eq!(item.as_object().unwrap().len(), 2, "{item}");
        assert!(item.get("status").is_none());
    }
}

#[tokio::test]
async fn select_shows_id_and_what_was_asked_relations_as_objects() {
    let harness = TestApp::memory().await;
    let call_log = random_id();
    harness.seed(call_log, &["a"]).await;
    let answer = harness
        .list(
            "",
            Some(json!({"select": {"status": true, "incomingCallLog": true, "user": {"_id": true}, "project": true}})),
        )
        .await;
    let item = &answer.status(200).body["data"][0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["_id", "status", "incomingCallLog", "user", "project"]
    );
    assert_eq!(
        item["incomingCallLog"],
        json!({"_id": call_log.to_string()})
    );
    assert_eq!(item["user"], Value::Null);
    assert_eq!(item["project"], json!({"_id": harness.project.to_string()}));
    let everything = harness.list("", Some(json!({"select": {}}))).await;
    assert_eq!(everything.body["data"][0].as_object().unwrap().len(), 16);
}

#[tokio::test]
async fn each_part_of_a_list_body_is_read_and_its_refusal_answered() {
    // The readers' every refusal is tested in `api/json/`; here, that the list and count
    // handlers read each part and answer its refusal.
    let harness = TestApp::memory().await;
    let unknown = |field: &str, allowed| RequestError::UnknownBodyField {
        field: field.into(),
        allowed,
    };
    let list = crate::api::listing::LIST_BODY;
    for (body, refusal) in [
        (json!({"colour": 1}), unknown("colour", list)),
        (json!({"select": ["status"]}), RequestError::SelectNotObject),
        (json!({"sort": []}), RequestError::SortNotObject),
        (json!({"query": []}), RequestError::QueryNotObject),
        (
            json!({"query": {"isAnswered": {"_type": "GreaterThan", "value": true}}}),
            RequestError::query(
                "isAnswered",
                QueryProblem::ComparisonOn(crate::model::Kind::Boolean),
            ),
        ),
        (json!(5), RequestError::BodyNotObject),
    ] {
        let answer = harness.list("", Some(body.clone())).await;
        answer.refused(refusal.into());
    }
    let count = harness.count(Some(json!({"select": {}}))).await;
    count.refused(unknown("select", crate::api::listing::COUNT_BODY).into());
}

/// Pages through `body` by cursor, `limit` at a time, calling `between` after each page with
/// its ids; returns every id listed, in order.
async fn walk_with<F, Fut>(
    harness: &TestApp,
    body: Value,
    limit: u32,
    mut between: F,
) -> Vec<String>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut body = body;
    let mut listed = Vec::new();
    for _ in 0..100 {
        let page = harness
            .list(&format!("?limit={limit}"), Some(body.clone()))
            .await;
        let ids = page.status(200).ids();
        listed.extend(ids.clone());
        between(ids).await;
        match page.body.get("nextCursor").and_then(Value::as_str) {
            Some(cursor) => body["cursor"] = json!(cursor),
            None => return listed,
        }
    }
    panic!("more than 100 pages")
}

#[tokio::test]
async fn a_clean_up_loop_by_cursor_lists_every_item_once_while_deleting_what_it_read() {
    let harness = TestApp::memory().await;
    let statuses: Vec<&str> = (0..25)
        .map(|n| if n % 2 == 0 { "a" } else { "b" })
        .collect();
    let items = harness.seed(random_id(), &statuses).await;
    for body in [
        json!({}),
        json!({"sort": {"status": 1}}),
        json!({"query": {"status": ["a", "b"]}}),
    ] {
        let harness = &harness;
        let listed = walk_with(harness, body.clone(), 10, |ids| async move {
            for id in ids {
                harness.delete(&id).await.status(200);
            }
        })
        .await;
        let unique: BTreeSet<_> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "{body}: an item twice");
        assert_eq!(listed.len(), items.len(), "{body}: every item once");
        assert_eq!(harness.count(None).await.body["count"], 0, "{body}");
        // The next body starts from a full project again.
        harness.seed(random_id(), &statuses).await;
    }
}

#[tokio::test]
async fn deleting_items_already_read_skips_no_unread_one_in_any_sort() {
    let harness = TestApp::memory().await;
    let items = harness
        .seed(random_id(), &["c", "a", "e", "b", "d", "f", "g"])
        .await;
    let sort = json!({"sort": {"status": "asc"}});
    let first = harness.list("?limit=3", Some(sort.clone())).await;
    let read = first.status(200).ids();
    for id in &read[..2] {
        harness.delete(id).await.status(200);
    }
    let mut next = sort.clone();
    next["cursor"] = first.body["nextCursor"].clone();
    let second = harness.list("?limit=3", Some(next)).await;
    let by_status: Vec<String> = ["d", "e", "f"]
        .iter()
        .map(|status| {
            let item = items
                .iter()
                .find(|item| item.status.as_str() == *status)
                .unwrap();
            item.id.to_string()
        })
        .collect();
    assert_eq!(second.status(200).ids(), by_status);
    assert!(second.body.get("nextCursor").is_some(), "g follows");
}

#[tokio::test]
async fn items_created_between_pages_appear_once_or_not_at_all() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["b", "d", "f", "h"]).await;
    let sort = json!({"sort": {"status": 1}});
    let first = harness.list("?limit=2", Some(sort.clone())).await;
    assert_eq!(first.status(200).ids().len(), 2);
    // One sorts before the position (never shown now), one after (shown once).
    let early = harness
        .create_id(&random_id().to_string(), json!({"status": "a"}))
        .await;
    let late = harness
        .create_id(&random_id().to_string(), json!({"status": "e"}))
        .await;
    let mut next = sort.clone();
    next["cursor"] = first.body["nextCursor"].clone();
    let rest = walk_with(&harness, next, 2, |_| async {}).await;
    assert!(!rest.contains(&early));
    assert_eq!(rest.iter().filter(|id| **id == late).count(), 1);
    assert_eq!(rest.len(), 3, "f, h and the new e");
}

#[tokio::test]
async fn a_call_logs_pages_by_cursor_survive_its_items_being_deleted() {
    let harness = TestApp::memory().await;
    let call_log = random_id();
    let items = harness.seed(call_log, &["a"; 9]).await;
    harness.seed(random_id(), &["other"; 3]).await;
    let body = json!({"query": {"incomingCallLogId": call_log.to_string()}});
    let harness_ref = &harness;
    let listed = walk_with(harness_ref, body, 4, |ids| async move {
        for id in ids {
            harness_ref.delete(&id).await.status(200);
        }
    })
    .await;
    assert_eq!(listed, newest_first(&items));
}

#[tokio::test]
async fn the_last_page_by_cursor_has_no_next_cursor_even_when_full() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["a", "b", "c", "d"]).await;
    for body in [json!({}), json!({"sort": {"status": -1}})] {
        let first = harness.list("?limit=2", Some(body.clone())).await;
        let mut next = body.clone();
        next["cursor"] = first.body["nextCursor"].clone();
        let last = harness.list("?limit=2", Some(next)).await;
        assert_eq!(last.status(200).ids().len(), 2, "{body}");
        assert!(last.body.get("nextCursor").is_none(), "{body}");
        let exact = harness.list("?limit=4", Some(body.clone())).await;
        assert!(exact.body.get("nextCursor").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_deep_skip_on_a_sort_by_another_field_points_to_the_cursor() {
    let harness = TestApp::memory().await;
    harness.seed(random_id(), &["a", "b"]).await;
    let sort = json!({"sort": {"status": 1}});
    // As the refusal says: `skip` + `limit` up to MAX_SORTED_DEPTH, and no further.
    let deep = harness
        .list("?skip=9991&limit=10", Some(sort.clone()))
        .await;
    deep.refused(RequestError::SortedTooDeep.into());
    let deepest = harness.list("?skip=9990&limit=10", Some(sort)).await;
    assert_eq!(deepest.status(200).ids(), Vec::<String>::new());
    // In key order a deep skip costs reads, not memory: no such limit.
    harness.list("?skip=50000", None).await.status(200);
}

#[tokio::test]
async fn queries_by_id_value_and_created_at_range_list_exactly_their_matches() {
    let harness = TestApp::memory().await;
    let items = harness.seed(random_id(), &["a", "b", "a", "c", "a"]).await;
    let id = items[1].id.to_string();
    let by_id = harness.list("", Some(json!({"query": {"_id": id}}))).await;
    assert_eq!(by_id.status(200).ids(), vec![id.clone()]);
    assert_eq!(by_id.body["count"], 1);
    let by_value = harness
        .list("", Some(json!({"query": {"status": "a"}})))
        .await;
    assert_eq!(
        by_value.status(200).ids(),
        vec![
            items[4].id.to_string(),
            items[2].id.to_string(),
            items[0].id.to_string()
        ]
    );
    let range = json!({"query": {"createdAt": {
        "_type": "InBetween",
        "startValue": items[1].created_at.to_string(),
        "endValue": items[3].created_at.to_string()
    }}});
    let ranged = harness.list("", Some(range)).await;
    assert_eq!(
        ranged.status(200).ids(),
        vec![
            items[3].id.to_string(),
            items[2].id.to_string(),
            items[1].id.to_string()
        ]
    );
}
