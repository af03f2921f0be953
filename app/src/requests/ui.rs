//! Request pages: the filtered list and the request page with its timeline and actions.

use super::{
    api::{act_on_request, canned_replies, get_request, list_requests, transfer_options},
    new_ui::FieldMessage,
    Command, EventKind, ListFilter, RejectReason, RequestAction, RequestDetail, RequestEvent,
    RequestId, RequestStatus, RequestSummary, Sort, REOPEN_WITHIN_DAYS,
};
use crate::{
    attachments::{
        ui::{any_uploading, finished, format_size, FilePicker, PendingFile},
        Attachment, FileKind,
    },
    auth::{CurrentUser, Role},
    catalogue::TeamId,
    error::{AppError, Field},
    i18n::*,
    i18n_support::{action_label, status_label},
    layout::{ErrorNotice, SignedIn, StatusBadge, Timestamp},
    sla::{self, Standing},
};
use chrono::Utc;
use leptos::prelude::*;
use leptos_router::{
    components::{Form, A},
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

fn filter_from_query(q: &leptos_router::params::ParamsMap) -> ListFilter {
    let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
    ListFilter {
        status: text("status").and_then(|s| s.parse().ok()),
        type_id: text("type").and_then(|s| s.parse().ok()).map(crate::catalogue::TypeId),
        from: text("from").and_then(|s| s.parse().ok()),
        to: text("to").and_then(|s| s.parse().ok()),
        search: text("q").map(|s| s.chars().take(super::SEARCH_MAX).collect()),
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
    crate::notifications::ui::use_live().on_request_change(move |_| page.refetch());
    let types = Resource::new(|| (), |_| crate::catalogue::api::list_request_types());
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

/// Time left to a deadline, or how late it is.
#[component]
pub fn DueCell(due: chrono::DateTime<Utc>, running: bool, #[prop(into)] zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let standing = sla::standing(due, running, Utc::now());
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
                let amount = match sla::split_minutes(minutes) {
                    (0, 0, m) => t_string!(i18n, sla.minutes, m = m).to_string(),
                    (0, h, m) => t_string!(i18n, sla.hours_minutes, h = h, m = m).to_string(),
                    (d, h, _) => t_string!(i18n, sla.days_hours, d = d, h = h).to_string(),
                };
                let words = if late {
                    t_string!(i18n, sla.overdue_by, time = amount.clone()).to_string()
                } else {
                    t_string!(i18n, sla.left, time = amount.clone()).to_string()
                };
                view! { <span class="due__left">{words}</span> }
            })}
        </span>
    }
}

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
                                        <A href=href.clone() attr:class="reference">{reference_text}</A>
                                        {row.urgent.then(|| view! { <span class="badge badge--urgent">{t!(i18n, requests.urgent)}</span> })}
                                    </td>
                                    <td data-label=move || t_string!(i18n, fields.title)>
                                        <A href=href>{row.title}</A>
                                        <span class="muted type-name">
                                            {move || if i18n.get_locale() == Locale::en { type_name.1.clone() } else { type_name.0.clone() }}
                                        </span>
                                    </td>
                                    <td data-label=move || t_string!(i18n, requests.status)><StatusBadge status=row.status /></td>
                                    <td data-label=move || t_string!(i18n, requests.due)>
                                        <DueCell due=row.resolution_due running zone=zone.clone() />
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

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<RequestId>().ok()));
    let reload = RwSignal::new(0u32);
    // The page follows changes live; what the person is typing survives the refresh.
    let draft = Draft::default();
    crate::notifications::ui::use_live().on_request_change(move |changed| {
        if Some(changed) == id.get_untracked() {
            reload.update(|n| *n += 1);
        }
    });
    let detail = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
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
                        let user = user.clone();
                        move || {
                            let user = user.clone();
                            Suspend::new(async move {
                                match detail.await {
                                    Ok(detail) => view! { <RequestView detail user reload draft /> }.into_any(),
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
fn RequestView(detail: RequestDetail, user: CurrentUser, reload: RwSignal<u32>, draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let zone = user.time_zone.clone();
    let r = detail.request.clone();
    let values = r.values();
    let definition = detail.request_type.definition.clone();
    let type_name = detail.request_type.name.clone();
    let team_name = (r.team_name_zh.clone(), r.team_name_en.clone());
    let running = r.clock_running();
    let general_files: Vec<Attachment> = detail.attachments.clone();
    let events = detail.events.clone();
    let attachments = detail.attachments.clone();
    view! {
        <nav class="breadcrumbs" aria-label=move || t_string!(i18n, nav.breadcrumbs)>
            <A href="/requests">{t!(i18n, nav.back_to_list)}</A>
        </nav>
        <header class="request-header">
            <p class="reference" data-testid="reference">{r.reference_no.to_string()}</p>
            <h1>{r.title.clone()}</h1>
            <StatusBadge status=r.status />
            {r.urgent.then(|| view! { <span class="badge badge--urgent">{t!(i18n, requests.urgent)}</span> })}
        </header>
        <div class="grid grid--main-side">
            <div class="stack">
                <section class="card" aria-labelledby="fields-heading">
                    <h2 id="fields-heading">{move || type_name.get(i18n.get_locale()).to_string()}</h2>
                    <dl class="facts">
                        {definition.fields.iter().filter_map(|spec| {
                            let value = values.get(&spec.key)?.clone();
                            let spec = spec.clone();
                            let label = spec.label.clone();
                            Some(view! {
                                <dt>{move || label.get(i18n.get_locale()).to_string()}</dt>
                                <dd>{move || spec.display(&value, i18n.get_locale())}</dd>
                            })
                        }).collect_view()}
                    </dl>
                    {if r.description.is_empty() {
                        view! { <p class="muted">{t!(i18n, requests.no_description)}</p> }.into_any()
                    } else {
                        view! { <p class="prose">{r.description.clone()}</p> }.into_any()
                    }}
                    {r.urgent_reason.clone().map(|reason| view! {
                        <p class="notice"><strong>{t!(i18n, fields.urgent_reason)}": "</strong>{reason}</p>
                    })}
                    {r.resolution.clone().map(|text| view! {
                        <div class="resolution">
                            <h3>{if r.status == RequestStatus::Rejected { t!(i18n, requests.rejection).into_any() } else { t!(i18n, fields.resolution).into_any() }}</h3>
                            <p class="prose">{text}</p>
                        </div>
                    })}
                </section>
                <section class="card" aria-labelledby="files-heading">
                    <h2 id="files-heading">{t!(i18n, files.title)}</h2>
                    <FileList files=general_files definition=definition.clone() />
                </section>
                <ActionPanel detail=detail.clone() user=user.clone() reload draft />
                <section class="card" aria-labelledby="timeline-heading">
                    <h2 id="timeline-heading">{t!(i18n, requests.timeline)}</h2>
                    <ol class="timeline">
                        {events
                            .into_iter()
                            .map(|event| {
                                let files: Vec<Attachment> = attachments.iter().filter(|a| a.event_id == Some(event.id)).cloned().collect();
                                view! { <TimelineEntry event files zone=zone.clone() /> }
                            })
                            .collect_view()}
                    </ol>
                </section>
            </div>
            <aside class="card" aria-labelledby="facts-heading">
                <h2 id="facts-heading">{t!(i18n, requests.details)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, requests.status)}</dt>
                    <dd><StatusBadge status=r.status /></dd>
                    <dt>{t!(i18n, requests.due)}</dt>
                    <dd><DueCell due=r.resolution_due running zone=zone.clone() /></dd>
                    <dt>{t!(i18n, requests.first_response_due)}</dt>
                    <dd>
                        <DueCell due=r.first_response_due running=r.first_responded_at.is_none() && running zone=zone.clone() />
                    </dd>
                    <dt>{t!(i18n, requests.owner)}</dt>
                    <dd data-testid="owner">{r.owner_name.clone().unwrap_or_else(|| "—".into())}</dd>
                    {r.first_owner_name.clone().filter(|f| Some(f) != r.owner_name.as_ref()).map(|first| view! {
                        <dt>{t!(i18n, requests.first_owner)}</dt>
                        <dd>{first}</dd>
                    })}
                    <dt>{t!(i18n, fields.team)}</dt>
                    <dd>{move || if i18n.get_locale() == Locale::en { team_name.1.clone() } else { team_name.0.clone() }}</dd>
                    <dt>{t!(i18n, fields.organisation)}</dt>
                    <dd>{r.org_name.clone()}</dd>
                    <dt>{t!(i18n, requests.requester)}</dt>
                    <dd>{r.requester_name.clone()}</dd>
                    <dt>{t!(i18n, requests.submitted_at)}</dt>
                    <dd><Timestamp at=r.created_at zone=zone.clone() /></dd>
                    <dt>{t!(i18n, requests.updated_at)}</dt>
                    <dd><Timestamp at=r.updated_at zone=zone.clone() /></dd>
                </dl>
            </aside>
        </div>
    }
}

#[component]
fn FileList(files: Vec<Attachment>, definition: crate::catalogue::TypeDefinition) -> impl IntoView {
    let i18n = use_i18n();
    if files.is_empty() {
        return view! { <p class="muted">{t!(i18n, files.none)}</p> }.into_any();
    }
    view! {
        <ul class="attachments">
            {files.into_iter().map(|file| {
                let slot = file.slot.as_ref().and_then(|k| definition.slots.iter().find(|s| &s.key == k)).map(|s| s.label.clone());
                view! {
                    <li>
                        <AttachmentLink file=file.clone() />
                        {slot.map(|label| view! { <span class="badge">{move || label.get(i18n.get_locale()).to_string()}</span> })}
                        <span class="muted">" · " {file.uploader_name.clone()}</span>
                        <AttachmentPreview file />
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AttachmentLink(file: Attachment) -> impl IntoView {
    view! {
        <a href=file.download_url() download=file.file_name.clone() rel="external" class="attachment-link">
            {file.file_name.clone()}
        </a>
        <span class="muted">" (" {file.kind.as_str().to_uppercase()} ", " {format_size(file.size_bytes as f64)} ")"</span>
    }
}

#[component]
fn AttachmentPreview(file: Attachment) -> impl IntoView {
    let i18n = use_i18n();
    if !file.kind.previewable() {
        return ().into_any();
    }
    let url = file.preview_url();
    let name = file.file_name.clone();
    view! {
        <details class="preview">
            <summary>{t!(i18n, files.preview)}</summary>
            {if file.kind == FileKind::Pdf {
                view! { <iframe src=url title=name class="preview__frame"></iframe> }.into_any()
            } else {
                view! { <img src=url alt=name loading="lazy" class="preview__image" /> }.into_any()
            }}
        </details>
    }
    .into_any()
}

#[component]
fn TimelineEntry(event: RequestEvent, files: Vec<Attachment>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let actor = event.actor_name.clone();
    let internal = event.internal;
    let ev = event.clone();
    let what = move || {
        let locale = i18n.get_locale();
        match (ev.kind, ev.action) {
            (EventKind::Submitted, _) => t_string!(i18n, timeline.submitted).to_string(),
            (EventKind::Message, Some(RequestAction::ProvideInformation)) => t_string!(i18n, timeline.provided_information).to_string(),
            (EventKind::Message, _) => t_string!(i18n, timeline.replied).to_string(),
            (EventKind::InternalNote, _) => t_string!(i18n, timeline.internal_note).to_string(),
            (EventKind::OwnerChanged, Some(RequestAction::Claim)) => t_string!(i18n, timeline.claimed).to_string(),
            (EventKind::OwnerChanged, _) => {
                let team = if locale == Locale::en { ev.team_name_en.clone() } else { ev.team_name_zh.clone() };
                let to = ev.owner_name.clone().or(team).unwrap_or_default();
                t_string!(i18n, timeline.transferred, to = to).to_string()
            }
            (EventKind::StatusChanged, _) => {
                let from = ev.from_status.map(|s| status_label(locale, s)).unwrap_or("—");
                let to = ev.to_status.map(|s| status_label(locale, s)).unwrap_or("—");
                t_string!(i18n, timeline.status_changed, from = from, to = to).to_string()
            }
        }
    };
    let reason = event.reason_code.clone().and_then(|c| c.parse::<RejectReason>().ok());
    view! {
        <li class="timeline__entry" class:timeline__entry--internal=internal data-kind=event.kind.as_str()>
            <p class="timeline__what">
                <strong>{actor}</strong>
                " "
                {what}
                {internal.then(|| view! { <span class="badge badge--internal">{t!(i18n, timeline.internal_badge)}</span> })}
            </p>
            <p class="timeline__when"><Timestamp at=event.created_at zone /></p>
            {reason.map(|r| view! { <p class="timeline__reason">{move || reject_reason_label(i18n.get_locale(), r)}</p> })}
            {event.note.map(|note| view! { <p class="timeline__note">{note}</p> })}
            {(!files.is_empty()).then(|| view! {
                <ul class="attachments attachments--inline">
                    {files.into_iter().map(|file| view! { <li><AttachmentLink file /></li> }).collect_view()}
                </ul>
            })}
        </li>
    }
}

pub fn reject_reason_label(locale: Locale, reason: RejectReason) -> &'static str {
    match reason {
        RejectReason::MissingDocuments => td_string!(locale, reject.missing_documents),
        RejectReason::InvalidInvoice => td_string!(locale, reject.invalid_invoice),
        RejectReason::OverBudget => td_string!(locale, reject.over_budget),
        RejectReason::NotApproved => td_string!(locale, reject.not_approved),
        RejectReason::Duplicate => td_string!(locale, reject.duplicate),
        RejectReason::OutOfScope => td_string!(locale, reject.out_of_scope),
        RejectReason::Other => td_string!(locale, reject.other),
    }
}

/// The action form being filled in, kept outside the view so a live refresh keeps it.
#[derive(Clone, Copy)]
struct Draft {
    mode: RwSignal<Option<Mode>>,
    text: RwSignal<String>,
    files: RwSignal<Vec<PendingFile>>,
}

impl Default for Draft {
    fn default() -> Self {
        Draft { mode: RwSignal::new(None), text: RwSignal::new(String::new()), files: RwSignal::new(Vec::new()) }
    }
}

/// Which form of the action panel is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reply,
    Note,
    Ask,
    Resolve,
    Reject,
    Withdraw,
    Reopen,
    Transfer,
}

#[component]
fn ActionPanel(detail: RequestDetail, user: CurrentUser, reload: RwSignal<u32>, draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let r = &detail.request;
    let id = r.id;
    let version = r.version;
    let status = r.status;
    let abilities = detail.abilities;
    let reopen_open = r.resolved_at.is_some_and(|at| Utc::now() - at <= chrono::Duration::days(REOPEN_WITHIN_DAYS));
    let transitions: Vec<RequestAction> = abilities
        .transitions(status)
        .into_iter()
        .filter(|a| *a != RequestAction::Reopen || reopen_open)
        .collect();
    let can_reply = abilities.can_reply(status);
    let can_note = abilities.can_note && !status.is_final();
    let can_transfer = abilities.can_transfer && status.after(RequestAction::Transfer, super::Side::Center).is_some();
    if transitions.is_empty() && !can_reply && !can_note && !can_transfer {
        return ().into_any();
    }
    let Draft { mode, text, files } = draft;
    let reason = RwSignal::new(RejectReason::MissingDocuments);
    let team = RwSignal::new(None::<TeamId>);
    let agent = RwSignal::new(None::<crate::auth::UserId>);
    let act = Action::new(move |command: &Command| {
        let command = command.clone();
        async move { act_on_request(id, version, command).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            mode.set(None);
            text.set(String::new());
            files.set(Vec::new());
            reload.update(|n| *n += 1);
        }
    });
    let error = Memo::new(move |_| act.value().get().and_then(|r| r.err()));
    let field_message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let run = move |command: Command| {
        if !act.pending().get_untracked() {
            act.dispatch(command);
        }
    };
    let is_agent = user.has_role(Role::Agent);
    let canned = Resource::new(move || (is_agent, mode.get()), |(agent, mode)| async move {
        if agent && matches!(mode, Some(Mode::Reply) | Some(Mode::Note) | Some(Mode::Ask) | Some(Mode::Resolve)) {
            canned_replies().await.unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let options = Resource::new(move || mode.get() == Some(Mode::Transfer), |open| async move {
        if open { transfer_options().await.ok() } else { None }
    });
    let open = move |m: Mode| {
        move |_| {
            mode.set(Some(m));
            text.set(String::new());
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let message = text.get_untracked();
        let uploaded: Vec<_> = files.with_untracked(|f| finished(f)).into_iter().map(|(id, _)| id).collect();
        let command = match mode.get_untracked() {
            Some(Mode::Reply) => Command::Reply { message, files: uploaded },
            Some(Mode::Note) => Command::Note { message, files: uploaded },
            Some(Mode::Ask) => Command::AskForInformation { message },
            Some(Mode::Resolve) => Command::Resolve { resolution: message },
            Some(Mode::Reject) => Command::Reject { reason: reason.get_untracked(), detail: message },
            Some(Mode::Withdraw) => Command::Withdraw { reason: message },
            Some(Mode::Reopen) => Command::Reopen { reason: message },
            Some(Mode::Transfer) => match team.get_untracked() {
                Some(team) => Command::Transfer { team, agent: agent.get_untracked(), reason: message },
                None => return,
            },
            None => return,
        };
        run(command);
    };
    let text_label = move || match mode.get() {
        Some(Mode::Note) => t_string!(i18n, actions.note_text).to_string(),
        Some(Mode::Ask) => t_string!(i18n, actions.ask_text).to_string(),
        Some(Mode::Resolve) => t_string!(i18n, fields.resolution).to_string(),
        Some(Mode::Reject) | Some(Mode::Reopen) | Some(Mode::Withdraw) | Some(Mode::Transfer) => t_string!(i18n, fields.reason).to_string(),
        _ => t_string!(i18n, fields.message).to_string(),
    };
    let text_field = move || match mode.get() {
        Some(Mode::Resolve) => Field::Resolution,
        Some(Mode::Reject) | Some(Mode::Reopen) | Some(Mode::Withdraw) | Some(Mode::Transfer) => Field::Reason,
        _ => Field::Message,
    };
    view! {
        <section class="card actions" aria-labelledby="actions-heading">
            <h2 id="actions-heading">{t!(i18n, actions.title)}</h2>
            <div class="action-buttons" role="group" aria-labelledby="actions-heading">
                {transitions.iter().map(|action| {
                    let action = *action;
                    let label = move || action_label(i18n.get_locale(), action);
                    match action {
                        RequestAction::Claim => view! {
                            <button type="button" class="button button--primary" data-action="claim" disabled=move || act.pending().get()
                                on:click=move |_| run(Command::Claim)>{label}</button>
                        }.into_any(),
                        other => {
                            let m = match other {
                                RequestAction::AskForInformation => Mode::Ask,
                                RequestAction::Resolve => Mode::Resolve,
                                RequestAction::Reject => Mode::Reject,
                                RequestAction::Withdraw => Mode::Withdraw,
                                RequestAction::Reopen => Mode::Reopen,
                                _ => Mode::Reply,
                            };
                            view! {
                                <button type="button" class="button" data-action=other.as_str()
                                    aria-pressed=move || (mode.get() == Some(m)).to_string() on:click=open(m)>{label}</button>
                            }.into_any()
                        }
                    }
                }).collect_view()}
                {can_reply.then(|| view! {
                    <button type="button" class="button" data-action="reply" aria-pressed=move || (mode.get() == Some(Mode::Reply)).to_string()
                        on:click=open(Mode::Reply)>{t!(i18n, actions.reply)}</button>
                })}
                {can_note.then(|| view! {
                    <button type="button" class="button" data-action="note" aria-pressed=move || (mode.get() == Some(Mode::Note)).to_string()
                        on:click=open(Mode::Note)>{t!(i18n, actions.note)}</button>
                })}
                {can_transfer.then(|| view! {
                    <button type="button" class="button" data-action="transfer" aria-pressed=move || (mode.get() == Some(Mode::Transfer)).to_string()
                        on:click=open(Mode::Transfer)>{t!(i18n, actions.transfer)}</button>
                })}
            </div>
            {move || mode.get().map(|m| view! {
                <form class="form action-form" on:submit=on_submit data-mode=format!("{m:?}").to_lowercase()>
                    {(m == Mode::Reject).then(|| view! {
                        <div class="field">
                            <label for="reject-reason">{t!(i18n, actions.reject_reason)}</label>
                            <select id="reject-reason" on:change=move |ev| {
                                if let Ok(r) = event_target_value(&ev).parse() { reason.set(r) }
                            }>
                                {RejectReason::ALL.iter().map(|r| {
                                    let r = *r;
                                    view! { <option value=r.as_str()>{move || reject_reason_label(i18n.get_locale(), r)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    })}
                    {(m == Mode::Transfer).then(|| view! {
                        <Suspense>
                            {move || Suspend::new(async move {
                                let (teams, agents) = options.await.unwrap_or_default();
                                let locale = i18n.get_locale();
                                view! {
                                    <div class="field">
                                        <label for="transfer-team">{t!(i18n, fields.team)}</label>
                                        <select id="transfer-team" required on:change=move |ev| {
                                            team.set(event_target_value(&ev).parse().ok().map(TeamId));
                                            agent.set(None);
                                        }>
                                            <option value="">{t!(i18n, requests.choose)}</option>
                                            {teams.iter().map(|t| view! { <option value=t.id.to_string()>{t.name(locale).to_string()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="transfer-agent">{t!(i18n, fields.assignee)}</label>
                                        <select id="transfer-agent" on:change=move |ev| agent.set(event_target_value(&ev).parse().ok().map(crate::auth::UserId))>
                                            <option value="">{t!(i18n, actions.whole_team)}</option>
                                            {move || agents.iter().filter(|a| Some(a.team_id) == team.get()).map(|a| {
                                                view! { <option value=a.id.to_string()>{a.display_name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                }
                            })}
                        </Suspense>
                    })}
                    <Suspense>
                        {move || Suspend::new(async move {
                            let replies = canned.await;
                            (!replies.is_empty()).then(|| view! {
                                <div class="field">
                                    <label for="canned">{t!(i18n, actions.canned)}</label>
                                    <select id="canned" on:change=move |ev| {
                                        let chosen = event_target_value(&ev);
                                        if let Some(c) = replies.iter().find(|c| c.id.to_string() == chosen) {
                                            text.update(|t| {
                                                if !t.is_empty() { t.push('\n') }
                                                t.push_str(&c.body);
                                            });
                                        }
                                    }>
                                        <option value="">{t!(i18n, actions.canned_choose)}</option>
                                        {replies.iter().map(|c| view! { <option value=c.id.to_string()>{c.title.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                            })
                        })}
                    </Suspense>
                    <div class="field">
                        <label for="action-text">{text_label}</label>
                        <textarea id="action-text" rows="5" prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                            aria-invalid=move || field_message(text_field()).get().is_some().to_string()></textarea>
                        <FieldMessage message=Signal::derive(move || field_message(text_field()).get()) />
                        {(m == Mode::Note).then(|| view! { <p class="help">{t!(i18n, actions.note_help)}</p> })}
                    </div>
                    {matches!(m, Mode::Reply | Mode::Note).then(|| view! {
                        <FilePicker files id="action-files" label=Signal::derive(move || t_string!(i18n, files.attach).to_string())
                            accept=FileKind::accept_attribute(FileKind::ALL) />
                        <FieldMessage message=field_message(Field::Files) />
                    })}
                    <div class="form-actions">
                        <button type="submit" class="button button--primary" data-testid="action-submit"
                            disabled=move || act.pending().get() || files.with(|f| any_uploading(f))>
                            {t!(i18n, actions.send)}
                        </button>
                        <button type="button" class="button button--quiet" on:click=move |_| mode.set(None)>{t!(i18n, common.cancel)}</button>
                    </div>
                </form>
            })}
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
        </section>
    }
    .into_any()
}
