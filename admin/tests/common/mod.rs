//! What the CLI's test files share.

use std::process::Command;

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
