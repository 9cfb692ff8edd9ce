//! `call-log-admin`: the operator's command line. Creates the tables and mints, lists and
//! revokes API keys, against the local engine or real AWS, from the same environment the
//! functions read (`ITEMS_TABLE`, `API_KEYS_TABLE`, `AWS_*`).
//!
//! Against real AWS (no `AWS_ENDPOINT_URL_DYNAMODB`) the tables must be named: a default name
//! there would mint keys into, or count from, a table no stack reads.
//!
//! `create-key` prints the plain key alone on stdout; everything else goes to stderr.

use std::process::ExitCode;

use call_log_item::auth::{api_key, mint_key, Authenticator};
use call_log_item::config::{client_from, endpoint_override, sdk_config, Tables};
use call_log_item::model::{ObjectId, Permission, Timestamp};
use call_log_item::store::dynamo::{
    create_items_table, create_keys_table, key_from_text, key_to_text, StreamPoller, TableOutcome,
};
use call_log_item::store::{DynamoStore, KeyAdmin};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "call-log-admin",
    version,
    about = "Operate the Incoming Call Log Item API's tables and API keys"
)]
struct Cli {
    /// The items table (the stack's `ItemsTableName` output). Required against AWS.
    #[arg(long, global = true, env = "ITEMS_TABLE", hide_env_values = true)]
    items_table: Option<String>,
    /// The API-keys table (the stack's `ApiKeysTableName` output). Required against AWS.
    #[arg(long, global = true, env = "API_KEYS_TABLE", hide_env_values = true)]
    keys_table: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// The tables to work on: both named, or, against a local engine only, the local defaults.
fn tables(items: Option<String>, keys: Option<String>) -> Result<Tables, String> {
    let named = |name: Option<String>| name.filter(|name| !name.trim().is_empty());
    match (named(items), named(keys)) {
        (Some(items), Some(keys)) => Ok(Tables { items, keys }),
        (items, keys) if endpoint_override().is_some() => {
            let defaults = Tables::from_env();
            Ok(Tables {
                items: items.unwrap_or(defaults.items),
                keys: keys.unwrap_or(defaults.keys),
            })
        }
        _ => Err(
            "against AWS, name both tables of the stack: --items-table and --keys-table \
                  (or ITEMS_TABLE and API_KEYS_TABLE). The stack's outputs ItemsTableName and \
                  ApiKeysTableName give them: aws cloudformation describe-stacks --stack-name \
                  <stack> --query 'Stacks[0].Outputs'"
                .into(),
        ),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Create the items and API-keys tables if missing, and wait until they are active.
    CreateTables,
    /// Mint an API key for a project; prints the plain key (once) on stdout.
    CreateKey {
        /// The project the key reaches (a UUID).
        #[arg(long, value_parser = parse_project)]
        project: ObjectId,
        /// A permission: ProjectOwner, ProjectAdmin, ProjectMember, ReadIncomingCallLogItem,
        /// ReadAllProjectResources. Repeat for several.
        #[arg(long = "permission", value_parser = parse_permission)]
        permissions: Vec<Permission>,
        /// Days until the key expires; without it the key does not expire.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36500))]
        expires_in_days: Option<u32>,
        /// A label to recognise the key by in list-keys.
        #[arg(long)]
        name: Option<String>,
    },
    /// Revoke a key, given the plain key or the hash list-keys shows.
    RevokeKey { key: String },
    /// Check a key as the API would: prints its project and permissions, exits 1 if invalid.
    VerifyKey { key: String },
    /// List a project's keys (hashes, never plain keys).
    ListKeys {
        #[arg(long, value_parser = parse_project)]
        project: ObjectId,
    },
    /// Give items written before counts and indexes by value existed their counts and index
    /// entries. Safe while the API runs and safe to run twice; resumes from its checkpoint.
    Backfill {
        /// Where the last finished page is kept; deleted when the table is done.
        #[arg(long, default_value = "call-log-backfill.checkpoint")]
        checkpoint: std::path::PathBuf,
        /// Table entries read per page.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(i32).range(1..=1000))]
        page: i32,
    },
    /// Check every count and index entry by value against the items (of one project, or of
    /// all): prints each difference on stdout and exits 1 if there is any. Reads the whole
    /// table; a write landing meanwhile can show as a difference that the next run no longer
    /// finds.
    VerifyCounts {
        #[arg(long, value_parser = parse_project)]
        project: Option<ObjectId>,
        /// Fix the differences: verify again after `--wait-seconds`, fix each difference both
        /// runs found alike (each fix conditional on what was read, safe while the API
        /// writes), then verify once more. Exits 1 if differences remain.
        #[arg(long)]
        repair: bool,
        /// Seconds between the two verifications of a repair: longer than the stream's lag.
        #[arg(long, default_value_t = 10.0)]
        wait_seconds: f64,
    },
    /// Read the items table's stream and tally it, as the `tally` function does on AWS behind
    /// its event source mapping: the local stand-in `make dev` and `make test` run. Never stops
    /// by itself.
    FollowStream {
        /// Start after the stream's latest record instead of its oldest (records already
        /// there were tallied by someone else).
        #[arg(long)]
        from_now: bool,
        /// Milliseconds between two reads of a stream with nothing new.
        #[arg(long, default_value_t = 100)]
        interval_ms: u64,
    },
}

fn parse_project(text: &str) -> Result<ObjectId, String> {
    ObjectId::parse(text)
}

fn parse_permission(text: &str) -> Result<Permission, String> {
    Permission::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Permission::ALL.iter().map(|p| p.code()).collect();
        format!("unknown permission; use one of: {}", names.join(", "))
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let tables = match tables(cli.items_table, cli.keys_table) {
        Ok(tables) => tables,
        Err(problem) => {
            eprintln!("call-log-admin: {problem}");
            return ExitCode::from(2);
        }
    };
    match run(&tables, cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("call-log-admin: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(tables: &Tables, command: Command) -> Result<(), String> {
    // One SDK configuration for the DynamoDB client and, for follow-stream, the Streams one.
    let shared = sdk_config().await?;
    let client = client_from(&shared);
    let keys = DynamoStore::new(client.clone(), &tables.items, &tables.keys);
    match command {
        Command::CreateTables => {
            for (table, outcome) in [
                (
                    &tables.items,
                    create_items_table(&client, &tables.items)
                        .await
                        .map_err(|e| e.to_string())?,
                ),
                (
                    &tables.keys,
                    create_keys_table(&client, &tables.keys)
                        .await
                        .map_err(|e| e.to_string())?,
                ),
            ] {
                let what = match outcome {
                    TableOutcome::Created => "created",
                    TableOutcome::AlreadyExisted => "already exists",
                };
                eprintln!("table {table}: {what}, active");
            }
        }
        Command::CreateKey {
            project,
            mut permissions,
            expires_in_days,
            name,
        } => {
            permissions.sort();
            permissions.dedup();
            if permissions.is_empty() {
                eprintln!(
                    "warning: the key has no permission and can do nothing; add --permission"
                );
            }
            let expires_at = expires_in_days.map(|days| Timestamp::now().plus_days(days));
            let key = mint_key(&keys, project, permissions.clone(), name, expires_at)
                .await
                .map_err(|e| e.to_string())?;
            let names: Vec<&str> = permissions.iter().map(|p| p.code()).collect();
            eprintln!(
                "created key {}… for project {project} with [{}]{}",
                &api_key::hash(&key)[..12],
                names.join(", "),
                expires_at
                    .map(|at| format!(", expires {}", at.to_iso()))
                    .unwrap_or_default()
            );
            println!("{key}");
        }
        Command::RevokeKey { key } => {
            let key = key.trim();
            let hash = if api_key::is_well_formed(key) {
                api_key::hash(key)
            } else if key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
                key.to_ascii_lowercase()
            } else {
                return Err(
                    "give the plain key (iclk_…) or its 64-character hash from list-keys".into(),
                );
            };
            if !keys.revoke_key(&hash).await.map_err(|e| e.to_string())? {
                return Err(format!("no key with hash {}…", &hash[..12]));
            }
            eprintln!("revoked key {}…", &hash[..12]);
        }
        Command::VerifyKey { key } => {
            let auth = Authenticator::new(std::time::Duration::ZERO);
            let who = auth
                .authenticate(&keys, Some(&key))
                .await
                .map_err(|e| e.to_string())?;
            let names: Vec<&str> = who.permissions.iter().map(|p| p.code()).collect();
            eprintln!(
                "valid key for project {} with [{}]",
                who.project,
                names.join(", ")
            );
        }
        Command::Backfill { checkpoint, page } => {
            let mut start = std::fs::read_to_string(&checkpoint)
                .ok()
                .and_then(|text| key_from_text(&text));
            if start.is_some() {
                eprintln!("backfill: resuming from {}", checkpoint.display());
            }
            let (mut found, mut tallied, mut pages) = (0u64, 0u64, 0u64);
            loop {
                let done = keys
                    .backfill_page(start.take(), page)
                    .await
                    .map_err(|e| e.to_string())?;
                found += done.found;
                tallied += done.tallied;
                pages += 1;
                eprintln!(
                    "backfill: page {pages}: {found} items without counts by value found, {tallied} given them"
                );
                match done.next {
                    Some(next) => {
                        std::fs::write(&checkpoint, key_to_text(&next))
                            .map_err(|e| format!("cannot write {}: {e}", checkpoint.display()))?;
                        start = Some(next);
                    }
                    None => break,
                }
            }
            let _ = std::fs::remove_file(&checkpoint);
            eprintln!("backfill: done; {tallied} items given their counts and index entries");
        }
        Command::VerifyCounts {
            project,
            repair,
            wait_seconds,
        } => {
            let verify = || async {
                let found = keys
                    .verify_counts(project)
                    .await
                    .map_err(|e| e.to_string())?;
                for difference in &found.differences {
                    println!("{difference}");
                }
                eprintln!(
                    "verify-counts: {} items, {} counters, {} index entries read; {} difference(s)",
                    found.items,
                    found.counters,
                    found.entries,
                    found.differences.len()
                );
                Ok::<_, String>(found)
            };
            let mut found = verify().await?;
            if repair && !found.differences.is_empty() {
                eprintln!("verify-counts: verifying again in {wait_seconds} s before repairing");
                tokio::time::sleep(std::time::Duration::from_secs_f64(wait_seconds.max(0.0))).await;
                let again = verify().await?;
                let repaired = keys
                    .repair_drift(&found, &again)
                    .await
                    .map_err(|e| e.to_string())?;
                eprintln!(
                    "verify-counts: repaired {}; {} left alone (seen once, or changed meanwhile)",
                    repaired.fixed, repaired.skipped
                );
                found = verify().await?;
            }
            if !found.differences.is_empty() {
                return Err("counts or index entries differ from the items".into());
            }
        }
        Command::FollowStream {
            from_now,
            interval_ms,
        } => {
            call_log_item::logging::init();
            let streams = call_log_item::local_stream::streams_client(&shared);
            let mut poller = StreamPoller::new(streams, keys)
                .await
                .map_err(|e| e.to_string())?;
            if from_now {
                poller.skip_to_latest().await.map_err(|e| e.to_string())?;
            }
            eprintln!("follow-stream: tallying the stream of {}", tables.items);
            poller
                .run(std::time::Duration::from_millis(interval_ms))
                .await;
        }
        Command::ListKeys { project } => {
            let records = keys.list_keys(project).await.map_err(|e| e.to_string())?;
            println!("KEY HASH\tNAME\tPERMISSIONS\tCREATED\tEXPIRES\tSTATE");
            for record in &records {
                let names: Vec<&str> = record.permissions.iter().map(|p| p.code()).collect();
                let state = if record.revoked {
                    "revoked"
                } else if record.expires_at.is_some_and(|at| at <= Timestamp::now()) {
                    "expired"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{state}",
                    record.key_hash,
                    record.name.as_deref().unwrap_or("-"),
                    names.join(","),
                    record.created_at.to_iso(),
                    record
                        .expires_at
                        .map(|at| at.to_iso())
                        .unwrap_or_else(|| "never".into()),
                );
            }
            eprintln!("{} key(s)", records.len());
        }
    }
    Ok(())
}
