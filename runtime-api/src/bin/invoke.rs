//! `invoke <function binary> <event file>`: runs one event through one real function binary
//! under a local Runtime API, as `sam local invoke -e` does in Docker. The function's own
//! output (its log lines) goes to stderr, its answer (for an API Gateway event, the response
//! API Gateway would send on) to stdout. Exit status 0 when the function answered, 1 when it
//! reported an error, exited or did not answer within 30 s, 2 on a usage mistake.
//!
//! The function reads the rest of its environment (tables, endpoint, secrets) from this
//! process's: `make invoke` sets it for the `make dev` tables.

use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use runtime_api::RuntimeApi;

const TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [binary, event_file] = args.as_slice() else {
        eprintln!("usage: invoke <function binary> <event file>");
        return ExitCode::from(2);
    };
    let event = match std::fs::read_to_string(event_file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("invoke: cannot read {event_file}: {error}");
            return ExitCode::from(2);
        }
    };
    if let Err(error) = serde_json::from_str::<serde_json::Value>(&event) {
        eprintln!("invoke: {event_file} is not JSON: {error}");
        return ExitCode::from(2);
    }
    match invoke(Path::new(binary), event).await {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("invoke: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// The function's answer, pretty-printed when it is JSON.
async fn invoke(binary: &Path, event: String) -> Result<String, String> {
    let name = binary
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "function".into());
    let api = RuntimeApi::start()
        .await
        .map_err(|e| format!("cannot start the Runtime API: {e}"))?;
    let mut child = std::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .stderr(std::io::stderr())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let mut answer = api.invoke(event);
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    let outcome = loop {
        tokio::select! {
            answer = &mut answer => break answer.map_err(|_| "the Runtime API stopped".to_string()),
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        if let Ok(Some(status)) = child.try_wait() {
            let why = api
                .init_error()
                .map(|reason| format!(": {reason}"))
                .unwrap_or_default();
            break Err(format!("{name} exited ({status}) before answering{why}"));
        }
        if tokio::time::Instant::now() >= deadline {
            break Err(format!(
                "{name} did not answer within {} s",
                TIMEOUT.as_secs()
            ));
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let answer = outcome?;
    let body = match serde_json::from_str::<serde_json::Value>(&answer.body) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or(answer.body),
        Err(_) => answer.body,
    };
    if answer.error {
        return Err(format!("{name} reported an error: {body}"));
    }
    Ok(body)
}
