//! Per-session rate limits on the expensive endpoints: uploads and the request server
//! functions (submit, act, list, queue, ...). A browser is known by its session cookie, a
//! client without one by its address; each has a bucket of `burst` calls that refills at
//! `per_second`. Beyond it the answer is 429 with `Retry-After`, before any work is done.

use crate::sessions::SESSION_COOKIE;
use app::AppError;
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderValue, Method, Request, Response, StatusCode},
};
use governor::{clock::QuantaInstant, middleware::NoOpMiddleware};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tower_governor::{
    governor::{GovernorConfig, GovernorConfigBuilder},
    key_extractor::KeyExtractor,
    GovernorError, GovernorLayer,
};

#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Calls a browser may make at once.
    pub burst: u32,
    /// Calls a second it gets back.
    pub per_second: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit { burst: 60, per_second: 10 }
    }
}

/// The session cookie's value, or the peer's address when there is none.
#[derive(Clone, Copy, Debug)]
pub struct SessionOrPeer;

impl KeyExtractor for SessionOrPeer {
    type Key = String;

    fn extract<T>(&self, request: &Request<T>) -> Result<String, GovernorError> {
        let session = request
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
            .map(|(_, value)| value);
        if let Some(session) = session {
            return Ok(format!("s:{session}"));
        }
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(format!("a:{}", peer.unwrap_or_default()))
    }
}

type Middleware = NoOpMiddleware<QuantaInstant>;
type Config = GovernorConfig<SessionOrPeer, Middleware>;
pub type RateLayer = GovernorLayer<SessionOrPeer, Middleware, Body>;

/// The buckets of one instance: uploads and request calls are counted apart.
#[derive(Clone)]
pub struct RateLimits {
    uploads: Arc<Config>,
    calls: Arc<Config>,
}

impl RateLimits {
    /// `None` when the limit is zero calls.
    pub fn new(limit: RateLimit) -> Option<RateLimits> {
        Some(RateLimits { uploads: Arc::new(config(limit, Some(Method::POST))?), calls: Arc::new(config(limit, None)?) })
    }

    /// The layer for `/files`: uploads count, downloads do not.
    pub fn uploads(&self) -> RateLayer {
        GovernorLayer::new(self.uploads.clone()).error_handler(|error| refusal(error, Shape::Raw))
    }

    /// The layer for the request server functions.
    pub fn calls(&self) -> RateLayer {
        GovernorLayer::new(self.calls.clone()).error_handler(|error| refusal(error, Shape::ServerFn))
    }

    /// Drops the buckets of browsers quiet long enough to be full again.
    pub fn forget_idle(&self) {
        self.uploads.limiter().retain_recent();
        self.calls.limiter().retain_recent();
    }
}

fn config(limit: RateLimit, only: Option<Method>) -> Option<Config> {
    if limit.burst == 0 || limit.per_second == 0 {
        return None;
    }
    let mut builder = GovernorConfigBuilder::default().key_extractor(SessionOrPeer);
    builder.period(Duration::from_nanos(1_000_000_000 / u64::from(limit.per_second))).burst_size(limit.burst);
    if let Some(method) = only {
        builder.methods(vec![method]);
    }
    builder.finish()
}

/// How an endpoint's errors look: server functions answer the bare error, raw endpoints the
/// error with its message.
#[derive(Clone, Copy)]
enum Shape {
    ServerFn,
    Raw,
}

/// 429 with `Retry-After` and the portal's own error, which the browser words in the user's
/// language.
fn refusal(error: GovernorError, shape: Shape) -> Response<Body> {
    let retry_after_secs = match error {
        GovernorError::TooManyRequests { wait_time, .. } => wait_time.max(1),
        _ => 1,
    };
    let error = AppError::Throttled { retry_after_secs };
    let body = match shape {
        Shape::ServerFn => serde_json::json!(error),
        Shape::Raw => serde_json::json!({ "error": error, "message": error.message(app::i18n::Locale::zh_CN) }),
    };
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}
