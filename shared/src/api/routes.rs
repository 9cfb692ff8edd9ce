//! The route table (SPEC §1): which method and path reach which operation. The template, the
//! local runner's router and the tests all follow this table.

use super::error::ApiError;
use crate::model::Operation;

/// Every route lives under this path.
pub const BASE_PATH: &str = "/api/incoming-call-log-item";

/// One method on one path template, relative to [`BASE_PATH`]; `{id}` is one path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub operation: Operation,
}

const fn route(method: &'static str, path: &'static str, operation: Operation) -> Route {
    Route {
        method,
        path,
        operation,
    }
}

pub const ROUTES: [Route; 12] = [
    route("GET", "/get-list", Operation::List),
    route("POST", "/get-list", Operation::List),
    route("GET", "/{id}/get-item", Operation::GetItem),
    route("POST", "/{id}/get-item", Operation::GetItem),
    route("POST", "/count", Operation::Count),
    route("POST", "", Operation::Create),
    route("PUT", "/{id}", Operation::Update),
    route("POST", "/{id}/update-item", Operation::Update),
    route("GET", "/{id}/update-item", Operation::Update),
    route("DELETE", "/{id}", Operation::Delete),
    route("POST", "/{id}/delete-item", Operation::Delete),
    route("GET", "/{id}/delete-item", Operation::Delete),
];

/// A request matched to its route, with the raw `{id}` segment if the path has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub route: Route,
    pub id: Option<String>,
}

impl Matched {
    /// The route as logged: `POST /api/incoming-call-log-item/{id}/get-item`.
    pub fn label(&self) -> String {
        format!("{} {BASE_PATH}{}", self.route.method, self.route.path)
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .collect()
}

/// Matches `path` against a template; `Some(id segment)` on a match.
fn match_template<'a>(template: &str, path: &[&'a str]) -> Option<Option<&'a str>> {
    let template = segments(template);
    if template.len() != path.len() {
        return None;
    }
    let mut id = None;
    for (expected, actual) in template.iter().zip(path) {
        if *expected == "{id}" {
            id = Some(*actual);
        } else if expected != actual {
            return None;
        }
    }
    Some(id)
}

/// The part of `path` after [`BASE_PATH`] (which may follow a REST API stage prefix).
fn relative(path: &str) -> Option<&str> {
    let start = path.find(BASE_PATH)?;
    let rest = &path[start + BASE_PATH.len()..];
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The routes of `path` (every method), with the `{id}` segment: literal segments win over
/// `{id}`, as in API Gateway. Empty for a path the API does not have.
fn routes_of_path(path: &str) -> Vec<(Route, Option<&str>)> {
    let Some(relative) = relative(path) else {
        return Vec::new();
    };
    let path = segments(relative);
    let candidates: Vec<(Route, Option<&str>)> = ROUTES
        .iter()
        .filter_map(|route| Some((*route, match_template(route.path, &path)?)))
        .collect();
    let variables = |route: &Route| route.path.matches("{id}").count();
    let fewest = candidates.iter().map(|(route, _)| variables(route)).min();
    candidates
        .into_iter()
        .filter(|(route, _)| Some(variables(route)) == fewest)
        .collect()
}

/// The path template (under [`BASE_PATH`]) of a path the API has, whatever the method.
pub fn path_template(path: &str) -> Option<&'static str> {
    routes_of_path(path).first().map(|(route, _)| route.path)
}

/// Finds the route for a method and path: 404 for an unknown path, 405 (with the allowed
/// methods) for a known path and another method. Literal segments win over `{id}`, as in
/// API Gateway.
pub fn resolve(method: &str, path: &str) -> Result<Matched, ApiError> {
    let not_found = || ApiError::NoRoute {
        method: method.to_string(),
        path: path.to_string(),
    };
    let candidates = routes_of_path(path);
    if candidates.is_empty() {
        return Err(not_found());
    }
    let method = method.to_ascii_uppercase();
    match candidates.iter().find(|(route, _)| route.method == method) {
        Some((route, id)) => Ok(Matched {
            route: *route,
            id: id.map(str::to_string),
        }),
        None => {
            let mut allow: Vec<&'static str> =
                candidates.iter().map(|(route, _)| route.method).collect();
            allow.dedup();
            Err(ApiError::MethodNotAllowed { method, allow })
        }
    }
}

/// The operation a method and path (with or without `?query`) reach; `None` for a route the
/// API does not have.
pub fn operation_for(method: &str, path: &str) -> Option<Operation> {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    resolve(method, path)
        .ok()
        .map(|matched| matched.route.operation)
}

/// The route's path template under [`BASE_PATH`] (`/api/…/{id}/get-item`), for a method and
/// path the API has.
pub fn template_for(method: &str, path: &str) -> Option<String> {
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    let matched = resolve(method, path).ok()?;
    Some(format!("{BASE_PATH}{}", matched.route.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(method: &str, path: &str) -> Operation {
        resolve(method, path).unwrap().route.operation
    }

    #[test]
    fn every_route_of_the_document_resolves() {
        let id = "550e8400-e29b-41d4-a716-446655440000";
        let base = BASE_PATH;
        assert_eq!(
            operation("GET", &format!("{base}/get-list")),
            Operation::List
        );
        assert_eq!(
            operation("POST", &format!("{base}/get-list")),
            Operation::List
        );
        assert_eq!(
            operation("GET", &format!("{base}/{id}/get-item")),
            Operation::GetItem
        );
        assert_eq!(
            operation("POST", &format!("{base}/{id}/get-item")),
            Operation::GetItem
        );
        assert_eq!(
            operation("POST", &format!("{base}/count")),
            Operation::Count
        );
        assert_eq!(operation("POST", base), Operation::Create);
        assert_eq!(operation("PUT", &format!("{base}/{id}")), Operation::Update);
        assert_eq!(
            operation("POST", &format!("{base}/{id}/update-item")),
            Operation::Update
        );
        assert_eq!(
            operation("GET", &format!("{base}/{id}/update-item")),
            Operation::Update
        );
        assert_eq!(
            operation("DELETE", &format!("{base}/{id}")),
            Operation::Delete
        );
        assert_eq!(
            operation("POST", &format!("{base}/{id}/delete-item")),
            Operation::Delete
        );
        assert_eq!(
            operation("GET", &format!("{base}/{id}/delete-item")),
            Operation::Delete
        );
        assert_eq!(
            resolve("GET", &format!("{base}/{id}/get-item"))
                .unwrap()
                .id
                .as_deref(),
            Some(id)
        );
    }

    #[test]
    fn a_stage_prefix_and_a_trailing_slash_are_tolerated() {
        assert_eq!(
            operation("POST", "/prod/api/incoming-call-log-item/count/"),
            Operation::Count
        );
    }

    #[test]
    fn unknown_paths_are_404() {
        for path in [
            "/api/other",
            "/api/incoming-call-log-items",
            "/api/incoming-call-log-item/a/b/c",
        ] {
            assert_eq!(resolve("GET", path).unwrap_err().status(), 404, "{path}");
        }
    }
}
