//! Who calls and when: the roles a verified caller holds, the one rule every identity
//! value (workspace id, user id) obeys (SPEC 1.1), and the clock the edges read `now`
//! from before they hand it to the rules.

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

/// Most characters in a workspace id or a user id.
pub const IDENTITY_MAX: usize = 128;

/// The rule every workspace id and user id obeys (SPEC 1.1): 1-128 characters from
/// `A-Z a-z 0-9 . _ : @ + -`, not starting with `.`. Checked once, at the edge (token
/// claims, path and body user ids), so no layer behind it (store keys, file keys, mail)
/// meets a value another layer would refuse.
pub fn check_identity(value: &str) -> Result<(), &'static str> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '@' | '+' | '-');
    if value.is_empty() {
        Err("must not be empty")
    } else if value.len() > IDENTITY_MAX {
        Err("must be at most 128 characters")
    } else if !value.chars().all(allowed) {
        Err("must use only the characters A-Z a-z 0-9 . _ : @ + -")
    } else if value.starts_with('.') {
        Err("must not start with a dot")
    } else {
        Ok(())
    }
}

/// A user id that obeys [`check_identity`]; deserializing one checks it, so a path or
/// body carrying another is refused naming its field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct UserId(String);

/// Checks inside the visitor, so that a deserializer that names where it failed (path
/// parameters, say) names the user id.
impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = UserId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a user id")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<UserId, E> {
                UserId::try_from(value.to_string()).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl UserId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, &'static str> {
        check_identity(&value).map(|()| UserId(value))
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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
    fn identity_values_are_one_to_128_characters_of_the_allowed_set() {
        let longest = "a".repeat(128);
        for good in ["u1", "ws-acme", "a.b_c:d@e+f-g", "AZaz09", "-x", "x.", longest.as_str()] {
            assert_eq!(check_identity(good), Ok(()), "{good}");
        }
        let too_long = "a".repeat(129);
        for bad in ["", too_long.as_str(), ".acme", "a#b", "a b", "a/b", "ä", "a\n", "a%2F"] {
            assert!(check_identity(bad).is_err(), "{bad}");
        }
        assert_eq!(check_identity(".acme"), Err("must not start with a dot"));
    }

    #[test]
    fn a_user_id_deserializes_only_when_it_obeys_the_rule() {
        let id: UserId = serde_json::from_str("\"u-ana\"").unwrap();
        assert_eq!((id.as_str(), id.to_string()), ("u-ana", "u-ana".to_string()));
        let refused = serde_json::from_str::<UserId>("\"u#ana\"").unwrap_err();
        assert!(
            refused.to_string().starts_with("must use only the characters"),
            "{refused}"
        );
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
