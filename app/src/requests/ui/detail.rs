//! The request page: its facts, files and timeline, followed live.

use super::actions::{ActionPanel, Draft};
use crate::{
    attachments::{Attachment, FileKind, ui::format_size},
    auth::CurrentUser,
    error::AppError,
    i18n::*,
    i18n_support::{reject_reason_label, status_label},
    kernel::{RejectReason, RequestAction, RequestId, RequestStatus},
    ratings::ui::FeedbackPanel,
    requests::{EventKind, page::{get_request, RequestDetail}, RequestEvent},
    sla::panel_ui::ClockPanel,
    widgets::{ErrorNotice, SignedIn, StatusBadge, Timestamp},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<RequestId>().ok()));
    let reload = RwSignal::new(0u32);
    // The page follows changes live; what the person is typing survives the refresh.
    let draft = Draft::default();
    crate::notifications::live_ui::use_live().on_request_change(move |changed| {
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
                                    Err(error) => view! { <RequestUnavailable error /> }.into_any(),
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
        <FeedbackPanel id=r.id feedback=detail.feedback.clone() zone=zone.clone() reload />
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
                {(!detail.policies.linked.is_empty() || !detail.policies.seen.is_empty()).then(|| view! {
                    <PoliciesBehind policies=detail.policies.clone() zone=zone.clone() />
                })}
                <ClockPanel id=r.id panel=detail.sla.clone() zone=zone.clone() />
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
    // A close after the rating window is the portal's own doing, whoever the row names.
    let by_portal = event.reason_code.as_deref() == Some(crate::requests::CLOSED_UNRATED);
    let actor_name = event.actor_name.clone();
    let actor = move || if by_portal { t_string!(i18n, timeline.portal).to_string() } else { actor_name.clone() };
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
            (EventKind::StatusChanged, Some(RequestAction::Close)) if by_portal => t_string!(i18n, timeline.closed_unrated).to_string(),
            (EventKind::StatusChanged, Some(RequestAction::Close)) => t_string!(i18n, timeline.closed_rated).to_string(),
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

/// A request that does not exist, or that this person may not see (the two look alike).
#[component]
fn RequestUnavailable(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, errors.request_unavailable)}</h1>
        <ErrorNotice error />
        <p>
            <A href="/requests">{t!(i18n, nav.back_to_list)}</A>
        </p>
    }
}

/// For the center's staff: the policy versions in force when the request was submitted, and
/// the pages the form suggested to the client before they submitted it.
#[component]
fn PoliciesBehind(policies: crate::policies::RequestPolicies, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let version_href = |slug: &str, version: i64| format!("/policies/{slug}?version={version}");
    view! {
        <section class="card" aria-labelledby="policies-heading" data-testid="request-policies">
            <h2 id="policies-heading">{t!(i18n, requests.policies)}</h2>
            {(!policies.linked.is_empty()).then(|| view! {
                <h3>{t!(i18n, requests.policies_in_force)}</h3>
                <ul class="plain-list">
                    {policies.linked.iter().map(|p| {
                        let version = p.version;
                        view! {
                            <li>
                                <a href=version_href(&p.slug, p.version) target="_blank" rel="noopener">{p.title.clone()}</a>
                                " " {move || t_string!(i18n, checklist.version, n = version).to_string()}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!policies.seen.is_empty()).then(|| view! {
                <h3>{t!(i18n, requests.policies_seen)}</h3>
                <ul class="plain-list">
                    {policies.seen.iter().map(|p| {
                        let version = p.version;
                        let zone = zone.clone();
                        view! {
                            <li>
                                <a href=version_href(&p.slug, p.version) target="_blank" rel="noopener">{p.title.clone()}</a>
                                " " {move || t_string!(i18n, checklist.version, n = version).to_string()} " "
                                {match p.opened_at {
                                    Some(at) => view! { <span>{t!(i18n, requests.policy_opened)} " " <Timestamp at zone /></span> }.into_any(),
                                    None => view! { <span class="muted">{t!(i18n, requests.policy_not_opened)}</span> }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
