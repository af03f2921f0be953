//! Request pages: the list, the submission form and the request page.

use super::{
    api::{get_request, list_requests, SubmitRequest},
    EventKind, RequestDetail, RequestEvent, RequestId, RequestPage as Page, TITLE_MAX,
};
use crate::{
    auth::{CurrentUser, Role},
    error::{AppError, Field},
    i18n::*,
    i18n_support::status_label,
    layout::{use_action_error, ActionError, ErrorNotice, SignedIn, StatusBadge, Timestamp},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
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

#[component]
fn RequestList(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let before =
        Memo::new(move |_| query.read().get("before").and_then(|s| s.parse::<RequestId>().ok()));
    let page = Resource::new(move || before.get(), list_requests);
    let submits = user.submitting_memberships().next().is_some();
    let staff = user.is_staff();
    let queue = user.has_role(Role::Agent);
    let zone = user.time_zone.clone();
    view! {
        <div class="page-header">
            <h1>
                {move || {
                    if queue {
                        t_string!(i18n, requests.queue_title)
                    } else if staff {
                        t_string!(i18n, requests.all_title)
                    } else {
                        t_string!(i18n, requests.mine_title)
                    }
                }}
            </h1>
            <Show when=move || submits>
                <A href="/requests/new" attr:class="button button--primary">
                    {t!(i18n, nav.new_request)}
                </A>
            </Show>
        </div>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let zone = zone.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.rows.is_empty() && before.get_untracked().is_none() => {
                            view! { <p class="empty">{t!(i18n, requests.empty)}</p> }.into_any()
                        }
                        Ok(page) => view! { <RequestTable page zone /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn RequestTable(page: Page, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let next = page.next_before;
    view! {
        <div class="table-wrap">
            <table class="table requests-table">
                <caption class="visually-hidden">{t!(i18n, requests.list_caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, requests.reference)}</th>
                        <th scope="col">{t!(i18n, fields.title)}</th>
                        <th scope="col">{t!(i18n, requests.status)}</th>
                        <th scope="col">{t!(i18n, fields.organisation)}</th>
                        <th scope="col">{t!(i18n, requests.requester)}</th>
                        <th scope="col">{t!(i18n, requests.submitted_at)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("/requests/{}", row.id);
                            view! {
                                <tr>
                                    <td data-label=move || t_string!(i18n, requests.reference)>
                                        <A href=href.clone() attr:class="reference">
                                            {row.reference_no.to_string()}
                                        </A>
                                    </td>
                                    <td data-label=move || t_string!(i18n, fields.title)>
                                        <A href=href>{row.title}</A>
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.status)>
                                        <StatusBadge status=row.status />
                                    </td>
                                    <td data-label=move || t_string!(i18n, fields.organisation)>
                                        {row.org_name}
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.requester)>
                                        {row.requester_name}
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.submitted_at)>
                                        <Timestamp at=row.created_at zone=zone.clone() />
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || t_string!(i18n, requests.pages)>
            {next
                .map(|id| {
                    view! {
                        <A href=format!("/requests?before={id}") attr:class="button">
                            {t!(i18n, requests.older)}
                        </A>
                    }
                })}
        </nav>
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page page--medium">
            <h1>{t!(i18n, requests.new_title)}</h1>
            <SignedIn let:user>
                <NewRequestForm user />
            </SignedIn>
        </section>
    }
}

#[component]
fn NewRequestForm(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SubmitRequest>::new();
    let error = use_action_error(action);
    let invalid = move |field: Field| {
        move || error.get().is_some_and(|e| !e.field_problems(field).is_empty()).to_string()
    };
    let orgs: Vec<_> = user.submitting_memberships().cloned().collect();
    if orgs.is_empty() {
        return view! { <p class="notice">{t!(i18n, requests.only_subsidiaries)}</p> }.into_any();
    }
    let choose_org = orgs.len() > 1;
    view! {
        <div class="card">
            <p class="lead">{t!(i18n, requests.new_intro)}</p>
            <ActionForm action attr:class="form">
                <Show when=move || choose_org>
                    <div class="field">
                        <label for="request-org">{t!(i18n, fields.organisation)}</label>
                        <select id="request-org" name="org" required>
                            {orgs
                                .iter()
                                .map(|m| {
                                    view! { <option value=m.org_id.to_string()>{m.org_name.clone()}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </Show>
                <div class="field">
                    <label for="request-title">{t!(i18n, fields.title)}</label>
                    <input
                        id="request-title"
                        name="title"
                        type="text"
                        maxlength=TITLE_MAX.to_string()
                        required
                        aria-describedby="request-title-help"
                        aria-invalid=invalid(Field::Title)
                    />
                    <p id="request-title-help" class="help">
                        {t!(i18n, requests.title_help, max = TITLE_MAX)}
                    </p>
                </div>
                <div class="field">
                    <label for="request-description">{t!(i18n, fields.description)}</label>
                    <textarea
                        id="request-description"
                        name="description"
                        rows="8"
                        aria-describedby="request-description-help"
                        aria-invalid=invalid(Field::Description)
                    ></textarea>
                    <p id="request-description-help" class="help">
                        {t!(i18n, requests.description_help)}
                    </p>
                </div>
                <ActionError error />
                <div class="form-actions">
                    <button
                        type="submit"
                        class="button button--primary"
                        disabled=move || action.pending().get()
                    >
                        {t!(i18n, requests.submit)}
                    </button>
                    <A href="/requests" attr:class="button button--quiet">
                        {t!(i18n, common.cancel)}
                    </A>
                </div>
            </ActionForm>
        </div>
    }
    .into_any()
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<RequestId>().ok()));
    let detail = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_request(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <section class="page">
            <SignedIn let:user>
                <Transition>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match detail.await {
                                    Ok(detail) => view! { <RequestView detail zone /> }.into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })
                        }
                    }
                </Transition>
            </SignedIn>
        </section>
    }
}

#[component]
fn RequestView(detail: RequestDetail, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let r = detail.request;
    view! {
        <nav class="breadcrumbs" aria-label=move || t_string!(i18n, nav.breadcrumbs)>
            <A href="/requests">{t!(i18n, nav.back_to_list)}</A>
        </nav>
        <header class="request-header">
            <p class="reference" data-testid="reference">{r.reference_no.to_string()}</p>
            <h1>{r.title.clone()}</h1>
            <StatusBadge status=r.status />
        </header>
        <div class="grid grid--main-side">
            <section class="card" aria-labelledby="description-heading">
                <h2 id="description-heading">{t!(i18n, fields.description)}</h2>
                {if r.description.is_empty() {
                    view! { <p class="muted">{t!(i18n, requests.no_description)}</p> }.into_any()
                } else {
                    view! { <p class="prose">{r.description.clone()}</p> }.into_any()
                }}
            </section>
            <aside class="card" aria-labelledby="facts-heading">
                <h2 id="facts-heading">{t!(i18n, requests.details)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, requests.status)}</dt>
                    <dd>
                        <StatusBadge status=r.status />
                    </dd>
                    <dt>{t!(i18n, fields.organisation)}</dt>
                    <dd>{r.org_name.clone()}</dd>
                    <dt>{t!(i18n, requests.requester)}</dt>
                    <dd>{r.requester_name.clone()}</dd>
                    <dt>{t!(i18n, requests.submitted_at)}</dt>
                    <dd>
                        <Timestamp at=r.created_at zone=zone.clone() />
                    </dd>
                    <dt>{t!(i18n, requests.updated_at)}</dt>
                    <dd>
                        <Timestamp at=r.updated_at zone=zone.clone() />
                    </dd>
                </dl>
            </aside>
        </div>
        <section class="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">{t!(i18n, requests.timeline)}</h2>
            <ol class="timeline">
                {detail
                    .events
                    .into_iter()
                    .map(|event| view! { <TimelineEntry event zone=zone.clone() /> })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn TimelineEntry(event: RequestEvent, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let actor = event.actor_name.clone();
    let what = move || {
        let locale = i18n.get_locale();
        match (event.kind, event.from_status, event.to_status) {
            (EventKind::Submitted, _, _) => t_string!(i18n, timeline.submitted).to_string(),
            (EventKind::StatusChanged, from, Some(to)) => {
                let from = from.map(|s| status_label(locale, s)).unwrap_or("—");
                t_string!(i18n, timeline.status_changed, from = from, to = status_label(locale, to))
                    .to_string()
            }
            (EventKind::StatusChanged, _, None) => String::new(),
        }
    };
    view! {
        <li class="timeline__entry">
            <p class="timeline__what">
                <strong>{actor}</strong>
                " "
                {what}
            </p>
            <p class="timeline__when">
                <Timestamp at=event.created_at zone />
            </p>
            {event.note.map(|note| view! { <p class="timeline__note">{note}</p> })}
        </li>
    }
}
