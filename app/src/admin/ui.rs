//! The admin's user directory.

use crate::{
    admin::{

        api::{CreateUser, failed_emails, list_organisations, list_users, ResetPassword, SetManagerAssignment, SetMembership, SetPermission, SetUserActive, UnlockSignIn},
        DISPLAY_NAME_MAX,
    },
    auth::UserSummary,
    error::AppError,
    forms::{InputField, MembershipList},
    i18n::*,
    i18n_support::role_label,
    kernel::{Language, Permission, Role},
    notifications::FailedEmail,
    orgs::{Organisation, OrgKind},
    validation::PASSWORD_MIN,
    widgets::{ActionError, ErrorNotice, SignedIn, Timestamp},
};
use leptos::{form::ActionForm, prelude::*};

#[derive(Clone, Copy)]
struct AdminActions {
    create: ServerAction<CreateUser>,
    set_active: ServerAction<SetUserActive>,
    unlock: ServerAction<UnlockSignIn>,
    reset: ServerAction<ResetPassword>,
    membership: ServerAction<SetMembership>,
    assignment: ServerAction<SetManagerAssignment>,
    permission: ServerAction<SetPermission>,
}

impl AdminActions {
    fn version(&self) -> usize {
        self.create.version().get()
            + self.set_active.version().get()
            + self.unlock.version().get()
            + self.reset.version().get()
            + self.membership.version().get()
            + self.assignment.version().get()
            + self.permission.version().get()
    }

    fn last_error(&self) -> Option<AppError> {
        [
            self.set_active.value().get().and_then(Result::err),
            self.unlock.value().get().and_then(Result::err),
            self.reset.value().get().and_then(Result::err),
            self.membership.value().get().and_then(Result::err),
            self.assignment.value().get().and_then(Result::err),
            self.permission.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{t!(i18n, admin.title)}</h1>
            <SignedIn let:user>
                <Directory />
                <FailedEmails zone=user.time_zone.clone() />
            </SignedIn>
        </section>
    }
}

/// Emails given up on: shown only when there are some.
#[component]
fn FailedEmails(zone: String) -> impl IntoView {
    let failed = Resource::new(|| (), |_| failed_emails());
    view! {
        <Transition fallback=|| ()>
            {move || {
                let zone = zone.clone();
                Suspend::new(async move {
                    match failed.await {
                        Ok(emails) if emails.is_empty() => ().into_any(),
                        Ok(emails) => view! { <FailedEmailTable emails zone /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn FailedEmailTable(emails: Vec<FailedEmail>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="failed-emails" aria-labelledby="failed-emails-title">
            <h2 id="failed-emails-title">{t!(i18n, admin.failed_emails)}</h2>
            <p class="help">{t!(i18n, admin.failed_emails_hint)}</p>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, admin.failed_at)}</th>
                            <th scope="col">{t!(i18n, fields.email)}</th>
                            <th scope="col">{t!(i18n, admin.email_subject)}</th>
                            <th scope="col">{t!(i18n, admin.server_answer)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {emails
                            .into_iter()
                            .map(|email| {
                                view! {
                                    <tr>
                                        <td><Timestamp at=email.failed_at zone=zone.clone() /></td>
                                        <td>{email.to_address}</td>
                                        <td>{email.subject}</td>
                                        <td class="failed-emails__answer">{email.last_error}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Directory() -> impl IntoView {
    let i18n = use_i18n();
    let actions = AdminActions {
        create: ServerAction::new(),
        set_active: ServerAction::new(),
        unlock: ServerAction::new(),
        reset: ServerAction::new(),
        membership: ServerAction::new(),
        assignment: ServerAction::new(),
        permission: ServerAction::new(),
    };
    let data = Resource::new(
        move || actions.version(),
        |_| async move { Ok::<_, AppError>((list_users().await?, list_organisations().await?)) },
    );
    let row_error = Signal::derive(move || actions.last_error());
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((users, orgs)) => {
                        view! {
                            <CreateUserForm action=actions.create orgs=orgs.clone() />
                            <ActionError error=row_error />
                            <UserTable users orgs actions />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RoleOptions(selected: Option<Role>, #[prop(optional)] allow_none: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {allow_none
            .then(|| {
                view! {
                    <option value="none" selected=selected.is_none()>
                        {t!(i18n, admin.no_role)}
                    </option>
                }
            })}
        {Role::ALL
            .iter()
            .map(|&role| {
                view! {
                    <option value=role.as_str() selected=selected == Some(role)>
                        {move || role_label(i18n.get_locale(), role)}
                    </option>
                }
            })
            .collect_view()}
    }
}

#[component]
fn OrgOptions(orgs: Vec<Organisation>, #[prop(optional)] subsidiaries_only: bool) -> impl IntoView {
    orgs.into_iter()
        .filter(|o| !subsidiaries_only || o.kind == OrgKind::Subsidiary)
        .map(|o| view! { <option value=o.id.to_string()>{format!("{} · {}", o.code, o.name)}</option> })
        .collect_view()
}

#[component]
fn CreateUserForm(action: ServerAction<CreateUser>, orgs: Vec<Organisation>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let created = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <details class="card">
            <summary>
                <h2 class="summary-heading">{t!(i18n, admin.create_user)}</h2>
            </summary>
            <ActionForm action attr:class="form form--grid">
                <InputField id="new-email" name="email" kind="email" autocomplete="off">
                    {t!(i18n, fields.email)}
                </InputField>
                <InputField id="new-name" name="display_name" maxlength=DISPLAY_NAME_MAX>
                    {t!(i18n, fields.display_name)}
                </InputField>
                <InputField
                    id="new-password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    minlength=PASSWORD_MIN
                >
                    {t!(i18n, admin.initial_password)}
                </InputField>
                <div class="field">
                    <label for="new-language">{t!(i18n, fields.language)}</label>
                    <select id="new-language" name="language">
                        {Language::ALL
                            .iter()
                            .map(|l| view! { <option value=l.as_str()>{l.endonym()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="new-org">{t!(i18n, fields.organisation)}</label>
                    <select id="new-org" name="org">
                        <OrgOptions orgs />
                    </select>
                </div>
                <div class="field">
                    <label for="new-role">{t!(i18n, fields.role)}</label>
                    <select id="new-role" name="role">
                        <RoleOptions selected=Some(Role::Client) />
                    </select>
                </div>
                <ActionError error />
                <Show when=created>
                    <p class="notice notice--success" role="status">{t!(i18n, admin.user_created)}</p>
                </Show>
                <div class="form-actions">
                    <button type="submit" class="button button--primary">
                        {t!(i18n, admin.create_user)}
                    </button>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>, orgs: Vec<Organisation>, actions: AdminActions) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table users-table">
                <caption class="visually-hidden">{t!(i18n, admin.title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, fields.display_name)}</th>
                        <th scope="col">{t!(i18n, account.memberships)}</th>
                        <th scope="col">{t!(i18n, admin.state)}</th>
                        <th scope="col">{t!(i18n, admin.manage)}</th>
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|user| view! { <UserRow user orgs=orgs.clone() actions /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserRow(user: UserSummary, orgs: Vec<Organisation>, actions: AdminActions) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id.to_string();
    let (id1, id2, id3, id4, id5) = (id.clone(), id.clone(), id.clone(), id.clone(), id);
    let (orgs1, orgs2) = (orgs.clone(), orgs.clone());
    let active = user.active;
    let locked = user.sign_in_locked;
    let is_manager = user.memberships.iter().any(|m| m.role == Role::CustomerManager);
    let is_editor = user.permissions.contains(&Permission::Editor);
    let is_lead = user.permissions.contains(&Permission::CenterLead);
    let id6 = user.id.to_string();
    let id7 = user.id.to_string();
    let managed: Vec<String> = orgs
        .iter()
        .filter(|o| user.managed_orgs.contains(&o.id))
        .map(|o| o.name.clone())
        .collect();
    let field_id = move |name: &str| format!("{name}-{}", user.id);
    view! {
        <tr>
            <td data-label=move || t_string!(i18n, fields.display_name)>
                <strong>{user.display_name.clone()}</strong>
                <br />
                <span class="muted">{user.email.clone()}</span>
            </td>
            <td data-label=move || t_string!(i18n, account.memberships)>
                <MembershipList memberships=user.memberships.clone() />
                {is_editor.then(|| view! { <p><span class="badge" data-testid="editor-badge">{t!(i18n, admin.editor)}</span></p> })}
                {is_lead.then(|| view! { <p><span class="badge" data-testid="lead-badge">{t!(i18n, admin.center_lead)}</span></p> })}
                {(!managed.is_empty())
                    .then(|| {
                        view! {
                            <p class="muted">{t!(i18n, admin.manages)} " " {managed.join("、")}</p>
                        }
                    })}
            </td>
            <td data-label=move || t_string!(i18n, admin.state)>
                {move || {
                    if active { t_string!(i18n, admin.active) } else { t_string!(i18n, admin.inactive) }
                }}
                {locked
                    .then(|| {
                        view! {
                            <br />
                            <span class="badge badge--urgent">{t!(i18n, admin.locked)}</span>
                        }
                    })}
            </td>
            <td data-label=move || t_string!(i18n, admin.manage) class="row-actions">
                <ActionForm action=actions.set_active attr:class="inline-form">
                    <input type="hidden" name="id" value=id1 />
                    <input type="hidden" name="active" value=(!active).to_string() />
                    <button type="submit" class="button button--small">
                        {move || {
                            if active {
                                t_string!(i18n, admin.deactivate)
                            } else {
                                t_string!(i18n, admin.activate)
                            }
                        }}
                    </button>
                </ActionForm>
                {locked
                    .then(|| {
                        view! {
                            <ActionForm action=actions.unlock attr:class="inline-form">
                                <input type="hidden" name="id" value=id5 />
                                <button type="submit" class="button button--small">
                                    {t!(i18n, admin.unlock)}
                                </button>
                            </ActionForm>
                        }
                    })}
                <details>
                    <summary>{t!(i18n, admin.edit_access)}</summary>
                    <ActionForm action=actions.membership attr:class="form form--compact">
                        <input type="hidden" name="id" value=id2 />
                        <label for=field_id("m-org")>{t!(i18n, fields.organisation)}</label>
                        <select id=field_id("m-org") name="org">
                            <OrgOptions orgs=orgs1 />
                        </select>
                        <label for=field_id("m-role")>{t!(i18n, fields.role)}</label>
                        <select id=field_id("m-role") name="role">
                            <RoleOptions selected=None allow_none=true />
                        </select>
                        <button type="submit" class="button button--small">
                            {t!(i18n, admin.set_role)}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.permission attr:class="form form--compact">
                        <input type="hidden" name="id" value=id6 />
                        <input type="hidden" name="permission" value="editor" />
                        <input type="hidden" name="granted" value=(!is_editor).to_string() />
                        <button type="submit" class="button button--small" data-testid="toggle-editor">
                            {move || if is_editor { t_string!(i18n, admin.revoke_editor) } else { t_string!(i18n, admin.grant_editor) }}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.permission attr:class="form form--compact">
                        <input type="hidden" name="id" value=id7 />
                        <input type="hidden" name="permission" value="center_lead" />
                        <input type="hidden" name="granted" value=(!is_lead).to_string() />
                        <button type="submit" class="button button--small" data-testid="toggle-lead">
                            {move || if is_lead { t_string!(i18n, admin.revoke_lead) } else { t_string!(i18n, admin.grant_lead) }}
                        </button>
                    </ActionForm>
                    <ActionForm action=actions.reset attr:class="form form--compact">
                        <input type="hidden" name="id" value=id3 />
                        <label for=field_id("pw")>{t!(i18n, fields.new_password)}</label>
                        <input
                            id=field_id("pw")
                            name="new_password"
                            type="password"
                            autocomplete="new-password"
                            minlength="10"
                            required
                        />
                        <button type="submit" class="button button--small">
                            {t!(i18n, admin.reset_password)}
                        </button>
                    </ActionForm>
                    {is_manager
                        .then(|| {
                            view! {
                                <ActionForm action=actions.assignment attr:class="form form--compact">
                                    <input type="hidden" name="manager" value=id4 />
                                    <label for=field_id("a-org")>{t!(i18n, admin.assign_org)}</label>
                                    <select id=field_id("a-org") name="org">
                                        <OrgOptions orgs=orgs2 subsidiaries_only=true />
                                    </select>
                                    <label for=field_id("a-assigned")>{t!(i18n, admin.assignment)}</label>
                                    <select id=field_id("a-assigned") name="assigned">
                                        <option value="true">{t!(i18n, admin.assign)}</option>
                                        <option value="false">{t!(i18n, admin.unassign)}</option>
                                    </select>
                                    <button type="submit" class="button button--small">
                                        {t!(i18n, common.save)}
                                    </button>
                                </ActionForm>
                            }
                        })}
                </details>
            </td>
        </tr>
    }
}
