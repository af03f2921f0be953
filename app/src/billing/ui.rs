//! `/admin/prices`: the price list's versions and the form of a new one. A new version starts
//! on the first day of a month no other version prices; the ones before stay as they were.

use super::{
    api::{load_prices, save_prices}, format_minor, CreditRule, Currency, PriceInput, PriceList, PriceListInput, PriceSetup,
    QuotaInput,
};
use crate::{
    error::{AppError, Field},
    i18n::*,
    kernel::{TierId, TypeId},
    operations::Choice,
    widgets::{ErrorNotice, FieldMessage, SignedIn, Timestamp},
};
use leptos::prelude::*;

fn name(locale: Locale, choice: &Choice) -> String {
    match (locale, &choice.name_en) {
        (Locale::en, Some(en)) if !en.is_empty() => en.clone(),
        _ => choice.name_zh.clone(),
    }
}

#[component]
pub fn PricesPage() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || reload.get(), |_| load_prices());
    // The action belongs to the page, not to the editor: a saved version reloads the editor,
    // and the answer (saved, or why not) must outlive that rebuild.
    let save = Action::new(move |input: &PriceListInput| {
        let input = input.clone();
        async move {
            let answer = save_prices(input).await;
            if answer.is_ok() {
                reload.try_update(|n| *n += 1);
            }
            answer
        }
    });
    view! {
        <section class="page">
            <SignedIn let:user>
                <h1>{t!(i18n, prices.title)}</h1>
                <p class="help">{t!(i18n, prices.help)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(setup) => view! { <PriceEditor setup save zone /> }.into_any(),
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

/// The form starts from the latest version, or from zeros.
fn starting_point(setup: &PriceSetup) -> PriceListInput {
    let latest = setup.versions.first();
    let price_of = |t: TypeId| latest.and_then(|v| v.prices.iter().find(|(id, _)| *id == t)).map(|(_, m)| format_minor(*m)).unwrap_or_else(|| "0.00".into());
    let quota_of = |t: TierId| latest.and_then(|v| v.quotas.iter().find(|(id, _)| *id == t)).map(|(_, n)| *n).unwrap_or(0);
    let credit_of = |ty: TypeId, tier: TierId| {
        latest
            .and_then(|v| v.credits.iter().find(|c| c.type_id == ty && c.tier_id == tier).copied())
            .unwrap_or(CreditRule { type_id: ty, tier_id: tier, first_response_percent: 0, resolution_percent: 0 })
    };
    PriceListInput {
        effective_from: setup.earliest.to_string(),
        currency: latest.map(|v| v.currency).unwrap_or(Currency::Cny).as_str().to_string(),
        month_end_days: latest.map(|v| v.month_end_days).unwrap_or(5),
        month_end_percent: latest.map(|v| v.month_end_percent).unwrap_or(0),
        credit_cap_percent: latest.map(|v| v.credit_cap_percent).unwrap_or(10),
        prices: setup.types.iter().map(|t| PriceInput { type_id: TypeId(t.id), amount: price_of(TypeId(t.id)) }).collect(),
        quotas: setup.tiers.iter().map(|t| QuotaInput { tier_id: TierId(t.id), free_requests: quota_of(TierId(t.id)) }).collect(),
        credits: setup
            .types
            .iter()
            .flat_map(|ty| setup.tiers.iter().map(move |tier| (TypeId(ty.id), TierId(tier.id))))
            .map(|(ty, tier)| credit_of(ty, tier))
            .collect(),
    }
}

fn number(ev: &leptos::ev::Event) -> i64 {
    event_target_value(ev).trim().parse().unwrap_or(-1)
}

#[component]
fn PriceEditor(setup: PriceSetup, save: Action<PriceListInput, Result<i64, AppError>>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let form = RwSignal::new(starting_point(&setup));
    let error = Memo::new(move |_| save.value().get().and_then(|r| r.err()));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !save.pending().get_untracked() {
            save.dispatch(form.get_untracked());
        }
    };
    let types = setup.types.clone();
    let tiers = setup.tiers.clone();
    let (types2, tiers2) = (types.clone(), tiers.clone());
    let versions = setup.versions.clone();
    let tiers3 = tiers.clone();
    view! {
        <form class="card form" on:submit=on_submit aria-labelledby="new-version-heading">
            <h2 id="new-version-heading">{t!(i18n, prices.new_version)}</h2>
            <div class="form-row">
                <div class="field">
                    <label for="price-effective">{t!(i18n, fields.effective_date)}</label>
                    <input id="price-effective" type="date" min=setup.earliest.to_string() prop:value=move || form.with(|f| f.effective_from.clone())
                        on:input=move |ev| form.update(|f| f.effective_from = event_target_value(&ev)) />
                    <p class="help">{move || td_string!(i18n.get_locale(), prices.effective_help, earliest = setup.earliest.to_string()).to_string()}</p>
                    <FieldMessage message=message(Field::EffectiveDate) />
                </div>
                <div class="field">
                    <label for="price-currency">{t!(i18n, fields.currency)}</label>
                    <select id="price-currency" on:change=move |ev| form.update(|f| f.currency = event_target_value(&ev))>
                        {Currency::ALL.iter().map(|c| {
                            let code = c.as_str();
                            view! { <option value=code selected=move || form.with(|f| f.currency == code)>{code}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage message=message(Field::Currency) />
                </div>
                <div class="field">
                    <label for="price-month-end-days">{t!(i18n, fields.month_end_days)}</label>
                    <input id="price-month-end-days" type="number" min="0" max="10" prop:value=move || form.with(|f| f.month_end_days.to_string())
                        on:input=move |ev| form.update(|f| f.month_end_days = number(&ev)) />
                    <FieldMessage message=message(Field::MonthEndDays) />
                </div>
                <div class="field">
                    <label for="price-surcharge">{t!(i18n, fields.surcharge)}</label>
                    <input id="price-surcharge" type="number" min="0" max="100" prop:value=move || form.with(|f| f.month_end_percent.to_string())
                        on:input=move |ev| form.update(|f| f.month_end_percent = number(&ev)) />
                    <FieldMessage message=message(Field::Surcharge) />
                </div>
                <div class="field">
                    <label for="price-cap">{t!(i18n, fields.credit_cap)}</label>
                    <input id="price-cap" type="number" min="0" max="100" prop:value=move || form.with(|f| f.credit_cap_percent.to_string())
                        on:input=move |ev| form.update(|f| f.credit_cap_percent = number(&ev)) />
                    <FieldMessage message=message(Field::CreditCap) />
                </div>
            </div>
            <h3>{t!(i18n, prices.prices_heading)}</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th scope="col">{t!(i18n, fields.request_type)}</th><th scope="col">{t!(i18n, prices.price_per_request)}</th></tr></thead>
                    <tbody>
                        {types.into_iter().enumerate().map(|(n, t)| {
                            let id = format!("price-{}", t.id);
                            let label = t.clone();
                            view! {
                                <tr>
                                    <th scope="row"><label for=id.clone()>{move || name(i18n.get_locale(), &label)}</label></th>
                                    <td>
                                        <input id=id inputmode="decimal" prop:value=move || form.with(|f| f.prices.get(n).map(|p| p.amount.clone()).unwrap_or_default())
                                            on:input=move |ev| form.update(|f| if let Some(p) = f.prices.get_mut(n) { p.amount = event_target_value(&ev) }) />
                                        <FieldMessage message=message(Field::Price(n as u16)) />
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{t!(i18n, prices.quotas_heading)}</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th scope="col">{t!(i18n, fields.tier)}</th><th scope="col">{t!(i18n, prices.free_per_month)}</th></tr></thead>
                    <tbody>
                        {tiers.clone().into_iter().enumerate().map(|(n, t)| {
                            let id = format!("quota-{}", t.id);
                            view! {
                                <tr>
                                    <th scope="row"><label for=id.clone()>{move || name(i18n.get_locale(), &t)}</label></th>
                                    <td>
                                        <input id=id type="number" min="0" prop:value=move || form.with(|f| f.quotas.get(n).map(|q| q.free_requests.to_string()).unwrap_or_default())
                                            on:input=move |ev| form.update(|f| if let Some(q) = f.quotas.get_mut(n) { q.free_requests = number(&ev) }) />
                                        <FieldMessage message=message(Field::Quota(n as u16)) />
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{t!(i18n, prices.credits_heading)}</h3>
            <p class="help">{t!(i18n, prices.credits_help)}</p>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, fields.request_type)}</th>
                            {tiers2.iter().map(|t| {
                                let t = t.clone();
                                view! { <th scope="col">{move || name(i18n.get_locale(), &t)}</th> }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {types2.into_iter().enumerate().map(|(row, ty)| {
                            let tiers = tiers.clone();
                            let type_name = ty.clone();
                            view! {
                                <tr>
                                    <th scope="row">{move || name(i18n.get_locale(), &type_name)}</th>
                                    {tiers.into_iter().enumerate().map(|(col, tier)| {
                                        let n = row * tiers3.len() + col;
                                        let (fr_id, res_id) = (format!("credit-fr-{}-{}", ty.id, tier.id), format!("credit-res-{}-{}", ty.id, tier.id));
                                        let (ty_fr, tier_fr, ty_res, tier_res) = (ty.clone(), tier.clone(), ty.clone(), tier.clone());
                                        view! {
                                            <td>
                                                <label for=fr_id.clone() class="visually-hidden">
                                                    {move || td_string!(i18n.get_locale(), prices.credit_first_response_of, kind = name(i18n.get_locale(), &ty_fr), tier = name(i18n.get_locale(), &tier_fr)).to_string()}
                                                </label>
                                                <span aria-hidden="true">{t!(i18n, prices.first_response_short)}</span>
                                                <input id=fr_id type="number" min="0" max="100" class="input--short"
                                                    prop:value=move || form.with(|f| f.credits.get(n).map(|c| c.first_response_percent.to_string()).unwrap_or_default())
                                                    on:input=move |ev| form.update(|f| if let Some(c) = f.credits.get_mut(n) { c.first_response_percent = number(&ev) }) />
                                                <label for=res_id.clone() class="visually-hidden">
                                                    {move || td_string!(i18n.get_locale(), prices.credit_resolution_of, kind = name(i18n.get_locale(), &ty_res), tier = name(i18n.get_locale(), &tier_res)).to_string()}
                                                </label>
                                                <span aria-hidden="true">{t!(i18n, prices.resolution_short)}</span>
                                                <input id=res_id type="number" min="0" max="100" class="input--short"
                                                    prop:value=move || form.with(|f| f.credits.get(n).map(|c| c.resolution_percent.to_string()).unwrap_or_default())
                                                    on:input=move |ev| form.update(|f| if let Some(c) = f.credits.get_mut(n) { c.resolution_percent = number(&ev) }) />
                                                <FieldMessage message=message(Field::Credit(n as u16)) />
                                            </td>
                                        }
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || save.pending().get()>{t!(i18n, prices.save)}</button>
            </div>
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="notice notice--success" role="status">{t!(i18n, prices.saved)}</p> })}
        </form>
        <h2>{t!(i18n, prices.versions)}</h2>
        {versions.is_empty().then(|| view! { <p>{t!(i18n, prices.none)}</p> })}
        {versions.into_iter().map(|v| view! { <VersionCard version=v types=setup.types.clone() tiers=setup.tiers.clone() zone=zone.clone() /> }).collect_view()}
    }
}

#[component]
fn VersionCard(version: PriceList, types: Vec<Choice>, tiers: Vec<Choice>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("version-{}", version.id);
    let heading_ref = heading.clone();
    let price_of = |t: i64| version.prices.iter().find(|(id, _)| id.0 == t).map(|(_, m)| format_minor(*m)).unwrap_or_else(|| "—".into());
    let quota_of = |t: i64| version.quotas.iter().find(|(id, _)| id.0 == t).map(|(_, n)| *n).unwrap_or(0);
    let rows: Vec<(Choice, String)> = types.into_iter().map(|t| { let p = price_of(t.id); (t, p) }).collect();
    let quotas: Vec<(Choice, i64)> = tiers.into_iter().map(|t| { let q = quota_of(t.id); (t, q) }).collect();
    let currency = version.currency.as_str();
    view! {
        <section class="card" aria-labelledby=heading_ref data-testid="price-version">
            <h3 id=heading>{move || td_string!(i18n.get_locale(), prices.version_from, date = version.effective_from.to_string()).to_string()}</h3>
            <p class="muted">
                {move || td_string!(i18n.get_locale(), prices.version_terms, currency = currency, days = version.month_end_days,
                    surcharge = version.month_end_percent, cap = version.credit_cap_percent).to_string()}
                " " {version.created_by.clone()} " · " <Timestamp at=version.created_at zone />
            </p>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th scope="col">{t!(i18n, fields.request_type)}</th><th scope="col">{t!(i18n, prices.price_per_request)}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(t, p)| view! { <tr><th scope="row">{move || name(i18n.get_locale(), &t)}</th><td>{p}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p>
                {t!(i18n, prices.quotas_heading)} ": "
                {quotas.into_iter().map(|(t, q)| view! { <span class="badge">{move || name(i18n.get_locale(), &t)} " " {q}</span> " " }).collect_view()}
            </p>
        </section>
    }
}
