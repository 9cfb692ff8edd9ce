//! `call-log-admin verify-counts` against the local engine: a project whose counts and index
//! entries agree with its items passes; a counter off by one, a missing entry and a stray one
//! are each reported, with exit status 1.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::model::{Field, FieldValue, Input, NewItem, ObjectId, Timestamp};
use call_log_item::query::Tally;
use call_log_item::store::dynamo::{counter_key, entry_key, Scope, ITEM_COUNT};
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
    client
        .update_item()
        .table_name(&tables.items)
        .set_key(Some(counter_key(project, &Scope::Value(ringing.clone()))))
        .update_expression("ADD #count :one")
        .expression_attribute_names("#count", ITEM_COUNT)
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .send()
        .await
        .unwrap();
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
}
