//! The tally against the local engine, fed hand-made stream records of a project of its own: a
//! batch Lambda retries whole, or splits and retries after part of it was written, is counted
//! once; a project's values past what its counter item holds are counted in items of their own;
//! every count reads right and the project's counter item stays under 1 KB (one write unit).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::model::{Field, Item, ObjectId};
use call_log_item::query::{Condition, Filter, Operator, Scalar};
use call_log_item::store::contract::sample_item;
use call_log_item::store::dynamo::layout::{
    counter_key, to_attributes, Scope, ITEM_COUNT, TALLIED,
};
use call_log_item::store::dynamo::StreamRecord;
use call_log_item::store::ItemQueries;

use super::helpers::{dynamo_store, tables};

/// A stream image of `item` as the API writes it (marked tallied).
pub(crate) fn image(item: &Item) -> HashMap<String, AttributeValue> {
    let mut attributes = to_attributes(item);
    attributes.insert(TALLIED.to_string(), AttributeValue::N("1".into()));
    attributes
}

fn created(sequence: u64, item: &Item) -> StreamRecord {
    StreamRecord {
        sequence: sequence.to_string(),
        old: None,
        new: Some(image(item)),
    }
}

fn equal(field: Field, value: Scalar) -> Filter {
    Filter {
        conditions: vec![Condition::Field {
            field,
            operator: Operator::EqualTo(value),
        }],
    }
}

/// The project's count and each item's user's and rule's.
async fn counts(store: &call_log_item::store::DynamoStore, items: &[Item]) -> Vec<u64> {
    let project = items[0].project_id;
    let mut counts = vec![store.count(project, &Filter::default()).await.unwrap()];
    for item in items {
        for (field, id) in [
            (Field::UserId, item.user_id),
            (
                Field::IncomingCallPolicyEscalationRuleId,
                item.incoming_call_policy_escalation_rule_id,
            ),
        ] {
            let filter = equal(field, Scalar::Id(id.unwrap()));
            counts.push(store.count(project, &filter).await.unwrap());
        }
    }
    counts
}

#[tokio::test]
async fn a_retried_or_split_batch_is_counted_once_wherever_its_values_are_kept() {
    let store = dynamo_store().await;
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    // 30 items, each with a user and a rule of its own: 60 values, more than the project's
    // counter item holds.
    let items: Vec<Item> = (0..30)
        .map(|_| {
            let mut item = sample_item(project, "Ringing");
            item.user_id = Some(ObjectId::from_uuid(uuid::Uuid::new_v4()));
            item.incoming_call_policy_escalation_rule_id =
                Some(ObjectId::from_uuid(uuid::Uuid::new_v4()));
            item
        })
        .collect();
    let records: Vec<StreamRecord> = items
        .iter()
        .enumerate()
        .map(|(n, item)| created(1000 + n as u64, item))
        .collect();
    let exact: Vec<u64> = std::iter::once(30).chain(vec![1; 60]).collect();

    // The first 20, then the batch again whole (Lambda's retry after a timeout), then its
    // halves with the last 10 (a split after a failure): each record counted once.
    let first = store.tally(&records[..20]).await.unwrap();
    assert_eq!(first.steps_skipped, 0);
    let again = store.tally(&records[..20]).await.unwrap();
    assert_eq!(
        again.counters, 0,
        "a batch seen again moves nothing: {again:?}"
    );
    assert!(again.steps_skipped > 0);
    store.tally(&records[10..30]).await.unwrap();
    store.tally(&records[25..]).await.unwrap();
    assert_eq!(counts(&store, &items).await, exact);

    // Some values are folded into the project's counter item, the rest counted apart; the
    // item stays under 1 KB.
    let (config, client) = tables().await;
    let project_item = client
        .get_item()
        .table_name(&config.items_table)
        .set_key(Some(counter_key(project, &Scope::Project)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let size: usize = project_item
        .iter()
        .map(|(name, value)| {
            name.len()
                + match value {
                    AttributeValue::S(text) | AttributeValue::N(text) => text.len(),
                    _ => 1,
                }
        })
        .sum();
    assert!(size < 1024, "{size} bytes: {project_item:?}");
    let folded = project_item
        .keys()
        .filter(|name| name.contains('='))
        .count();
    assert!(folded > 10 && folded < 61, "{folded} values folded");
    let apart = client
        .get_item()
        .table_name(&config.items_table)
        .set_key(Some(counter_key(
            project,
            &Scope::Value(call_log_item::query::Tally {
                field: Field::IncomingCallPolicyEscalationRuleId,
                value: items[29]
                    .incoming_call_policy_escalation_rule_id
                    .map(|id| id.to_string()),
            }),
        )))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(apart.get(ITEM_COUNT), Some(&AttributeValue::N("1".into())));

    // Deletes: every count back to 0, folded or apart, and once only.
    let deletes: Vec<StreamRecord> = items
        .iter()
        .enumerate()
        .map(|(n, item)| StreamRecord {
            sequence: (2000 + n as u64).to_string(),
            old: Some(image(item)),
            new: None,
        })
        .collect();
    store.tally(&deletes).await.unwrap();
    store.tally(&deletes[5..]).await.unwrap();
    assert_eq!(counts(&store, &items).await, vec![0; 61]);
}
