//! The document shell, the router and the session-wide context.

use crate::{
    admin::ui::AdminUsersPage,
    catalogue::ui::CatalogueAdminPage,
    auth::{
        api::{whoami, SignIn, SignOut, UpdatePreferences},
        ui::{AccountPage, LoginPage},
        CurrentUser,
    },
    error::AppError,
    i18n::*,
    layout::{Footer, Header, NotFoundPage},
    notifications::ui::{LiveProvider, NotificationCentrePage, Toasts},
    requests::{
        canned_ui::CannedRepliesPage,
        new_ui::NewRequestPage,
        queue_ui::QueuePage,
        ui::{RequestListPage, RequestPage},
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

/// Who is signed in, and the actions that change it. Provided once at the root.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub preferences: ServerAction<UpdatePreferences>,
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider>
            <AuthProvider>
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
            </AuthProvider>
        </I18nContextProvider>
    }
}

#[component]
fn AuthProvider(children: Children) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let preferences = ServerAction::<UpdatePreferences>::new();
    let user = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get(), preferences.version().get()),
        |_| whoami(),
    );
    provide_context(Auth { user, sign_in, sign_out, preferences });

    // Signing in switches the interface to the user's saved language.
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(language)) = sign_in.value().get() {
            i18n.set_locale(language.locale());
        }
    });
    children()
}

#[component]
fn PortalTitle() -> impl IntoView {
    let i18n = use_i18n();
    view! { <Title text=move || t_string!(i18n, app.title).to_string() /> }
}

/// `/` sends visitors to sign in and users to their requests.
#[component]
fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) if user.has_role(crate::auth::Role::Agent) => {
                        view! { <Redirect path="/queue" /> }.into_any()
                    }
                    Ok(Some(_)) => view! { <Redirect path="/requests" /> }.into_any(),
                    _ => view! { <Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
