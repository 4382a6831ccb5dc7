//! Plain HTTP/1.1 to the server with ureq: every status is an answer (4xx and 5xx are
//! counted, not raised), redirects are not followed, and a request that got no answer
//! (refused, reset, timed out) is an `Err`.

use std::time::Duration;

use serde_json::Value;

/// One request's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body as JSON, or `Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// 2xx and 3xx: what a client takes as done.
    pub fn is_success(&self) -> bool {
        (200..400).contains(&self.status)
    }

    /// The status and the error code of the body, to explain a failure.
    pub fn describe(&self) -> String {
        let body = self.json();
        let code = body["error"]["code"].as_str().unwrap_or("");
        format!("{} {code}", self.status)
    }
}

/// A client of one server (one connection pool).
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    pub fn new() -> Http {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Http { agent }
    }

    /// `GET base+path` (or `path` when it is a whole URL), with a bearer token if any.
    pub fn get(&self, base: &str, path: &str, token: Option<&str>) -> Result<Answer, ureq::Error> {
        let request = self.agent.get(url(base, path));
        let request = match token {
            Some(t) => request.header("authorization", format!("Bearer {t}")),
            None => request,
        };
        answer(request.call())
    }

    /// `POST` or `PUT` with a JSON body (an empty body without one).
    pub fn send(
        &self,
        method: Method,
        base: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ureq::Error> {
        let url = url(base, path);
        let request = match method {
            Method::Post => self.agent.post(url),
            Method::Put => self.agent.put(url),
        };
        let request = request
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json");
        answer(request.send(body.map(Value::to_string).unwrap_or_default()))
    }

    pub fn post(&self, base: &str, path: &str, token: &str, body: &Value) -> Result<Answer, ureq::Error> {
        self.send(Method::Post, base, path, token, Some(body))
    }

    pub fn put(&self, base: &str, path: &str, token: &str, body: &Value) -> Result<Answer, ureq::Error> {
        self.send(Method::Put, base, path, token, Some(body))
    }
}

/// The methods that carry a body.
#[derive(Debug, Clone, Copy)]
pub enum Method {
    Post,
    Put,
}

fn url(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        path.to_string()
    } else {
        format!("{base}{path}")
    }
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Answer, ureq::Error> {
    let mut response = result?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let location = header("location");
    let content_type = header("content-type");
    let bytes = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()?;
    Ok(Answer {
        status: response.status().as_u16(),
        location,
        content_type,
        bytes,
    })
}
