//! `select` (SPEC §3): which fields come back. `_id` always does; empty means every field.

use crate::model::{Field, Relation};

/// One thing a client can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selected {
    Field(Field),
    Relation(Relation),
}

impl Selected {
    pub fn from_name(name: &str) -> Option<Selected> {
        match (Field::from_name(name), Relation::from_name(name)) {
            (Some(field), _) => Some(Selected::Field(field)),
            (None, Some(relation)) => Some(Selected::Relation(relation)),
            (None, None) => None,
        }
    }

    /// Every selectable name, comma-separated, for error messages.
    pub fn all_names() -> String {
        let relations = Relation::ALL.map(Relation::name).join(", ");
        format!("{}, {relations}", Field::all_names())
    }
}

/// What a response shows of each item, in the order asked; empty means every field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Select(Vec<Selected>);

impl Select {
    /// The selection of `wanted`, each once, in the order given.
    pub fn new(wanted: impl IntoIterator<Item = Selected>) -> Select {
        let mut selected = Vec::new();
        for item in wanted {
            if !selected.contains(&item) {
                selected.push(item);
            }
        }
        Select(selected)
    }

    pub fn is_everything(&self) -> bool {
        self.0.is_empty()
    }

    pub fn selected(&self) -> &[Selected] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_fields_or_relations() {
        assert_eq!(
            Selected::from_name("status"),
            Some(Selected::Field(Field::Status))
        );
        assert_eq!(
            Selected::from_name("user"),
            Some(Selected::Relation(Relation::User))
        );
        assert_eq!(Selected::from_name("colour"), None);
        assert!(Selected::all_names().contains("incomingCallLog,"));
    }

    #[test]
    fn a_selection_keeps_the_order_asked_and_each_once() {
        let select = Select::new([
            Selected::Field(Field::Status),
            Selected::Field(Field::Id),
            Selected::Field(Field::Status),
        ]);
        assert_eq!(
            select.selected(),
            &[Selected::Field(Field::Status), Selected::Field(Field::Id)]
        );
        assert!(Select::new([]).is_everything());
    }
}
