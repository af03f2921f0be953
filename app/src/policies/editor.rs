//! The editors' side of the policy column: the list of pages and the editor with its live
//! preview, rendered by the server's reader code so what the editor sees is what readers get.

use crate::{
    attachments::{FileKind, ui::{any_uploading, FilePicker, format_size, PendingFile, UploadState}},
    error::{AppError, Field},
    i18n::*,
    i18n_support::Bilingual,
    kernel::{OrgId, PolicyPageId, TierId},
    policies::{
        acknowledgements::AcknowledgementReport,
        api::{cancel_policy_schedule, editor_pages, load_editor_choices, load_policy_draft, policy_feedback, preview_policy, publish_policy, save_policy_draft, schedule_policy, unpublish_policy},
        Audience, EditorChoices, EditorState, PolicyDraft, PolicyFile,
        suggestions::SuggestionReport, synonyms::SynonymEditor, TocEntry,
    },
    widgets::{ErrorNotice, SignedIn, Timestamp, use_settled},
};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

#[component]
pub fn PolicyEditorListPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <SignedIn let:user>
                {
                    let zone = user.time_zone.clone();
                    let pages = Resource::new(|| (), |_| editor_pages());
                    view! {
                        <div class="page-header">
                            <h1>{t!(i18n, policies.manage)}</h1>
                            <A href="/editor/policies/new" attr:class="button button--primary">{t!(i18n, policies.new_page)}</A>
                        </div>
                        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                            {move || { let zone = zone.clone(); Suspend::new(async move {
                                match pages.await {
                                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, policies.none_yet)}</p> }.into_any(),
                                    Ok(list) => view! {
                                        <table class="table" data-testid="policy-pages">
                                            <caption class="visually-hidden">{t!(i18n, policies.pages)}</caption>
                                            <thead><tr>
                                                <th scope="col">{t!(i18n, fields.title)}</th>
                                                <th scope="col">{t!(i18n, fields.slug)}</th>
                                                <th scope="col">{t!(i18n, fields.status)}</th>
                                                <th scope="col">{t!(i18n, fields.updated)}</th>
                                            </tr></thead>
                                            <tbody>
                                                {list.into_iter().map(|p| {
                                                    let href = format!("/editor/policies/{}", p.id);
                                                    view! {
                                                        <tr>
                                                            <td><A href=href>{p.title}</A></td>
                                                            <td><code>{p.slug}</code></td>
                                                            <td>
                                                                {match p.live_version {
                                                                    Some(n) => t_string!(i18n, policies.status_live, number = n).to_string(),
                                                                    None => t_string!(i18n, policies.status_draft).to_string(),
                                                                }}
                                                                {p.has_draft.then(|| view! { " · " <span class="badge badge--muted">{t!(i18n, policies.has_draft)}</span> })}
                                                                {p.publish_at.map(|at| { let zone = zone.clone(); view! {
                                                                    " · " <span class="badge">{t!(i18n, policies.status_scheduled)}</span> " " <Timestamp at zone />
                                                                } })}
                                                            </td>
                                                            <td><Timestamp at=p.updated_at zone=zone.clone() /></td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })}}
                        </Suspense>
                        <SynonymEditor />
                    }
                }
            </SignedIn>
        </section>
    }
}

#[component]
pub fn PolicyEditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let page = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).map(PolicyPageId));
    let loaded = Resource::new(
        move || page,
        |page| async move {
            let choices = load_editor_choices().await?;
            let draft = match page {
                Some(id) => Some(load_policy_draft(id).await?),
                None => None,
            };
            Ok::<_, AppError>((choices, draft))
        },
    );
    view! {
        <section class="page">
            <SignedIn let:_user>
                <h1>{t!(i18n, policies.editing)}</h1>
                <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match loaded.await {
                            Ok((choices, state)) => view! {
                                <EditorForm page choices state />
                                {page.map(|page| view! { <AcknowledgementReport page /> <SuggestionReport page /> <FeedbackReport page /> })}
                            }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </SignedIn>
        </section>
    }
}

fn blank(choices: &EditorChoices) -> PolicyDraft {
    PolicyDraft {
        slug: String::new(),
        category_id: choices.categories.first().map(|c| c.id).unwrap_or(super::PolicyCategoryId(0)),
        title_zh: String::new(),
        title_en: String::new(),
        body_zh: String::new(),
        body_en: String::new(),
        tags: Vec::new(),
        effective_on: chrono::Utc::now().date_naive(),
        valid_until: None,
        superseded_by: None,
        audience: Audience::Everyone,
        requires_ack: false,
        ack_deadline: None,
        files: Vec::new(),
    }
}

/// What the editor's buttons do; each saves the draft first.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Intent {
    SaveDraft,
    Publish,
    /// Publish at this `datetime-local` value of the editor's zone.
    Schedule(String),
}

/// What a button did, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Saved,
    Published(i64),
    Scheduled(chrono::DateTime<chrono::Utc>),
}

#[component]
fn EditorForm(page: Option<PolicyPageId>, choices: EditorChoices, state: Option<EditorState>) -> impl IntoView {
    let i18n = use_i18n();
    let planned = state.as_ref().and_then(|s| s.publish_at);
    let start = state.map(|s| s.draft).unwrap_or_else(|| blank(&choices));
    let page_id = RwSignal::new(page);
    let slug = RwSignal::new(start.slug.clone());
    let category = RwSignal::new(start.category_id.0);
    let title_zh = RwSignal::new(start.title_zh.clone());
    let title_en = RwSignal::new(start.title_en.clone());
    let body_zh = RwSignal::new(start.body_zh.clone());
    let body_en = RwSignal::new(start.body_en.clone());
    let tags = RwSignal::new(start.tags.join(", "));
    let effective_on = RwSignal::new(start.effective_on.format("%Y-%m-%d").to_string());
    let valid_until = RwSignal::new(start.valid_until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
    let superseded_by = RwSignal::new(start.superseded_by.clone().unwrap_or_default());
    let (chosen_orgs, chosen_tiers, everyone) = match &start.audience {
        Audience::Everyone => (Vec::new(), Vec::new(), true),
        Audience::Chosen { orgs, tiers } => (orgs.clone(), tiers.clone(), false),
    };
    let everyone = RwSignal::new(everyone);
    let orgs = RwSignal::new(chosen_orgs);
    let tiers = RwSignal::new(chosen_tiers);
    let requires_ack = RwSignal::new(start.requires_ack);
    let ack_deadline = RwSignal::new(start.ack_deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
    // Files the page holds already, and those uploaded since the editor opened.
    let kept = RwSignal::new(start.files.clone());
    let uploads = RwSignal::new(Vec::<PendingFile>::new());

    let collect = move || -> Result<PolicyDraft, AppError> {
        let date = |text: String, field: Field| -> Result<Option<NaiveDate>, AppError> {
            let text = text.trim().to_string();
            if text.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| AppError::invalid(field, crate::error::Problem::InvalidDate))
        };
        Ok(PolicyDraft {
            slug: slug.get_untracked(),
            category_id: super::PolicyCategoryId(category.get_untracked()),
            title_zh: title_zh.get_untracked(),
            title_en: title_en.get_untracked(),
            body_zh: body_zh.get_untracked(),
            body_en: body_en.get_untracked(),
            tags: tags
                .get_untracked()
                .split([',', '，'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            effective_on: date(effective_on.get_untracked(), Field::EffectiveDate)?
                .ok_or(AppError::invalid(Field::EffectiveDate, crate::error::Problem::Required))?,
            valid_until: date(valid_until.get_untracked(), Field::ValidUntil)?,
            superseded_by: Some(superseded_by.get_untracked()).filter(|s| !s.trim().is_empty()),
            audience: if everyone.get_untracked() {
                Audience::Everyone
            } else {
                Audience::Chosen { orgs: orgs.get_untracked(), tiers: tiers.get_untracked() }
            },
            requires_ack: requires_ack.get_untracked(),
            ack_deadline: if requires_ack.get_untracked() { date(ack_deadline.get_untracked(), Field::AckDeadline)? } else { None },
            files: kept
                .get_untracked()
                .into_iter()
                .chain(uploads.with_untracked(|u| {
                    u.iter()
                        .filter_map(|f| match f.state.get_untracked() {
                            UploadState::Done(file) => {
                                Some(PolicyFile { id: file.id, file_name: file.file_name, size_bytes: file.size_bytes })
                            }
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                }))
                .collect(),
        })
    };

    let navigate = use_navigate();
    // The first save moves the editor to the page's own address, which builds the editor
    // anew; the address carries what was done, so the new editor can say it.
    let query = use_query_map();
    let arrived = query.with_untracked(|q| {
        if let Some(n) = q.get("published").and_then(|n| n.parse::<i64>().ok()) {
            Some(t_string!(i18n, policies.published, number = n).to_string())
        } else if q.get("scheduled").is_some() {
            Some(t_string!(i18n, policies.scheduled).to_string())
        } else if q.get("saved").is_some() {
            Some(t_string!(i18n, policies.draft_saved).to_string())
        } else {
            None
        }
    });
    let status = RwSignal::new(arrived);
    let publish_at = RwSignal::new(planned);
    let schedule_text = RwSignal::new(String::new());
    let save = Action::new(move |intent: &Intent| {
        let intent = intent.clone();
        let draft = collect();
        let page = page_id.get_untracked();
        async move {
            let draft = draft?;
            let id = save_policy_draft(page, draft).await?;
            let outcome = match intent {
                Intent::SaveDraft => Outcome::Saved,
                Intent::Publish => Outcome::Published(publish_policy(id).await?),
                Intent::Schedule(at) => Outcome::Scheduled(schedule_policy(id, at).await?),
            };
            Ok::<_, AppError>((id, outcome))
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((id, outcome))) = save.value().get() {
            let first_save = page_id.get_untracked().is_none();
            page_id.set(Some(id));
            let done = match &outcome {
                Outcome::Published(n) => format!("published={n}"),
                Outcome::Scheduled(_) => "scheduled=1".to_string(),
                Outcome::Saved => "saved=1".to_string(),
            };
            status.set(Some(match outcome {
                Outcome::Published(n) => {
                    publish_at.set(None);
                    t_string!(i18n, policies.published, number = n).to_string()
                }
                Outcome::Scheduled(at) => {
                    publish_at.set(Some(at));
                    t_string!(i18n, policies.scheduled).to_string()
                }
                Outcome::Saved => t_string!(i18n, policies.draft_saved).to_string(),
            }));
            if first_save {
                navigate(&format!("/editor/policies/{id}?{done}"), NavigateOptions { replace: true, ..Default::default() });
            }
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let unpublish = Action::new(move |_: &()| {
        let page = page_id.get_untracked();
        async move {
            match page {
                Some(id) => unpublish_policy(id).await,
                None => Ok(()),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = unpublish.value().get() {
            status.set(Some(t_string!(i18n, policies.unpublished).to_string()));
        }
    });
    let cancel = Action::new(move |_: &()| {
        let page = page_id.get_untracked();
        async move {
            match page {
                Some(id) => cancel_policy_schedule(id).await,
                None => Ok(()),
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = cancel.value().get() {
            publish_at.set(None);
            status.set(Some(t_string!(i18n, policies.schedule_cancelled).to_string()));
        }
    });
    let zone = crate::auth::session::use_session().current().ok().flatten().map(|u| u.time_zone).unwrap_or_default();

    let field_error = move |field: Field| {
        move || {
            error.get().map(|e| {
                let locale = i18n.get_locale();
                e.field_problems(field).into_iter().map(|p| p.message(locale, field.label(locale))).collect::<Vec<_>>().join(" ")
            }).filter(|m| !m.is_empty())
        }
    };

    let categories = choices.categories.clone();
    let all_orgs = choices.orgs.clone();
    let all_tiers = choices.tiers.clone();
    view! {
        <form class="form policy-editor" on:submit=move |ev| { ev.prevent_default(); save.dispatch(Intent::SaveDraft); }>
            <div class="policy-editor__fields">
                <label for="policy-slug">{t!(i18n, fields.slug)}</label>
                <input id="policy-slug" name="slug" required aria-describedby="policy-slug-hint" bind:value=slug />
                <p id="policy-slug-hint" class="hint">{t!(i18n, policies.slug_hint)}</p>
                <p class="field-error" role="alert">{field_error(Field::Slug)}</p>

                <label for="policy-category">{t!(i18n, fields.category)}</label>
                <select id="policy-category" name="category"
                    on:change=move |ev| { if let Ok(id) = event_target_value(&ev).parse() { category.set(id); } }>
                    {categories.into_iter().map(|c| {
                        let id = c.id.0;
                        let nested = c.parent_id.is_some();
                        let name = c.name();
                        let label = move || {
                            let name = name.get(i18n.get_locale());
                            if nested { format!("— {name}") } else { name.to_string() }
                        };
                        view! { <option value=id.to_string() selected=move || category.get() == id>{label}</option> }
                    }).collect_view()}
                </select>

                <label for="policy-title-zh">{t!(i18n, policies.title_zh)}</label>
                <input id="policy-title-zh" name="title_zh" required maxlength="200" bind:value=title_zh />
                <p class="field-error" role="alert">{field_error(Field::Title)}</p>

                <label for="policy-body-zh">{t!(i18n, policies.body_zh)}</label>
                <textarea id="policy-body-zh" name="body_zh" rows="16" required bind:value=body_zh></textarea>
                <p class="field-error" role="alert">{field_error(Field::Body)}</p>

                <label for="policy-title-en">{t!(i18n, fields.title_en)}</label>
                <input id="policy-title-en" name="title_en" maxlength="200" bind:value=title_en />
                <label for="policy-body-en">{t!(i18n, policies.body_en)}</label>
                <textarea id="policy-body-en" name="body_en" rows="8" bind:value=body_en></textarea>
                <p class="field-error" role="alert">{field_error(Field::BodyEn)}</p>

                <label for="policy-tags">{t!(i18n, fields.tags)}</label>
                <input id="policy-tags" name="tags" aria-describedby="policy-tags-hint" bind:value=tags />
                <p id="policy-tags-hint" class="hint">{t!(i18n, policies.tags_hint)}</p>
                <p class="field-error" role="alert">{field_error(Field::Tags)}</p>

                <label for="policy-effective">{t!(i18n, fields.effective_date)}</label>
                <input id="policy-effective" name="effective_on" type="date" required bind:value=effective_on />
                <p class="field-error" role="alert">{field_error(Field::EffectiveDate)}</p>
                <label for="policy-until">{t!(i18n, fields.valid_until)}</label>
                <input id="policy-until" name="valid_until" type="date" bind:value=valid_until />
                <p class="field-error" role="alert">{field_error(Field::ValidUntil)}</p>
                <label for="policy-superseded">{t!(i18n, fields.superseded_by)}</label>
                <input id="policy-superseded" name="superseded_by" bind:value=superseded_by />
                <p class="field-error" role="alert">{field_error(Field::SupersededBy)}</p>

                <fieldset>
                    <legend>{t!(i18n, fields.audience)}</legend>
                    <label><input type="radio" name="audience" prop:checked=move || everyone.get() on:change=move |_| everyone.set(true) />
                        {t!(i18n, policies.audience_everyone)}</label>
                    <label><input type="radio" name="audience" prop:checked=move || !everyone.get() on:change=move |_| everyone.set(false) />
                        {t!(i18n, policies.audience_chosen)}</label>
                    <div class="policy-editor__audience" hidden=move || everyone.get()>
                        <fieldset>
                            <legend>{t!(i18n, policies.orgs)}</legend>
                            {all_orgs.into_iter().map(|o| {
                                let id: OrgId = o.id;
                                view! { <label><input type="checkbox" prop:checked=move || orgs.with(|l| l.contains(&id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); orgs.update(|l| { l.retain(|x| *x != id); if on { l.push(id); } }); } />
                                    {o.name}</label> }
                            }).collect_view()}
                        </fieldset>
                        <fieldset>
                            <legend>{t!(i18n, policies.tiers)}</legend>
                            {all_tiers.into_iter().map(|tier| {
                                let id: TierId = tier.id;
                                let name = Bilingual::new(tier.name_zh, tier.name_en);
                                view! { <label><input type="checkbox" prop:checked=move || tiers.with(|l| l.contains(&id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); tiers.update(|l| { l.retain(|x| *x != id); if on { l.push(id); } }); } />
                                    {move || name.get(i18n.get_locale()).to_string()}</label> }
                            }).collect_view()}
                        </fieldset>
                    </div>
                    <p class="field-error" role="alert">{field_error(Field::Audience)}</p>
                </fieldset>
                <label class="checkbox"><input type="checkbox" name="requires_ack" bind:checked=requires_ack />
                    {t!(i18n, policies.requires_ack)}</label>
                <div hidden=move || !requires_ack.get()>
                    <label for="policy-ack-deadline">{t!(i18n, policies.ack_deadline)}</label>
                    <input id="policy-ack-deadline" name="ack_deadline" type="date" bind:value=ack_deadline />
                    <p class="field-error" role="alert">{field_error(Field::AckDeadline)}</p>
                </div>

                <fieldset class="policy-editor__files">
                    <legend>{t!(i18n, policies.files)}</legend>
                    <ul class="file-list" data-testid="policy-files">
                        <For each=move || kept.get() key=|f| f.id let:file>
                            <li class="file-row">
                                <a href=file.preview_url() target="_blank" rel="noopener">{file.file_name.clone()}</a>
                                " " <span class="file-row__size">{format_size(file.size_bytes as f64)}</span> " "
                                <button type="button" class="button button--quiet button--small"
                                    on:click=move |_| kept.update(|k| k.retain(|f| f.id != file.id))>
                                    {t!(i18n, files.remove)}
                                </button>
                            </li>
                        </For>
                    </ul>
                    <FilePicker
                        files=uploads
                        id="policy-files"
                        label=Signal::derive(move || t_string!(i18n, policies.add_files).to_string())
                        accept=FileKind::accept_attribute(&[FileKind::Pdf])
                        help=Signal::derive(move || t_string!(i18n, policies.files_hint).to_string())
                    />
                    <p class="field-error" role="alert">{field_error(Field::Files)}</p>
                </fieldset>

                <fieldset class="policy-editor__schedule">
                    <legend>{t!(i18n, policies.schedule)}</legend>
                    {move || { let zone = zone.clone(); publish_at.get().map(|at| view! {
                        <p data-testid="scheduled-for">{t!(i18n, policies.scheduled_for)} " " <Timestamp at zone />
                            " " <button type="button" class="button button--quiet" on:click=move |_| { cancel.dispatch(()); }>
                                {t!(i18n, policies.cancel_schedule)}</button></p>
                    }) }}
                    <label for="policy-schedule-at">{t!(i18n, policies.schedule_at)}</label>
                    <input id="policy-schedule-at" name="schedule_at" type="datetime-local" bind:value=schedule_text />
                    <button type="button" class="button" disabled=move || save.pending().get() || schedule_text.with(|t| t.is_empty())
                        on:click=move |_| { save.dispatch(Intent::Schedule(schedule_text.get_untracked())); }>{t!(i18n, policies.schedule)}</button>
                    <p class="field-error" role="alert">{field_error(Field::Schedule)}</p>
                </fieldset>

                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get() || uploads.with(|u| any_uploading(u))>{t!(i18n, policies.save_draft)}</button>
                    <button type="button" class="button button--primary" data-testid="publish"
                        disabled=move || save.pending().get() || uploads.with(|u| any_uploading(u))
                        on:click=move |_| { save.dispatch(Intent::Publish); }>{t!(i18n, policies.publish)}</button>
                    <Show when=move || page_id.get().is_some()>
                        <button type="button" class="button button--danger" on:click=move |_| { unpublish.dispatch(()); }>{t!(i18n, policies.unpublish)}</button>
                    </Show>
                </div>
                <p class="notice notice--success" role="status">{move || status.get()}</p>
                {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
                {move || unpublish.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
                {move || cancel.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })}
            </div>
            <Preview body=body_zh />
        </form>
    }
}

/// The body as readers will see it, refreshed a moment after the editor stops typing.
#[component]
fn Preview(body: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let settled = use_settled(body, std::time::Duration::from_millis(400));
    let rendered = Resource::new(move || settled.get(), preview_policy);
    view! {
        <aside class="policy-editor__preview" aria-live="polite">
            <h2>{t!(i18n, policies.preview)}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match rendered.await {
                        Ok((html, toc)) => view! { <PreviewBody html toc /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn PreviewBody(html: String, toc: Vec<TocEntry>) -> impl IntoView {
    view! {
        <ol class="policy__toc-preview">
            {toc.into_iter().map(|h| view! { <li class=format!("toc-level-{}", h.level)>{h.text}</li> }).collect_view()}
        </ol>
        // Sanitized on the server by the reader's code.
        <div class="policy__body" inner_html=html></div>
    }
}

/// What readers answered to "was this helpful?", per version, with their comments.
#[component]
fn FeedbackReport(page: PolicyPageId) -> impl IntoView {
    let i18n = use_i18n();
    let report = Resource::new(move || page, policy_feedback);
    view! {
        <section class="policy-feedback-report" data-testid="feedback-report">
            <h2>{t!(i18n, policies.feedback)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, policies.no_feedback)}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|v| view! {
                            <h3>{t!(i18n, policies.feedback_counts, version = v.version, yes = v.helpful, no = v.not_helpful)}</h3>
                            <ul class="plain-list">
                                {v.comments.into_iter().map(|(helpful, text, _)| view! {
                                    <li>
                                        <span class="badge badge--muted">
                                            {move || if helpful { t_string!(i18n, policies.helpful_yes) } else { t_string!(i18n, policies.helpful_no) }}
                                        </span>
                                        " " {text}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }).collect_view().into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
