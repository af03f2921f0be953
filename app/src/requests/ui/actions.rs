//! What a person can do to a request from its page: the action buttons and the form each opens.

use crate::{
    attachments::{FileKind, ui::{any_uploading, FilePicker, finished, PendingFile}},
    auth::CurrentUser,
    error::{AppError, Field},
    i18n::*,
    i18n_support::{action_label, reject_reason_label},
    kernel::{RejectReason, RequestAction, Role, TeamId},
    requests::{
        api::{act_on_request, canned_replies, transfer_options}, Command, page::RequestDetail,
        REOPEN_WITHIN_DAYS,
    },
    widgets::{ErrorNotice, FieldMessage},
};
use chrono::Utc;
use leptos::prelude::*;

/// The action form being filled in, kept outside the view so a live refresh keeps it.
#[derive(Clone, Copy)]
pub struct Draft {
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
pub fn ActionPanel(detail: RequestDetail, user: CurrentUser, reload: RwSignal<u32>, draft: Draft) -> impl IntoView {
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
    let can_transfer = abilities.can_transfer && status.after(RequestAction::Transfer, crate::kernel::Side::Center).is_some();
    if transitions.is_empty() && !can_reply && !can_note && !can_transfer {
        return ().into_any();
    }
    let Draft { mode, text, files } = draft;
    let reason = RwSignal::new(RejectReason::MissingDocuments);
    let team = RwSignal::new(None::<TeamId>);
    let agent = RwSignal::new(None::<crate::kernel::UserId>);
    // A live refresh can rebuild this panel while an action is on its way; the draft and the
    // reload counter belong to the page, so the answer is applied to them, not to this panel.
    let act = Action::new(move |command: &Command| {
        let command = command.clone();
        async move {
            let answer = act_on_request(id, version, command).await;
            if answer.is_ok() {
                mode.try_set(None);
                text.try_set(String::new());
                files.try_set(Vec::new());
                reload.try_update(|n| *n += 1);
            }
            answer
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
                    {(m == Mode::Transfer).then(|| view! { <TransferFields team agent /> })}
                    {(is_agent && matches!(m, Mode::Reply | Mode::Note | Mode::Ask | Mode::Resolve))
                        .then(|| view! { <CannedReplyPicker text /> })}
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

/// The team, and optionally the agent, a request is transferred to. The choices load in the
/// browser when the transfer form opens.
#[component]
fn TransferFields(team: RwSignal<Option<TeamId>>, agent: RwSignal<Option<crate::kernel::UserId>>) -> impl IntoView {
    let i18n = use_i18n();
    let options = LocalResource::new(|| async { transfer_options().await.ok() });
    view! {
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
                        <select id="transfer-agent" on:change=move |ev| agent.set(event_target_value(&ev).parse().ok().map(crate::kernel::UserId))>
                            <option value="">{t!(i18n, actions.whole_team)}</option>
                            {move || agents.iter().filter(|a| Some(a.team_id) == team.get()).map(|a| {
                                view! { <option value=a.id.to_string()>{a.display_name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            })}
        </Suspense>
    }
}

/// The agent's team texts, inserted into the message being written. They load in the browser
/// when a form that uses them opens.
#[component]
fn CannedReplyPicker(text: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let canned = LocalResource::new(|| async { canned_replies().await.unwrap_or_default() });
    view! {
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
    }
}
