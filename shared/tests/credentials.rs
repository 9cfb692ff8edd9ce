//! Where the functions' credentials come from (`config::function_sdk_config`): the environment
//! when Lambda puts them there, else the container endpoint Lambda may give instead
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), served here by a local stand-in. Its own test
//! binary: it sets process environment variables, which no other test may see.

use aws_credential_types::provider::ProvideCredentials;
use call_log_item::config::function_sdk_config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A container credentials endpoint answering every request with one set of credentials.
async fn container_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let body = r#"{"AccessKeyId":"AKIDFROMCONTAINER","SecretAccessKey":"secret","Token":"token","Expiration":"2099-01-01T00:00:00Z"}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    format!("http://{address}/credentials")
}

async fn access_key() -> Result<String, String> {
    let config = function_sdk_config()?;
    let provider = config
        .credentials_provider()
        .expect("a credentials provider");
    provider
        .provide_credentials()
        .await
        .map(|credentials| credentials.access_key_id().to_string())
        .map_err(|error| format!("{error:?}"))
}

#[tokio::test]
async fn credentials_come_from_the_environment_else_from_the_container_endpoint() {
    std::env::set_var("AWS_REGION", "us-east-1");
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ] {
        std::env::remove_var(name);
    }

    // Neither: refused at start, with what to set.
    let error = function_sdk_config().unwrap_err();
    assert!(error.contains("AWS_ACCESS_KEY_ID"), "{error}");

    // Only the container endpoint (as Lambda may give it).
    std::env::set_var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        container_endpoint().await,
    );
    assert_eq!(access_key().await.unwrap(), "AKIDFROMCONTAINER");

    // The environment first, when both are there.
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret");
    assert_eq!(access_key().await.unwrap(), "AKIDFROMENVIRONMENT");

    // No region: refused at start too.
    std::env::remove_var("AWS_REGION");
    std::env::remove_var("AWS_DEFAULT_REGION");
    let error = function_sdk_config().unwrap_err();
    assert!(error.contains("AWS_REGION"), "{error}");
}
