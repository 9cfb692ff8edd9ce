//! What the API writes: items, selections and envelopes as JSON, straight from typed values
//! (serde impls, no `serde_json::Value` trees on the way to a response).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::model::{Field, FieldValue, Item, Relation};
use crate::query::{Select, Selected};

/// What an operation answers: the JSON body, written, and for a single item its version for
/// `ETag`.
#[derive(Debug)]
pub struct Reply {
    pub body: String,
    pub version: Option<i64>,
    /// The answer of an earlier request with the same Idempotency-Key, given again.
    pub replayed: bool,
}

impl Reply {
    pub fn json(body: &impl Serialize, version: Option<i64>) -> Self {
        Reply {
            body: serde_json::to_string(body).expect("response bodies always serialise"),
            version,
            replayed: false,
        }
    }

    /// `{}`: what update and delete answer.
    pub fn empty() -> Self {
        Reply {
            body: "{}".to_string(),
            version: None,
            replayed: false,
        }
    }
}

/// Ids, dates, phone numbers and text as plain JSON strings (SPEC §2, output).
impl Serialize for FieldValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            FieldValue::Null => serializer.serialize_unit(),
            FieldValue::Id(id) => serializer.collect_str(&id),
            FieldValue::Text(text) => serializer.serialize_str(text),
            FieldValue::Integer(number) => serializer.serialize_i64(number),
            FieldValue::Date(date) => serializer.collect_str(&date),
            FieldValue::Boolean(flag) => serializer.serialize_bool(flag),
        }
    }
}

/// A relation as a response shows it: `{"_id": …}`, or null.
struct RelationView<'a>(FieldValue<'a>);

impl Serialize for RelationView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 == FieldValue::Null {
            return serializer.serialize_unit();
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("_id", &self.0)?;
        map.end()
    }
}

/// Every field of SPEC §2, in the document's order, nulls included.
impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Field::ALL.len()))?;
        for field in Field::ALL {
            map.serialize_entry(field.name(), &self.get(field))?;
        }
        map.end()
    }
}

/// An item seen through a select: `_id`, then the selected fields and relations in the order
/// asked; every field when the select is empty.
pub struct Projected<'a> {
    select: &'a Select,
    item: &'a Item,
}

impl<'a> Projected<'a> {
    pub fn new(select: &'a Select, item: &'a Item) -> Self {
        Projected { select, item }
    }
}

impl Serialize for Projected<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.select.is_everything() {
            return self.item.serialize(serializer);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(Field::Id.name(), &self.item.get(Field::Id))?;
        for selected in self.select.selected() {
            match *selected {
                Selected::Field(Field::Id) => {}
                Selected::Field(field) => {
                    map.serialize_entry(field.name(), &self.item.get(field))?
                }
                Selected::Relation(relation) => {
                    map.serialize_entry(relation.name(), &relation_view(self.item, relation))?
                }
            }
        }
        map.end()
    }
}

fn relation_view(item: &Item, relation: Relation) -> RelationView<'_> {
    RelationView(item.get(relation.id_field()))
}

/// The list envelope: `{"count", "limit", "skip", "data", "nextCursor"?}`.
#[derive(Serialize)]
pub struct ListBody<'a> {
    pub count: u64,
    /// Only when `count` is the matches found within the read cap, not all of them.
    #[serde(
        rename = "countIsLowerBound",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub count_is_lower_bound: bool,
    pub limit: u32,
    pub skip: u64,
    pub data: Vec<Projected<'a>>,
    #[serde(rename = "nextCursor", skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `{"count": n}`.
#[derive(Serialize)]
pub struct CountBody {
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Input, NewItem, ObjectId, Timestamp};
    use serde_json::{json, Value};

    const PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";
    const CALL_LOG: &str = "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";

    fn item() -> Item {
        let project = ObjectId::parse(PROJECT).unwrap();
        NewItem::parse(
            &[
                (Field::IncomingCallLogId, Input::Text(CALL_LOG)),
                (Field::Status, Input::Text("Ringing")),
            ],
            project,
        )
        .unwrap()
        .into_item(
            project,
            Timestamp::parse("2026-11-27T18:24:15.123Z").unwrap(),
        )
    }

    fn json_of(value: &impl Serialize) -> Value {
        serde_json::to_value(value).unwrap()
    }

    #[test]
    fn an_item_shows_every_field_plainly_nulls_included() {
        let json = json_of(&item());
        let object = json.as_object().unwrap();
        assert_eq!(
            object.keys().collect::<Vec<_>>(),
            Field::ALL.map(Field::name).iter().collect::<Vec<_>>()
        );
        assert_eq!(json["createdAt"], "2026-11-27T18:24:15.123Z");
        assert_eq!(json["version"], 1);
        assert_eq!(json["projectId"], PROJECT);
        assert_eq!(json["userId"], Value::Null);
        assert_eq!(json["isAnswered"], false);
    }

    #[test]
    fn a_selection_shows_id_first_then_what_was_asked_in_order() {
        let item = item();
        let select = Select::new([
            Selected::Field(Field::Status),
            Selected::Relation(Relation::IncomingCallLog),
            Selected::Relation(Relation::User),
        ]);
        let text = serde_json::to_string(&Projected::new(&select, &item)).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"_id":"{}","status":"Ringing","incomingCallLog":{{"_id":"{CALL_LOG}"}},"user":null}}"#,
                item.id
            )
        );
    }

    #[test]
    fn the_list_envelope_has_next_cursor_and_the_lower_bound_mark_only_when_set() {
        let empty = ListBody {
            count: 0,
            count_is_lower_bound: false,
            limit: 10,
            skip: 0,
            data: vec![],
            next_cursor: None,
        };
        assert_eq!(
            json_of(&empty),
            json!({"count": 0, "limit": 10, "skip": 0, "data": []})
        );
        let bounded = ListBody {
            count: 10_000,
            count_is_lower_bound: true,
            limit: 10,
            skip: 0,
            data: vec![],
            next_cursor: None,
        };
        assert_eq!(json_of(&bounded)["countIsLowerBound"], true);
    }
}
