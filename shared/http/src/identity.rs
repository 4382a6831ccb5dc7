//! Who calls, and who may: identity from verified claims only (never from the path,
//! query or body), and one extractor per kind of caller, so a handler's arguments say
//! who may call it. A caller of the wrong role is refused with 403 before the handler
//! runs; a route of certifications answers 403 `certifications_disabled` while the
//! workspace has them off. A token whose workspace or `sub` breaks the identity rule
//! (SPEC 1.1) is refused here, with 401 `invalid_identity`, before anything reads or
//! stores it.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Extensions;
use certify_rules::{check_identity, Role};

use crate::error::ApiError;
use crate::Deps;

/// Claims someone in front of the router has verified already. The local server puts
/// them here after checking its token; on AWS, API Gateway's JWT authorizer puts them
/// in the Lambda request context instead.
#[derive(Debug, Clone, Default)]
pub struct VerifiedClaims(pub HashMap<String, String>);

/// Who calls, from verified claims only.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: String,
    pub workspace_id: String,
    pub role: Role,
}

/// The verified claims a request carries: put there by the local server, or by API
/// Gateway's JWT authorizer in the Lambda request context.
pub(crate) fn claims_of(extensions: &Extensions) -> Option<HashMap<String, String>> {
    if let Some(verified) = extensions.get::<VerifiedClaims>() {
        return Some(verified.0.clone());
    }
    lambda_claims(extensions)
}

#[cfg(feature = "lambda")]
fn lambda_claims(extensions: &Extensions) -> Option<HashMap<String, String>> {
    match extensions.get::<lambda_http::request::RequestContext>()? {
        lambda_http::request::RequestContext::ApiGatewayV2(context) => {
            Some(context.authorizer.as_ref()?.jwt.as_ref()?.claims.clone())
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Without Lambda (the local server), only the server's own verified claims count.
#[cfg(not(feature = "lambda"))]
fn lambda_claims(_: &Extensions) -> Option<HashMap<String, String>> {
    None
}

impl FromRequestParts<Arc<Deps>> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, deps: &Arc<Deps>) -> Result<Self, ApiError> {
        let claims = claims_of(&parts.extensions).ok_or_else(|| ApiError::unauthenticated("sign in first"))?;
        let claim = |name: &str| {
            claims
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| ApiError::unauthenticated(format!("the token has no {name} claim")))
        };
        let user_id = claim("sub")?;
        let workspace_id = claim(&deps.claims.workspace)?;
        for (name, value) in [("sub", &user_id), (deps.claims.workspace.as_str(), &workspace_id)] {
            check_identity(value).map_err(|problem| ApiError::invalid_identity(name, problem))?;
        }
        let role = claim(&deps.claims.role)?.parse().map_err(|_| ApiError::forbidden())?;
        Ok(Identity {
            user_id,
            workspace_id,
            role,
        })
    }
}

/// Which callers a [`Caller`] admits.
pub trait Gate: Send + Sync + 'static {
    /// The roles admitted; any other gets 403.
    const ROLES: &'static [Role];
    /// Whether the workspace must have certifications enabled.
    const CERTIFYING: bool;
}

/// A caller a [`Gate`] admitted; handlers take one of the aliases below.
pub struct Caller<G> {
    pub identity: Identity,
    gate: PhantomData<G>,
}

impl<G> Caller<G> {
    /// The caller's workspace: every request acts inside it.
    pub fn ws(&self) -> &str {
        &self.identity.workspace_id
    }

    pub fn user_id(&self) -> &str {
        &self.identity.user_id
    }

    pub fn role(&self) -> Role {
        self.identity.role
    }

    /// The caller as the author of a change, in its history (SPEC 1.15).
    pub fn actor(&self) -> certify_rules::Actor {
        certify_rules::Actor::admin(self.user_id())
    }

    /// Refuses with 403 `certifications_disabled` unless the caller's workspace has
    /// certifications enabled (for a change that links one, say).
    pub async fn require_certifying(&self, deps: &Deps) -> Result<(), ApiError> {
        if deps.store.settings(self.ws()).await?.certifications_enabled {
            Ok(())
        } else {
            Err(ApiError::certifications_disabled())
        }
    }
}

impl<G: Gate> FromRequestParts<Arc<Deps>> for Caller<G> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, deps: &Arc<Deps>) -> Result<Self, ApiError> {
        let identity = Identity::from_request_parts(parts, deps).await?;
        if !G::ROLES.contains(&identity.role) {
            return Err(ApiError::forbidden());
        }
        let caller = Caller {
            identity,
            gate: PhantomData,
        };
        if G::CERTIFYING {
            caller.require_certifying(deps).await?;
        }
        Ok(caller)
    }
}

macro_rules! gate {
    ($(#[$doc:meta])* $gate:ident => $alias:ident, [$($role:ident),+], $certifying:expr) => {
        $(#[$doc])*
        pub type $alias = Caller<$gate>;

        #[doc = concat!("The gate of [`", stringify!($alias), "`].")]
        pub enum $gate {}

        impl Gate for $gate {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
            const CERTIFYING: bool = $certifying;
        }
    };
}

gate!(
    /// An admin of the workspace (programs, their rosters, run records).
    AdminGate => Admin, [Admin], false
);
gate!(
    /// An admin of a workspace with certifications enabled: the certification,
    /// pipeline and certificate-admin routes.
    CertifyingAdminGate => CertifyingAdmin, [Admin], true
);
gate!(
    /// Anyone signed in to a workspace with certifications enabled: their own
    /// certificates and results (an admin sees every certificate of the workspace).
    MemberGate => Member, [Admin, Participant, Operator], true
);
gate!(
    /// Platform staff, who change workspace settings.
    OperatorGate => Operator, [Operator], false
);
gate!(
    /// An admin or an operator: who may read workspace settings.
    StaffGate => Staff, [Admin, Operator], false
);
