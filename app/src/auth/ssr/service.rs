//! Sign-in, password and preference changes: the steps behind the auth server functions.

use super::{devices, password, store, throttle, SessionAuth, SESSION_AUTH_KEY};
use crate::{
    auth::CurrentUser,
    error::{AppError, Field, FieldError, Problem},
    kernel::Language,
    state::AppState,
    time::is_offered_time_zone,
    validation,
    validation::{Checks, Email},
};
use chrono::Utc;
use tower_sessions::Session;

/// The cookie leptos_i18n reads to pick the page language.
pub const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// Whether the request is a browser's own form post (it takes HTML back), rather than a call
/// from the page's code.
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

pub async fn client_ip() -> String {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".to_string(),
    }
}

pub async fn sign_in(
    state: &AppState,
    session: &Session,
    client_ip: &str,
    device: Option<&devices::DeviceToken>,
    raw_email: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    let db = &state.db;
    let policy = &state.settings.throttle;
    let now = Utc::now();
    // A malformed email is just a wrong email: the answer must not differ.
    let email = Email::parse(raw_email).ok();
    let credentials = match &email {
        Some(email) => store::find_credentials(db, email).await?,
        None => None,
    };
    let account = email.as_ref().map_or(raw_email, |e| e.as_str());
    // A browser that signed in to this account before counts its failures on its own key.
    let known_device = match (&credentials, device) {
        (Some(c), Some(device)) if devices::is_known(db, c.id, device, now).await? => Some(device),
        _ => None,
    };
    let own_key = match known_device {
        Some(device) => throttle::Key::known_device(account, &device.digest()),
        None => throttle::Key::account(account),
    };
    let keys = [own_key, throttle::Key::address(client_ip)];
    throttle::admit(db, &keys, now, policy).await?;

    let stored_hash = credentials.as_ref().filter(|c| c.active).map(|c| c.password_hash.as_str());
    let verified = match password::verify(password, stored_hash).await {
        Ok(verified) => verified,
        Err(busy) => {
            // Not checked, so not a failure: give the slots back.
            throttle::release(db, &keys).await?;
            return Err(busy);
        }
    };
    let credentials = match credentials {
        Some(c) if verified => c,
        _ => {
            let delay = throttle::record_failure(db, &keys, now, policy).await?;
            tokio::time::sleep(delay).await;
            return Err(AppError::InvalidCredentials);
        }
    };
    throttle::record_success(db, &keys[0], &keys[1]).await?;
    let device = device.cloned().unwrap_or_default();
    devices::remember(db, credentials.id, &device, now).await?;
    remember_device(state, &device);

    // A new id at sign-in defeats session fixation.
    session.cycle_id().await?;
    let auth = SessionAuth { user_id: credentials.id, epoch: credentials.session_epoch, signed_in_at: now };
    session.insert(SESSION_AUTH_KEY, &auth).await?;
    store::load_current_user(db, credentials.id, credentials.session_epoch)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The device token this browser sent, if any.
pub fn request_device() -> Option<devices::DeviceToken> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == devices::DEVICE_COOKIE)
        .and_then(|(_, value)| devices::DeviceToken::parse(value))
}

/// Gives the browser its device cookie: only the sign-in endpoint reads it.
fn remember_device(state: &AppState, device: &devices::DeviceToken) {
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    set_cookie(format!(
        "{}={}; Path=/api/auth; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        devices::DEVICE_COOKIE,
        device.as_str(),
        devices::REMEMBER_FOR_DAYS * 24 * 3600,
    ));
}

/// Makes the next page render in `language`, by setting the cookie leptos_i18n reads.
pub fn remember_language(language: Language) {
    set_cookie(format!("{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", language.as_str()));
}

fn set_cookie(cookie: String) {
    if let (Some(response), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

pub async fn change_password(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    current_password: &str,
    new_password: &str,
    confirm_password: &str,
) -> Result<(), AppError> {
    let mut checks = Checks::default();
    if current_password.is_empty() {
        checks.push(FieldError { field: Field::Password, problem: Problem::Required });
    }
    let new_password = checks.check(validation::new_password(Field::NewPassword, new_password));
    if new_password.as_deref().is_some_and(|p| p != confirm_password) {
        checks.push(FieldError { field: Field::ConfirmPassword, problem: Problem::Mismatch });
    }
    checks.finish()?;
    let new_password = new_password.ok_or(AppError::Internal)?;

    let stored = store::password_hash(&state.db, user.id).await?;
    if !password::verify(current_password, stored.as_deref()).await? {
        return Err(AppError::invalid(Field::Password, Problem::Incorrect));
    }
    let hash = password::hash(&new_password).await?;
    let epoch = store::set_password(&state.db, user.id, &hash).await?;
    state.live.recheck(&state.db, user.id).await;
    // Other sessions end with the epoch change; this one continues under the new epoch.
    session.cycle_id().await?;
    session
        .insert(SESSION_AUTH_KEY, &SessionAuth { user_id: user.id, epoch, signed_in_at: Utc::now() })
        .await?;
    Ok(())
}

pub async fn update_preferences(
    state: &AppState,
    user: &CurrentUser,
    language: Option<Language>,
    time_zone: Option<&str>,
) -> Result<(), AppError> {
    if let Some(tz) = time_zone {
        if !is_offered_time_zone(tz) {
            return Err(AppError::invalid(Field::TimeZone, Problem::UnknownChoice));
        }
    }
    store::set_preferences(&state.db, user.id, language, time_zone).await?;
    if let Some(language) = language {
        remember_language(language);
    }
    Ok(())
}
