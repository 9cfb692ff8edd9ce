//! CORS and expiry as `template.yaml` configures them, against what the code says and writes.

use call_log_item::api::cors;
use call_log_item::store::dynamo::layout::TTL_ATTRIBUTE;

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
