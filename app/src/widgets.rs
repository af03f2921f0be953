//! The small components every page shares. This module imports no page.

use crate::{
    auth::{CurrentUser, session::use_session},
    error::AppError,
    i18n::*,
    i18n_support::status_label,
    kernel::{Language, RequestStatus},
    time::{DEFAULT_TIME_ZONE, format_datetime},
};
use chrono::{DateTime, Utc};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::components::Redirect;

/// Renders `children` once with the signed-in user; sends visitors to the sign-in page.
#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: FnOnce(CurrentUser) -> V + 'static,
    V: IntoView + 'static,
{
    match use_session().current() {
        Ok(Some(user)) => children(user).into_any(),
        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
        Err(error) => view! { <ErrorNotice error /> }.into_any(),
    }
}

/// An error, in the reader's language, announced to screen readers. A page rendered on the
/// server with an error carries the error's HTTP status (a 404 stays a 404 without JavaScript).
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    view! {
        <div class="notice notice--error" role="alert">
            {move || error.message(i18n.get_locale())}
        </div>
    }
}

/// The error a plain form post of `S` came back with: without JavaScript, the server redirects
/// back here with the error in the query string.
fn use_form_error<S>() -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError>,
{
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        query.with(|q| {
            (q.get_str("__path") == Some(S::PATH))
                .then(|| q.get_str("__err"))
                .flatten()
                .map(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err)
        })
    })
}

/// The error of a server action, whichever way the form was sent. With JavaScript the action
/// holds it; without, the server redirected back here with the error in the query string.
pub fn use_action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let posted = use_form_error::<S>();
    Signal::derive(move || match action.value().get() {
        Some(result) => result.err(),
        None => posted.get(),
    })
}

/// The error of the last run of a form's action, if it failed.
#[component]
pub fn ActionError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|error| view! { <ErrorNotice error /> })
}

/// The message under one form field, when it has one.
#[component]
pub fn FieldMessage(message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="field-error">{m}</p> })
}

/// A moment in the viewer's time zone and language; the machine-readable value stays UTC.
/// `source` as it stands once it has stopped changing for `pause`: one update per pause in
/// typing, not one per key. The timer may fire after the component is gone, so it touches the
/// signals only if they still exist.
pub fn use_settled(source: RwSignal<String>, pause: std::time::Duration) -> ReadSignal<String> {
    let (settled, set_settled) = signal(source.get_untracked());
    let typed = RwSignal::new(0u64);
    Effect::new(move |_| {
        source.track();
        let Some(mine) = typed.try_get_untracked().map(|n| n + 1) else { return };
        typed.set(mine);
        set_timeout(
            move || {
                if typed.try_get_untracked() == Some(mine) {
                    if let Some(text) = source.try_get_untracked() {
                        set_settled.try_set(text);
                    }
                }
            },
            pause,
        );
    });
    settled
}

#[component]
pub fn Timestamp(at: DateTime<Utc>, #[prop(into)] zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let zone = if zone.is_empty() { DEFAULT_TIME_ZONE.to_string() } else { zone };
    view! {
        <time datetime=at.to_rfc3339()>
            {move || format_datetime(at, &zone, Language::from_locale(i18n.get_locale()))}
        </time>
    }
}

#[component]
pub fn StatusBadge(status: RequestStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("status status--{}", status.as_str()) data-status=status.as_str()>
            {move || status_label(i18n.get_locale(), status)}
        </span>
    }
}
