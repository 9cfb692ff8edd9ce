//! What `make bench` starts under the Runtime API: the functions, their floors and the
//! Node.js peer, each as Lambda would start it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use call_log_item::Operation;
use runtime_api::RuntimeApi;

/// What a cold start or memory figure is taken of: one of the functions, its floor, or the
/// peer (which serves `get-item` events).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Subject {
    Function(Operation),
    /// The bare `lambda_http` function on the same SDK client making the calls of this
    /// operation (`src/bin/floor.rs`).
    Floor(Operation),
    /// `get-item` in Node.js 20 with the AWS SDK v3 (`peer/`, installed by `make bench`).
    Peer,
}

impl Subject {
    /// The operation whose events it is sent.
    pub fn operation(self) -> Operation {
        match self {
            Subject::Function(operation) | Subject::Floor(operation) => operation,
            Subject::Peer => Operation::GetItem,
        }
    }

    pub fn name(self) -> String {
        match self {
            Subject::Function(operation) => operation.function_name().to_string(),
            Subject::Floor(operation) => format!("floor of {}", operation.function_name()),
            Subject::Peer => "peer (Node.js 20, AWS SDK v3)".into(),
        }
    }

    fn command(self) -> Command {
        let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release");
        match self {
            Subject::Function(operation) => Command::new(release.join(operation.function_name())),
            Subject::Floor(operation) => {
                let mut floor = Command::new(release.join("floor"));
                floor.env("FLOOR_OPERATION", operation.function_name());
                floor
            }
            Subject::Peer => {
                let mut node = Command::new("node");
                node.arg(peer_dir().join("bootstrap.mjs"));
                node
            }
        }
    }
}

/// Where `make bench` installed the Node.js peer.
fn peer_dir() -> PathBuf {
    std::env::var("PEER_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.local/peer"),
        PathBuf::from,
    )
}

/// Starts `subject` polling `api`, as Lambda starts a function; `extra` adds settings.
pub fn spawn_with(subject: Subject, api: &RuntimeApi, extra: &[(&str, String)]) -> Child {
    let mut command = subject.command();
    command
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env(
            "AWS_LAMBDA_FUNCTION_NAME",
            subject.operation().function_name(),
        )
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (name, value) in extra {
        command.env(name, value);
    }
    command.spawn().unwrap_or_else(|e| {
        panic!(
            "{:?}: {e} (`make bench` builds and installs it)",
            subject.command().get_program()
        )
    })
}

pub fn spawn(subject: Subject, api: &RuntimeApi) -> Child {
    spawn_with(subject, api, &[])
}

pub fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}
