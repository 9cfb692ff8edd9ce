//! `call-log-admin verify-counts` against the local engine: a project whose counts and index
//! entries agree with its items passes; a counter off by one, a missing entry and a stray one
//! are each reported, with exit status 1.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::model::{Field, FieldValue, Input, NewItem, ObjectId, Timestamp};
use call_log_item::query::Tally;
use call_log_item::store::dynamo::layout::{counter_key, entry_key, Scope, ITEM_COUNT};
use call_log_item::store::ItemWrites;

/// Runs `verify-counts --project`: (success, stdout, stderr).
fn verify(project: ObjectId) -> (bool, String, String) {
    let output = common::admin_command()
        .args(["verify-counts", "--project", &project.to_string()])
        .output()
        .expect("runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Drift by hand: the counter of `scope` one more than its items.
async fn one_too_many(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    project: ObjectId,
    scope: &Scope,
) {
    client
        .update_item()
        .table_name(table)
        .set_key(Some(counter_key(project, scope)))
        .update_expression("ADD #count :one")
        .expression_attribute_names("#count", ITEM_COUNT)
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn verify_counts_reports_every_drifted_count_and_entry() {
    let (tables, client, store) = common::items_table().await;
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let log = uuid::Uuid::new_v4().to_string();
    let at = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let mut ids = Vec::new();
    for (n, status) in ["Ringing", "Ringing", "Completed"].into_iter().enumerate() {
        let sent = [
            (Field::IncomingCallLogId, Input::Text(&log)),
            (Field::Status, Input::Text(status)),
        ];
        let item = NewItem::parse(&sent, project)
            .unwrap()
            .into_item(project, at.plus_millis(n as i64));
        store.create(&item).await.unwrap();
        ids.push(item.id);
    }
    call_log_item::local_stream::settle(&store).await.unwrap();
    let (ok, stdout, stderr) = verify(project);
    assert!(ok, "{stdout}{stderr}");
    assert!(stderr.contains("3 items"), "{stderr}");

    // Drift of three kinds: a counter one too high, an item's entry gone, an entry for no item.
    let ringing = Tally::of(Field::Status, FieldValue::Text("Ringing"));
    one_too_many(
        &client,
        &tables.items,
        project,
        &Scope::Value(ringing.clone()),
    )
    .await;
    client
        .delete_item()
        .table_name(&tables.items)
        .set_key(Some(entry_key(project, &ringing, ids[0])))
        .send()
        .await
        .unwrap();
    let nobody = ObjectId::from_uuid(uuid::Uuid::new_v4());
    client
        .put_item()
        .table_name(&tables.items)
        .set_item(Some(entry_key(project, &ringing, nobody)))
        .send()
        .await
        .unwrap();
    let (ok, stdout, stderr) = verify(project);
    assert!(!ok, "drift must fail: {stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        stdout.contains("#counters / value#status#Ringing: 3, but 2 items"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("/ {}: missing", ids[0])),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("/ {nobody}: no such item there")),
        "{stdout}"
    );

    // Repaired, safely: each fix conditional on what both verifications read.
    let mut command = common::admin_command();
    let output = command
        .args(["verify-counts", "--project", &project.to_string()])
        .args(["--repair", "--wait-seconds", "0.2"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("repaired 3"), "{stderr}");
    let (ok, stdout, stderr) = verify(project);
    assert!(ok, "{stdout}{stderr}");
}

#[tokio::test]
async fn a_repair_leaves_alone_a_counter_the_tally_moved_meanwhile() {
    let (tables, client, store) = common::items_table().await;
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let item = NewItem::parse(
        &[
            (Field::IncomingCallLogId, Input::Text(&project.to_string())),
            (Field::Status, Input::Text("Ringing")),
        ],
        project,
    )
    .unwrap()
    .into_item(project, Timestamp::now());
    store.create(&item).await.unwrap();
    call_log_item::local_stream::settle(&store).await.unwrap();
    // Drift: the project's counter one too high.
    one_too_many(&client, &tables.items, project, &Scope::Project).await;
    let first = store.verify_counts(Some(project)).await.unwrap();
    let second = store.verify_counts(Some(project)).await.unwrap();
    assert_eq!(first.drift.len(), 1, "{:?}", first.differences);
    // A write the tally applies between the verifications and the repair: the counter moved,
    // so the repair (which read 2) must not apply its -1 to the new value.
    let mut other = item.clone();
    other.id = ObjectId::new_v7(Timestamp::now());
    store.create(&other).await.unwrap();
    call_log_item::local_stream::settle(&store).await.unwrap();
    let repaired = store.repair_drift(&first, &second).await.unwrap();
    assert_eq!((repaired.fixed, repaired.skipped), (0, 1));
    let after = store.verify_counts(Some(project)).await.unwrap();
    assert_eq!(
        after.differences.len(),
        1,
        "still drifted by one, not by more: {:?}",
        after.differences
    );
    assert!(
        after.differences[0].contains(": 3, but 2 items"),
        "{:?}",
        after.differences
    );
}
