//! The SDK's side: an HTTP client (`config::Builder::http_client`) whose connector asks
//! [`Faults::decide`] what to do with each request, sends it on through the functions' own
//! client when it should, and does to the answer what the decision says.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

use super::wire::{consumed_units, with_capacity_asked, with_unprocessed, Answer};
use super::{Decision, Faults, Sending};

#[derive(Debug)]
pub struct FaultyClient {
    faults: Faults,
    /// The HTTP client the functions use (hyper, rustls on ring), which does the real work.
    inner: SharedHttpClient,
}

impl FaultyClient {
    pub fn new(faults: Faults, inner: SharedHttpClient) -> Self {
        FaultyClient { faults, inner }
    }
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(FaultyConnector {
            inner,
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Faults,
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or_default()
            .to_string();
        let body = request.body().bytes().unwrap_or_default().to_vec();
        let sending = match self.faults.decide(&operation, &body) {
            Decision::Answer(answer) => return HttpConnectorFuture::ready(Ok(response(answer))),
            Decision::Send(sending) => *sending,
        };
        let measuring = self.faults.measuring();
        if sending.untouched() && !measuring {
            return self.inner.call(request);
        }
        let mut outgoing = sending
            .request
            .as_ref()
            .map_or(body, |rewritten| rewritten.to_string().into_bytes());
        if measuring {
            outgoing = with_capacity_asked(&outgoing).unwrap_or(outgoing);
        }
        let request = with_body(request, outgoing);
        let inner = self.inner.clone();
        let faults = self.faults.clone();
        HttpConnectorFuture::new(async move {
            if let Some(gate) = &sending.held {
                gate.notified().await;
            }
            let answer = match inner.call(request).await {
                Ok(answer) => read_whole(answer).await,
                Err(error) => Err(error),
            };
            after(&faults, &operation, sending, measuring, answer).await
        })
    }
}

/// What happens once the engine has answered (or failed to).
async fn after(
    faults: &Faults,
    operation: &str,
    sending: Sending,
    measuring: bool,
    answer: Result<Answer, ConnectorError>,
) -> Result<HttpResponse, ConnectorError> {
    if let Some(claim) = &sending.claim {
        // The transaction lasts its hold at least, and holds its items until it answers.
        tokio::time::sleep_until(claim.until.into()).await;
        faults.release(claim);
    }
    let mut answer = answer?;
    if measuring {
        faults.add_consumed(operation, consumed_units(operation, &answer.1));
    }
    faults.add_scanned(&answer.1);
    if sending.lose {
        return Err(ConnectorError::timeout(
            "injected: the answer was lost after the request was served".into(),
        ));
    }
    if let Some(unprocessed) = &sending.unprocessed {
        answer = with_unprocessed(answer, unprocessed);
    }
    if let Some(remember) = sending.remember {
        faults.remember(remember, answer.clone());
    }
    Ok(response(answer))
}

/// The request with another body. (The local engine does not check signatures, so the
/// rewritten body needs no new one.)
fn with_body(mut request: HttpRequest, body: Vec<u8>) -> HttpRequest {
    request
        .headers_mut()
        .insert("content-length", body.len().to_string());
    *request.body_mut() = SdkBody::from(body);
    request
}

/// An answer's status and its whole body (which arrives as a stream).
async fn read_whole(answer: HttpResponse) -> Result<Answer, ConnectorError> {
    let status = u16::from(answer.status());
    let bytes = ByteStream::new(answer.into_body())
        .collect()
        .await
        .map_err(|error| ConnectorError::io(error.into()))?;
    Ok((status, bytes.into_bytes().to_vec()))
}

fn response((status, body): Answer) -> HttpResponse {
    let status = StatusCode::try_from(status).expect("a valid status");
    let mut response = HttpResponse::new(status, SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    response
}
