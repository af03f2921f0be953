//! The live layer of every page (event stream, bell, toasts, browser notifications) and the
//! notification centre with its preferences.

use super::{
    api::{
        list_notifications, mark_all_notifications_read, mark_notification_read, notification_preferences,
        save_notification_preferences,
    },
    kind_label, Notification, NotificationId, Preferences,
};
use crate::{
    i18n::*,
    layout::{ErrorNotice, SignedIn, StatusBadge, Timestamp},
    requests::RequestId,
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

/// What pages read of the live stream. Provided once at the root.
#[derive(Clone, Copy)]
pub struct LiveContext {
    /// Unread notifications, as the server last counted them.
    pub unread: RwSignal<Option<i64>>,
    /// The newest notification received live.
    pub latest: RwSignal<Option<Notification>>,
    /// Notifications shown as toasts right now.
    pub toasts: RwSignal<Vec<Notification>>,
    /// Whether the stream is connected.
    pub connected: RwSignal<bool>,
}

pub fn use_live() -> LiveContext {
    expect_context::<LiveContext>()
}

impl LiveContext {
    /// Calls `f` for each notification received live from now on that concerns a request.
    pub fn on_request_change(self, f: impl Fn(RequestId) + 'static) {
        let seen = self.latest.get_untracked().map(|n| n.id);
        Effect::new(move |_| {
            if let Some(n) = self.latest.get() {
                if Some(n.id) > seen {
                    if let Some(request) = n.request_id {
                        f(request);
                    }
                }
            }
        });
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(self, n: Notification, locale: Locale) {
        self.latest.set(Some(n.clone()));
        #[cfg(feature = "hydrate")]
        browser::show_system_notification(&n, locale);
        #[cfg(not(feature = "hydrate"))]
        let _ = locale;
        let id = n.id;
        self.toasts.update(|t| {
            t.push(n);
            let len = t.len();
            if len > 3 {
                t.drain(..len - 3);
            }
        });
        let toasts = self.toasts;
        set_timeout(move || toasts.update(|t| t.retain(|x| x.id != id)), std::time::Duration::from_secs(8));
    }
}

/// Provides [`LiveContext`]; the [`Bell`] of a signed-in page holds the stream that feeds it.
#[component]
pub fn LiveProvider(children: Children) -> impl IntoView {
    provide_context(LiveContext {
        unread: RwSignal::new(None),
        latest: RwSignal::new(None),
        toasts: RwSignal::new(Vec::new()),
        connected: RwSignal::new(false),
    });
    children()
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveContext;
    use crate::{
        i18n::Locale,
        notifications::{Notification, NotificationId},
    };
    use leptos::prelude::*;
    use wasm_bindgen::{closure::Closure, JsCast};

    /// An open `EventSource` and its handlers; dropping it closes the connection.
    pub struct Stream {
        source: web_sys::EventSource,
        _handlers: Vec<Closure<dyn FnMut(web_sys::MessageEvent)>>,
        _state: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    impl Stream {
        pub fn open(after: Option<NotificationId>, ctx: LiveContext, i18n: leptos_i18n::I18nContext<Locale>) -> Option<Stream> {
            let url = match after {
                Some(id) => format!("/events?after={id}"),
                None => "/events".to_string(),
            };
            let source = web_sys::EventSource::new(&url).ok()?;
            let on_notification = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(n) = ev.data().as_string().and_then(|t| serde_json::from_str::<Notification>(&t).ok()) {
                    ctx.receive(n, i18n.get_locale_untracked());
                }
            });
            let on_unread = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(n) = ev.data().as_string().and_then(|t| t.parse::<i64>().ok()) {
                    ctx.unread.set(Some(n));
                }
            });
            let _ = source.add_event_listener_with_callback("notification", on_notification.as_ref().unchecked_ref());
            let _ = source.add_event_listener_with_callback("unread", on_unread.as_ref().unchecked_ref());
            let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| ctx.connected.set(true));
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| ctx.connected.set(false));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Some(Stream { source, _handlers: vec![on_notification, on_unread], _state: vec![on_open, on_error] })
        }
    }

    /// A system notification, when the tab is hidden and the person allowed them.
    pub fn show_system_notification(n: &Notification, locale: Locale) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        if document.visibility_state() != web_sys::VisibilityState::Hidden
            || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted
        {
            return;
        }
        let options = web_sys::NotificationOptions::new();
        options.set_body(n.excerpt.as_deref().unwrap_or(&n.title));
        options.set_tag(&n.id.to_string());
        let title = n.headline(locale);
        if let Ok(shown) = web_sys::Notification::new_with_options(&title, &options) {
            let link = n.link.clone();
            let on_click = Closure::<dyn FnMut()>::new(move || {
                if let Some(window) = web_sys::window() {
                    let _ = window.focus();
                    let _ = window.location().set_href(&link);
                }
            });
            shown.set_onclick(Some(on_click.as_ref().unchecked_ref()));
            on_click.forget();
        }
    }

    pub fn permission() -> Option<web_sys::NotificationPermission> {
        let window = web_sys::window()?;
        js_sys::Reflect::has(&window, &"Notification".into()).ok().filter(|has| *has)?;
        Some(web_sys::Notification::permission())
    }

    pub fn permission_name(p: Option<web_sys::NotificationPermission>) -> &'static str {
        match p {
            None => "unsupported",
            Some(web_sys::NotificationPermission::Granted) => "granted",
            Some(web_sys::NotificationPermission::Denied) => "denied",
            Some(_) => "default",
        }
    }

    pub async fn request_permission() -> Option<web_sys::NotificationPermission> {
        let promise = web_sys::Notification::request_permission().ok()?;
        wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
        permission()
    }
}

/// The bell in the header: a link to the notification centre with the unread count. It is
/// shown while someone is signed in, so it also holds the tab's one event stream: the stream
/// opens with it and closes when it goes (sign-out). The count arrives with the stream; the
/// server-rendered page shows the bell alone, which keeps the header free of a second resource.
#[component]
pub fn Bell() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    #[cfg(feature = "hydrate")]
    {
        let stream = StoredValue::new_local(None::<browser::Stream>);
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                if let Ok(Some(summary)) = super::api::bell_summary().await {
                    live.unread.set(Some(summary.unread));
                    stream.set_value(browser::Stream::open(summary.latest, live, i18n));
                }
            });
        });
        on_cleanup(move || {
            live.unread.set(None);
            live.connected.set(false);
        });
    }
    let count = move || live.unread.get().unwrap_or(0);
    view! {
        <a href="/notifications" class="bell" data-testid="bell"
            data-live=move || if live.connected.get() { "on" } else { "off" }
            aria-label=move || {
                let n = count();
                if n > 0 { t_string!(i18n, notify.bell_unread, count = n).to_string() } else { t_string!(i18n, notify.bell).to_string() }
            }>
            <svg class="bell__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" fill="currentColor"/>
            </svg>
            <span class="bell__count" data-testid="bell-count" aria-hidden="true" class:hidden=move || count() == 0>
                {move || { let n = count(); if n > 99 { "99+".to_string() } else { n.to_string() } }}
            </span>
        </a>
    }
}

/// New notifications for a few seconds, announced politely to screen readers.
#[component]
pub fn Toasts() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    view! {
        <div class="toasts" role="region" aria-live="polite" aria-label=move || t_string!(i18n, notify.toasts)>
            <For each=move || live.toasts.get() key=|n| n.id let:n>
                {
                    let id = n.id;
                    let link = n.link.clone();
                    let text = n.clone();
                    view! {
                        <div class="toast" data-testid="toast">
                            <A href=link on:click=move |_| {
                                live.toasts.update(|t| t.retain(|x| x.id != id));
                                leptos::task::spawn_local(async move { let _ = mark_notification_read(id).await; });
                            }>{move || text.headline(i18n.get_locale())}</A>
                            {n.excerpt.clone().map(|e| view! { <p class="toast__excerpt">{e}</p> })}
                            <button type="button" class="toast__close" aria-label=move || t_string!(i18n, notify.dismiss)
                                on:click=move |_| live.toasts.update(|t| t.retain(|x| x.id != id))>"×"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}

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
                    <A href=n.link.clone() on:click=move |_| { if unread { read.dispatch(()); } }>
                        {move || text.headline(i18n.get_locale())}
                    </A>
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
