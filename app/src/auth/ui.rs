//! The sign-in page and the user's own account page.

use crate::{
    auth::{api::{ChangePassword, SignIn, UpdatePreferences}, session::use_session},
    error::AppError,
    forms::{InputField, MembershipList},
    i18n::*,
    kernel::Language,
    time::OFFERED_TIME_ZONES,
    validation::PASSWORD_MIN,
    widgets::{ActionError, SignedIn, use_action_error},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = ServerAction::<SignIn>::new();
    let error = use_action_error(sign_in);
    let signed_in = use_session().is_signed_in();
    // A new session starts with a whole new page: navigation, language and event stream are
    // the signed-in user's from the first byte. Without JavaScript the server redirects.
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_in.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(super::START_PAGE);
            }
        }
    });
    view! {
        {signed_in.then(|| view! { <Redirect path=super::START_PAGE /> })}
        <section class="page page--narrow">
            <div class="card auth-card">
                <h1>{t!(i18n, login.title)}</h1>
                <p class="lead">{t!(i18n, login.intro)}</p>
                <ActionForm action=sign_in attr:class="form" attr:novalidate="">
                    <InputField id="login-email" name="email" kind="email" autocomplete="username">
                        {t!(i18n, fields.email)}
                    </InputField>
                    <InputField
                        id="login-password"
                        name="password"
                        kind="password"
                        autocomplete="current-password"
                    >
                        {t!(i18n, fields.password)}
                    </InputField>
                    <ActionError error />
                    <button
                        type="submit"
                        class="button button--primary button--block"
                        disabled=move || sign_in.pending().get()
                    >
                        {t!(i18n, login.submit)}
                    </button>
                </ActionForm>
            </div>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{t!(i18n, account.title)}</h1>
            <SignedIn let:user>
                <div class="grid grid--two">
                    <section class="card" aria-labelledby="profile-heading">
                        <h2 id="profile-heading">{t!(i18n, account.profile)}</h2>
                        <dl class="facts">
                            <dt>{t!(i18n, fields.display_name)}</dt>
                            <dd>{user.display_name.clone()}</dd>
                            <dt>{t!(i18n, fields.email)}</dt>
                            <dd>{user.email.clone()}</dd>
                            <dt>{t!(i18n, account.memberships)}</dt>
                            <dd>
                                <MembershipList memberships=user.memberships.clone() />
                            </dd>
                        </dl>
                        <Preferences language=user.language time_zone=user.time_zone.clone() />
                    </section>
                    <ChangePasswordForm />
                </div>
            </SignedIn>
        </section>
    }
}

#[component]
fn Preferences(language: Language, time_zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let action = ServerAction::<UpdatePreferences>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    // What was saved becomes the page's: its language now, its time zone on the next page.
    // The action forgets its input when it completes, so the last one sent is kept here.
    let sent = StoredValue::new(None::<UpdatePreferences>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            sent.set_value(Some(input));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            if let Some(UpdatePreferences { language, time_zone }) = sent.get_value() {
                session.update_user(|user| {
                    if let Some(language) = language {
                        user.language = language;
                    }
                    if let Some(zone) = time_zone {
                        user.time_zone = zone;
                    }
                });
                if let Some(language) = language {
                    i18n.set_locale(language.locale());
                }
            }
        }
    });
    view! {
        <h2>{t!(i18n, account.preferences)}</h2>
        <ActionForm action attr:class="form">
            <div class="field">
                <label for="pref-language">{t!(i18n, fields.language)}</label>
                <select id="pref-language" name="language">
                    {Language::ALL
                        .iter()
                        .map(|&l| {
                            view! {
                                <option value=l.as_str() selected=l == language>
                                    {l.endonym()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="pref-zone">{t!(i18n, fields.time_zone)}</label>
                <select id="pref-zone" name="time_zone">
                    {OFFERED_TIME_ZONES
                        .iter()
                        .map(|&zone| {
                            view! {
                                <option value=zone selected=zone == time_zone>
                                    {zone}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <ActionError error />
            <Show when=saved>
                <p class="notice notice--success" role="status">{t!(i18n, common.saved)}</p>
            </Show>
            <button type="submit" class="button button--primary">{t!(i18n, common.save)}</button>
        </ActionForm>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let error: Signal<Option<AppError>> =
        Signal::derive(move || action.value().get().and_then(Result::err));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, account.change_password)}</h2>
            <ActionForm action attr:class="form">
                <InputField
                    id="pw-current"
                    name="current_password"
                    kind="password"
                    autocomplete="current-password"
                >
                    {t!(i18n, fields.password)}
                </InputField>
                <InputField
                    id="pw-new"
                    name="new_password"
                    kind="password"
                    autocomplete="new-password"
                    minlength=PASSWORD_MIN
                    help=ViewFn::from(move || t!(i18n, account.password_rule))
                >
                    {t!(i18n, fields.new_password)}
                </InputField>
                <InputField
                    id="pw-confirm"
                    name="confirm_password"
                    kind="password"
                    autocomplete="new-password"
                >
                    {t!(i18n, fields.confirm_password)}
                </InputField>
                <ActionError error />
                <Show when=done>
                    <p class="notice notice--success" role="status">
                        {t!(i18n, account.password_changed)}
                    </p>
                </Show>
                <button type="submit" class="button button--primary">
                    {t!(i18n, account.change_password)}
                </button>
            </ActionForm>
        </section>
    }
}
