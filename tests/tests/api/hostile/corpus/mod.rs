//! The hostile corpus: malformed requests across every route, each with the status and the
//! fragment its error must name, by what they break: bodies, list parameters, the request
//! itself.

mod bodies;
mod listing;
mod requests;

use super::BASE;

/// One malformed request and what its answer must say.
pub struct Case {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    pub status: u16,
    /// A fragment the error must contain (case-insensitive).
    pub names: &'static str,
}

fn case(
    method: &'static str,
    path: impl Into<String>,
    body: Option<String>,
    status: u16,
    names: &'static str,
) -> Case {
    Case {
        method,
        path: path.into(),
        headers: Vec::new(),
        body,
        status,
        names,
    }
}

/// Every case, on an existing item `id`.
pub fn corpus(id: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    bodies::cases(id, &mut cases);
    listing::cases(id, &mut cases);
    requests::cases(id, &mut cases);
    cases
}

/// The routes that read a body, with `id` in their path.
fn body_routes(id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("POST", format!("{BASE}/get-list")),
        ("GET", format!("{BASE}/get-list")),
        ("POST", format!("{BASE}/{id}/get-item")),
        ("POST", format!("{BASE}/count")),
        ("POST", BASE.to_string()),
        ("PUT", format!("{BASE}/{id}")),
        ("POST", format!("{BASE}/{id}/update-item")),
        ("GET", format!("{BASE}/{id}/update-item")),
    ]
}
