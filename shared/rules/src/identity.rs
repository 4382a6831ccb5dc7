//! Who calls and when: the roles a verified caller holds, and the clock the edges read
//! `now` from before they hand it to the rules.

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A caller's role, from verified claims only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Participant,
    Operator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Participant, Role::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Participant => "participant",
            Role::Operator => "operator",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| "must be admin, participant or operator".to_string())
    }
}

/// Where the edges (handlers, the sweep, the local server) read `now` from: the system
/// clock in production, a fixed or stepped one in tests. The rules never call it; they
/// take `now` as an argument.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip_through_text_and_json() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{}\"", role.as_str()));
            assert_eq!(
                serde_json::from_str::<Role>(&format!("\"{}\"", role.as_str())).unwrap(),
                role
            );
        }
        assert_eq!(Role::ALL.map(Role::as_str), ["admin", "participant", "operator"]);
    }

    #[test]
    fn an_unknown_role_is_refused_naming_the_three() {
        for bad in ["", "Admin", "root", "admin "] {
            assert_eq!(
                bad.parse::<Role>(),
                Err("must be admin, participant or operator".to_string())
            );
        }
    }
}
