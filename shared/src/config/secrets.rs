//! The cursor secret from Secrets Manager, read once per cold start: its `AWSCURRENT` version
//! signs cursors; cursors signed with its `AWSPENDING` version (a value staged for the next
//! rotation) are read too, and, while a rotation is under way
//! (`ACCEPT_PREVIOUS_CURSOR_SECRET=true`), those of its `AWSPREVIOUS` version. The value never passes
//! through the function's configuration: only the secret's ARN (`CURSOR_SECRET_ARN`) does.

use aws_sdk_secretsmanager::error::DisplayErrorContext;
use aws_sdk_secretsmanager::Client;

/// The versions a function reads.
#[derive(Clone, PartialEq, Eq)]
pub struct CursorSecrets {
    pub current: String,
    pub previous: Option<String>,
    pub pending: Option<String>,
}

impl std::fmt::Debug for CursorSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorSecrets(<redacted>)")
    }
}

/// Reads `secret_id`'s current and pending versions, and its previous one when
/// `accept_previous` (none if the secret was never rotated), all at once. `endpoint`: another Secrets Manager than
/// AWS's (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, the tests' local one).
pub async fn fetch(
    shared: &aws_config::SdkConfig,
    endpoint: Option<String>,
    secret_id: &str,
    accept_previous: bool,
) -> Result<CursorSecrets, String> {
    let mut config = aws_sdk_secretsmanager::config::Builder::from(shared);
    if let Some(endpoint) = endpoint {
        config = config.endpoint_url(endpoint);
    }
    let client = Client::from_conf(config.build());
    let (current, pending, previous) = tokio::join!(
        version(&client, secret_id, "AWSCURRENT"),
        version(&client, secret_id, "AWSPENDING"),
        async {
            if accept_previous {
                version(&client, secret_id, "AWSPREVIOUS").await
            } else {
                Ok(None)
            }
        }
    );
    let current = current?.ok_or_else(|| {
        format!("the cursor secret {secret_id} has no AWSCURRENT version holding a string")
    })?;
    let previous = previous?;
    let pending = pending?;
    if accept_previous && previous.is_none() {
        tracing::warn!(
            secret_id,
            "ACCEPT_PREVIOUS_CURSOR_SECRET is true but the secret has no AWSPREVIOUS version"
        );
    }
    Ok(CursorSecrets {
        current,
        previous,
        pending,
    })
}

/// One version's string, `None` if the secret has no such version.
async fn version(client: &Client, secret_id: &str, stage: &str) -> Result<Option<String>, String> {
    match client
        .get_secret_value()
        .secret_id(secret_id)
        .version_stage(stage)
        .send()
        .await
    {
        Ok(output) => Ok(output.secret_string().map(str::to_string)),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(error) => Err(format!(
            "cannot read the cursor secret {secret_id} ({stage}): {}",
            DisplayErrorContext(error)
        )),
    }
}
