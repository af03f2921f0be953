//! The document shell, the router and the session-wide context.

use crate::{
    admin::ui::AdminUsersPage,
    catalogue::ui::CatalogueAdminPage,
    auth::{
        session::{provide_session, use_session},
        ui::{AccountPage, LoginPage},
        Role,
    },
    i18n::*,
    frame::{Footer, Header, NotFoundPage},
    notifications::{
        live_ui::{LiveProvider, Toasts},
        ui::NotificationCentrePage,
    },
    requests::ui::{
        canned::CannedRepliesPage, detail::RequestPage, list::RequestListPage, new::NewRequestPage,
        queue::QueuePage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, SsrMode,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    view! {
        <I18nContextProvider>
                <LiveProvider>
                <PortalTitle />
                <Router>
                    <a class="skip-link" href="#main">{t!(use_i18n(), nav.skip_to_content)}</a>
                    <Header />
                    <main id="main" class="main" tabindex="-1">
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                            <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                            <Route path=path!("/requests") view=RequestListPage ssr=SsrMode::Async />
                            <Route path=path!("/queue") view=QueuePage ssr=SsrMode::Async />
                            <Route path=path!("/canned-replies") view=CannedRepliesPage ssr=SsrMode::Async />
                            <Route path=path!("/requests/new") view=NewRequestPage ssr=SsrMode::Async />
                            <Route path=path!("/requests/:id") view=RequestPage ssr=SsrMode::Async />
                            <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                            <Route path=path!("/notifications") view=NotificationCentrePage ssr=SsrMode::Async />
                            <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                            <Route path=path!("/admin/request-types") view=CatalogueAdminPage ssr=SsrMode::Async />
                        </Routes>
                    </main>
                    <Toasts />
                    <Footer />
                </Router>
                </LiveProvider>
        </I18nContextProvider>
    }
}

/// The document title, in the page's language. The server reads a title after the page's
/// reactive scope has ended, so there it is a plain text; the browser follows the language.
#[component]
fn PortalTitle() -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    let text = leptos::text_prop::TextProp::from(t_string!(i18n, app.title).to_string());
    #[cfg(not(feature = "ssr"))]
    let text = leptos::text_prop::TextProp::from(move || t_string!(i18n, app.title).to_string());
    view! { <Title text /> }
}

/// `/` sends visitors to sign in and users to their start page.
#[component]
fn HomePage() -> impl IntoView {
    let path = match use_session().current() {
        Ok(Some(user)) if user.has_role(Role::Agent) => "/queue",
        Ok(Some(_)) => "/requests",
        _ => "/login",
    };
    view! { <Redirect path /> }
}
