//! `/admin/tiers`: the admin edits the service tiers and puts each subsidiary in one.

use crate::{
    error::{AppError, Field},
    i18n::*,
    kernel::TierId,
    orgs::{
        api::{assign_tier, load_tier_setup, save_tier}, Organisation, Tier, TierInput, TierSetup,
    },
    widgets::{ErrorNotice, FieldMessage, SignedIn},
};
use leptos::prelude::*;

#[component]
pub fn TiersPage() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let setup = Resource::new(move || reload.get(), |_| load_tier_setup());
    view! {
        <section class="page">
            <SignedIn let:_user>
                <h1>{t!(i18n, tiers.title)}</h1>
                <p class="help">{t!(i18n, tiers.help)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match setup.await {
                            Ok(TierSetup { tiers, subsidiaries }) => view! {
                                <div class="stack">
                                    {tiers.iter().cloned().map(|tier| view! { <TierForm tier=Some(tier) reload /> }).collect_view()}
                                    <TierForm tier=None reload />
                                    <Subsidiaries subsidiaries tiers />
                                </div>
                            }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </SignedIn>
        </section>
    }
}

/// One tier's form, or the form of a new one.
#[component]
fn TierForm(tier: Option<Tier>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let id = tier.as_ref().map(|t| t.id);
    let prefix = id.map(|id| format!("tier-{id}")).unwrap_or_else(|| "tier-new".into());
    let code = RwSignal::new(tier.as_ref().map(|t| t.code.clone()).unwrap_or_default());
    let name_zh = RwSignal::new(tier.as_ref().map(|t| t.name_zh.clone()).unwrap_or_default());
    let name_en = RwSignal::new(tier.as_ref().map(|t| t.name_en.clone()).unwrap_or_default());
    let rank = RwSignal::new(tier.as_ref().map(|t| t.rank.to_string()).unwrap_or_else(|| "3".into()));
    let percent = RwSignal::new(tier.as_ref().map(|t| t.sla_percent.to_string()).unwrap_or_else(|| "100".into()));
    let priority = RwSignal::new(tier.as_ref().map(|t| t.queue_priority.to_string()).unwrap_or_else(|| "0".into()));
    let save = Action::new(move |input: &TierInput| {
        let input = input.clone();
        async move { save_tier(id, input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            if id.is_none() {
                reload.update(|n| *n += 1);
            }
        }
    });
    let error = Memo::new(move |_| save.value().get().and_then(|r| r.err()));
    let saved = Memo::new(move |_| matches!(save.value().get(), Some(Ok(_))));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let general = Memo::new(move |_| error.get().filter(|e| !matches!(e, AppError::Invalid(_))));
    // A number the browser could not read is sent as 0, which the server reports on its field.
    let number = |s: RwSignal<String>| s.get_untracked().trim().parse::<i64>().unwrap_or(0);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        save.dispatch(TierInput {
            code: code.get_untracked(),
            name_zh: name_zh.get_untracked(),
            name_en: name_en.get_untracked(),
            rank: number(rank),
            sla_percent: number(percent),
            queue_priority: number(priority),
        });
    };
    let heading_id = format!("{prefix}-heading");
    let labelled_by = heading_id.clone();
    let heading = tier.as_ref().map(|t| format!("{} · {}", t.code, t.name_zh));
    let field = move |suffix: &str, label: &'static str, value: RwSignal<String>, f: Field, kind: &'static str| {
        let input_id = format!("{prefix}-{suffix}");
        let label_for = input_id.clone();
        view! {
            <div class="field">
                <label for=label_for>{move || f.label(i18n.get_locale()).to_string()}</label>
                <input id=input_id type=kind name=label prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || message(f).get().is_some().to_string() />
                <FieldMessage message=message(f) />
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="tier-form">
            <h2 id=heading_id>{move || heading.clone().unwrap_or_else(|| t_string!(i18n, tiers.new).to_string())}</h2>
            <form class="form form--grid" on:submit=on_submit novalidate>
                {field("code", "code", code, Field::Code, "text")}
                {field("name-zh", "name_zh", name_zh, Field::NameZh, "text")}
                {field("name-en", "name_en", name_en, Field::NameEn, "text")}
                {field("rank", "rank", rank, Field::Rank, "number")}
                {field("percent", "sla_percent", percent, Field::Multiplier, "number")}
                {field("priority", "queue_priority", priority, Field::Priority, "number")}
                <p class="help">{t!(i18n, tiers.percent_help)}</p>
                {move || general.get().map(|error| view! { <ErrorNotice error /> })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" disabled=move || save.pending().get()>{t!(i18n, tiers.save)}</button>
                    <span role="status">{move || saved.get().then(|| t_string!(i18n, tiers.saved).to_string())}</span>
                </div>
            </form>
        </section>
    }
}

/// Each subsidiary with its tier, changed as soon as another is chosen.
#[component]
fn Subsidiaries(subsidiaries: Vec<Organisation>, tiers: Vec<Tier>) -> impl IntoView {
    let i18n = use_i18n();
    let assign = Action::new(|(org, tier): &(super::OrgId, Option<TierId>)| {
        let (org, tier) = (*org, *tier);
        async move { assign_tier(org, tier).await }
    });
    let error = Memo::new(move |_| assign.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" aria-labelledby="subsidiaries-heading">
            <h2 id="subsidiaries-heading">{t!(i18n, tiers.subsidiaries)}</h2>
            <p class="help">{t!(i18n, tiers.managers_hint)}</p>
            {move || error.get().map(|error| view! { <ErrorNotice error /> })}
            <table class="table">
                <tbody>
                    {subsidiaries.into_iter().map(|org| {
                        let select_id = format!("org-tier-{}", org.id);
                        let label_for = select_id.clone();
                        let org_id = org.id;
                        let name = org.name.clone();
                        let current = org.tier_id;
                        view! {
                            <tr>
                                <th scope="row"><label for=label_for>{move || t_string!(i18n, tiers.tier_of, org = name.clone()).to_string()}</label></th>
                                <td>
                                    <select id=select_id on:change=move |ev| {
                                        let tier = event_target_value(&ev).parse::<TierId>().ok();
                                        assign.dispatch((org_id, tier));
                                    }>
                                        <option value="" selected=current.is_none()>{t!(i18n, tiers.none)}</option>
                                        {tiers.iter().map(|t| view! {
                                            <option value=t.id.to_string() selected=current == Some(t.id)>{format!("{} · {}", t.code, t.name_zh)}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
