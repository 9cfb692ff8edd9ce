//! What the CLI's test files share.

use std::process::Command;

use call_log_item::config::{dynamodb_client, Tables};
use call_log_item::store::dynamo::create_items_table;
use call_log_item::store::DynamoStore;

/// `call-log-admin`, with a region and credentials for the local engine unless the environment
/// has its own.
pub fn admin_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_call-log-admin"));
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ] {
        if std::env::var_os(name).is_none() {
            command.env(name, value);
        }
    }
    command
}

static STREAM_FROM_NOW: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// The tables `make test` names, the items table created, a client and the store on them.
#[allow(dead_code)] // not every test binary uses it
pub async fn items_table() -> (Tables, aws_sdk_dynamodb::Client, DynamoStore) {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`"
    );
    let tables = Tables::from_env();
    let client = dynamodb_client().await.unwrap();
    create_items_table(&client, &tables.items).await.unwrap();
    let store = DynamoStore::new(client.clone(), &tables.items, &tables.keys);
    // This binary tallies its own writes; earlier binaries tallied theirs. Once per process:
    // a later call would skip what another test of the binary wrote meanwhile.
    STREAM_FROM_NOW
        .get_or_init(|| async {
            call_log_item::local_stream::settle_from_now(&store)
                .await
                .unwrap()
        })
        .await;
    (tables, client, store)
}
