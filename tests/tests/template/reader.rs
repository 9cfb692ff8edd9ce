//! Reads what the tests check in `template.yaml`: each function's binary (named after its
//! logical id, as `sam/Makefile` builds it), its HTTP API events and its DynamoDB permissions. A line reader for this template's layout (SAM tags such as
//! `!GetAtt` would need a YAML library with tag support for no gain).

use std::collections::{BTreeMap, BTreeSet};

pub const TEMPLATE: &str = include_str!("../../../template.yaml");

/// `template.yaml` read whole, its CloudFormation tags (`!Ref`, `!If`, `!Sub`) kept as tagged
/// values.
pub fn parsed() -> serde_norway::Value {
    serde_norway::from_str(TEMPLATE).expect("template.yaml is YAML")
}

/// Every resource of a parsed template: (logical id, resource).
pub fn resources(template: &serde_norway::Value) -> Vec<(String, &serde_norway::Value)> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .map(|(name, resource)| (name.as_str().unwrap().to_string(), resource))
        .collect()
}

/// One function of the template.
#[derive(Debug, Default, Clone)]
pub struct Function {
    pub binary: String,
    /// (method, path) of every HttpApi event, ANY included.
    pub routes: Vec<(String, String)>,
    /// (table: "items" | "keys", action such as "GetItem").
    pub dynamodb: BTreeSet<(String, String)>,
}

/// The binary `sam/Makefile` builds for a function's logical id without its `Function`
/// suffix: `GetItem` → `get-item`.
pub fn binary_of(id: &str) -> String {
    let mut binary = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            binary.push('-');
        }
        binary.push(c.to_ascii_lowercase());
    }
    binary
}

/// Every `AWS::Serverless::Function`, by binary name.
pub fn functions() -> BTreeMap<String, Function> {
    let mut functions = BTreeMap::new();
    let mut current: Option<Function> = None;
    let mut method = String::new();
    let mut actions: Vec<String> = Vec::new();
    let flush_statement =
        |function: &mut Function, actions: &mut Vec<String>, table: Option<&str>| {
            if let Some(table) = table {
                for action in actions.drain(..) {
                    function.dynamodb.insert((table.to_string(), action));
                }
            }
            actions.clear();
        };
    let mut table: Option<&str> = None;
    for line in TEMPLATE.lines() {
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        // A new top-level resource ends the one before.
        if indent == 2 && text.ends_with(':') {
            if let Some(mut function) = current.take() {
                flush_statement(&mut function, &mut actions, table);
                functions.insert(function.binary.clone(), function);
            }
            table = None;
            if let Some(id) = text.strip_suffix("Function:") {
                current = Some(Function {
                    binary: binary_of(id),
                    ..Function::default()
                });
            }
            continue;
        }
        let Some(function) = current.as_mut() else {
            continue;
        };
        if let Some(m) = text.strip_prefix("Method:") {
            method = m.trim().to_string();
        } else if let Some(path) = text.strip_prefix("Path:") {
            function
                .routes
                .push((method.clone(), path.trim().to_string()));
        } else if text.starts_with("- Sid:") {
            flush_statement(function, &mut actions, table);
            table = None;
        } else if let Some(action) = text.strip_prefix("- dynamodb:") {
            actions.push(action.trim().to_string());
        } else if text.contains("ApiKeysTable") {
            table = Some("keys");
        } else if text.contains("ItemsTable") {
            table = Some("items");
        }
    }
    if let Some(mut function) = current.take() {
        flush_statement(&mut function, &mut actions, table);
        functions.insert(function.binary.clone(), function);
    }
    functions
}

/// The HTTP API's `CorsConfiguration`, each list joined with commas as a preflight answers:
/// (AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, MaxAge).
pub fn cors() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut inside = false;
    let mut current: Option<String> = None;
    for line in TEMPLATE.lines() {
        let text = line.trim();
        if text == "CorsConfiguration:" {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent <= 6 {
            break;
        }
        if let Some(value) = text.strip_prefix("- ") {
            let name = current.clone().expect("a list under a key");
            let value = value.trim_matches('\'');
            let entry: &mut String = found.entry(name).or_default();
            if !entry.is_empty() {
                entry.push(',');
            }
            entry.push_str(value);
        } else if let Some((name, value)) = text.split_once(':') {
            current = Some(name.to_string());
            if !value.trim().is_empty() {
                found.insert(name.to_string(), value.trim().to_string());
            }
        }
    }
    found
}

/// The `TimeToLiveSpecification` attribute of the items table, if any.
pub fn items_ttl_attribute() -> Option<String> {
    let table = TEMPLATE.split("  ItemsTable:").nth(1)?;
    let table = table.split("\n  ApiKeysTable:").next()?;
    let spec = table.split("TimeToLiveSpecification:").nth(1)?;
    spec.lines()
        .find_map(|line| line.trim().strip_prefix("AttributeName:"))
        .map(|name| name.trim().to_string())
}
