//! The `update` function: serves Update routes of the Incoming Call Log Item API.

use call_log_item::{entry, Operation};

fn main() -> Result<(), lambda_http::Error> {
    entry::main(Operation::Update)
}
