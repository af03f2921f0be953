//! An agent's page for the canned replies of their teams.

use crate::requests::api::{canned_reply_setup, AddCannedReply, DeleteCannedReply};
use crate::{
    i18n::*,
    widgets::{use_action_error, ActionError, ErrorNotice, SignedIn},
    requests::{MESSAGE_MAX, TITLE_MAX},
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn CannedRepliesPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddCannedReply>::new();
    let delete = ServerAction::<DeleteCannedReply>::new();
    let add_error = use_action_error(add);
    let data = Resource::new(move || (add.version().get(), delete.version().get()), |_| canned_reply_setup());
    view! {
        <section class="page page--medium">
            <h1>{t!(i18n, canned.title)}</h1>
            <SignedIn let:_user>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok((teams, replies)) if teams.is_empty() => {
                                let _ = replies;
                                view! { <p class="notice">{t!(i18n, canned.no_team)}</p> }.into_any()
                            }
                            Ok((teams, replies)) => {
                                let locale = i18n.get_locale();
                                let team_name = {
                                    let teams = teams.clone();
                                    move |id| teams.iter().find(|t| t.id == id).map(|t| t.name(locale).to_string()).unwrap_or_default()
                                };
                                view! {
                                    <div class="card">
                                        {if replies.is_empty() {
                                            view! { <p class="empty">{t!(i18n, canned.empty)}</p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="plain-list canned-list">
                                                    {replies.into_iter().map(|c| view! {
                                                        <li>
                                                            <h2 class="h3">{c.title.clone()} <span class="badge">{team_name(c.team_id)}</span></h2>
                                                            <p class="prose">{c.body.clone()}</p>
                                                            <ActionForm action=delete attr:class="inline-form">
                                                                <input type="hidden" name="id" value=c.id.to_string() />
                                                                <button type="submit" class="button button--quiet button--small"
                                                                    aria-label=format!("{} {}", t_string!(i18n, files.remove), c.title)>
                                                                    {t!(i18n, files.remove)}
                                                                </button>
                                                            </ActionForm>
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </div>
                                    <ActionForm action=add attr:class="card form">
                                        <h2>{t!(i18n, canned.add)}</h2>
                                        <div class="field">
                                            <label for="canned-team">{t!(i18n, fields.team)}</label>
                                            <select id="canned-team" name="team">
                                                {teams.iter().map(|t| view! { <option value=t.id.to_string()>{t.name(locale).to_string()}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="canned-title">{t!(i18n, fields.title)}</label>
                                            <input id="canned-title" name="title" required maxlength=TITLE_MAX.to_string() />
                                        </div>
                                        <div class="field">
                                            <label for="canned-body">{t!(i18n, fields.message)}</label>
                                            <textarea id="canned-body" name="body" rows="5" required maxlength=MESSAGE_MAX.to_string()></textarea>
                                        </div>
                                        <ActionError error=add_error />
                                        <div class="form-actions">
                                            <button type="submit" class="button button--primary">{t!(i18n, common.save)}</button>
                                        </div>
                                    </ActionForm>
                                }
                                .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </SignedIn>
        </section>
    }
}
