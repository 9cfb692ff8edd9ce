//! Many items: exact counts, pages in key order from a skip or an id, filters, call logs.

use super::{create_in_order, ids, in_call_log, random_id, status_is, Tested};
use crate::model::Field;
use crate::query::{Condition, Direction, Filter, Operator, Scalar, Sort, TextMatch};
use crate::store::Start;

pub async fn counts_are_exact_per_project_call_log_and_filter(store: &impl Tested) {
    let (project, log_a, log_b) = (random_id(), random_id(), random_id());
    create_in_order(store, project, log_a, &["Ringing", "Busy", "Ringing"]).await;
    create_in_order(store, project, log_b, &["Ringing"]).await;
    create_in_order(store, random_id(), log_a, &["Ringing"]).await;
    assert_eq!(store.count(project, &Filter::default()).await.unwrap(), 4);
    assert_eq!(store.count(project, &in_call_log(log_a)).await.unwrap(), 3);
    assert_eq!(store.count(project, &in_call_log(log_b)).await.unwrap(), 1);
    assert_eq!(
        store.count(project, &status_is("Ringing")).await.unwrap(),
        3
    );
    let mut both = in_call_log(log_a);
    both.conditions.extend(status_is("Ringing").conditions);
    assert_eq!(store.count(project, &both).await.unwrap(), 2);
    assert_eq!(
        store.count(random_id(), &Filter::default()).await.unwrap(),
        0
    );
}

pub async fn pages_come_in_key_order_either_way(store: &impl Tested) {
    let project = random_id();
    let items = create_in_order(store, project, random_id(), &["a", "b", "c", "d", "e"]).await;
    let all = Filter::default();
    let newest = store
        .page(project, &all, Direction::Descending, Start::Skip(0), 3)
        .await
        .unwrap();
    let expected: Vec<_> = ids(&items).into_iter().rev().take(3).collect();
    assert_eq!(ids(&newest), expected);
    let oldest = store
        .page(project, &all, Direction::Ascending, Start::Skip(0), 10)
        .await
        .unwrap();
    assert_eq!(oldest, items);
}

pub async fn a_page_starts_after_a_skip_or_an_id(store: &impl Tested) {
    let project = random_id();
    let items = create_in_order(store, project, random_id(), &["a", "b", "c", "d", "e"]).await;
    let all = Filter::default();
    let skipped = store
        .page(project, &all, Direction::Ascending, Start::Skip(2), 2)
        .await
        .unwrap();
    assert_eq!(ids(&skipped), ids(&items[2..4]));
    let after = store
        .page(
            project,
            &all,
            Direction::Ascending,
            Start::After(items[1].id),
            2,
        )
        .await
        .unwrap();
    assert_eq!(ids(&after), ids(&items[2..4]));
    let before = store
        .page(
            project,
            &all,
            Direction::Descending,
            Start::After(items[3].id),
            10,
        )
        .await
        .unwrap();
    assert_eq!(ids(&before), vec![items[2].id, items[1].id, items[0].id]);
    let past_the_end = store
        .page(project, &all, Direction::Ascending, Start::Skip(9), 2)
        .await
        .unwrap();
    assert!(past_the_end.is_empty());
}

pub async fn a_page_continues_after_an_item_deleted_since(store: &impl Tested) {
    let project = random_id();
    let items = create_in_order(store, project, random_id(), &["a", "b", "c", "d"]).await;
    store.delete(project, items[1].id, None).await.unwrap();
    store.settle().await;
    let after = store
        .page(
            project,
            &Filter::default(),
            Direction::Ascending,
            Start::After(items[1].id),
            10,
        )
        .await
        .unwrap();
    assert_eq!(ids(&after), ids(&items[2..]));
}

pub async fn filtered_pages_hold_only_matches_in_order(store: &impl Tested) {
    let project = random_id();
    let statuses = ["Ringing", "Busy", "Ringing", "Completed", "Ringing", "Busy"];
    let items = create_in_order(store, project, random_id(), &statuses).await;
    let ringing: Vec<_> = items
        .iter()
        .filter(|item| item.status.as_str() == "Ringing")
        .map(|item| item.id)
        .collect();
    // Equality DynamoDB evaluates itself.
    let page = store
        .page(
            project,
            &status_is("Ringing"),
            Direction::Ascending,
            Start::Skip(1),
            5,
        )
        .await
        .unwrap();
    assert_eq!(ids(&page), ringing[1..].to_vec());
    // A text operator only the function evaluates.
    let busy = Filter {
        conditions: vec![Condition::Field {
            field: Field::Status,
            operator: Operator::Text(TextMatch::StartsWith, "bu".into()),
        }],
    };
    let page = store
        .page(project, &busy, Direction::Descending, Start::Skip(0), 5)
        .await
        .unwrap();
    assert_eq!(ids(&page), vec![items[5].id, items[1].id]);
    assert_eq!(store.count(project, &busy).await.unwrap(), 2);
}

pub async fn a_call_logs_page_holds_only_its_items(store: &impl Tested) {
    let (project, log_a, log_b) = (random_id(), random_id(), random_id());
    let a = create_in_order(store, project, log_a, &["a1", "a2", "a3"]).await;
    create_in_order(store, project, log_b, &["b1"]).await;
    let page = store
        .page(
            project,
            &in_call_log(log_a),
            Direction::Descending,
            Start::Skip(0),
            2,
        )
        .await
        .unwrap();
    assert_eq!(ids(&page), vec![a[2].id, a[1].id]);
    let rest = store
        .page(
            project,
            &in_call_log(log_a),
            Direction::Descending,
            Start::After(a[1].id),
            2,
        )
        .await
        .unwrap();
    assert_eq!(ids(&rest), vec![a[0].id]);
}

pub async fn a_sorted_window_holds_the_first_matches_and_counts_all(store: &impl Tested) {
    let project = random_id();
    let items = create_in_order(store, project, random_id(), &["c", "x", "a", "x", "b", "d"]).await;
    create_in_order(store, random_id(), random_id(), &["a"]).await;
    let sort = Sort::new(vec![(Field::Status, Direction::Ascending)]);
    let not_x = Filter {
        conditions: vec![Condition::Field {
            field: Field::Status,
            operator: Operator::NotEqual(Scalar::Text("x".into())),
        }],
    };
    let (count, first) = store
        .sorted_window(project, &not_x, &sort, None, 2)
        .await
        .unwrap();
    assert_eq!(count, 4);
    assert_eq!(ids(&first), vec![items[2].id, items[4].id]);
    let mark = sort.mark_of(&first[1]);
    let (count, rest) = store
        .sorted_window(project, &not_x, &sort, Some(&mark), 10)
        .await
        .unwrap();
    assert_eq!(count, 4);
    assert_eq!(ids(&rest), vec![items[0].id, items[5].id]);
}
