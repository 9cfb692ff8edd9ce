//! CORS (SPEC §7): the HTTP API forwards a browser's preflight on its `ANY` routes to the
//! functions, which must answer it 204 without a key and say what `template.yaml` says.

use call_log_item::api::cors;
use call_log_item::api::routes::{BASE_PATH, ROUTES};
use call_log_item::store::dynamo::TTL_ATTRIBUTE;

use crate::helpers::{random_id, TestApp};
use crate::template;

#[test]
fn the_functions_preflight_says_what_the_template_configures() {
    let configured = template::cors();
    for (name, ours) in [
        ("AllowOrigins", cors::ALLOW_ORIGIN),
        ("AllowMethods", cors::ALLOW_METHODS),
        ("AllowHeaders", cors::ALLOW_HEADERS),
        ("ExposeHeaders", cors::EXPOSE_HEADERS),
        ("MaxAge", cors::MAX_AGE),
    ] {
        assert_eq!(
            configured.get(name).map(String::as_str),
            Some(ours),
            "{name}"
        );
    }
}

#[test]
fn the_template_expires_idempotency_records_by_the_attribute_the_code_writes() {
    assert_eq!(
        template::items_ttl_attribute().as_deref(),
        Some(TTL_ATTRIBUTE)
    );
}

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
