//! Response headers: caching, transport security and the content-security policy of pages.

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

/// What the header layer needs to know about the deployment.
#[derive(Clone, Copy, Debug)]
pub struct HeaderPolicy {
    /// Browsers are told to use https only when the portal is served over it.
    pub hsts: bool,
}

impl HeaderPolicy {
    pub fn for_public_url(public_url: &str) -> HeaderPolicy {
        HeaderPolicy { hsts: public_url.trim().to_ascii_lowercase().starts_with("https://") }
    }
}

/// Nothing the portal answers is cached unless its handler says so: pages and server
/// functions carry a user's requests, names and amounts, and a shared computer's browser
/// cache or a proxy must not keep them.
pub async fn security_headers(State(policy): State<HeaderPolicy>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    headers.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    headers.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    if policy.hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// The policy of a rendered page: scripts run only with this response's nonce (the
/// hydration script and what it imports) and WebAssembly may compile; everything else comes
/// from the portal itself, and no other site may frame it.
pub fn page_policy(nonce: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'wasm-unsafe-eval'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ))
    .ok()
}

/// Sets the page policy on a rendered page.
pub fn protect_page(response: &mut Response, nonce: &str) {
    if let Some(policy) = page_policy(nonce) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// Site files carry a content hash in their names, so a found one may be kept for a year;
/// a miss (during a deploy, say) must not be kept at all.
pub fn site_file_caching(response: &Response) -> Option<HeaderValue> {
    Some(if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-store")
    })
}
