//! CORS (SPEC §7): the HTTP API forwards a browser's preflight on its `ANY` routes to the
//! functions, which must answer it 204 without a key (what they say is held to
//! `template.yaml` in `tests/template/cors.rs`).

use call_log_item::api::cors;
use call_log_item::api::routes::{BASE_PATH, ROUTES};

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn a_preflight_is_204_without_a_key_on_every_path() {
    let app = TestApp::spawn().await;
    let id = random_id();
    for route in ROUTES {
        let path = format!("{BASE_PATH}{}", route.path.replace("{id}", &id));
        let headers = [
            ("Origin", "https://dashboard.example"),
            ("Access-Control-Request-Method", route.method),
        ];
        let response = app.send("OPTIONS", &path, &headers, None).await;
        assert_eq!(response.status, 204, "{path}");
        for (name, value) in cors::HEADERS {
            let sent = response.headers.get(name).map(|v| v.to_str().unwrap());
            assert_eq!(sent, Some(value), "{path} {name}");
        }
    }
}
