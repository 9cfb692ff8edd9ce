//! The store contract (`call_log_item::store::contract`) on the local engine (Dynoxide): the
//! same checks the in-memory twin passes in the crate's unit tests, so the two cannot drift
//! apart.
//!
//! What these checks rely on the engine to do as DynamoDB does (`docs/local-engine.md` lists
//! them, and where the engine is more lenient than DynamoDB and how that is covered):
//! conditional writes with `ReturnValuesOnConditionCheckFailure = ALL_OLD`, on single items and
//! in a cancelled transaction's reasons; transactions all or nothing; `ADD` on counters;
//! consistent `GetItem` and `Query`, in key order either way, with `ExclusiveStartKey`, `Limit`
//! before the filter and `Select = COUNT`; `BatchGetItem`; the expression language the store
//! writes. The engine's reads are always strongly consistent and its transactions never
//! conflict: what those differences hide is checked through the fault injector
//! (`reliability.rs`), not here.

use call_log_item::store_contract_tests;

use crate::helpers::dynamo_store;

store_contract_tests!(dynamo_store());
