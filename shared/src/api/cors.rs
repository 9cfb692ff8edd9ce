//! CORS (SPEC §7): what a browser's preflight is told. The HTTP API forwards `OPTIONS` on its
//! `ANY` routes to the functions, which answer it without a key; `template.yaml`'s
//! `CorsConfiguration` says the same (checked by `tests/tests/template/cors.rs`).

/// The preflight answer's headers, as (name, value).
pub const HEADERS: [(&str, &str); 5] = [
    ("access-control-allow-origin", ALLOW_ORIGIN),
    ("access-control-allow-methods", ALLOW_METHODS),
    ("access-control-allow-headers", ALLOW_HEADERS),
    ("access-control-expose-headers", EXPOSE_HEADERS),
    ("access-control-max-age", MAX_AGE),
];

pub const ALLOW_ORIGIN: &str = "*";
pub const ALLOW_METHODS: &str = "GET,POST,PUT,DELETE,OPTIONS";
pub const ALLOW_HEADERS: &str = "content-type,apikey,if-match,idempotency-key";
pub const EXPOSE_HEADERS: &str = "etag,allow,retry-after,idempotent-replayed";
pub const MAX_AGE: &str = "600";
