//! `GET /locales` (SPEC 1.17): the languages Certify speaks, for anyone. The answer
//! changes only with a release, so caches may keep it for a day.

use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use axum::Json;
use certify_rules::Locale;
use serde_json::{json, Value};

/// How long a cache may keep the list.
pub(crate) const CACHE: &str = "public, max-age=86400";

/// Every supported locale in [`Locale::ALL`] order: its tag, its name in itself and its
/// direction.
pub(crate) fn locales_body() -> Value {
    let items: Vec<Value> = Locale::ALL
        .into_iter()
        .map(|l| json!({"tag": l.tag(), "name": l.name(), "direction": l.direction().as_str()}))
        .collect();
    json!({ "items": items })
}

pub(crate) async fn locales() -> impl IntoResponse {
    ([(CACHE_CONTROL, CACHE)], Json(locales_body()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_locale_is_listed_once_in_order() {
        let body = locales_body();
        let items = body["items"].as_array().unwrap();
        let tags: Vec<&str> = items.iter().map(|i| i["tag"].as_str().unwrap()).collect();
        assert_eq!(tags, Locale::ALL.map(Locale::tag));
        assert_eq!(items[12], json!({"tag": "ar", "name": "العربية", "direction": "rtl"}));
        assert_eq!(items[0], json!({"tag": "en", "name": "English", "direction": "ltr"}));
    }
}
