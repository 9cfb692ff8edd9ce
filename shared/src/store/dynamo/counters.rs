//! Exact item counters, kept in the items table in a partition of their own
//! (`projectId` = `<project>#counters`), moved by the `tally` function from the table's stream
//! (`tally/`), never by a request.
//!
//! **Where a count lives.** The project's counter item (`_id` = `project`) holds the project's
//! count (`itemCount`) and, folded in as attributes of their own, the counts of the project's
//! values of the dashboard fields (`status`, `isAnswered`, `userId`,
//! `incomingCallPolicyEscalationRuleId`), named `<code>=<value>` (`s=Ringing`, `a=true`,
//! `u=<id>`, `r=<id>`; null is empty), for as long as they fit in [`FOLDED_BUDGET`] bytes, so
//! that the item stays under 1 KB and a stream batch's counts of a project cost one write unit.
//! A value that does not fit when it first comes is counted in an item of its own
//! (`_id` = `value#<field>#<value>`, attribute `itemCount`), as it is forever after (a folded
//! value is never moved out, and the budget only fills, so a value's place never changes). A
//! value's count is the sum of both places: a read takes both, and counters written by earlier
//! versions (every value in its own item) stay right.
//!
//! The counter partition never mixes with a project's items (its key is not a UUID) and has no
//! `projectCallLogId`, so it is in no index. Earlier versions also kept `callLog#…` counters;
//! nothing reads them any more.
//!
//! A counter below zero cannot come from the writes of this version; if one is ever read
//! (drift from an older version's race, or a hand edit), it counts as 0, is logged at warn
//! level (`counter below zero`, with the counter and its value) and counted in the request's
//! metrics (`store/drift.rs`): never hidden.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::sdk_errors::from_sdk;
use crate::model::{Field, Item, ObjectId};
use crate::query::{Tally, DASHBOARD_FIELDS};
use crate::store::StoreError;

/// The attribute holding a counter's value.
pub const ITEM_COUNT: &str = "itemCount";

/// What a counter counts. A call log's counts are not kept: they are read from the call-log
/// index (`Select = COUNT` over the call's items, which do not grow with the project).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Project,
    /// The project's items with one value of a dashboard field.
    Value(Tally),
}

impl Scope {
    /// Every counter an item is counted in: the project's, and those of its value of each
    /// dashboard field.
    pub fn all_of(item: &Item) -> Vec<Scope> {
        let mut scopes = vec![Scope::Project];
        scopes.extend(tallies(item).into_iter().map(Scope::Value));
        scopes
    }
}

/// An item's value of each dashboard field.
pub fn tallies(item: &Item) -> Vec<Tally> {
    DASHBOARD_FIELDS
        .into_iter()
        .map(|field| Tally::of(field, item.get(field)))
        .collect()
}

/// How a tally reads in a key: `<field>#<value>` (null is empty; no value of these fields is).
pub fn tally_key(tally: &Tally) -> String {
    format!(
        "{}#{}",
        tally.field.name(),
        tally.value.as_deref().unwrap_or_default()
    )
}

pub fn counter_key(project: ObjectId, scope: &Scope) -> HashMap<String, AttributeValue> {
    let sort_key = match scope {
        Scope::Project => "project".to_string(),
        Scope::Value(tally) => format!("value#{}", tally_key(tally)),
    };
    HashMap::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(format!("{project}#counters")),
        ),
        (Field::Id.name().to_string(), AttributeValue::S(sort_key)),
    ])
}

/// The bytes the folded counts of a project's counter item may take, names and numbers: with
/// its keys, count and tally mark (about 130 bytes), the item stays under 1 KB, one write unit.
/// About 15 ids of users and rules fit beside 10 statuses and both `isAnswered` values.
pub const FOLDED_BUDGET: usize = 880;

/// What a folded count's number may take (DynamoDB stores a number in about one byte per two
/// digits, plus one).
const NUMBER_BYTES: usize = 8;

/// A field's letter in a folded count's name.
fn field_code(field: Field) -> &'static str {
    match field {
        Field::Status => "s",
        Field::IsAnswered => "a",
        Field::UserId => "u",
        Field::IncomingCallPolicyEscalationRuleId => "r",
        other => other.name(),
    }
}

/// The name of a value's count folded into the project's counter item: `<code>=<value>`.
pub fn folded_name(tally: &Tally) -> String {
    format!(
        "{}={}",
        field_code(tally.field),
        tally.value.as_deref().unwrap_or_default()
    )
}

/// The value a folded count's name stands for; `None` for any other attribute.
pub fn folded_tally(name: &str) -> Option<Tally> {
    let (code, value) = name.split_once('=')?;
    let field = DASHBOARD_FIELDS
        .into_iter()
        .find(|field| field_code(*field) == code)?;
    Some(Tally {
        field,
        value: (!value.is_empty()).then(|| value.to_string()),
    })
}

/// Which counts a project's counter item holds, and the room left: what the tally decides each
/// value's place by.
#[derive(Debug, Default)]
pub struct Folded {
    names: HashSet<String>,
    used: usize,
}

impl Folded {
    /// The folded counts of a project's counter item as read (none if it is not there).
    pub fn of(item: Option<&HashMap<String, AttributeValue>>) -> Folded {
        let mut folded = Folded::default();
        for name in item.into_iter().flat_map(|item| item.keys()) {
            if folded_tally(name).is_some() {
                folded.used += name.len() + NUMBER_BYTES;
                folded.names.insert(name.clone());
            }
        }
        folded
    }

    /// Whether a value's count goes into the project's item (`name` is there already, or it
    /// still fits: then it is counted as there from now on) or into an item of its own.
    pub fn takes(&mut self, name: &str) -> bool {
        if self.names.contains(name) {
            return true;
        }
        let bytes = name.len() + NUMBER_BYTES;
        if self.used + bytes > FOLDED_BUDGET {
            return false;
        }
        self.used += bytes;
        self.names.insert(name.to_string());
        true
    }
}

/// A count as stored: a number; a count never written is 0.
pub fn stored_count(value: Option<&AttributeValue>) -> Result<i64, StoreError> {
    match value {
        None => Ok(0),
        Some(AttributeValue::N(number)) => number
            .parse::<i64>()
            .map_err(|_| StoreError::Corrupt(format!("counter is not a number: {number}"))),
        Some(other) => Err(StoreError::Corrupt(format!(
            "counter is not a number: {other:?}"
        ))),
    }
}

/// A counter item, read consistently (`None` if it is not there).
pub async fn counter_item(
    client: &Client,
    table: &str,
    key: HashMap<String, AttributeValue>,
) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|error| from_sdk("GetItem", error))?;
    Ok(output.item)
}

/// Counters' values, read consistently: the project's counter item once (its count, and the
/// values folded into it), and at the same time the own item of each value asked (a value's
/// count is the sum of both places). A count read below zero is logged, counted in the
/// request's metrics and read as 0.
pub async fn read_many(
    client: &Client,
    table: &str,
    project: ObjectId,
    scopes: &[Scope],
) -> Result<Vec<u64>, StoreError> {
    let own_items = async {
        let mut counts = Vec::with_capacity(scopes.len());
        for scope in scopes {
            counts.push(match scope {
                Scope::Project => 0,
                Scope::Value(_) => {
                    let item = counter_item(client, table, counter_key(project, scope)).await?;
                    stored_count(item.as_ref().and_then(|item| item.get(ITEM_COUNT)))?
                }
            });
        }
        Ok(counts)
    };
    let (project_item, own) = tokio::try_join!(
        counter_item(client, table, counter_key(project, &Scope::Project)),
        own_items,
    )?;
    scopes
        .iter()
        .zip(own)
        .map(|(scope, own)| {
            let attribute = match scope {
                Scope::Project => ITEM_COUNT.to_string(),
                Scope::Value(tally) => folded_name(tally),
            };
            let folded = project_item.as_ref().and_then(|item| item.get(&attribute));
            let value = stored_count(folded)? + own;
            if value < 0 {
                crate::store::drift::counter_below_zero();
                tracing::warn!(
                    project = %project,
                    counter = ?scope,
                    value,
                    "counter below zero"
                );
            }
            Ok(value.max(0) as u64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_name_reads_back_as_its_value() {
        for field in DASHBOARD_FIELDS {
            for value in [None, Some("Ringing"), Some("a=b")] {
                let tally = Tally {
                    field,
                    value: value.map(str::to_string),
                };
                assert_eq!(folded_tally(&folded_name(&tally)), Some(tally));
            }
        }
        for other in [ITEM_COUNT, "tallyMark", "_id", "projectId", "x=1"] {
            assert_eq!(folded_tally(other), None, "{other}");
        }
    }

    #[test]
    fn values_fold_until_the_budget_is_spent_and_keep_their_place() {
        let mut folded = Folded::of(None);
        let user = |n: usize| format!("u={n:036}");
        let fit = FOLDED_BUDGET / (user(0).len() + NUMBER_BYTES);
        for n in 0..fit - 1 {
            assert!(folded.takes(&user(n)), "{n}");
        }
        // A shorter value fits where an id no longer does; one already there always does.
        assert!(folded.takes("a=true"));
        assert!(!folded.takes(&user(fit)));
        assert!(folded.takes(&user(0)));
        // Read back from the item, the same decisions.
        let item: HashMap<String, AttributeValue> = (0..fit - 1)
            .map(user)
            .chain(["a=true".to_string(), ITEM_COUNT.to_string()])
            .map(|name| (name, AttributeValue::N("1".into())))
            .collect();
        let mut again = Folded::of(Some(&item));
        assert!(again.takes(&user(3)));
        assert!(!again.takes(&user(fit)));
    }
}
