//! The document shell, the router and the session-wide context.

use crate::{
    admin::ui::AdminUsersPage,
    auth::{session::{provide_session, use_session}, ui::{AccountPage, LoginPage}},
    catalogue::ui::CatalogueAdminPage,
    frame::{Footer, Header, NotFoundPage},
    i18n::*,
    kernel::Role,
    notifications::{live_ui::{LiveProvider, Toasts}, ui::NotificationCentrePage},
    billing::{statement_ui::{StatementPage, StatementsPage}, ui::PricesPage},
    operations::ui::DashboardPage,
    orgs::ui::TiersPage,
    policies::{
        acknowledgements::{AcknowledgementBanner, provide_acknowledgements_changed},
        compare::PolicyComparePage, editor::{PolicyEditorListPage, PolicyEditorPage},
        ui::{PoliciesPage, PolicyPage},
    },
    ratings::{follow_ups_ui::FollowUpsPage, measures_ui::MeasuresPage},
    requests::ui::{
        canned::CannedRepliesPage, detail::RequestPage, list::RequestListPage, new::NewRequestPage,
        queue::QueuePage,
    },
    sla::calendars_ui::CalendarsPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
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
    provide_acknowledgements_changed();
    // A page's code loads the first time it is shown; until it arrives the old page stays, a
    // bar shows the wait and the main region is marked busy for screen readers.
    let (routing, set_routing) = signal(false);
    view! {
        <I18nContextProvider>
                <LiveProvider>
                <PortalTitle />
                <Router set_is_routing=set_routing>
                    <div class="route-progress" class:route-progress--active=routing aria-hidden="true"></div>
                    <a class="skip-link" href="#main">{t!(use_i18n(), nav.skip_to_content)}</a>
                    <Header />
                    <AcknowledgementBanner />
                    <main id="main" class="main" tabindex="-1" aria-busy=move || routing.get().then_some("true")>
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                            <Route path=path!("/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/requests") view={Lazy::<RequestList>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/queue") view={Lazy::<Queue>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/canned-replies") view={Lazy::<CannedReplies>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/requests/new") view={Lazy::<NewRequest>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/requests/:id") view={Lazy::<Request>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/notifications") view={Lazy::<NotificationCentre>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/users") view={Lazy::<AdminUsers>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/request-types") view={Lazy::<CatalogueAdmin>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/policies") view={Lazy::<Policies>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/policies/:slug") view={Lazy::<Policy>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/policies/:slug/compare") view={Lazy::<PolicyCompare>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/tiers") view={Lazy::<Tiers>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/calendars") view={Lazy::<Calendars>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/follow-ups") view={Lazy::<FollowUps>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/measures") view={Lazy::<Measures>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/dashboard") view={Lazy::<Operations>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/admin/prices") view={Lazy::<Prices>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/statements") view={Lazy::<Statements>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/statements/:id") view={Lazy::<StatementOne>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/editor/policies") view={Lazy::<PolicyEditorList>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/editor/policies/new") view={Lazy::<PolicyEditor>::new()} ssr=SsrMode::Async />
                            <Route path=path!("/editor/policies/:id") view={Lazy::<PolicyEditor>::new()} ssr=SsrMode::Async />
                        </Routes>
                    </main>
                    <Toasts />
                    <Footer />
                </Router>
                </LiveProvider>
        </I18nContextProvider>
    }
}

/// A route whose page is compiled into a WASM chunk of its own. The browser loads the chunk
/// when the page is first shown (the server names it in the page's preload links), so the
/// first visit carries only the frame and the page it asked for.
macro_rules! lazy_page {
    ($route:ident => $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(Login => LoginPage);
lazy_page!(RequestList => RequestListPage);
lazy_page!(Queue => QueuePage);
lazy_page!(CannedReplies => CannedRepliesPage);
lazy_page!(NewRequest => NewRequestPage);
lazy_page!(Request => RequestPage);
lazy_page!(Account => AccountPage);
lazy_page!(NotificationCentre => NotificationCentrePage);
lazy_page!(AdminUsers => AdminUsersPage);
lazy_page!(CatalogueAdmin => CatalogueAdminPage);
lazy_page!(Policies => PoliciesPage);
lazy_page!(Policy => PolicyPage);
lazy_page!(PolicyCompare => PolicyComparePage);
lazy_page!(PolicyEditorList => PolicyEditorListPage);
lazy_page!(PolicyEditor => PolicyEditorPage);
lazy_page!(FollowUps => FollowUpsPage);
lazy_page!(Tiers => TiersPage);
lazy_page!(Calendars => CalendarsPage);
lazy_page!(Operations => DashboardPage);
lazy_page!(Prices => PricesPage);
lazy_page!(Statements => StatementsPage);
lazy_page!(StatementOne => StatementPage);
lazy_page!(Measures => MeasuresPage);

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
