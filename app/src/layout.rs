//! The frame around every page and the small components pages share.

use crate::{
    auth::{api::update_preferences, CurrentUser, Language, Role},
    error::AppError,
    i18n::*,
    i18n_support::status_label,
    requests::RequestStatus,
    routes::use_auth,
    time::{format_datetime, DEFAULT_TIME_ZONE},
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"FS"</span>
                    <span class="brand__name">{t!(i18n, app.name)}</span>
                </a>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! { <MainNav user /> }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Transition>
                <LanguageSwitcher />
            </div>
        </header>
    }
}

#[component]
fn MainNav(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let submits = user.submitting_memberships().next().is_some();
    let works_queue = user.has_role(Role::Agent);
    let manages = user.has_role(Role::CustomerManager);
    let admin = user.has_role(Role::Admin);
    let name = user.display_name.clone();
    view! {
        <nav class="main-nav" aria-label=move || t_string!(i18n, nav.main)>
            <ul>
                <Show when=move || works_queue>
                    <li>
                        <A href="/queue">{t!(i18n, nav.queue)}</A>
                    </li>
                    <li>
                        <A href="/canned-replies">{t!(i18n, nav.canned)}</A>
                    </li>
                </Show>
                <li>
                    <A href="/requests">
                        {move || {
                            if manages {
                                t_string!(i18n, nav.client_requests)
                            } else if submits {
                                t_string!(i18n, nav.my_requests)
                            } else {
                                t_string!(i18n, nav.all_requests)
                            }
                        }}
                    </A>
                </li>
                <Show when=move || submits>
                    <li>
                        <A href="/requests/new">{t!(i18n, nav.new_request)}</A>
                    </li>
                </Show>
                <Show when=move || admin>
                    <li>
                        <A href="/admin/users">{t!(i18n, nav.users)}</A>
                    </li>
                    <li>
                        <A href="/admin/request-types">{t!(i18n, nav.catalogue)}</A>
                    </li>
                </Show>
                <li>
                    <A href="/account">{t!(i18n, nav.account)}</A>
                </li>
            </ul>
        </nav>
        <div class="user-menu">
            <crate::notifications::ui::Bell />
            <span class="user-menu__name">{name}</span>
            <leptos::form::ActionForm action=auth.sign_out attr:class="inline-form">
                <button type="submit" class="button button--quiet">
                    {t!(i18n, nav.sign_out)}
                </button>
            </leptos::form::ActionForm>
        </div>
    }
}

/// Switches the interface language in place; a signed-in user's choice is also saved.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let choose = move |language: Language| {
        i18n.set_locale(language.locale());
        if matches!(auth.user.get_untracked(), Some(Ok(Some(_)))) {
            leptos::task::spawn_local(async move {
                if let Err(error) = update_preferences(Some(language), None).await {
                    leptos::logging::warn!("language not saved: {error}");
                }
            });
        }
    };
    view! {
        <div class="language-switcher" role="group" aria-label=move || t_string!(i18n, nav.language)>
            {Language::ALL
                .iter()
                .map(|&language| {
                    let current = move || Language::from_locale(i18n.get_locale()) == language;
                    view! {
                        <button
                            type="button"
                            class="language-switcher__option"
                            lang=language.as_str()
                            aria-pressed=move || current().to_string()
                            on:click=move |_| choose(language)
                        >
                            {language.endonym()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <p>{t!(i18n, app.footer)}</p>
        </footer>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="page page--narrow">
            <h1>{t!(i18n, errors.page_not_found)}</h1>
            <p>
                <a href="/">{t!(i18n, nav.home)}</a>
            </p>
        </section>
    }
}

/// Renders `children` with the signed-in user; sends visitors to the sign-in page.
#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
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

/// The error of a server action, whichever way the form was sent. With JavaScript the action
/// holds it; without, the server redirected back here with the error in the query string.
pub fn use_action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || match action.value().get() {
        Some(result) => result.err(),
        None => query.with(|q| {
            (q.get_str("__path") == Some(S::PATH))
                .then(|| q.get_str("__err"))
                .flatten()
                .map(leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err)
        }),
    })
}

/// The error of the last run of a form's action, if it failed.
#[component]
pub fn ActionError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|error| view! { <ErrorNotice error /> })
}

/// A moment in the viewer's time zone and language; the machine-readable value stays UTC.
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
