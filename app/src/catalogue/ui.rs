//! The admin's catalogue page: request types, their forms, attachment slots and targets.
//! Saving adds a version; requests keep the version they were submitted with.

use crate::{
    attachments::{FileKind, ui::{FilePicker, PendingFile}},
    catalogue::{
        api::{list_all_request_types, save_request_type}, Choice, FieldKind, FieldSpec, PolicyLink,
        RequestType, SlotSpec, Targets, Team, TypeDefinition, TypeDraft, TypeKind,
    },
    error::Field,
    i18n::*,
    i18n_support::Bilingual,
    kernel::{TeamId, TypeId},
    widgets::{ErrorNotice, FieldMessage, SignedIn},
};
use leptos::prelude::*;

fn kind_label(locale: Locale, kind: TypeKind) -> &'static str {
    match kind {
        TypeKind::Document => td_string!(locale, catalogue.document),
        TypeKind::Query => td_string!(locale, catalogue.query),
    }
}

fn field_kind_label(locale: Locale, kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => td_string!(locale, catalogue.kind_text),
        FieldKind::LongText => td_string!(locale, catalogue.kind_long_text),
        FieldKind::Amount => td_string!(locale, catalogue.kind_amount),
        FieldKind::Date => td_string!(locale, catalogue.kind_date),
        FieldKind::Choice => td_string!(locale, catalogue.kind_choice),
        FieldKind::InvoiceNumber => td_string!(locale, catalogue.kind_invoice_number),
    }
}

#[component]
pub fn CatalogueAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let saved = RwSignal::new(0u32);
    let data = Resource::new(move || saved.get(), |_| list_all_request_types());
    let editing = RwSignal::new(None::<Option<RequestType>>);
    view! {
        <section class="page">
            <SignedIn let:_user>
                <div class="page-header">
                    <h1>{t!(i18n, catalogue.title)}</h1>
                    <button type="button" class="button button--primary" on:click=move |_| editing.set(Some(None))>
                        {t!(i18n, catalogue.new_type)}
                    </button>
                </div>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok((types, teams)) => {
                                let teams = StoredValue::new(teams);
                                view! {
                                    <TypeTable types=types.clone() editing />
                                    {move || editing.get().map(|current| view! {
                                        <TypeEditor current teams=teams.get_value() editing saved />
                                    })}
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

#[component]
fn TypeTable(types: Vec<RequestType>, editing: RwSignal<Option<Option<RequestType>>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{t!(i18n, catalogue.title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, fields.name_zh)}</th>
                        <th scope="col">{t!(i18n, fields.name_en)}</th>
                        <th scope="col">{t!(i18n, catalogue.kind)}</th>
                        <th scope="col">{t!(i18n, fields.team)}</th>
                        <th scope="col">{t!(i18n, fields.targets)}</th>
                        <th scope="col">{t!(i18n, fields.version)}</th>
                        <th scope="col">{t!(i18n, catalogue.state)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, admin.manage)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {types.into_iter().map(|t| {
                        let edit = t.clone();
                        let team = t.team_name.clone();
                        let tg = t.targets;
                        let name = t.name.zh.clone();
                        view! {
                            <tr data-type=t.code.clone()>
                                <td>{t.name.zh.clone()}</td>
                                <td>{t.name.en.clone()}</td>
                                <td>{move || kind_label(i18n.get_locale(), t.kind)}</td>
                                <td>{move || team.get(i18n.get_locale()).to_string()}</td>
                                <td>{format!("{} h / {} h", tg.first_response_hours, tg.resolution_hours)}
                                    {tg.urgent_allowed.then(|| format!(" · {} h / {} h", tg.urgent_first_response_hours, tg.urgent_resolution_hours))}</td>
                                <td>{t.version}</td>
                                <td>{move || if t.active { t_string!(i18n, admin.active) } else { t_string!(i18n, admin.inactive) }}</td>
                                <td>
                                    <button type="button" class="button button--small"
                                        aria-label=move || format!("{} {}", t_string!(i18n, catalogue.edit), name)
                                        on:click=move |_| editing.set(Some(Some(edit.clone())))>
                                        {t!(i18n, catalogue.edit)}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A row of an editable list, with a stable key for rendering.
type Rows<T> = RwSignal<Vec<(u64, RwSignal<T>)>>;

fn rows<T: Send + Sync + 'static>(items: Vec<T>) -> Rows<T> {
    RwSignal::new(items.into_iter().enumerate().map(|(i, item)| (i as u64, RwSignal::new(item))).collect())
}

fn next_key<T>(rows: &[(u64, RwSignal<T>)]) -> u64 {
    rows.iter().map(|(k, _)| *k + 1).max().unwrap_or(0)
}

fn choices_text(choices: &[Choice]) -> String {
    choices.iter().map(|c| format!("{}|{}|{}", c.value, c.label.zh, c.label.en)).collect::<Vec<_>>().join("\n")
}

fn parse_choices(text: &str) -> Vec<Choice> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split('|').map(str::trim);
            let value = parts.next().unwrap_or_default().to_string();
            let zh = parts.next().unwrap_or(&value).to_string();
            let en = parts.next().unwrap_or(&zh).to_string();
            Choice { value, label: Bilingual { zh, en } }
        })
        .collect()
}

#[component]
fn TypeEditor(
    current: Option<RequestType>,
    teams: Vec<Team>,
    editing: RwSignal<Option<Option<RequestType>>>,
    saved: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let existing = current.as_ref().map(|t| (t.type_id, t.version));
    let start = current.clone().unwrap_or_else(|| RequestType {
        version_id: super::TypeVersionId(0),
        type_id: TypeId(0),
        code: String::new(),
        version: 0,
        name: Bilingual::default(),
        kind: TypeKind::Query,
        team_id: teams.first().map(|t| t.id).unwrap_or(TeamId(0)),
        team_name: Bilingual::default(),
        targets: Targets {
            first_response_hours: 8,
            resolution_hours: 40,
            urgent_allowed: false,
            urgent_first_response_hours: 2,
            urgent_resolution_hours: 8,
        },
        definition: TypeDefinition::default(),
        active: true,
    });
    let code = RwSignal::new(start.code.clone());
    let name_zh = RwSignal::new(start.name.zh.clone());
    let name_en = RwSignal::new(start.name.en.clone());
    let kind = RwSignal::new(start.kind);
    let team = RwSignal::new(start.team_id);
    let targets = RwSignal::new(start.targets);
    let active = RwSignal::new(start.active);
    let fields: Rows<(FieldSpec, String)> =
        rows(start.definition.fields.iter().map(|f| (f.clone(), choices_text(&f.choices))).collect());
    let slots: Rows<SlotSpec> = rows(start.definition.slots.clone());
    let policy_links = RwSignal::new(
        start.definition.policies.iter().map(PolicyLink::to_text).collect::<Vec<_>>().join("\n"),
    );
    let save = Action::new(move |draft: &TypeDraft| {
        let draft = draft.clone();
        async move { save_request_type(existing, draft).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
            saved.update(|n| *n += 1);
        }
    });
    let error = Memo::new(move |_| save.value().get().and_then(|r| r.err()));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| {
                let locale = i18n.get_locale();
                p.message(locale, field.label(locale))
            })
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let definition = TypeDefinition {
            fields: fields.get_untracked().iter().map(|(_, f)| {
                let (mut spec, choices) = f.get_untracked();
                spec.choices = if spec.kind == FieldKind::Choice { parse_choices(&choices) } else { Vec::new() };
                spec
            }).collect(),
            slots: slots.get_untracked().iter().map(|(_, s)| s.get_untracked()).collect(),
            policies: policy_links.get_untracked().lines().filter_map(PolicyLink::from_text).collect(),
        };
        save.dispatch(TypeDraft {
            code: code.get_untracked().trim().to_string(),
            name: Bilingual { zh: name_zh.get_untracked(), en: name_en.get_untracked() },
            kind: kind.get_untracked(),
            team_id: team.get_untracked(),
            targets: targets.get_untracked(),
            definition,
            active: active.get_untracked(),
        });
    };
    let hours = move |label: fn(Locale) -> &'static str, id: &'static str, get: fn(&Targets) -> i64, set: fn(&mut Targets, i64)| {
        view! {
            <div class="field field--narrow">
                <label for=id>{move || label(i18n.get_locale())}</label>
                <input id=id type="number" min="1" max="8760" required
                    prop:value=move || get(&targets.get()).to_string()
                    on:input=move |ev| { if let Ok(n) = event_target_value(&ev).parse::<i64>() { targets.update(|t| set(t, n)) } } />
            </div>
        }
    };
    let teams = StoredValue::new(teams);
    view! {
        <form class="card form type-editor" on:submit=on_submit aria-labelledby="editor-heading">
            <h2 id="editor-heading">
                {move || if existing.is_some() { t_string!(i18n, catalogue.edit_type) } else { t_string!(i18n, catalogue.new_type) }}
            </h2>
            {existing.map(|_| view! { <p class="help">{t!(i18n, catalogue.versioning)}</p> })}
            <div class="grid grid--two">
                <div class="field">
                    <label for="type-code">{t!(i18n, fields.code)}</label>
                    <input id="type-code" required readonly=existing.is_some() prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev)) />
                    <FieldMessage message=message(Field::Code) />
                </div>
                <div class="field">
                    <label for="type-kind">{t!(i18n, catalogue.kind)}</label>
                    <select id="type-kind" on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse() { kind.set(k) } }>
                        {TypeKind::ALL.iter().map(|k| {
                            let k = *k;
                            view! { <option value=k.as_str() selected=move || kind.get() == k>{move || kind_label(i18n.get_locale(), k)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="type-name-zh">{t!(i18n, fields.name_zh)}</label>
                    <input id="type-name-zh" required prop:value=move || name_zh.get() on:input=move |ev| name_zh.set(event_target_value(&ev)) />
                    <FieldMessage message=message(Field::NameZh) />
                </div>
                <div class="field">
                    <label for="type-name-en">{t!(i18n, fields.name_en)}</label>
                    <input id="type-name-en" required prop:value=move || name_en.get() on:input=move |ev| name_en.set(event_target_value(&ev)) />
                    <FieldMessage message=message(Field::NameEn) />
                </div>
                <div class="field">
                    <label for="type-team">{t!(i18n, fields.team)}</label>
                    <select id="type-team" on:change=move |ev| { if let Ok(id) = event_target_value(&ev).parse() { team.set(TeamId(id)) } }>
                        {move || teams.get_value().into_iter().map(|t| {
                            let id = t.id;
                            view! { <option value=id.to_string() selected=move || team.get() == id>{t.name(i18n.get_locale()).to_string()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev)) />
                    {t!(i18n, catalogue.active)}
                </label>
            </div>
            <fieldset>
                <legend>{t!(i18n, fields.targets)}</legend>
                <div class="grid grid--four">
                    {hours(|l| td_string!(l, catalogue.first_response_hours), "t-first", |t| t.first_response_hours, |t, n| t.first_response_hours = n)}
                    {hours(|l| td_string!(l, catalogue.resolution_hours), "t-resolution", |t| t.resolution_hours, |t, n| t.resolution_hours = n)}
                    {hours(|l| td_string!(l, catalogue.urgent_first_response_hours), "t-urgent-first", |t| t.urgent_first_response_hours, |t, n| t.urgent_first_response_hours = n)}
                    {hours(|l| td_string!(l, catalogue.urgent_resolution_hours), "t-urgent-resolution", |t| t.urgent_resolution_hours, |t, n| t.urgent_resolution_hours = n)}
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || targets.get().urgent_allowed
                        on:change=move |ev| targets.update(|t| t.urgent_allowed = event_target_checked(&ev)) />
                    {t!(i18n, catalogue.urgent_allowed)}
                </label>
                <FieldMessage message=message(Field::Targets) />
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, catalogue.form_fields)}</legend>
                <For each=move || fields.get() key=|(k, _)| *k let:row>
                    <FieldRow key=row.0 row=row.1 fields />
                </For>
                <button type="button" class="button button--small" on:click=move |_| fields.update(|list| {
                    let key = next_key(list);
                    list.push((key, RwSignal::new((FieldSpec {
                        key: String::new(), label: Bilingual::default(), kind: FieldKind::Text, required: false,
                        help: Bilingual::default(), choices: Vec::new(),
                    }, String::new()))));
                })>{t!(i18n, catalogue.add_field)}</button>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, catalogue.slots)}</legend>
                <For each=move || slots.get() key=|(k, _)| *k let:row>
                    <SlotRow key=row.0 row=row.1 slots />
                </For>
                <button type="button" class="button button--small" on:click=move |_| slots.update(|list| {
                    let key = next_key(list);
                    list.push((key, RwSignal::new(SlotSpec {
                        key: String::new(), label: Bilingual::default(), required: false, kinds: vec![FileKind::Pdf],
                        ..Default::default()
                    })));
                })>{t!(i18n, catalogue.add_slot)}</button>
                <FieldMessage message=message(Field::Definition) />
            </fieldset>
            <div class="field">
                <label for="type-policies">{t!(i18n, fields.policy_links)}</label>
                <textarea id="type-policies" rows="3" aria-describedby="type-policies-help"
                    prop:value=move || policy_links.get() on:input=move |ev| policy_links.set(event_target_value(&ev))></textarea>
                <p id="type-policies-help" class="help">{t!(i18n, catalogue.policy_links_help)}</p>
                <FieldMessage message=message(Field::PolicyLinks) />
            </div>
            {move || error.get().map(|error| view! { <ErrorNotice error /> })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                <button type="button" class="button button--quiet" on:click=move |_| editing.set(None)>{t!(i18n, common.cancel)}</button>
            </div>
        </form>
    }
}

/// A labelled text input bound to one property of an editor row.
fn row_text_input<T: Send + Sync + 'static>(
    id: String,
    label: fn(Locale) -> &'static str,
    row: RwSignal<T>,
    get: fn(&T) -> String,
    set: fn(&mut T, String),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id.clone()>{move || label(i18n.get_locale())}</label>
            <input id=id prop:value=move || row.with(get) on:input=move |ev| row.update(|r| set(r, event_target_value(&ev))) />
        </div>
    }
}

#[component]
fn FieldRow(key: u64, row: RwSignal<(FieldSpec, String)>, fields: Rows<(FieldSpec, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let id = move |part: &str| format!("f{key}-{part}");
    let text = move |part: &'static str, label: fn(Locale) -> &'static str, get: fn(&(FieldSpec, String)) -> String, set: fn(&mut (FieldSpec, String), String)| {
        row_text_input(id(part), label, row, get, set)
    };
    view! {
        <div class="editor-row" role="group" aria-label=move || t_string!(i18n, catalogue.form_fields).to_string()>
            {text("key", |l| td_string!(l, fields.code), |r| r.0.key.clone(), |r, v| r.0.key = v)}
            {text("zh", |l| td_string!(l, fields.name_zh), |r| r.0.label.zh.clone(), |r, v| r.0.label.zh = v)}
            {text("en", |l| td_string!(l, fields.name_en), |r| r.0.label.en.clone(), |r, v| r.0.label.en = v)}
            <div class="field">
                <label for=id("kind")>{t!(i18n, catalogue.field_kind)}</label>
                <select id=id("kind") on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse() { row.update(|r| r.0.kind = k) } }>
                    {FieldKind::ALL.iter().map(|k| {
                        let k = *k;
                        view! { <option value=k.as_str() selected=move || row.with(|r| r.0.kind == k)>{move || field_kind_label(i18n.get_locale(), k)}</option> }
                    }).collect_view()}
                </select>
            </div>
            {text("help-zh", |l| td_string!(l, catalogue.help_zh), |r| r.0.help.zh.clone(), |r, v| r.0.help.zh = v)}
            {text("help-en", |l| td_string!(l, catalogue.help_en), |r| r.0.help.en.clone(), |r, v| r.0.help.en = v)}
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || row.with(|r| r.0.required) on:change=move |ev| row.update(|r| r.0.required = event_target_checked(&ev)) />
                {t!(i18n, catalogue.required)}
            </label>
            <Show when=move || row.with(|r| r.0.kind == FieldKind::Choice)>
                <div class="field field--wide">
                    <label for=id("choices")>{t!(i18n, catalogue.choices)}</label>
                    <textarea id=id("choices") rows="3" aria-describedby=id("choices-help") prop:value=move || row.with(|r| r.1.clone())
                        on:input=move |ev| row.update(|r| r.1 = event_target_value(&ev))></textarea>
                    <p id=id("choices-help") class="help">{t!(i18n, catalogue.choices_help)}</p>
                </div>
            </Show>
            <button type="button" class="button button--quiet button--small" on:click=move |_| fields.update(|l| l.retain(|(k, _)| *k != key))>
                {t!(i18n, files.remove)}
            </button>
        </div>
    }
}

#[component]
fn SlotRow(key: u64, row: RwSignal<SlotSpec>, slots: Rows<SlotSpec>) -> impl IntoView {
    let i18n = use_i18n();
    let id = move |part: &str| format!("s{key}-{part}");
    let text = move |part: &'static str, label: fn(Locale) -> &'static str, get: fn(&SlotSpec) -> String, set: fn(&mut SlotSpec, String)| {
        row_text_input(id(part), label, row, get, set)
    };
    view! {
        <div class="editor-row" role="group" aria-label=move || t_string!(i18n, catalogue.slots).to_string()>
            {text("key", |l| td_string!(l, fields.code), |r| r.key.clone(), |r, v| r.key = v)}
            {text("zh", |l| td_string!(l, fields.name_zh), |r| r.label.zh.clone(), |r, v| r.label.zh = v)}
            {text("en", |l| td_string!(l, fields.name_en), |r| r.label.en.clone(), |r, v| r.label.en = v)}
            <fieldset class="kinds">
                <legend>{t!(i18n, catalogue.file_kinds)}</legend>
                {FileKind::ALL.iter().map(|k| {
                    let k = *k;
                    view! {
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || row.with(|r| r.kinds.contains(&k))
                                on:change=move |ev| row.update(|r| {
                                    r.kinds.retain(|x| *x != k);
                                    if event_target_checked(&ev) { r.kinds.push(k) }
                                }) />
                            {k.as_str().to_uppercase()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <label class="checkbox">
                <input type="checkbox" prop:checked=move || row.with(|r| r.required) on:change=move |ev| row.update(|r| r.required = event_target_checked(&ev)) />
                {t!(i18n, catalogue.required)}
            </label>
            {text("explain-zh", |l| td_string!(l, catalogue.explanation_zh), |r| r.explanation.zh.clone(), |r, v| r.explanation.zh = v)}
            {text("explain-en", |l| td_string!(l, catalogue.explanation_en), |r| r.explanation.en.clone(), |r, v| r.explanation.en = v)}
            {text("policy", |l| td_string!(l, catalogue.slot_policy),
                |r| r.policy.as_ref().map(PolicyLink::to_text).unwrap_or_default(),
                |r, v| r.policy = PolicyLink::from_text(&v))}
            <SlotExample key row />
            <button type="button" class="button button--quiet button--small" on:click=move |_| slots.update(|l| l.retain(|(k, _)| *k != key))>
                {t!(i18n, files.remove)}
            </button>
        </div>
    }
}

/// A slot's example image: the one saved, or a new one uploaded now (the last finished upload
/// wins), and a way to remove it.
#[component]
fn SlotExample(key: u64, row: RwSignal<SlotSpec>) -> impl IntoView {
    let i18n = use_i18n();
    let uploads = RwSignal::new(Vec::<PendingFile>::new());
    Effect::new(move |_| {
        let last = uploads.with(|u| u.iter().rev().find_map(|f| f.uploaded()));
        if let Some(id) = last {
            if row.with_untracked(|r| r.example != Some(id)) {
                row.update(|r| r.example = Some(id));
            }
        }
    });
    view! {
        <div class="slot-example">
            {move || row.with(|r| r.example).map(|id| view! {
                <p>
                    <a href=format!("/files/{id}?inline=1") target="_blank" rel="noopener">{t!(i18n, checklist.example)}</a>
                    " "
                    <button type="button" class="button button--quiet button--small" on:click=move |_| {
                        uploads.set(Vec::new());
                        row.update(|r| r.example = None);
                    }>{t!(i18n, catalogue.remove_example)}</button>
                </p>
            })}
            <FilePicker
                files=uploads
                id=format!("s{key}-example")
                label=Signal::derive(move || t_string!(i18n, catalogue.example_image).to_string())
                accept=FileKind::accept_attribute(&[FileKind::Png, FileKind::Jpeg])
            />
        </div>
    }
}
