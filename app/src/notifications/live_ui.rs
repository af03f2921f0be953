//! The browser side of live updates, on every page: the tab's event stream, the bell, toasts
//! and system notifications. Pages follow changes through [`use_live`].

use super::{api::mark_notification_read, Notification};
use crate::{i18n::*, kernel::RequestId};
use leptos::prelude::*;
use leptos_router::components::A;

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
pub(crate) mod browser {
    use super::LiveContext;
    use crate::{i18n::Locale, kernel::NotificationId, notifications::Notification};
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

