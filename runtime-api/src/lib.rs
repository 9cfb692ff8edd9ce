//! A minimal Lambda Runtime API (the HTTP interface a function's runtime polls), enough to run
//! the real function binaries outside Lambda and time them: `GET …/invocation/next` hands out
//! queued events (to as many pollers at once as the function runs), `POST
//! …/invocation/{id}/response` (or `/error`) records the answer and when it arrived, and
//! `POST …/init/error` records why a function could not start. Loopback only.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Mutex as AsyncMutex};

/// What the function posted back for one invocation.
#[derive(Debug, Clone)]
pub struct Answer {
    pub body: String,
    pub error: bool,
    /// When the function took the event (its `next` poll was answered).
    pub delivered: Option<Instant>,
    /// When its answer arrived.
    pub at: Instant,
}

struct State {
    events: AsyncMutex<mpsc::UnboundedReceiver<(String, String)>>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
    delivered: Mutex<HashMap<String, Instant>>,
    init_error: Mutex<Option<String>>,
    /// Answers posted, counted per post: a function answering one event twice shows here.
    posted: std::sync::atomic::AtomicUsize,
}

/// A running Runtime API; invoke with [`RuntimeApi::invoke`].
pub struct RuntimeApi {
    pub address: SocketAddr,
    sender: mpsc::UnboundedSender<(String, String)>,
    state: Arc<State>,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (sender, receiver) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            events: AsyncMutex::new(receiver),
            waiting: Mutex::new(HashMap::new()),
            delivered: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
            posted: std::sync::atomic::AtomicUsize::new(0),
        });
        let accept_state = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Ok(RuntimeApi {
            address,
            sender,
            state,
        })
    }

    /// Queues one event; the returned receiver gets the function's answer.
    pub fn invoke(&self, event: String) -> oneshot::Receiver<Answer> {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.state.waiting.lock().unwrap().insert(id.clone(), tx);
        self.sender.send((id, event)).expect("the Runtime API runs");
        rx
    }

    /// How many answers the function has posted (responses and errors), duplicates included.
    pub fn answers_posted(&self) -> usize {
        self.state.posted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What the function reported when it could not start, if it did.
    pub fn init_error(&self) -> Option<String> {
        self.state.init_error.lock().unwrap().clone()
    }
}

/// The most invocations a function held at once among `answers`: each is in flight from the
/// moment its event was delivered to the moment its answer arrived.
pub fn most_in_flight(answers: &[Answer]) -> usize {
    let mut moments: Vec<(Instant, i32)> = Vec::with_capacity(answers.len() * 2);
    for answer in answers {
        if let Some(delivered) = answer.delivered {
            moments.push((delivered, 1));
            moments.push((answer.at, -1));
        }
    }
    // An answer that arrives at the same instant as the next delivery counts as gone first.
    moments.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, change) in moments {
        now += change;
        most = most.max(now);
    }
    most as usize
}

/// A fresh X-Ray trace header, as Lambda passes one with each invocation.
fn trace_header() -> String {
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{epoch:08x}-{};Parent={};Sampled=1",
        &random[..24],
        &random[16..]
    )
}

/// One request read off a connection.
struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
}

async fn read_request(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        reader.read_exact(&mut body).await?;
    }
    Ok(Some(Request { method, path, body }))
}

async fn serve(stream: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some(request) = read_request(&mut reader).await? {
        let response = if request.method == "GET"
            && request.path.ends_with("/runtime/invocation/next")
        {
            let next = state.events.lock().await.recv().await;
            let Some((id, event)) = next else {
                return Ok(());
            };
            state
                .delivered
                .lock()
                .unwrap()
                .insert(id.clone(), Instant::now());
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 30_000)
                .unwrap_or(0);
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\n\
                 Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:local\r\n\
                 Lambda-Runtime-Trace-Id: {}\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                trace_header(),
                event.len()
            )
        } else if request.method == "POST" && request.path.contains("/runtime/invocation/") {
            let at = Instant::now();
            state
                .posted
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let error = request.path.ends_with("/error");
            let id = request
                .path
                .split('/')
                .rev()
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let delivered = state.delivered.lock().unwrap().remove(&id);
            let answer = Answer {
                body: String::from_utf8_lossy(&request.body).into_owned(),
                error,
                delivered,
                at,
            };
            if let Some(waiter) = state.waiting.lock().unwrap().remove(&id) {
                let _ = waiter.send(answer);
            }
            "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}".to_string()
        } else if request.method == "POST" && request.path.ends_with("/runtime/init/error") {
            let reason = String::from_utf8_lossy(&request.body).into_owned();
            eprintln!("function init error: {reason}");
            *state.init_error.lock().unwrap() = Some(reason);
            "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}".to_string()
        } else {
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_string()
        };
        write.write_all(response.as_bytes()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn answer(from: Instant, start_ms: u64, end_ms: u64) -> Answer {
        Answer {
            body: String::new(),
            error: false,
            delivered: Some(from + Duration::from_millis(start_ms)),
            at: from + Duration::from_millis(end_ms),
        }
    }

    #[test]
    fn in_flight_counts_overlaps_not_answers() {
        let t = Instant::now();
        let one_by_one = [answer(t, 0, 10), answer(t, 10, 20), answer(t, 20, 30)];
        assert_eq!(most_in_flight(&one_by_one), 1);
        let staggered = [
            answer(t, 0, 30),
            answer(t, 5, 12),
            answer(t, 10, 40),
            answer(t, 35, 50),
        ];
        assert_eq!(most_in_flight(&staggered), 3);
        assert_eq!(most_in_flight(&[]), 0);
    }
}
