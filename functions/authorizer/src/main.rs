//! The `authorizer` function: API Gateway's Lambda authorizer, which admits API keys before
//! any function of the Incoming Call Log Item API runs.

fn main() -> Result<(), lambda_http::Error> {
    call_log_item::authorizer_entry::main()
}
