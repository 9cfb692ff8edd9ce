//! Transaction locking as DynamoDB documents it: a transaction holds every item it touches
//! while it runs; another transaction touching one of them is cancelled with
//! `TransactionConflict` for that item, and a single-item write to one of them fails with
//! `TransactionConflictException`. A single-process engine runs requests one after another and
//! never does either; [`Locks`] makes every transaction last at least `hold` and refuses what
//! overlaps it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Which items are held, by whom, until when.
#[derive(Debug)]
pub struct Locks {
    /// How long a transaction holds its items (at least: longer if the engine is slower).
    pub hold: Duration,
    /// The attributes that make up an item's key, in any of the tables (a `Put` names its item
    /// whole, so the key is picked out of it by these names).
    key_names: Vec<String>,
    /// Held items (table and key) and the transaction holding each.
    held: HashMap<String, u64>,
    next_holder: u64,
    /// Transactions and single-item writes refused for meeting a held item.
    pub conflicts: usize,
}

/// A transaction's claim on its items, released when its answer is in.
#[derive(Debug, Clone)]
pub struct Claim {
    pub holder: u64,
    pub items: Vec<String>,
    /// The answer is not given before this instant.
    pub until: Instant,
}

impl Locks {
    pub fn new(hold: Duration, key_names: &[&str]) -> Self {
        Locks {
            hold,
            key_names: key_names.iter().map(|name| name.to_string()).collect(),
            held: HashMap::new(),
            next_holder: 1,
            conflicts: 0,
        }
    }

    /// The item a key or whole item (DynamoDB JSON) of `table` names, as one string.
    fn item(&self, table: &str, attributes: &Value) -> String {
        let key: Vec<String> = self
            .key_names
            .iter()
            .filter_map(|name| attributes.get(name).map(|value| format!("{name}={value}")))
            .collect();
        format!("{table}|{}", key.join("|"))
    }

    /// The items each step of a `TransactWriteItems` request touches, in order.
    fn items_of_transaction(&self, request: &Value) -> Vec<String> {
        let steps = request["TransactItems"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        steps
            .iter()
            .filter_map(|step| {
                let (kind, action) = step.as_object()?.iter().next()?;
                let table = action["TableName"].as_str().unwrap_or_default();
                let attributes = if kind == "Put" {
                    &action["Item"]
                } else {
                    &action["Key"]
                };
                Some(self.item(table, attributes))
            })
            .collect()
    }

    /// Takes every item of the transaction, or none: `Err` with the step numbers whose item
    /// another transaction holds.
    pub fn claim(&mut self, request: &Value) -> Result<Claim, Vec<usize>> {
        let items = self.items_of_transaction(request);
        let conflicting: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| self.held.contains_key(*item))
            .map(|(step, _)| step)
            .collect();
        if !conflicting.is_empty() {
            self.conflicts += 1;
            return Err(conflicting);
        }
        let holder = self.next_holder;
        self.next_holder += 1;
        for item in &items {
            self.held.insert(item.clone(), holder);
        }
        Ok(Claim {
            holder,
            items,
            until: Instant::now() + self.hold,
        })
    }

    /// Whether a single-item write (`PutItem`, `UpdateItem`, `DeleteItem`) meets an item a
    /// transaction holds.
    pub fn blocks_write(&mut self, operation: &str, request: &Value) -> bool {
        let attributes = match operation {
            "PutItem" => &request["Item"],
            "UpdateItem" | "DeleteItem" => &request["Key"],
            _ => return false,
        };
        let item = self.item(
            request["TableName"].as_str().unwrap_or_default(),
            attributes,
        );
        let blocked = self.held.contains_key(&item);
        if blocked {
            self.conflicts += 1;
        }
        blocked
    }

    /// Lets go of the claim's items (those it still holds).
    pub fn release(&mut self, claim: &Claim) {
        for item in &claim.items {
            if self.held.get(item) == Some(&claim.holder) {
                self.held.remove(item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn transaction(ids: &[&str]) -> Value {
        let steps: Vec<Value> = ids
            .iter()
            .map(|id| json!({"Update": {"TableName": "t", "Key": {"pk": {"S": "p"}, "sk": {"S": id}}}}))
            .collect();
        json!({ "TransactItems": steps })
    }

    #[test]
    fn overlapping_transactions_conflict_on_the_shared_items_only_until_released() {
        let mut locks = Locks::new(Duration::from_millis(20), &["pk", "sk"]);
        let first = locks.claim(&transaction(&["a", "b"])).expect("free");
        assert_eq!(locks.claim(&transaction(&["c", "b"])).unwrap_err(), [1]);
        assert!(locks.claim(&transaction(&["c"])).is_ok(), "disjoint");
        let put = json!({"TableName": "t", "Item": {"pk": {"S": "p"}, "sk": {"S": "a"}, "x": {"N": "1"}}});
        assert!(locks.blocks_write("PutItem", &put));
        assert_eq!(locks.conflicts, 2);
        locks.release(&first);
        assert!(!locks.blocks_write("PutItem", &put));
        assert!(locks.claim(&transaction(&["b"])).is_ok());
    }
}
