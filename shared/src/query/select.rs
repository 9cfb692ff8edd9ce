//! `select` (SPEC §3): which fields come back. `_id` always does; empty means every field.

use serde_json::Value;

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

    /// The item as the client asked for it, ready to serialise.
    pub fn project<'a>(&'a self, item: &'a Item) -> Projected<'a> {
        Projected { select: self, item }
    }
}

/// An item seen through a select: `_id`, then the selected fields and relations in the order
/// asked; every field when the select is empty.
pub struct Projected<'a> {
    select: &'a Select,
    item: &'a Item,
}

impl serde::Serialize for Projected<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.select.is_everything() {
            return self.item.serialize(serializer);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(Field::Id.name(), &self.item.get(Field::Id))?;
        for selected in &self.select.0 {
            match *selected {
                Selected::Field(Field::Id) => {}
                Selected::Field(field) => {
                    map.serialize_entry(field.name(), &self.item.get(field))?
                }
                Selected::Relation(relation) => {
                    map.serialize_entry(relation.name(), &self.item.relation(relation))?
                }
            }
        }
        map.end()
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
