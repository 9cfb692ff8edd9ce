//! The Incoming Call Log Item API: everything but the six thin `main.rs` files.
//!
//! A request's way: [`entry`] (Lambda runtime) → [`api`] (route, parse, authenticate,
//! authorize, one store call, respond) → [`store`] (DynamoDB). The item's rules live in
//! [`model`], list/count input in [`query`], keys and permissions in [`auth`], and the one error
//! type with its HTTP meaning in [`error`].

pub mod api;
pub mod auth;
pub mod config;
pub mod entry;
pub mod error;
pub mod model;
pub mod query;
pub mod store;

pub use api::App;
pub use auth::Operation;
pub use error::ApiError;
