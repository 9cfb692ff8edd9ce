//! The operator CLI against the local engine (`make test` sets `AWS_ENDPOINT_URL_DYNAMODB`):
//! idempotent table creation, a key alone on stdout, listing without plain keys, revocation.

mod common;

use std::process::{Command, Output};

fn admin(args: &[&str]) -> Output {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`"
    );
    let mut command = common::admin_command();
    command.args(args).output().expect("call-log-admin runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn the_key_lifecycle_works_end_to_end() {
    // Twice: the second run finds the tables and succeeds too.
    for _ in 0..2 {
        let output = admin(&["create-tables"]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let project = uuid::Uuid::new_v4().to_string();
    let output = admin(&[
        "create-key",
        "--project",
        &project,
        "--permission",
        "ProjectMember",
        "--permission",
        "Read Incoming Call Log Item",
        "--expires-in-days",
        "30",
        "--name",
        "ci",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "stdout is the key alone: {printed:?}");
    let key = lines[0];
    assert!(call_log_item::auth::api_key::is_well_formed(key), "{key}");

    let listed = admin(&["list-keys", "--project", &project]);
    assert!(listed.status.success());
    let listing = stdout(&listed) + &String::from_utf8_lossy(&listed.stderr);
    assert!(
        !listing.contains(key),
        "list-keys must never print a plain key"
    );
    assert!(listing.contains(&call_log_item::auth::api_key::hash(key)));
    assert!(listing.contains("ProjectMember,ReadIncomingCallLogItem"));
    assert!(listing.contains("active"));

    let verified = admin(&["verify-key", key]);
    assert!(verified.status.success());
    assert!(String::from_utf8_lossy(&verified.stderr).contains(&project));

    assert!(admin(&["revoke-key", key]).status.success());
    assert!(
        !admin(&["verify-key", key]).status.success(),
        "a revoked key no longer verifies"
    );
    assert!(stdout(&admin(&["list-keys", "--project", &project])).contains("revoked"));
    assert!(
        !admin(&["revoke-key", &call_log_item::auth::api_key::generate()])
            .status
            .success()
    );
}

#[test]
fn bad_arguments_are_refused_with_a_message() {
    for args in [
        vec![
            "create-key",
            "--project",
            "not-a-uuid",
            "--permission",
            "ProjectAdmin",
        ],
        vec![
            "create-key",
            "--project",
            "550e8400-e29b-41d4-a716-446655440000",
            "--permission",
            "Root",
        ],
        vec!["revoke-key", "nonsense"],
    ] {
        let output = admin(&args);
        assert!(!output.status.success(), "{args:?}");
        assert!(!output.stderr.is_empty());
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// The CLI with no endpoint override, as an operator's shell pointed at real AWS would run it.
fn admin_against_aws(args: &[&str], tables: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_call-log-admin"));
    command
        .env_remove("AWS_ENDPOINT_URL_DYNAMODB")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("ITEMS_TABLE")
        .env_remove("API_KEYS_TABLE")
        // Nowhere to reach: the refusal must come before any call.
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "none")
        .env("AWS_SECRET_ACCESS_KEY", "none")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, value) in tables {
        command.env(name, value);
    }
    command.args(args).output().expect("call-log-admin runs")
}

#[test]
fn against_aws_the_tables_must_be_named() {
    for tables in [
        &[][..],
        &[("ITEMS_TABLE", "prod-ItemsTable-1ABC")][..],
        &[("API_KEYS_TABLE", "prod-ApiKeysTable-1ABC")][..],
        &[("ITEMS_TABLE", " "), ("API_KEYS_TABLE", "")][..],
    ] {
        let output = admin_against_aws(
            &["list-keys", "--project", &uuid::Uuid::new_v4().to_string()],
            tables,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{tables:?}: {stderr}");
        assert!(stderr.contains("--items-table"), "{stderr}");
        assert!(stderr.contains("ItemsTableName"), "{stderr}");
    }
}
