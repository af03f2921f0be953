//! The HTTP edge: what every request passes before a handler sees it, and the raw endpoints
//! that are not server functions (file transfer, the event stream), side by side.
//!
//! - [`guard`] refuses cross-site state changes and bodies server functions never send, and
//!   keeps no-JavaScript redirects on the portal;
//! - [`SignedIn`] is the signed-in user of a raw endpoint, with the same origin check, so a
//!   new endpoint cannot forget either;
//! - [`headers`] sets the caching, transport and content-security headers;
//! - [`rate`] limits how fast one browser may call the expensive endpoints;
//! - [`connections`] accepts connections with header-read and keep-alive timeouts.

pub mod connections;
pub mod events;
pub mod files;
pub mod headers;
pub mod origin;
pub mod rate;
pub mod reports;

use crate::state::ServerState;
use app::{
    auth::{ssr::user_of_session, CurrentUser},
    i18n::Locale,
    AppError,
};
use axum::{
    extract::{FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use origin::OwnOrigin;
use tower_sessions::Session;

/// An error answered with its status and the message in the reader's language.
pub struct Refused(pub AppError, pub Locale);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": self.0, "message": self.0.message(self.1) });
        (status, Json(body)).into_response()
    }
}

/// The language of a visitor who is not signed in: the browser's preference.
pub fn visitor_locale(headers: &HeaderMap) -> Locale {
    app::i18n_support::locale_from_accept_language(
        headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    )
}

/// The signed-in user of a raw endpoint, with the session it came from. Extracting it also
/// applies the cross-site check to state-changing methods.
pub struct SignedIn {
    pub user: CurrentUser,
    pub session: Session,
}

impl SignedIn {
    pub fn locale(&self) -> Locale {
        self.user.language.locale()
    }

    pub fn refuse(&self, error: AppError) -> Response {
        Refused(error, self.locale()).into_response()
    }
}

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Refused> {
        let locale = visitor_locale(&parts.headers);
        if !state.origin.admits(&parts.method, &parts.headers) {
            return Err(Refused(AppError::Forbidden, locale));
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| Refused(AppError::Internal, locale))?;
        let user = user_of_session(&state.app, &session).await.map_err(|e| Refused(e, locale))?;
        Ok(SignedIn { user, session })
    }
}

/// Server functions are called with url-encoded forms or JSON. Anything else (`text/plain`
/// in particular, which a page on another site may send without asking first) is refused
/// before it is parsed.
fn server_fn_body_allowed(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        // A call without arguments may come without a body at all.
        let chunked = headers.contains_key(header::TRANSFER_ENCODING);
        return !chunked && headers.get(header::CONTENT_LENGTH).is_none_or(|v| v.as_bytes() == b"0");
    };
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(essence.as_str(), "application/json" | "application/x-www-form-urlencoded")
}

/// The first and last thing every request meets.
pub async fn guard(State(own): State<OwnOrigin>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let headers = request.headers();
    if !own.admits(&method, headers) {
        let origin = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER));
        tracing::warn!(?origin, %method, path = request.uri().path(), "refused a cross-site request");
        return Refused(AppError::Forbidden, visitor_locale(headers)).into_response();
    }
    let server_fn = request.uri().path().starts_with("/api/");
    if server_fn && method == Method::POST && !server_fn_body_allowed(headers) {
        let locale = visitor_locale(headers);
        let mut response = Refused(AppError::Malformed, locale).into_response();
        *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return response;
    }
    let mut response = next.run(request).await;
    if server_fn {
        // A form post without JavaScript is sent back to the page it came from, which the
        // server function reads from `Referer`; it may only ever be a page of the portal.
        if let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) {
            let own_path = origin::own_redirect(location, &own);
            if own_path != location {
                tracing::warn!(location, "a redirect off the portal was replaced by the home page");
                if let Ok(value) = HeaderValue::from_str(&own_path) {
                    response.headers_mut().insert(header::LOCATION, value);
                }
            }
        }
    }
    response
}
