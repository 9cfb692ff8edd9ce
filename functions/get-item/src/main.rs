//! The `get-item` function: serves GetItem routes of the Incoming Call Log Item API.

use call_log_item::{entry, Operation};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    entry::run(Operation::GetItem).await
}
