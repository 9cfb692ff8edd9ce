//! What an error body shows on DynamoDB: nothing of the store. (How bodies, methods, routes
//! and sizes are refused needs no database: `shared/src/api/tests/errors.rs` and `routing.rs`.)

use crate::helpers::{OnDynamo, TestApp};

#[tokio::test]
async fn errors_never_show_internals() {
    let app = TestApp::spawn().await;
    let response = app.get_item("zzz", None).await;
    let text = response.body.to_string();
    for internal in ["DynamoDB", "Exception", "table", &app.config.items_table] {
        assert!(!text.contains(internal), "{text}");
    }
}
