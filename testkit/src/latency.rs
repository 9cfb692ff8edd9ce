//! A TCP proxy that adds a fixed delay to every byte on its way back from the upstream: in
//! front of the local engine it makes each call take about as long as a call to DynamoDB in a
//! region, so that waiting, not CPU, dominates a request (as it does in AWS).
//!
//! Each chunk read from the upstream is forwarded `delay` after it arrived, in order; requests
//! go through at once. Loopback only; runs until the process ends.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A running proxy; point the SDK at [`LatencyProxy::endpoint`].
pub struct LatencyProxy {
    pub address: SocketAddr,
}

impl LatencyProxy {
    /// Listens on a free loopback port and forwards to `upstream`, answers held `delay`.
    pub async fn start(upstream: SocketAddr, delay: Duration) -> std::io::Result<LatencyProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, delay).await;
                    }
                });
            }
        });
        Ok(LatencyProxy { address })
    }

    /// The proxy as an endpoint URL (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// The upstream address of an endpoint URL such as `http://127.0.0.1:8000`.
pub fn address_of(endpoint: &str) -> Option<SocketAddr> {
    let rest = endpoint
        .strip_prefix("http://")
        .unwrap_or(endpoint)
        .trim_end_matches('/');
    let rest = rest.replace("localhost", "127.0.0.1");
    rest.parse().ok()
}

async fn relay(client: TcpStream, server: TcpStream, delay: Duration) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let requests = async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let (held, mut due) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let answers_in = async move {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(n) = server_read.read(&mut buffer).await {
            if n == 0
                || held
                    .send((Instant::now() + delay, buffer[..n].to_vec()))
                    .is_err()
            {
                break;
            }
        }
    };
    let answers_out = async move {
        while let Some((at, bytes)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            if client_write.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(requests, answers_in, answers_out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_to_addresses() {
        assert_eq!(
            address_of("http://127.0.0.1:8000"),
            Some("127.0.0.1:8000".parse().unwrap())
        );
        assert_eq!(
            address_of("http://localhost:9/"),
            Some("127.0.0.1:9".parse().unwrap())
        );
        assert_eq!(address_of("https://dynamodb.us-east-1.amazonaws.com"), None);
    }

    #[tokio::test]
    async fn answers_arrive_late_and_whole() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_address = upstream.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = upstream.accept().await.unwrap();
            let mut buffer = [0u8; 5];
            stream.read_exact(&mut buffer).await.unwrap();
            stream.write_all(&buffer).await.unwrap();
        });
        let proxy = LatencyProxy::start(upstream_address, Duration::from_millis(150))
            .await
            .unwrap();
        let mut client = TcpStream::connect(proxy.address).await.unwrap();
        let started = std::time::Instant::now();
        client.write_all(b"hello").await.unwrap();
        let mut echoed = Vec::new();
        client.read_to_end(&mut echoed).await.unwrap();
        assert_eq!(echoed, b"hello");
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
}
