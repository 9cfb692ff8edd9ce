//! Races (SPEC §5, §8): If-Match lets exactly one of many writers win per version; a delete
//! racing updates never leaves a resurrected item behind; counts stay exact.

use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn of_concurrent_if_match_updates_exactly_one_wins_per_version() {
    let app = TestApp::spawn().await;
    let id = app.create_id(&random_id(), json!({})).await;
    let path = format!("/api/incoming-call-log-item/{id}");
    for version in 1..=3 {
        let bodies: Vec<String> = (0..8)
            .map(|writer| {
                json!({"data": {"statusMessage": format!("writer {writer} at {version}")}})
                    .to_string()
            })
            .collect();
        let version_text = version.to_string();
        let attempts = bodies.iter().map(|body| {
            let headers = [
                ("ApiKey", app.key.as_str()),
                ("If-Match", version_text.as_str()),
            ];
            let path = path.clone();
            let app = &app;
            async move { app.send("PUT", &path, &headers, Some(body)).await }
        });
        let responses = join_all(attempts.collect()).await;
        let winners: Vec<usize> = responses
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == 200)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "version {version}: {:?}",
            responses.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert!(responses.iter().all(|r| r.status == 200 || r.status == 412));
        let item = app.get_item(&id, None).await.body;
        assert_eq!(item["version"], version + 1);
        assert_eq!(
            item["statusMessage"],
            format!("writer {} at {version}", winners[0]),
            "the winner's write, and only it"
        );
    }
}

#[tokio::test]
async fn a_delete_racing_updates_never_resurrects_the_item() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    for round in 0..6 {
        let id = app.create_id(&call_log, json!({})).await;
        let updates = (0..4).map(|n| {
            let app = &app;
            let id = id.clone();
            async move {
                app.update(
                    &id,
                    json!({"data": {"statusMessage": format!("update {n}")}}),
                )
                .await
                .status
            }
        });
        let delete = async { app.delete(&id).await.status };
        let (deleted, updated) = tokio::join!(delete, join_all(updates.collect()));
        assert_eq!(deleted, 200, "round {round}");
        assert!(
            updated.iter().all(|s| *s == 200 || *s == 404),
            "round {round}: {updated:?}"
        );
        app.get_item(&id, None).await.status(404);
    }
    assert_eq!(app.count(None).await.body["count"], 0);
    assert_eq!(
        app.count(Some(json!({"query": {"incomingCallLogId": call_log}})))
            .await
            .body["count"],
        0
    );
    assert!(app.all_items().await.is_empty());
}

#[tokio::test]
async fn concurrent_deletes_of_one_item_count_it_once() {
    let app = TestApp::spawn().await;
    let call_log = random_id();
    let id = app.create_id(&call_log, json!({})).await;
    app.create_item(&call_log, json!({})).await;
    let deletes = (0..6).map(|_| {
        let app = &app;
        let id = id.clone();
        async move { app.delete(&id).await.status }
    });
    let statuses = join_all(deletes.collect()).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses.iter().all(|s| *s == 200 || *s == 404));
    assert_eq!(app.count(None).await.body["count"], 1);
    assert_eq!(
        app.count(Some(json!({"query": {"incomingCallLogId": call_log}})))
            .await
            .body["count"],
        1
    );
}

/// Runs the futures concurrently on this task; their outputs in order.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}

#[tokio::test]
async fn a_status_update_between_a_deletes_read_and_its_write_leaves_every_count_exact() {
    // Forced through the fault injector: the delete's write waits until a status update has
    // moved the item from Ringing to Completed. The counts follow the stream's images, so the
    // delete uncounts what it removed.
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    let id = app.create_id(&log, json!({"status": "Ringing"})).await;
    let held = faults.hold_next("TransactWriteItems");
    let deleter = app.with_payload(app.payload);
    let path = id.clone();
    let delete = tokio::spawn(async move { deleter.delete(&path).await });
    held.reached().await;
    app.update(&id, json!({"data": {"status": "Completed"}}))
        .await
        .status(200);
    faults.release_held();
    delete.await.unwrap().status(200);
    app.get_item(&id, None).await.status(404);
    for query in [
        json!({}),
        json!({"status": "Ringing"}),
        json!({"status": "Completed"}),
        json!({"incomingCallLogId": log, "status": "Completed"}),
    ] {
        let counted = app.count(Some(json!({ "query": query }))).await;
        assert_eq!(counted.body["count"], 0, "{query}: {}", counted.body);
    }
    let listed = app
        .list("", Some(json!({"query": {"status": "Completed"}})))
        .await;
    assert_eq!(listed.body["data"], json!([]), "no entry left behind");
}

/// Counts of `app`'s project for these queries, in order.
async fn counts(app: &TestApp, queries: &[serde_json::Value]) -> Vec<u64> {
    let mut counted = Vec::new();
    for query in queries {
        let answer = app.count(Some(json!({ "query": query }))).await;
        counted.push(answer.body["count"].as_u64().expect("a count"));
    }
    counted
}

#[tokio::test]
async fn a_delete_between_a_status_updates_read_and_its_write_leaves_every_count_exact() {
    // The neighbour of the race above: the update is sent, the delete lands, then the update
    // (held by the injector until then) meets an item that is gone: 404, and nothing is
    // counted twice or left behind.
    let (app, faults) = TestApp::with_faults().await;
    let id = app
        .create_id(&random_id(), json!({"status": "Ringing"}))
        .await;
    let held = faults.hold_next("UpdateItem");
    let updater = app.with_payload(app.payload);
    let path = id.clone();
    let update = tokio::spawn(async move {
        updater
            .update(&path, json!({"data": {"status": "Completed"}}))
            .await
    });
    held.reached().await;
    app.delete(&id).await.status(200);
    faults.release_held();
    update.await.unwrap().status(404);
    let queries = [
        json!({}),
        json!({"status": "Ringing"}),
        json!({"status": "Completed"}),
    ];
    assert_eq!(counts(&app, &queries).await, [0, 0, 0]);
}

#[tokio::test]
async fn two_status_updates_racing_count_the_item_once_under_the_last() {
    // The first update is held by the injector while the second lands; then the first applies
    // on top: the item is counted once, under the status written last.
    let (app, faults) = TestApp::with_faults().await;
    let id = app
        .create_id(&random_id(), json!({"status": "Ringing"}))
        .await;
    let held = faults.hold_next("UpdateItem");
    let second = app.with_payload(app.payload);
    let path = id.clone();
    let later = tokio::spawn(async move {
        second
            .update(&path, json!({"data": {"status": "NoAnswer"}}))
            .await
    });
    held.reached().await;
    app.update(&id, json!({"data": {"status": "Completed"}}))
        .await
        .status(200);
    faults.release_held();
    later.await.unwrap().status(200);
    let item = app.get_item(&id, None).await.body;
    assert_eq!(
        (item["status"].as_str(), item["version"].as_i64()),
        (Some("NoAnswer"), Some(3))
    );
    let queries = [
        json!({}),
        json!({"status": "Ringing"}),
        json!({"status": "Completed"}),
        json!({"status": "NoAnswer"}),
    ];
    assert_eq!(counts(&app, &queries).await, [1, 0, 0, 1]);
}

#[tokio::test]
async fn an_incident_burst_in_one_project_is_all_200_and_its_counts_exact() {
    // An incident pages a whole team: 100 creates at once in one project, then a status update
    // of each, then a delete of each, with the injector modelling DynamoDB's transaction
    // locking (a transaction holds what it touches for 20 ms; an overlapping write is
    // refused). No request writes an item another request writes: every one answers 200, and
    // once the stream is tallied every count equals a walk of the items.
    let (app, faults) = TestApp::with_faults().await;
    faults.transaction_locking(
        std::time::Duration::from_millis(20),
        &["projectId", "_id", "keyHash"],
    );
    let logs: Vec<String> = (0..4).map(|_| random_id()).collect();
    let users: Vec<String> = (0..8).map(|_| random_id()).collect();
    // The requests do not wait for the tally between them: it lags, as on AWS.
    let mut burst = app.with_payload(app.payload);
    burst.settles = false;
    let burst = &burst;
    let creates = (0..100).map(|n| {
        let data = json!({
            "incomingCallLogId": logs[n % logs.len()],
            "userId": users[n % users.len()],
            "status": "Ringing",
        });
        async move { burst.create(data).await }
    });
    let created = join_all(creates.collect()).await;
    let statuses: Vec<u16> = created.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let ids: Vec<String> = created
        .iter()
        .map(|r| r.body["_id"].as_str().unwrap().to_string())
        .collect();
    let per_user = |user: &str| json!({"userId": user});
    assert_eq!(
        counts(&app, &[json!({}), json!({"status": "Ringing"})]).await,
        [100, 100]
    );
    for (i, user) in users.iter().enumerate() {
        let expected = (0..100).filter(|n| n % users.len() == i).count() as u64;
        assert_eq!(counts(&app, &[per_user(user)]).await, [expected]);
    }
    for log in &logs {
        let query = json!({"incomingCallLogId": log, "status": "Ringing"});
        assert_eq!(counts(&app, &[query]).await, [25]);
    }

    let updates = ids.iter().map(|id| async move {
        burst
            .update(
                id,
                json!({"data": {"status": "Completed", "isAnswered": true}}),
            )
            .await
            .status
    });
    let statuses = join_all(updates.collect()).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let queries = [
        json!({}),
        json!({"status": "Ringing"}),
        json!({"status": "Completed"}),
        json!({"isAnswered": true}),
    ];
    assert_eq!(counts(&app, &queries).await, [100, 0, 100, 100]);

    let deletes = ids
        .iter()
        .map(|id| async move { burst.delete(id).await.status });
    let statuses = join_all(deletes.collect()).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(counts(&app, &queries).await, [0, 0, 0, 0]);
    let listed = app
        .list("", Some(json!({"query": {"status": "Completed"}})))
        .await;
    assert_eq!(listed.body["data"], json!([]), "no entry left behind");
    faults.transaction_locking(std::time::Duration::ZERO, &["projectId", "_id", "keyHash"]);
}
