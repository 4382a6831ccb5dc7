//! Request extraction written once: path parameters, query strings, JSON bodies, paging
//! and `If-Match` (who calls is [`crate::identity`]). Every handler extracts through
//! these, never through axum's own extractors, so every refusal (a path parameter that
//! is not UTF-8 or breaks the identity rule, a query string that is not one, a body of
//! the wrong shape) answers 400 `invalid_input` in the SPEC's error shape, naming the
//! field.

use std::collections::HashMap;

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::IF_MATCH;
use axum::http::request::Parts;
use certify_rules::{FieldError, Invalid};
use certify_store::{Conflict, PageRequest, StoreError};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest body a request may carry.
pub const BODY_MAX: usize = 256 * 1024;
pub const LIMIT_DEFAULT: usize = 50;
pub const LIMIT_MAX: usize = 500;

/// A JSON body of `T`: at most 256 KiB (413), well-formed, of the right types, without
/// unknown fields (400 naming the field).
pub struct JsonBody<T>(pub T);

/// serde's message without the line and column, which mean nothing to a client.
fn problem(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The path serde reached (it names an unknown field too) for a wrong value; the whole
/// body when it is not JSON at all.
fn field_of(path: &str, error: &serde_json::Error) -> String {
    if path == "." || error.is_syntax() || error.is_eof() {
        "body".to_string()
    } else {
        path.to_string()
    }
}

fn invalid_json(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let message = problem(e.inner());
    let field = field_of(&e.path().to_string(), e.inner());
    ApiError::invalid(Invalid(vec![FieldError {
        field,
        problem: message,
    }]))
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(Invalid::one("body", "is required (a JSON object)").into()),
        // serde would read a struct from an array of its fields in order: `[]` must not
        // pass for `{}`.
        Some(b'[') => return Err(Invalid::one("body", "must be a JSON object, not an array").into()),
        Some(_) => {}
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Err(e) if problem(e.inner()).starts_with("invalid type: floating point") => {
            // JSON has one number type: `3.0` is the integer 3 to JSON Schema, and so to
            // the OpenAPI document; read whole numbers written with a fraction as integers.
            let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| invalid_json(e))?;
            whole_numbers_as_integers(&mut value);
            parse_value(value)
        }
        parsed => parsed.map_err(invalid_json),
    }
}

/// `3.0` as `3`, in place, everywhere in `value`: floats with no fraction that an `i64`
/// holds exactly (within 2^53); any other number stays as it is.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match value {
        Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() <= EXACT)
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// A body already read as JSON, deserialized as `T` with the same field naming as
/// [`parse_json`] (for a body whose shape depends on its keys).
pub fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(invalid_json)
}

/// Path parameters as `T`: a parameter that is not UTF-8 once decoded is a problem with
/// `path`; one whose type refuses it (a [`certify_rules::UserId`] breaking the identity
/// rule) is a problem with that parameter, by its name in the route (`uid`).
pub struct Path<T>(pub T);

fn path_refused(rejection: PathRejection) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // Only a handler that asks for parameters its route lacks: ours, not the caller's.
        return ApiError::internal(anyhow::anyhow!("path extraction: {rejection}"));
    };
    match failed.into_kind() {
        ErrorKind::DeserializeError { key, message, .. } => Invalid::one(key, message).into(),
        ErrorKind::InvalidUtf8InPathParam { key } => {
            Invalid::one("path", format!("`{key}` is not valid UTF-8 once decoded")).into()
        }
        other => Invalid::one("path", other.to_string()).into(),
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(path_refused)
    }
}

/// The query string as `T`; one that does not deserialize is a problem with `query`.
pub struct Query<T>(pub T);

fn not_a_query_string() -> ApiError {
    Invalid::one("query", "is not a valid query string").into()
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|_| not_a_query_string())
    }
}

/// The query string as a struct of strings `T` (each value checked later by the rules,
/// naming itself): a parameter `T` has no field for is ignored (`T` must not refuse
/// unknown fields), and of a parameter given twice the last counts, as with [`Paging`].
pub struct KnownQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for KnownQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(given) = Query::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let given = given.into_iter().map(|(name, value)| (name, value.into())).collect();
        serde_json::from_value(serde_json::Value::Object(given))
            .map(KnownQuery)
            .map_err(|_| not_a_query_string())
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let body = request.into_body();
        let bytes = axum::body::to_bytes(body, BODY_MAX)
            .await
            .map_err(|_| ApiError::too_large(BODY_MAX))?;
        Ok(JsonBody(parse_json(&bytes)?))
    }
}

/// `limit` (1-500, default `DEFAULT`: 50 unless a route says otherwise) and `cursor`
/// from the query string.
pub struct Paging<const DEFAULT: usize = LIMIT_DEFAULT>(pub PageRequest);

impl<S: Send + Sync, const DEFAULT: usize> FromRequestParts<S> for Paging<DEFAULT> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let limit = match query.get("limit") {
            None => DEFAULT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=LIMIT_MAX).contains(&n) => n,
                _ => return Err(Invalid::one("limit", format!("must be a whole number from 1 to {LIMIT_MAX}")).into()),
            },
        };
        let cursor = query.get("cursor").filter(|c| !c.is_empty()).cloned();
        Ok(Paging(PageRequest { limit, cursor }))
    }
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `*`), if any. A change made
/// against a version goes through it twice: [`IfMatch::admit`] before the change is
/// worked out, [`IfMatch::written`] on the conditional write's answer.
pub struct IfMatch(pub Option<u64>);

impl IfMatch {
    /// 412 when the caller named a version other than the `current` one.
    pub fn admit(&self, current: u64) -> Result<(), ApiError> {
        match self.0 {
            Some(named) if named != current => Err(ApiError::precondition_failed()),
            _ => Ok(()),
        }
    }

    /// The write's answer: its version having moved meanwhile is a failed precondition
    /// (412) when the caller named a version, a conflict (409) otherwise.
    pub fn written<T>(&self, result: Result<T, StoreError>) -> Result<T, ApiError> {
        result.map_err(|error| match error {
            StoreError::Conflict(Conflict::StaleVersion) if self.0.is_some() => ApiError::precondition_failed(),
            other => other.into(),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get(IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = raw.to_str().unwrap_or("").trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        // `"3"`, `W/"3"` or a bare `3`, as the document's pattern says: 1-19 digits.
        let quoted = text.strip_prefix("W/").unwrap_or(text);
        let digits = match quoted.strip_prefix('"') {
            Some(rest) => rest.strip_suffix('"'),
            None if quoted.len() == text.len() => Some(text),
            None => None,
        };
        digits
            .filter(|digits| (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .map(|v| IfMatch(Some(v)))
            .ok_or_else(|| Invalid::one("If-Match", "must be an ETag this API gave out, like \"3\"").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_problems_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            count: Option<i64>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            name: Option<String>,
            validity: Option<Inner>,
        }
        let field = |body: &str| {
            let err = parse_json::<Outer>(body.as_bytes()).unwrap_err();
            assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);
            err.details()[0].field.clone()
        };
        assert_eq!(field(r#"{"colour": 1}"#), "colour");
        assert_eq!(field(r#"{"name": 5}"#), "name");
        assert_eq!(field(r#"{"validity": {"count": "x"}}"#), "validity.count");
        assert_eq!(field(r#"{"validity": {"unit2": 1}}"#), "validity.unit2");
        assert_eq!(field(r#"{"name": "#), "body");
        assert_eq!(field("  "), "body");
        assert_eq!(field("[]"), "body");
        assert_eq!(field(r#" ["Ana"]"#), "body");
    }

    #[tokio::test]
    async fn a_query_string_that_does_not_deserialize_is_400_naming_query() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Counted {
            count: u8,
        }
        let request = axum::http::Request::builder().uri("/x?count=300").body(()).unwrap();
        let (mut parts, ()) = request.into_parts();
        let Err(refused) = Query::<Counted>::from_request_parts(&mut parts, &()).await else {
            panic!("a count of 300 is no u8");
        };
        assert_eq!(
            (refused.status(), refused.code(), refused.details()[0].field.as_str()),
            (axum::http::StatusCode::BAD_REQUEST, "invalid_input", "query")
        );
    }

    #[tokio::test]
    async fn a_known_query_ignores_parameters_it_has_no_field_for_and_takes_the_last_of_two() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Filters {
            name: Option<String>,
            sort: Option<String>,
        }
        let read = |uri: &'static str| async move {
            let request = axum::http::Request::builder().uri(uri).body(()).unwrap();
            let (mut parts, ()) = request.into_parts();
            KnownQuery::<Filters>::from_request_parts(&mut parts, &())
                .await
                .map(|q| q.0)
        };
        assert_eq!(
            read("/x?name=Ana%20%C3%81vila&colour=red&sort=name&sort=age")
                .await
                .unwrap(),
            Filters {
                name: Some("Ana Ávila".into()),
                sort: Some("age".into())
            }
        );
        assert_eq!(read("/x").await.unwrap(), Filters { name: None, sort: None });
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers_and_others_are_refused() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Counts {
            position: Option<i64>,
            days: Option<Vec<u16>>,
        }
        let counts = parse_json::<Counts>(br#"{"position": 6057.0, "days": [30, 7.0]}"#).unwrap();
        assert_eq!(
            counts,
            Counts {
                position: Some(6057),
                days: Some(vec![30, 7])
            }
        );
        for (body, field) in [
            (r#"{"position": 1.5}"#, "position"),
            (r#"{"days": [7.25]}"#, "days[0]"),
            (r#"{"position": 1e300}"#, "position"),
            (r#"{"position": 2.0, "colour": 1}"#, "colour"),
        ] {
            let err = parse_json::<Counts>(body.as_bytes()).unwrap_err();
            assert_eq!(err.details()[0].field, field, "{body}");
        }
    }

    #[tokio::test]
    async fn if_match_is_a_quoted_version_a_weak_one_or_a_star_and_nothing_else() {
        let read = |value: &'static str| async move {
            let request = axum::http::Request::builder().header(IF_MATCH, value).body(()).unwrap();
            let (mut parts, ()) = request.into_parts();
            IfMatch::from_request_parts(&mut parts, &()).await.map(|m| m.0)
        };
        assert_eq!(read("\"3\"").await.ok(), Some(Some(3)));
        assert_eq!(read("W/\"12\"").await.ok(), Some(Some(12)));
        assert_eq!(read("*").await.ok(), Some(None));
        assert_eq!(read("3").await.ok(), Some(Some(3)));
        for bad in [
            "W/3",
            "\"3",
            "\"\"",
            "\"\", \"\"",
            "\"w:\"",
            "\"12345678901234567890\"",
            "",
        ] {
            let refused = read(bad).await.err().unwrap_or_else(|| panic!("{bad:?} was taken"));
            assert_eq!(refused.details()[0].field, "If-Match", "{bad:?}");
        }
    }
}
