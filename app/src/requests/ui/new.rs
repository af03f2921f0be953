//! The submission form: a type, its form, its files. It says what is still missing before the
//! user submits, and a double click stores one request.

use super::checklist::DocumentChecklist;
use crate::{
    attachments::{FileKind, ui::{any_uploading, FilePicker, finished, PendingFile}},
    auth::CurrentUser,
    catalogue::{Currency, FieldInput, FieldKind, FieldSpec, RequestType},
    error::{AppError, Field, Problem},
    i18n::*,
    kernel::{MIB, RequestId, TypeId, UploadLimits},
    policies::{LinkedPolicy, suggestions::PolicySuggestions},
    requests::{api::submit_request, DESCRIPTION_MAX, NewRequestInput, TITLE_MAX},
    widgets::{ErrorNotice, FieldMessage, SignedIn},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};
use std::collections::BTreeMap;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let setup = Resource::new(|| (), |_| crate::requests::api::submission_form());
    view! {
        <section class="page page--medium">
            <h1>{t!(i18n, requests.new_title)}</h1>
            <SignedIn let:user>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let user = user.clone();
                        move || {
                            let user = user.clone();
                            Suspend::new(async move {
                                match setup.await {
                                    Ok(setup) => view! {
                                        <NewRequestForm user types=setup.types limits=setup.limits policies=setup.policies />
                                    }.into_any(),
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

/// A key for this form, so that a retried submit is recognised by the server.
fn new_idempotency_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        let a = (js_sys::Math::random() * 1e15) as u64;
        let b = (js_sys::Math::random() * 1e15) as u64;
        format!("{:x}-{a:x}-{b:x}", js_sys::Date::now() as u64)
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
fn NewRequestForm(
    user: CurrentUser,
    types: Vec<RequestType>,
    limits: UploadLimits,
    policies: Vec<LinkedPolicy>,
) -> impl IntoView {
    let i18n = use_i18n();
    let orgs: Vec<_> = user.submitting_memberships().cloned().collect();
    if orgs.is_empty() {
        return view! { <p class="notice">{t!(i18n, requests.only_subsidiaries)}</p> }.into_any();
    }
    let types = StoredValue::new(types);
    let policies = StoredValue::new(policies);
    let type_id = RwSignal::new(None::<TypeId>);
    let org = RwSignal::new(orgs.first().map(|m| m.org_id));
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let values = RwSignal::new(BTreeMap::<String, (String, String)>::new());
    let urgent = RwSignal::new(false);
    let urgent_reason = RwSignal::new(String::new());
    let files = RwSignal::new(Vec::<PendingFile>::new());
    let key = StoredValue::new(String::new());
    Effect::new(move |_| key.set_value(new_idempotency_key()));

    let chosen = Memo::new(move |_| {
        type_id.get().and_then(|id| types.with_value(|ts| ts.iter().find(|t| t.type_id == id).cloned()))
    });
    let inputs = move || -> Vec<FieldInput> {
        values.with(|v| {
            v.iter()
                .map(|(k, (value, currency))| FieldInput {
                    key: k.clone(),
                    value: value.clone(),
                    currency: (!currency.is_empty()).then(|| currency.clone()),
                })
                .collect()
        })
    };
    // The submission as it stands; the same value is sent.
    let input = move || NewRequestInput {
        type_id: type_id.get(),
        org: org.get(),
        title: title.get(),
        description: description.get(),
        fields: inputs(),
        urgent: urgent.get(),
        urgent_reason: urgent_reason.get(),
        files: files.with(|f| finished(f)),
        idempotency_key: key.get_value(),
    };
    // What is still missing, in the words of the form, before the user submits: the required
    // inputs that the server's own check of this submission against its type would refuse.
    let missing = Memo::new(move |_| {
        let locale = i18n.get_locale();
        let Some(t) = chosen.get() else {
            let mut missing = vec![t_string!(i18n, fields.request_type).to_string()];
            if title.with(|t| t.trim().is_empty()) {
                missing.push(t_string!(i18n, fields.title).to_string());
            }
            return missing;
        };
        let errors = input().check(&t).err().unwrap_or_default();
        errors
            .iter()
            .filter(|e| e.problem == Problem::Required)
            .filter_map(|e| match e.field {
                Field::Custom(i) => t.definition.fields.get(i as usize).map(|spec| spec.label.get(locale).to_string()),
                Field::Slot(i) => t.definition.slots.get(i as usize).map(|slot| slot.label.get(locale).to_string()),
                other => Some(other.label(locale).to_string()),
            })
            .collect::<Vec<_>>()
    });

    let navigate = use_navigate();
    let submit = Action::new(move |input: &NewRequestInput| {
        let input = input.clone();
        async move { submit_request(input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            let id: RequestId = id;
            navigate(&format!("/requests/{id}"), Default::default());
        }
    });
    let error = Memo::new(move |_| submit.value().get().and_then(|r| r.err()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submit.pending().get_untracked() || files.with_untracked(|f| any_uploading(f)) {
            return;
        }
        let input = untrack(input);
        submit.dispatch(input);
    };
    let field_error = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| {
                let locale = i18n.get_locale();
                let label = match field {
                    Field::Custom(i) => chosen
                        .get()
                        .and_then(|t| t.definition.fields.get(i as usize).map(|f| f.label.get(locale).to_string()))
                        .unwrap_or_default(),
                    Field::Slot(i) => chosen
                        .get()
                        .and_then(|t| t.definition.slots.get(i as usize).map(|s| s.label.get(locale).to_string()))
                        .unwrap_or_default(),
                    other => other.label(locale).to_string(),
                };
                p.message(locale, &label)
            })
        })
    };
    let choose_org = orgs.len() > 1;
    let orgs = StoredValue::new(orgs);
    view! {
        <form class="card form" on:submit=on_submit novalidate>
            <p class="lead">{t!(i18n, requests.new_intro)}</p>
            <Show when=move || choose_org>
                <div class="field">
                    <label for="request-org">{t!(i18n, fields.organisation)}</label>
                    <select
                        id="request-org"
                        on:change=move |ev| org.set(event_target_value(&ev).parse().ok().map(crate::kernel::OrgId))
                    >
                        {orgs
                            .get_value()
                            .into_iter()
                            .map(|m| view! { <option value=m.org_id.to_string()>{m.org_name}</option> })
                            .collect_view()}
                    </select>
                </div>
            </Show>
            <div class="field">
                <label for="request-type">{t!(i18n, fields.request_type)}</label>
                <select
                    id="request-type"
                    required
                    aria-describedby="request-type-help"
                    on:change=move |ev| {
                        type_id.set(event_target_value(&ev).parse().ok().map(TypeId));
                        values.set(BTreeMap::new());
                    }
                >
                    <option value="">{t!(i18n, requests.choose_type)}</option>
                    {move || {
                        let locale = i18n.get_locale();
                        types
                            .get_value()
                            .into_iter()
                            .map(|t| {
                                view! {
                                    <option value=t.type_id.to_string() selected=move || type_id.get() == Some(t.type_id)>
                                        {t.name.get(locale).to_string()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
                <p id="request-type-help" class="help">
                    {move || chosen.get().map(|t| {
                        let tg = t.targets;
                        t_string!(
                            i18n,
                            requests.type_targets,
                            team = t.team_name.get(i18n.get_locale()).to_string(),
                            first = tg.first_response_hours,
                            resolution = tg.resolution_hours
                        )
                        .to_string()
                    })}
                </p>
                <FieldMessage message=field_error(Field::RequestType) />
            </div>
            <DocumentChecklist chosen policies files />
            <div class="field">
                <label for="request-title">{t!(i18n, fields.title)}</label>
                <input
                    id="request-title"
                    type="text"
                    maxlength=TITLE_MAX.to_string()
                    required
                    aria-describedby="request-title-help"
                    aria-invalid=move || field_error(Field::Title).get().is_some().to_string()
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <p id="request-title-help" class="help">{t!(i18n, requests.title_help, max = TITLE_MAX)}</p>
                <FieldMessage message=field_error(Field::Title) />
                <PolicySuggestions title form_key=key />
            </div>
            {move || chosen.get().map(|t| {
                t.definition
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| {
                        view! { <CustomField spec=spec.clone() values message=field_error(Field::Custom(i as u16)) /> }
                    })
                    .collect_view()
            })}
            <div class="field">
                <label for="request-description">{t!(i18n, fields.description)}</label>
                <textarea
                    id="request-description"
                    rows="6"
                    maxlength=DESCRIPTION_MAX.to_string()
                    aria-describedby="request-description-help"
                    prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev))
                ></textarea>
                <p id="request-description-help" class="help">{t!(i18n, requests.description_help)}</p>
                <FieldMessage message=field_error(Field::Description) />
            </div>
            {move || chosen.get().filter(|t| t.targets.urgent_allowed).map(|t| {
                let tg = t.targets;
                view! {
                    <fieldset class="field urgent">
                        <legend>{t!(i18n, requests.urgency)}</legend>
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || urgent.get() on:change=move |ev| urgent.set(event_target_checked(&ev)) />
                            {t!(i18n, requests.urgent_label, first = tg.urgent_first_response_hours, resolution = tg.urgent_resolution_hours)}
                        </label>
                        <Show when=move || urgent.get()>
                            <label for="urgent-reason">{t!(i18n, fields.urgent_reason)}</label>
                            <textarea
                                id="urgent-reason"
                                rows="3"
                                required
                                prop:value=move || urgent_reason.get()
                                on:input=move |ev| urgent_reason.set(event_target_value(&ev))
                            ></textarea>
                            <FieldMessage message=field_error(Field::UrgentReason) />
                        </Show>
                    </fieldset>
                }
            })}
            <fieldset class="files">
                <legend>{t!(i18n, files.title)}</legend>
                <p class="help">
                    {t!(i18n, files.limits, file = limits.max_file_bytes / MIB, total = limits.max_request_bytes / MIB, count = limits.max_files_per_request)}
                </p>
                {move || chosen.get().map(|t| {
                    t.definition
                        .slots
                        .iter()
                        .enumerate()
                        .map(|(i, slot)| {
                            let label = {
                                let slot = slot.clone();
                                Signal::derive(move || {
                                    let name = slot.label.get(i18n.get_locale()).to_string();
                                    if slot.required { format!("{name} *") } else { name }
                                })
                            };
                            let kinds = slot.kinds.iter().map(|k| k.as_str().to_uppercase()).collect::<Vec<_>>().join(", ");
                            let help = Signal::derive(move || t_string!(i18n, files.accepted, kinds = kinds.clone()).to_string());
                            view! {
                                <FilePicker
                                    files
                                    id=format!("slot-{}", slot.key)
                                    label=label
                                    slot_key=slot.key.clone()
                                    accept=FileKind::accept_attribute(&slot.kinds)
                                    help=help
                                    invalid=Signal::derive(move || field_error(Field::Slot(i as u16)).get().is_some())
                                />
                                <FieldMessage message=field_error(Field::Slot(i as u16)) />
                            }
                        })
                        .collect_view()
                })}
                <FilePicker
                    files
                    id="other-files"
                    label=Signal::derive(move || t_string!(i18n, files.other).to_string())
                    accept=FileKind::accept_attribute(FileKind::ALL)
                />
                <FieldMessage message=field_error(Field::Files) />
            </fieldset>
            <div class="missing" aria-live="polite">
                {move || {
                    let missing = missing.get();
                    (!missing.is_empty()).then(|| view! {
                        <p class="notice" data-testid="missing">
                            {t!(i18n, requests.still_missing)} " " {missing.join("、")}
                        </p>
                    })
                }}
            </div>
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
            {move || error.get().filter(|e| matches!(e, AppError::Invalid(_))).map(|_| view! {
                <div class="notice notice--error" role="alert">{t!(i18n, errors.invalid)}</div>
            })}
            <div class="form-actions">
                <button
                    type="submit"
                    class="button button--primary"
                    disabled=move || submit.pending().get() || files.with(|f| any_uploading(f))
                >
                    {t!(i18n, requests.submit)}
                </button>
                <A href="/requests" attr:class="button button--quiet">{t!(i18n, common.cancel)}</A>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn CustomField(
    spec: FieldSpec,
    values: RwSignal<BTreeMap<String, (String, String)>>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{}", spec.key);
    let help_id = format!("{id}-help");
    let key = spec.key.clone();
    let value = {
        let key = key.clone();
        move || values.with(|v| v.get(&key).map(|(v, _)| v.clone()).unwrap_or_default())
    };
    let set = {
        let key = key.clone();
        move |text: String| {
            values.update(|v| {
                let entry = v.entry(key.clone()).or_default();
                entry.0 = text;
            })
        }
    };
    let set_currency = {
        let key = key.clone();
        move |c: String| values.update(|v| v.entry(key.clone()).or_default().1 = c)
    };
    let label = spec.label.clone();
    let help = spec.help.clone();
    let required = spec.required;
    let invalid = move || message.get().is_some().to_string();
    let control = match spec.kind {
        FieldKind::LongText => view! {
            <textarea id=id.clone() rows="4" required=required aria-describedby=help_id.clone() aria-invalid=invalid
                prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        FieldKind::Choice => {
            let choices = spec.choices.clone();
            view! {
                <select id=id.clone() required=required aria-describedby=help_id.clone() aria-invalid=invalid
                    on:change=move |ev| set(event_target_value(&ev))>
                    <option value="">{t!(i18n, requests.choose)}</option>
                    {move || {
                        let locale = i18n.get_locale();
                        choices
                            .iter()
                            .map(|c| view! { <option value=c.value.clone()>{c.label.get(locale).to_string()}</option> })
                            .collect_view()
                    }}
                </select>
            }
            .into_any()
        }
        FieldKind::Amount => view! {
            <div class="amount">
                <select aria-label=move || t_string!(i18n, requests.currency).to_string()
                    on:change=move |ev| set_currency(event_target_value(&ev))>
                    {Currency::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.as_str()}</option> }).collect_view()}
                </select>
                <input id=id.clone() type="text" inputmode="decimal" required=required aria-describedby=help_id.clone()
                    aria-invalid=invalid prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
            </div>
        }
        .into_any(),
        kind => {
            let input_type = if kind == FieldKind::Date { "date" } else { "text" };
            let mode = if kind == FieldKind::InvoiceNumber { Some("numeric") } else { None };
            view! {
                <input id=id.clone() type=input_type inputmode=mode required=required aria-describedby=help_id.clone()
                    aria-invalid=invalid prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
            }
            .into_any()
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>
                {move || label.get(i18n.get_locale()).to_string()}
                {required.then_some(" *")}
            </label>
            {control}
            <p id=help_id.clone() class="help">{move || help.get(i18n.get_locale()).to_string()}</p>
            <FieldMessage message />
        </div>
    }
}
