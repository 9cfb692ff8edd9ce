//! One route table: the handler's (`routes::ROUTES`), the template's HTTP API events and the
//! local runner's router in `Cargo.toml` must list the same routes to the same functions.

use std::collections::BTreeSet;

use call_log_item::api::routes::{resolve, BASE_PATH, ROUTES};

use crate::template;

const WORKSPACE_MANIFEST: &str = include_str!("../../../Cargo.toml");

/// (method, path, function binary) from the handler's table.
fn handler_routes() -> BTreeSet<(String, String, String)> {
    ROUTES
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                format!("{BASE_PATH}{}", r.path),
                r.operation.function_name().to_string(),
            )
        })
        .collect()
}

/// (method, path, binary) of every HttpApi event in template.yaml, ANY included.
fn template_routes() -> Vec<(String, String, String)> {
    template::functions()
        .into_values()
        .flat_map(|f| {
            f.routes
                .into_iter()
                .map(move |(m, p)| (m, p, f.binary.clone()))
        })
        .collect()
}

#[test]
fn the_template_declares_exactly_the_handlers_routes() {
    let template = template_routes();
    let declared: BTreeSet<_> = template
        .iter()
        .filter(|(m, _, _)| m != "ANY")
        .cloned()
        .collect();
    assert_eq!(declared, handler_routes());
    // Every ANY route goes to a function that serves that path, so it can answer 405.
    for (_, path, binary) in template.iter().filter(|(m, _, _)| m == "ANY") {
        let concrete = path.replace("{id}", "550e8400-e29b-41d4-a716-446655440000");
        let serves_path = ROUTES.iter().any(|r| {
            r.operation.function_name() == binary
                && resolve(r.method, &concrete).is_ok_and(|m| m.route == *r)
        });
        assert!(
            serves_path,
            "ANY {path} goes to {binary}, which serves no route there"
        );
    }
}

#[test]
fn the_local_router_sends_each_route_to_its_function() {
    let manifest: toml::Table = WORKSPACE_MANIFEST.parse().unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("a [workspace.metadata.lambda.watch.router] table");
    let function_for = |method: &str, path: &str| -> Option<String> {
        match router.get(path)? {
            toml::Value::String(function) => Some(function.clone()),
            toml::Value::Array(entries) => entries.iter().find_map(|entry| {
                (entry.get("method")?.as_str()? == method)
                    .then(|| entry.get("function")?.as_str().map(str::to_string))?
            }),
            _ => None,
        }
    };
    for (method, path, function) in handler_routes() {
        assert_eq!(
            function_for(&method, &path),
            Some(function.clone()),
            "{method} {path}"
        );
    }
    // And the router names no path the handler does not serve.
    let paths: BTreeSet<String> = handler_routes()
        .into_iter()
        .map(|(_, path, _)| path)
        .collect();
    for path in router.keys() {
        assert!(
            paths.contains(path),
            "router path {path} is not an API route"
        );
    }
}

#[test]
fn the_openapi_document_describes_exactly_the_handlers_routes() {
    const OPENAPI: &str = include_str!("../../../docs/openapi.yaml");
    let mut documented = BTreeSet::new();
    let mut in_paths = false;
    let mut path = String::new();
    for line in OPENAPI.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_paths = line.starts_with("paths:");
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /") {
            path = format!("/{}", p.trim_end_matches(':'));
        } else if let Some(method) = line.strip_prefix("    ").and_then(|m| m.strip_suffix(':')) {
            if ["get", "post", "put", "delete", "patch", "head", "options"].contains(&method) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routes: BTreeSet<(String, String)> = handler_routes()
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    // Every path also documents its CORS preflight, which every function answers.
    let preflights: BTreeSet<String> = documented
        .iter()
        .filter(|(method, _)| method == "OPTIONS")
        .map(|(_, path)| path.clone())
        .collect();
    let paths: BTreeSet<String> = routes.iter().map(|(_, path)| path.clone()).collect();
    assert_eq!(preflights, paths);
    documented.retain(|(method, _)| method != "OPTIONS");
    assert_eq!(documented, routes);
}
