//! The request list: filters, sort, keyset pages, and the table that lists requests.

use crate::{
    auth::CurrentUser,
    i18n::*,
    i18n_support::status_label,
    kernel::{RequestStatus, Role},
    requests::{api::list_requests, ListFilter, RequestSummary, Sort},
    sla,
    sla::{panel_ui::working_time_text, Standing},
    widgets::{ErrorNotice, SignedIn, StatusBadge, Timestamp},
};
use chrono::Utc;
use leptos::prelude::*;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

#[component]
pub fn RequestListPage() -> impl IntoView {
    view! {
        <section class="page">
            <SignedIn let:user>
                <RequestList user />
            </SignedIn>
        </section>
    }
}

fn filter_from_query(q: &leptos_router::params::ParamsMap) -> ListFilter {
    let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
    ListFilter {
        status: text("status").and_then(|s| s.parse().ok()),
        type_id: text("type").and_then(|s| s.parse().ok()).map(crate::kernel::TypeId),
        from: text("from").and_then(|s| s.parse().ok()),
        to: text("to").and_then(|s| s.parse().ok()),
        search: text("q").map(|s| s.chars().take(crate::requests::SEARCH_MAX).collect()),
        sort: text("sort").and_then(|s| s.parse().ok()),
        after: text("after"),
    }
}

fn filter_query(f: &ListFilter, after: &str) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: String| parts.push(format!("{k}={}", percent_encode(&v)));
    if let Some(s) = f.status { push("status", s.as_str().into()) }
    if let Some(t) = f.type_id { push("type", t.0.to_string()) }
    if let Some(d) = f.from { push("from", d.to_string()) }
    if let Some(d) = f.to { push("to", d.to_string()) }
    if let Some(q) = &f.search { push("q", q.clone()) }
    if let Some(s) = f.sort { push("sort", s.as_str().into()) }
    push("after", after.into());
    parts.join("&")
}

/// Percent-encodes a query value.
fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn RequestList(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(filter_from_query));
    let page = Resource::new(move || filter.get(), list_requests);
    // Rows show their new status as soon as the person hears of a change.
    crate::notifications::live_ui::use_live().on_request_change(move |_| page.refetch());
    let types = Resource::new(|| (), |_| crate::catalogue::api::request_type_names());
    let submits = user.submitting_memberships().next().is_some();
    let staff = user.has_role(Role::Agent) || user.is_staff();
    let contact = user.has_role(Role::OrgContact);
    let title = move || {
        if staff {
            t_string!(i18n, requests.all_title)
        } else if contact {
            t_string!(i18n, requests.org_title)
        } else {
            t_string!(i18n, requests.mine_title)
        }
    };
    let zone = user.time_zone.clone();
    let f = move || filter.get();
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            <Show when=move || submits>
                <A href="/requests/new" attr:class="button button--primary">{t!(i18n, nav.new_request)}</A>
            </Show>
        </div>
        <Form method="GET" action="" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="filter-q">{t!(i18n, requests.search)}</label>
                <input id="filter-q" name="q" type="search" maxlength="100" prop:value=move || f().search.unwrap_or_default()
                    placeholder=move || t_string!(i18n, requests.search_hint).to_string() />
            </div>
            <div class="field">
                <label for="filter-status">{t!(i18n, requests.status)}</label>
                <select id="filter-status" name="status">
                    <option value="">{t!(i18n, requests.any)}</option>
                    {RequestStatus::ALL.iter().map(|s| {
                        let s = *s;
                        view! { <option value=s.as_str() selected=move || f().status == Some(s)>{move || status_label(i18n.get_locale(), s)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-type">{t!(i18n, fields.request_type)}</label>
                <select id="filter-type" name="type">
                    <option value="">{t!(i18n, requests.any)}</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            let locale = i18n.get_locale();
                            types.await.unwrap_or_default().into_iter().map(|t| {
                                let id = t.type_id;
                                view! { <option value=id.to_string() selected=move || f().type_id == Some(id)>{t.name.get(locale).to_string()}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="field">
                <label for="filter-from">{t!(i18n, requests.from)}</label>
                <input id="filter-from" name="from" type="date" prop:value=move || f().from.map(|d| d.to_string()).unwrap_or_default() />
            </div>
            <div class="field">
                <label for="filter-to">{t!(i18n, requests.to)}</label>
                <input id="filter-to" name="to" type="date" prop:value=move || f().to.map(|d| d.to_string()).unwrap_or_default() />
            </div>
            <div class="field">
                <label for="filter-sort">{t!(i18n, requests.sort)}</label>
                <select id="filter-sort" name="sort">
                    {[Sort::Newest, Sort::Oldest, Sort::DueFirst, Sort::RecentlyUpdated].into_iter().map(|s| {
                        view! { <option value=s.as_str() selected=move || f().sort.unwrap_or(Sort::Newest) == s>{move || sort_label(i18n.get_locale(), s)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="form-actions">
                <button type="submit" class="button">{t!(i18n, requests.apply_filters)}</button>
                <A href="/requests" attr:class="button button--quiet">{t!(i18n, requests.clear_filters)}</A>
            </div>
        </Form>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let zone = zone.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t!(i18n, requests.empty)}</p> }.into_any(),
                        Ok(page) => {
                            let next = page.next.clone().map(|after| format!("/requests?{}", filter_query(&filter.get_untracked(), &after)));
                            view! { <RequestTable rows=page.rows zone next /> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

fn sort_label(locale: Locale, sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => td_string!(locale, requests.sort_newest),
        Sort::Oldest => td_string!(locale, requests.sort_oldest),
        Sort::DueFirst => td_string!(locale, requests.sort_due),
        Sort::RecentlyUpdated => td_string!(locale, requests.sort_updated),
    }
}

/// Time left to a deadline, or how late it is: in working time when the list computed it
/// (`working_left`, in minutes), else in plain time.
#[component]
pub fn DueCell(
    due: chrono::DateTime<Utc>,
    running: bool,
    #[prop(into)] zone: String,
    #[prop(default = None)] working_left: Option<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let standing = match working_left.filter(|_| running) {
        Some(left) if left < 0 => Standing::Overdue { minutes_over: -left },
        Some(left) if left < sla::DUE_SOON.num_minutes() => Standing::DueSoon { minutes_left: left },
        Some(left) => Standing::OnTime { minutes_left: left },
        None => sla::standing(due, running, Utc::now()),
    };
    let working = working_left.is_some();
    let (class, text) = match standing {
        Standing::Stopped => ("due due--stopped", None),
        Standing::OnTime { minutes_left } => ("due", Some((false, minutes_left))),
        Standing::DueSoon { minutes_left } => ("due due--soon", Some((false, minutes_left))),
        Standing::Overdue { minutes_over } => ("due due--overdue", Some((true, minutes_over))),
    };
    view! {
        <span class=class data-standing=match standing {
            Standing::Stopped => "stopped",
            Standing::OnTime { .. } => "on_time",
            Standing::DueSoon { .. } => "due_soon",
            Standing::Overdue { .. } => "overdue",
        }>
            <Timestamp at=due zone />
            {move || text.map(|(late, minutes)| {
                let amount = if working {
                    working_time_text(i18n, minutes)
                } else {
                    match sla::split_minutes(minutes) {
                        (0, 0, m) => t_string!(i18n, sla.minutes, m = m).to_string(),
                        (0, h, m) => t_string!(i18n, sla.hours_minutes, h = h, m = m).to_string(),
                        (d, h, _) => t_string!(i18n, sla.days_hours, d = d, h = h).to_string(),
                    }
                };
                let words = match (late, working) {
                    (true, true) => t_string!(i18n, sla.working_overdue_by, time = amount.clone()).to_string(),
                    (false, true) => t_string!(i18n, sla.working_left, time = amount.clone()).to_string(),
                    (true, false) => t_string!(i18n, sla.overdue_by, time = amount.clone()).to_string(),
                    (false, false) => t_string!(i18n, sla.left, time = amount.clone()).to_string(),
                };
                view! { <span class="due__left">{words}</span> }
            })}
        </span>
    }
}

/// Rows link with plain anchors: the router follows them in the page all the same, and a
/// table of fifty rows needs no active-link tracking.
#[component]
pub fn RequestTable(rows: Vec<RequestSummary>, zone: String, next: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table requests-table">
                <caption class="visually-hidden">{t!(i18n, requests.list_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, requests.reference)}</th>
                        <th scope="col">{t!(i18n, fields.title)}</th>
                        <th scope="col">{t!(i18n, requests.status)}</th>
                        <th scope="col">{t!(i18n, requests.due)}</th>
                        <th scope="col">{t!(i18n, requests.owner)}</th>
                        <th scope="col">{t!(i18n, fields.organisation)}</th>
                        <th scope="col">{t!(i18n, requests.updated_at)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("/requests/{}", row.id);
                            let running = matches!(row.status, RequestStatus::Submitted | RequestStatus::InReview);
                            let type_name = (row.type_name_zh.clone(), row.type_name_en.clone());
                            let reference = row.reference_no.to_string();
                            let reference_text = reference.clone();
                            view! {
                                <tr data-reference=reference>
                                    <td data-label=move || t_string!(i18n, requests.reference)>
                                        <a href=href.clone() class="reference">{reference_text}</a>
                                        {row.urgent.then(|| view! { <span class="badge badge--urgent">{t!(i18n, requests.urgent)}</span> })}
                                    </td>
                                    <td data-label=move || t_string!(i18n, fields.title)>
                                        <a href=href>{row.title}</a>
                                        <span class="muted type-name">
                                            {move || if i18n.get_locale() == Locale::en { type_name.1.clone() } else { type_name.0.clone() }}
                                        </span>
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.status)><StatusBadge status=row.status /></td>
                                    <td data-label=move || t_string!(i18n, requests.due)>
                                        <DueCell due=row.resolution_due running zone=zone.clone() working_left=row.working_minutes_left />
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.owner)>
                                        {row.owner_name.unwrap_or_else(|| "—".into())}
                                    </td>
                                    <td data-label=move || t_string!(i18n, fields.organisation)>{row.org_name}</td>
                                    <td data-label=move || t_string!(i18n, requests.updated_at)>
                                        <Timestamp at=row.updated_at zone=zone.clone() />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || t_string!(i18n, requests.pages)>
            {next.map(|href| view! { <A href=href attr:class="button">{t!(i18n, requests.older)}</A> })}
        </nav>
    }
}

