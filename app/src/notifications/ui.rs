//! The notification centre: the list of one's notifications, and the preferences of what
//! reaches one and how.

use crate::{
    kernel::NotificationId,
    notifications::{

        api::{list_notifications, mark_all_notifications_read, mark_notification_read, notification_preferences, save_notification_preferences},
        kind_label, live_ui::use_live, Notification, Preferences,
    },
};
#[cfg(feature = "hydrate")]
use super::live_ui::browser;
use crate::{
    i18n::*,
    widgets::{ErrorNotice, SignedIn, StatusBadge, Timestamp},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

#[component]
pub fn NotificationCentrePage() -> impl IntoView {
    view! {
        <section class="page">
            <SignedIn let:user>
                <NotificationCentre zone=user.time_zone.clone() />
                <PreferencesSection />
            </SignedIn>
        </section>
    }
}

#[component]
fn NotificationCentre(zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let query = use_query_map();
    let before = Memo::new(move |_| query.with(|q| q.get("before").and_then(|v| v.parse::<i64>().ok()).map(NotificationId)));
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || (before.get(), reload.get()), |(before, _)| list_notifications(before));
    live.on_request_change(move |_| reload.update(|n| *n += 1));
    let read_all = Action::new(|_: &()| mark_all_notifications_read());
    Effect::new(move |_| {
        if let Some(Ok(n)) = read_all.value().get() {
            live.unread.set(Some(n));
            reload.update(|r| *r += 1);
        }
    });
    view! {
        <div class="page-header">
            <h1>{t!(i18n, notify.title)}</h1>
            <button type="button" class="button" data-testid="mark-all-read" on:click=move |_| { read_all.dispatch(()); }
                disabled=move || read_all.pending().get()>{t!(i18n, notify.mark_all_read)}</button>
        </div>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let zone = zone.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t!(i18n, notify.empty)}</p> }.into_any(),
                        Ok(page) => {
                            let next = page.next.map(|id| format!("/notifications?before={id}"));
                            view! {
                                <p class="muted" data-testid="unread-count">{t!(i18n, notify.unread_count, count = page.unread)}</p>
                                <ol class="notification-list">
                                    {page.rows.into_iter().map(|n| view! { <NotificationRow n zone=zone.clone() reload /> }).collect_view()}
                                </ol>
                                <nav class="pager" aria-label=move || t_string!(i18n, requests.pages)>
                                    {next.map(|href| view! { <A href=href attr:class="button">{t!(i18n, notify.older)}</A> })}
                                </nav>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn NotificationRow(n: Notification, zone: String, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let id = n.id;
    let unread = n.read_at.is_none();
    let read = Action::new(move |_: &()| mark_notification_read(id));
    Effect::new(move |_| {
        if let Some(Ok(count)) = read.value().get() {
            live.unread.set(Some(count));
            reload.update(|r| *r += 1);
        }
    });
    let text = n.clone();
    view! {
        <li class="notification" class:notification--unread=unread data-kind=n.kind.as_str()>
            <div class="notification__main">
                <p class="notification__what">
                    {unread.then(|| view! { <span class="badge badge--unread">{t!(i18n, notify.unread)}</span> })}
                    <a href=n.link.clone() on:click=move |_| { if unread { read.dispatch(()); } }>
                        {move || text.headline(i18n.get_locale())}
                    </a>
                </p>
                <p class="notification__meta">
                    <span class="badge">{move || kind_label(i18n.get_locale(), n.kind)}</span>
                    {n.status.map(|status| view! { <StatusBadge status /> })}
                    {n.reference_no.as_ref().map(|_| view! { <span class="muted">{n.title.clone()}</span> })}
                    <Timestamp at=n.created_at zone />
                </p>
                {n.excerpt.clone().map(|e| view! { <p class="notification__excerpt">{e}</p> })}
            </div>
            {unread.then(|| view! {
                <button type="button" class="button button--quiet" on:click=move |_| { read.dispatch(()); }
                    disabled=move || read.pending().get()>{t!(i18n, notify.mark_read)}</button>
            })}
        </li>
    }
}

#[component]
fn PreferencesSection() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = Resource::new(|| (), |_| notification_preferences());
    view! {
        <section class="card" id="preferences" aria-labelledby="preferences-heading">
            <h2 id="preferences-heading">{t!(i18n, notify.preferences)}</h2>
            <BrowserNotifications />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match prefs.await {
                        Ok(p) => view! { <PreferencesForm prefs=p /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PreferencesForm(prefs: Preferences) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(prefs.clone());
    let save = Action::new(|p: &Preferences| save_notification_preferences(p.clone()));
    let email_available = prefs.email_available;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(draft.get_untracked());
    };
    let toggle = move |index: usize, email: bool| {
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            draft.update(|d| {
                if let Some(k) = d.kinds.get_mut(index) {
                    if email { k.email = on } else { k.in_app = on }
                }
            });
        }
    };
    view! {
        <form class="form" on:submit=on_submit>
            <p class="help">{t!(i18n, notify.preferences_help)}</p>
            {(!email_available).then(|| view! { <p class="notice">{t!(i18n, notify.email_off)}</p> })}
            <table class="table preferences">
                <caption class="visually-hidden">{t!(i18n, notify.preferences)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, notify.event)}</th>
                        <th scope="col">{t!(i18n, notify.in_app)}</th>
                        <th scope="col">{t!(i18n, notify.email)}</th>
                    </tr>
                </thead>
                <tbody>
                    {prefs.kinds.iter().enumerate().map(|(index, k)| {
                        let kind = k.kind;
                        let in_app_id = format!("pref-{}-in-app", kind.as_str());
                        let email_id = format!("pref-{}-email", kind.as_str());
                        view! {
                            <tr>
                                <th scope="row" id=format!("pref-{}", kind.as_str())>{move || kind_label(i18n.get_locale(), kind)}</th>
                                <td>
                                    <input type="checkbox" id=in_app_id.clone()
                                        aria-label=move || format!("{} · {}", kind_label(i18n.get_locale(), kind), t_string!(i18n, notify.in_app))
                                        prop:checked=move || draft.with(|d| d.kinds.get(index).is_some_and(|k| k.in_app))
                                        on:change=toggle(index, false) />
                                </td>
                                <td>
                                    <input type="checkbox" id=email_id.clone() disabled=!email_available
                                        aria-label=move || format!("{} · {}", kind_label(i18n.get_locale(), kind), t_string!(i18n, notify.email))
                                        prop:checked=move || draft.with(|d| d.kinds.get(index).is_some_and(|k| k.email))
                                        on:change=toggle(index, true) />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="checkbox">
                <input type="checkbox" id="pref-digest" disabled=!email_available
                    prop:checked=move || draft.with(|d| d.daily_digest)
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.daily_digest = on) } />
                <label for="pref-digest">{t!(i18n, notify.daily_digest)}</label>
            </div>
            {prefs.may_follow_organisation.then(|| view! {
                <div class="checkbox">
                    <input type="checkbox" id="pref-follow"
                        prop:checked=move || draft.with(|d| d.follow_organisation)
                        on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.follow_organisation = on) } />
                    <label for="pref-follow">{t!(i18n, notify.follow_organisation)}</label>
                </div>
            })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                {move || match save.value().get() {
                    Some(Ok(())) => view! { <p class="notice notice--success" role="status">{t!(i18n, common.saved)}</p> }.into_any(),
                    Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </form>
    }
}

/// Lets the person allow system notifications for background tabs.
#[component]
fn BrowserNotifications() -> impl IntoView {
    let i18n = use_i18n();
    // "unsupported", "default", "granted" or "denied"; unknown until the page runs in a browser.
    let state = RwSignal::new(None::<&'static str>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| state.set(Some(browser::permission_name(browser::permission()))));
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let answer = browser::request_permission().await;
            state.set(Some(browser::permission_name(answer)));
        });
    };
    view! {
        <div class="browser-notifications">
            <h3>{t!(i18n, notify.browser_title)}</h3>
            <p class="help">{t!(i18n, notify.browser_help)}</p>
            {move || match state.get() {
                Some("granted") => view! { <p class="notice notice--success">{t!(i18n, notify.browser_on)}</p> }.into_any(),
                Some("denied") => view! { <p class="notice">{t!(i18n, notify.browser_denied)}</p> }.into_any(),
                Some("unsupported") => view! { <p class="notice">{t!(i18n, notify.browser_unsupported)}</p> }.into_any(),
                _ => view! { <button type="button" class="button" on:click=ask>{t!(i18n, notify.browser_enable)}</button> }.into_any(),
            }}
        </div>
    }
}
