//! Participants as an admin enrolls them (SPEC 1.3): one or a batch, every field
//! checked, user ids by the identity rule (SPEC 1.1), addresses by the parser the mailer
//! uses (lettre's) and avatar URLs as a browser would, so nothing accepted here is
//! refused later.

use serde::{Deserialize, Serialize};

use crate::field::{Invalid, Problems};
use crate::locale::Locale;

/// A participant's name, in characters.
pub const NAME_MAX: usize = 200;
pub const USER_ID_MAX: usize = crate::identity::IDENTITY_MAX;
pub const GROUP_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const URL_MAX: usize = 2048;
/// Most participants one enrollment request may carry.
pub const ENROLL_BATCH_MAX: usize = 100;

/// An enrolled user as the admin entered them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub avatar_url: Option<String>,
    pub group: Option<String>,
    /// The language of the emails they get (SPEC 1.17); `None`: the certificate's.
    #[serde(default)]
    pub locale: Option<Locale>,
}

/// One participant in `POST /programs/{id}/participants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub group: Option<String>,
    /// A supported tag; absent or null: the certificate's.
    pub locale: Option<String>,
}

impl ParticipantInput {
    pub fn parse(&self) -> Result<Participant, Invalid> {
        self.parse_with(Problems::new())
    }

    fn parse_with(&self, mut p: Problems) -> Result<Participant, Invalid> {
        let user_id = p.user_id("user_id", self.user_id.as_deref());
        let name = p.required_text("name", self.name.as_deref(), NAME_MAX);
        let email = match self.email.as_deref().map(str::trim) {
            None => {
                p.add("email", "is required");
                String::new()
            }
            Some(email) => {
                if let Err(problem) = check_email(email) {
                    p.add("email", problem);
                }
                email.to_string()
            }
        };
        let avatar_url = match self.avatar_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                if let Err(problem) = check_https_url(url) {
                    p.add("avatar_url", problem);
                }
                Some(url.to_string())
            }
        };
        let group = p.optional_text("group", self.group.as_deref(), GROUP_MAX, false);
        let locale = p.optional_locale("locale", self.locale.as_deref());
        p.finish(|| Participant {
            user_id,
            name,
            email,
            avatar_url,
            group: (!group.is_empty()).then_some(group),
            locale,
        })
    }
}

/// Body of the enroll route: one participant, or up to 100 under `participants`. The
/// edge tells the two apart by the presence of [`EnrollInput::BATCH_KEY`] and reads each
/// shape strictly ([`EnrollBatch`] or [`ParticipantInput`]), so that an unknown field or
/// a wrong type is named, never "matched no variant".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EnrollInput {
    Many { participants: Vec<ParticipantInput> },
    One(ParticipantInput),
}

/// The batch shape of the enroll body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollBatch {
    pub participants: Vec<ParticipantInput>,
}

impl From<EnrollBatch> for EnrollInput {
    fn from(batch: EnrollBatch) -> Self {
        EnrollInput::Many {
            participants: batch.participants,
        }
    }
}

impl EnrollInput {
    /// The key whose presence makes an enroll body a batch.
    pub const BATCH_KEY: &'static str = "participants";

    /// Every participant, or every problem (fields named `participants[i].field`); a
    /// user id given twice is refused.
    pub fn parse(&self) -> Result<Vec<Participant>, Invalid> {
        match self {
            EnrollInput::One(one) => one.parse().map(|p| vec![p]),
            EnrollInput::Many { participants } => {
                let mut p = Problems::new();
                if participants.is_empty() {
                    p.add("participants", "must not be empty");
                }
                if participants.len() > ENROLL_BATCH_MAX {
                    p.add(
                        "participants",
                        format!(
                            "must hold at most {ENROLL_BATCH_MAX} participants (got {})",
                            participants.len()
                        ),
                    );
                    return p.finish(Vec::new);
                }
                let mut parsed = Vec::with_capacity(participants.len());
                let mut seen = std::collections::HashSet::new();
                for (i, input) in participants.iter().enumerate() {
                    match input.parse_with(Problems::prefixed(format!("participants[{i}]."))) {
                        Ok(one) => {
                            if !seen.insert(one.user_id.clone()) {
                                p.add(&format!("participants[{i}].user_id"), "appears twice in this request");
                            }
                            parsed.push(one);
                        }
                        Err(invalid) => p.extend(invalid),
                    }
                }
                p.finish(|| parsed)
            }
        }
    }
}

/// What SES would refuse outright, we refuse first: a plain check of the shape, then
/// lettre's parser, the one the mailer reads recipients with (`certify-mail`).
fn check_email(email: &str) -> Result<(), &'static str> {
    if email.is_empty() {
        return Err("must not be empty");
    }
    if email.len() > EMAIL_MAX {
        return Err("must be at most 254 characters");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("must be an email address like name@example.com");
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"');
    let labels_ok = domain
        .split('.')
        .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || !domain.contains('.')
        || !labels_ok
        || email.chars().any(bad_char)
    {
        return Err("must be an email address like name@example.com");
    }
    email
        .parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|_| "must be an email address like name@example.com")
}

fn check_https_url(url: &str) -> Result<(), &'static str> {
    if url.len() > URL_MAX {
        return Err("must be at most 2048 characters");
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("must be an https:// URL");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be an https:// URL with a host");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_problems_are_all_reported() {
        let input = ParticipantInput {
            user_id: Some("u".repeat(129)),
            name: Some(" ".into()),
            email: Some("not-an-email".into()),
            avatar_url: Some("http://example.com/a.png".into()),
            group: Some("g".repeat(101)),
            locale: None,
        };
        assert_eq!(
            input.parse().unwrap_err().fields(),
            ["user_id", "name", "email", "avatar_url", "group"]
        );
    }

    #[test]
    fn a_valid_participant_is_trimmed_and_an_empty_group_is_none() {
        let input = ParticipantInput {
            user_id: Some("u1".into()),
            name: Some(" Ana Ávila ".into()),
            email: Some("ana@example.com".into()),
            avatar_url: Some("https://cdn.example.com/ana.png".into()),
            group: Some("".into()),
            locale: None,
        };
        let p = input.parse().unwrap();
        assert_eq!((p.name.as_str(), p.group), ("Ana Ávila", None));
    }

    #[test]
    fn email_addresses_are_checked() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in ["", "a@b", "@b.co", "a b@c.co", "a@b..co", "a@-b.co", "<a@b.co>"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_address_the_mailer_would_refuse_is_refused_at_the_door() {
        for bad in [
            "a(b)@example.com",
            "a[b]@example.com",
            "a\\b@example.com",
            ".a@example.com",
            "a..b@example.com",
        ] {
            assert!(bad.parse::<lettre::Address>().is_err(), "lettre accepts {bad}");
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_user_id_outside_the_identity_rule_is_refused_naming_it() {
        for bad in ["u#1", ".u1", "u 1", " u1"] {
            let input = ParticipantInput {
                user_id: Some(bad.into()),
                name: Some("Ana".into()),
                email: Some("ana@example.com".into()),
                ..ParticipantInput::default()
            };
            assert_eq!(input.parse().unwrap_err().fields(), ["user_id"], "{bad}");
        }
    }

    #[test]
    fn a_batch_names_the_index_of_each_problem_and_refuses_duplicates() {
        let body = r#"{"participants": [
            {"user_id": "u1", "name": "A", "email": "a@x.io"},
            {"user_id": "u2", "name": "", "email": "b@x.io"},
            {"user_id": "u1", "name": "C", "email": "c@x.io"}]}"#;
        let input: EnrollInput = serde_json::from_str::<EnrollBatch>(body).unwrap().into();
        assert_eq!(
            input.parse().unwrap_err().fields(),
            ["participants[1].name", "participants[2].user_id"]
        );
        let one =
            EnrollInput::One(serde_json::from_str(r#"{"user_id": "u1", "name": "A", "email": "a@x.io"}"#).unwrap());
        assert_eq!(one.parse().unwrap().len(), 1);
    }

    #[test]
    fn a_participants_locale_is_a_supported_tag_or_none_named_by_its_index() {
        let one: ParticipantInput =
            serde_json::from_str(r#"{"user_id": "u1", "name": "A", "email": "a@x.io", "locale": "zh-hans"}"#).unwrap();
        assert_eq!(one.parse().unwrap().locale, Some(Locale::ZhHans));
        let body = r#"{"participants": [
            {"user_id": "u1", "name": "A", "email": "a@x.io", "locale": null},
            {"user_id": "u2", "name": "B", "email": "b@x.io", "locale": "he"},
            {"user_id": "u3", "name": "C", "email": "c@x.io", "locale": "tlh"}]}"#;
        let input: EnrollInput = serde_json::from_str::<EnrollBatch>(body).unwrap().into();
        let err = input.parse().unwrap_err();
        assert_eq!(err.fields(), ["participants[2].locale"]);
        assert!(err.0[0].problem.starts_with("unsupported_locale"), "{err}");
        let stored: Participant = serde_json::from_str(
            r#"{"user_id": "u1", "name": "A", "email": "a@x.io", "avatar_url": null, "group": null}"#,
        )
        .unwrap();
        assert_eq!(stored.locale, None);
    }

    #[test]
    fn a_batch_over_one_hundred_is_refused() {
        let many = EnrollInput::Many {
            participants: vec![ParticipantInput::default(); 101],
        };
        assert_eq!(many.parse().unwrap_err().fields(), ["participants"]);
    }
}
