//! The gateway's Lambda authorizer (the `authorizer` function) and what it tells the other
//! functions: API Gateway calls it with the request's `ApiKey` before any function runs, and
//! caches its answer per key. A valid key is admitted with its project and permissions in the
//! authorizer context, which API Gateway hands each function in the event
//! (`requestContext.authorizer.lambda`), out of a client's reach. Permissions are checked by
//! the functions, from that context: the gateway's cached answer serves every route of a key.
//!
//! How stale an admission can be: API Gateway keeps an answer for its `ReauthorizeEvery`
//! seconds, the authorizer trusts a key it read for its `KEY_CACHE_TTL_SECONDS`; the template
//! keeps the two within [`crate::auth::MAX_CACHE_TTL`] together, so a revoked key stops within a
//! minute.

use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use serde::{Deserialize, Serialize};

use crate::auth::{AuthError, Authenticator, Principal};
use crate::model::{ObjectId, Permission};
use crate::store::{KeyLookup, StoreError};

/// What the authorizer passes on about an admitted key: the context's two entries, strings
/// (as API Gateway documents for the context of a simple response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerContext {
    /// The key's project.
    pub project_id: String,
    /// The key's permissions, comma-separated, in their stored spelling (`ProjectAdmin`).
    pub permissions: String,
}

impl AuthorizerContext {
    pub fn of(principal: &Principal) -> Self {
        AuthorizerContext {
            project_id: principal.project.to_string(),
            permissions: principal
                .permissions
                .iter()
                .map(|permission| permission.code())
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The principal the context names; `None` if it is not one this authorizer writes (the
    /// function then checks the key itself).
    pub fn principal(&self) -> Option<Principal> {
        let project = ObjectId::parse(&self.project_id).ok()?;
        let permissions = self
            .permissions
            .split(',')
            .filter(|code| !code.is_empty())
            .map(Permission::parse)
            .collect::<Option<Vec<_>>>()?;
        Some(Principal {
            project,
            permissions,
        })
    }
}

/// The authorizer's answer: admitted with a context, or refused (API Gateway then answers
/// 403 `{"message":"Forbidden"}` itself).
pub type AuthorizerResponse = ApiGatewayV2CustomAuthorizerSimpleResponse<serde_json::Value>;

/// Admits the request's key or refuses it. A key the table cannot be read for is an error,
/// not a refusal: API Gateway answers 500 and caches nothing, so the next request tries again.
pub async fn decide(
    auth: &Authenticator,
    keys: &impl KeyLookup,
    request: &ApiGatewayV2CustomAuthorizerV2Request,
) -> Result<AuthorizerResponse, StoreError> {
    let mut response = AuthorizerResponse::default();
    response.context = serde_json::Value::Object(Default::default());
    match auth.authenticate(keys, presented_key(request)).await {
        Ok(principal) => {
            response.is_authorized = true;
            response.context = serde_json::to_value(AuthorizerContext::of(&principal))
                .expect("two strings serialize");
        }
        Err(AuthError::MissingKey | AuthError::InvalidKey | AuthError::Denied(_)) => {}
        Err(AuthError::Store(error)) => return Err(error),
    }
    Ok(response)
}

/// The key the request presents: the identity source API Gateway read (the `ApiKey` header),
/// else the header itself.
fn presented_key(request: &ApiGatewayV2CustomAuthorizerV2Request) -> Option<&str> {
    request
        .identity_source
        .as_ref()
        .and_then(|sources| sources.first())
        .map(String::as_str)
        .or_else(|| {
            request
                .headers
                .get("apikey")
                .and_then(|value| value.to_str().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{mint_key, MAX_CACHE_TTL};
    use crate::store::{KeyAdmin, MemoryStore};
    use std::time::Duration;

    /// An authorizer event as API Gateway sends it (payload 2.0, AWS's documented example),
    /// with the `ApiKey` header as its identity source.
    fn event(key: Option<&str>) -> ApiGatewayV2CustomAuthorizerV2Request {
        let mut event: serde_json::Value =
            serde_json::from_str(include_str!("../../../events/authorizer/request.json")).unwrap();
        match key {
            Some(key) => {
                event["identitySource"] = serde_json::json!([key]);
                event["headers"]["apikey"] = serde_json::json!(key);
            }
            None => {
                event.as_object_mut().unwrap().remove("identitySource");
                event["headers"].as_object_mut().unwrap().remove("apikey");
            }
        }
        serde_json::from_value(event).unwrap()
    }

    fn project() -> ObjectId {
        ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").unwrap()
    }

    #[tokio::test]
    async fn a_valid_key_is_admitted_with_its_project_and_permissions() {
        let keys = MemoryStore::new();
        let permissions = vec![
            Permission::ProjectMember,
            Permission::ReadAllProjectResources,
        ];
        let key = mint_key(&keys, project(), permissions.clone(), None, None)
            .await
            .unwrap();
        let answer = decide(
            &Authenticator::new(MAX_CACHE_TTL),
            &keys,
            &event(Some(&key)),
        )
        .await
        .unwrap();
        assert!(answer.is_authorized);
        let context: AuthorizerContext = serde_json::from_value(answer.context).unwrap();
        assert_eq!(context.project_id, project().to_string());
        assert_eq!(context.permissions, "ProjectMember,ReadAllProjectResources");
        assert_eq!(
            context.principal(),
            Some(Principal {
                project: project(),
                permissions
            })
        );
    }

    #[tokio::test]
    async fn missing_malformed_unknown_and_revoked_keys_are_refused() {
        let keys = MemoryStore::new();
        let auth = Authenticator::new(Duration::ZERO);
        let revoked = mint_key(&keys, project(), vec![Permission::ProjectAdmin], None, None)
            .await
            .unwrap();
        keys.revoke_key(&crate::auth::api_key::hash(&revoked))
            .await
            .unwrap();
        let unknown = crate::auth::api_key::generate();
        for key in [None, Some("secret"), Some(unknown.as_str()), Some(&revoked)] {
            let answer = decide(&auth, &keys, &event(key)).await.unwrap();
            assert!(!answer.is_authorized, "{key:?}");
            assert_eq!(answer.context, serde_json::json!({}), "{key:?}");
        }
    }

    #[test]
    fn a_context_this_authorizer_did_not_write_names_no_one() {
        let valid = AuthorizerContext {
            project_id: project().to_string(),
            permissions: "ProjectAdmin".into(),
        };
        assert!(valid.principal().is_some());
        for (project_id, permissions) in [
            ("not-a-uuid", "ProjectAdmin"),
            (valid.project_id.as_str(), "ProjectAdmin,Superuser"),
        ] {
            let context = AuthorizerContext {
                project_id: project_id.into(),
                permissions: permissions.into(),
            };
            assert_eq!(context.principal(), None, "{context:?}");
        }
        let none = AuthorizerContext {
            project_id: project().to_string(),
            permissions: String::new(),
        };
        assert_eq!(none.principal().unwrap().permissions, vec![]);
    }
}
