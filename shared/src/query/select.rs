//! `select` (SPEC §3): which fields come back. `_id` always does; empty means every field.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::model::{Field, Item, Relation};

/// One thing a client can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selected {
    Field(Field),
    Relation(Relation),
}

/// The parsed `select`; empty means "every field of the item".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Select(Vec<Selected>);

fn selectable_names() -> String {
    let relations = Relation::ALL.map(Relation::name).join(", ");
    format!("{}, {relations}", Field::all_names())
}

fn bad_select(message: String) -> ApiError {
    ApiError::bad_request(message)
}

impl Select {
    pub fn parse(value: Option<&Value>) -> Result<Select, ApiError> {
        let object = match value {
            None | Some(Value::Null) => return Ok(Select::default()),
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(bad_select(
                    "\"select\" must be an object such as {\"status\": true}".to_string(),
                ))
            }
        };
        let mut selected = Vec::with_capacity(object.len());
        for (name, flag) in object {
            let wanted = match (Relation::from_name(name), flag) {
                (_, Value::Bool(wanted)) => *wanted,
                (Some(_), Value::Object(sub)) => {
                    // {"project": {"_id": true}} is the relation's only field.
                    if let Some(other) = sub.keys().find(|key| key.as_str() != "_id") {
                        return Err(bad_select(format!(
                            "Invalid select \"{name}.{other}\": a relation can select only \"_id\""
                        )));
                    }
                    true
                }
                _ => {
                    return Err(bad_select(format!(
                        "Invalid select \"{name}\": the value must be true or false"
                    )))
                }
            };
            let item = match (Field::from_name(name), Relation::from_name(name)) {
                (Some(field), _) => Selected::Field(field),
                (None, Some(relation)) => Selected::Relation(relation),
                (None, None) => {
                    return Err(bad_select(format!(
                        "Unknown field \"{name}\" in select; selectable: {}",
                        selectable_names()
                    )))
                }
            };
            if wanted && !selected.contains(&item) {
                selected.push(item);
            }
        }
        Ok(Select(selected))
    }

    pub fn is_everything(&self) -> bool {
        self.0.is_empty()
    }

    /// The item as the client asked for it.
    pub fn project(&self, item: &Item) -> Value {
        if self.is_everything() {
            return item.to_json();
        }
        let mut object = Map::new();
        object.insert(Field::Id.name().to_string(), item.get(Field::Id).to_json());
        for selected in &self.0 {
            match *selected {
                Selected::Field(Field::Id) => {}
                Selected::Field(field) => {
                    object.insert(field.name().to_string(), item.get(field).to_json());
                }
                Selected::Relation(relation) => {
                    object.insert(relation.name().to_string(), item.relation_json(relation));
                }
            }
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_or_empty_select_means_everything() {
        assert!(Select::parse(None).unwrap().is_everything());
        assert!(Select::parse(Some(&json!({}))).unwrap().is_everything());
    }

    #[test]
    fn unknown_fields_are_rejected_with_the_selectable_ones() {
        let error = Select::parse(Some(&json!({"colour": true}))).unwrap_err();
        assert_eq!(error.status(), 400);
        assert!(error.public_message().contains("\"colour\""));
        assert!(error.public_message().contains("incomingCallLogId"));
    }

    #[test]
    fn relation_subfields_other_than_id_are_rejected() {
        assert!(Select::parse(Some(&json!({"project": {"_id": true}}))).is_ok());
        let error = Select::parse(Some(&json!({"project": {"name": true}}))).unwrap_err();
        assert!(error.public_message().contains("project.name"));
    }

    #[test]
    fn non_boolean_flags_are_rejected() {
        assert!(Select::parse(Some(&json!({"status": "yes"}))).is_err());
        assert!(Select::parse(Some(&json!(["status"]))).is_err());
    }
}
