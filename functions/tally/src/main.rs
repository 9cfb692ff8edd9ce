//! The `tally` function: keeps counts and index entries by value from the items table's
//! stream.

fn main() -> Result<(), lambda_http::Error> {
    call_log_item::tally_entry::main()
}
