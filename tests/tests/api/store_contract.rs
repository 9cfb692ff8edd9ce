//! The store contract (`call_log_item::store::contract`) on DynamoDB Local: the same checks the
//! in-memory twin passes in the crate's unit tests, so the two cannot drift apart.

use call_log_item::store_contract_tests;

use crate::helpers::dynamo_store;

store_contract_tests!(dynamo_store());
