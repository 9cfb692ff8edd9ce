//! `call-log-admin backfill` against the local engine: items written before counts and indexes
//! by value existed (the old way: the item and the project's and call log's counters only)
//! are marked, and the stream gives them both, exactly, resuming from a checkpoint; a second
//! run changes nothing.

mod common;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use call_log_item::model::{Field, Input, Item, NewItem, ObjectId, Timestamp};
use call_log_item::query::{Condition, Direction, Filter, Operator, Scalar};
use call_log_item::store::dynamo::key_to_text;
use call_log_item::store::dynamo::layout::{counter_key, to_attributes, Scope, ITEM_COUNT};
use call_log_item::store::{DynamoStore, ItemQueries, ItemWrites, Start};

fn backfill(args: &[&str]) -> String {
    let mut command = common::admin_command();
    let output = command.arg("backfill").args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn item(project: ObjectId, log: &str, n: usize, users: &[String]) -> Item {
    let statuses = ["Ringing", "Completed", "Busy"];
    let at = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let user = users[n % users.len()].as_str();
    let mut sent = vec![
        (Field::IncomingCallLogId, Input::Text(log)),
        (Field::Status, Input::Text(statuses[n % 3])),
        (Field::IsAnswered, Input::Boolean(n.is_multiple_of(2))),
    ];
    if !n.is_multiple_of(4) {
        sent.push((Field::UserId, Input::Text(user)));
    }
    NewItem::parse(&sent, project)
        .unwrap()
        .into_item(project, at.plus_millis(n as i64))
}

/// Writes an item as the code before counts by value did: the item and its project's counter
/// (and its call log's, which nothing reads any more).
async fn write_the_old_way(client: &aws_sdk_dynamodb::Client, table: &str, item: &Item) {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(to_attributes(item)))
        .build()
        .unwrap();
    let count = |scope| {
        let add = Update::builder()
            .table_name(table)
            .set_key(Some(counter_key(item.project_id, &scope)))
            .update_expression("ADD #count :one")
            .expression_attribute_names("#count", ITEM_COUNT)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .build()
            .unwrap();
        TransactWriteItem::builder().update(add).build()
    };
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(count(Scope::Project))
        .send()
        .await
        .unwrap();
}

fn equal(field: Field, scalar: Scalar) -> Filter {
    Filter {
        conditions: vec![Condition::Field {
            field,
            operator: Operator::EqualTo(scalar),
        }],
    }
}

/// Every count and first page by value agrees with the items.
async fn check(store: &DynamoStore, project: ObjectId, items: &[Item]) {
    let mut filters = vec![
        equal(Field::Status, Scalar::Text("Ringing".into())),
        equal(Field::Status, Scalar::Text("Busy".into())),
        equal(Field::IsAnswered, Scalar::Boolean(true)),
        Filter {
            conditions: vec![Condition::Field {
                field: Field::UserId,
                operator: Operator::IsNull,
            }],
        },
    ];
    for user in items.iter().filter_map(|item| item.user_id) {
        filters.push(equal(Field::UserId, Scalar::Id(user)));
    }
    for filter in filters {
        let mut expected: Vec<ObjectId> = items
            .iter()
            .filter(|item| filter.matches(item))
            .map(|item| item.id)
            .collect();
        let count = store.count(project, &filter).await.unwrap();
        assert_eq!(count, expected.len() as u64, "{filter:?}");
        expected.reverse();
        let page = store
            .page(project, &filter, Direction::Descending, Start::Skip(0), 100)
            .await
            .unwrap();
        let listed: Vec<ObjectId> = page.iter().map(|item| item.id).collect();
        assert_eq!(listed, expected, "{filter:?}");
    }
}

#[tokio::test]
async fn old_items_get_their_counts_and_indexes_exactly_once() {
    let (tables, client, store) = common::items_table().await;
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let log = uuid::Uuid::new_v4().to_string();
    let users: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut items = Vec::new();
    for n in 0..24 {
        let item = item(project, &log, n, &users);
        write_the_old_way(&client, &tables.items, &item).await;
        items.push(item);
    }
    // Those were written before the stream was tallied: the tally starts after them.
    call_log_item::local_stream::settle_from_now(&store)
        .await
        .unwrap();
    // Written by this version meanwhile: counted and indexed from the stream.
    for n in 24..28 {
        let item = item(project, &log, n, &users);
        store.create(&item).await.unwrap();
        items.push(item);
    }

    // One page by hand, as an interrupted run leaves it, then the command resumes.
    let first = store.backfill_page(None, 5).await.unwrap();
    let checkpoint = std::env::temp_dir().join(format!("backfill-{project}.checkpoint"));
    std::fs::write(&checkpoint, key_to_text(&first.next.expect("more pages"))).unwrap();
    let path = checkpoint.to_str().unwrap();
    let output = backfill(&["--checkpoint", path, "--page", "100"]);
    assert!(output.contains("resuming"), "{output}");
    assert!(output.contains("done"), "{output}");
    assert!(!checkpoint.exists(), "the checkpoint is removed when done");
    call_log_item::local_stream::settle(&store).await.unwrap();
    check(&store, project, &items).await;

    // Safe to run twice: nothing is counted again.
    backfill(&["--checkpoint", path]);
    call_log_item::local_stream::settle(&store).await.unwrap();
    check(&store, project, &items).await;
    assert_eq!(
        store.count(project, &Filter::default()).await.unwrap(),
        items.len() as u64
    );
}
