//! The frame around every page: header with navigation, language switcher, footer, and the
//! page for addresses that lead nowhere.

use crate::{
    auth::{api::update_preferences, CurrentUser, session::{SessionContext, use_session}},
    i18n::*,
    kernel::{Language, Role},
    notifications::live_ui::Bell,
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let user = use_session().current().ok().flatten();
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"FS"</span>
                    <span class="brand__name">{t!(i18n, app.name)}</span>
                </a>
                {user.map(|user| view! { <MainNav user /> })}
                <LanguageSwitcher />
            </div>
        </header>
    }
}

#[component]
fn MainNav(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let submits = user.submitting_memberships().next().is_some();
    let works_queue = user.has_role(Role::Agent);
    let manages = user.has_role(Role::CustomerManager);
    let admin = user.has_role(Role::Admin);
    let edits_policies = admin || user.has_permission(crate::kernel::Permission::Editor);
    let analyses = crate::authz::operations_scope(&user).is_ok();
    let statements = crate::authz::statement_scope(&user).is_ok();
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
                    <A href="/requests" exact=true>
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
                <li>
                    <A href="/policies">{t!(i18n, nav.policies)}</A>
                </li>
                <Show when=move || edits_policies>
                    <li>
                        <A href="/editor/policies">{t!(i18n, nav.manage_policies)}</A>
                    </li>
                </Show>
                <Show when=move || manages || admin>
                    <li>
                        <A href="/follow-ups">{t!(i18n, nav.follow_ups)}</A>
                    </li>
                </Show>
                <Show when=move || analyses>
                    <li>
                        <A href="/dashboard">{t!(i18n, nav.dashboard)}</A>
                    </li>
                </Show>
                <Show when=move || statements>
                    <li>
                        <A href="/statements">{t!(i18n, nav.statements)}</A>
                    </li>
                </Show>
                <Show when=move || admin>
                    <li>
                        <A href="/admin/users">{t!(i18n, nav.users)}</A>
                    </li>
                    <li>
                        <A href="/admin/request-types">{t!(i18n, nav.catalogue)}</A>
                    </li>
                    <li>
                        <A href="/admin/tiers">{t!(i18n, nav.tiers)}</A>
                    </li>
                    <li>
                        <A href="/admin/calendars">{t!(i18n, nav.calendars)}</A>
                    </li>
                    <li>
                        <A href="/admin/prices">{t!(i18n, nav.prices)}</A>
                    </li>
                </Show>
                <li>
                    <A href="/account">{t!(i18n, nav.account)}</A>
                </li>
            </ul>
        </nav>
        <div class="user-menu">
            <HeaderSearch />
            <Bell />
            <span class="user-menu__name">{name}</span>
            <form method="post" action=SessionContext::sign_out_url() class="inline-form">
                <button type="submit" class="button button--quiet">
                    {t!(i18n, nav.sign_out)}
                </button>
            </form>
        </div>
    }
}

/// The policy search from every page: a GET form to the results page, so it needs no script.
#[component]
fn HeaderSearch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="header-search" method="get" action="/policies" role="search" aria-label=move || t_string!(i18n, policies.search_everywhere)>
            <label for="header-policy-q" class="visually-hidden">{t!(i18n, policies.search_label)}</label>
            <input id="header-policy-q" name="q" type="search" maxlength="100"
                placeholder=move || t_string!(i18n, policies.search_label) />
        </form>
    }
}

/// Switches the interface language in place; a signed-in user's choice is also saved.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let choose = move |language: Language| {
        i18n.set_locale(language.locale());
        if session.is_signed_in() {
            session.update_user(|user| user.language = language);
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
