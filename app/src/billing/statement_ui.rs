//! `/statements` and `/statements/:id`: a subsidiary's monthly service statements, for its
//! contacts, its customer managers and admins. The statement page prints as a document (the
//! print stylesheet drops the portal's frame) and downloads as CSV.

use super::{
    api::{get_statement, list_statements},
    format_minor,
    statement::{credit_reason_label, Statement, StatementEntry},
};
use crate::{
    i18n::*,
    i18n_support::reject_reason_label,
    ratings::metrics::{one_decimal, percent},
    widgets::{ErrorNotice, SignedIn, Timestamp},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

fn month_label(month: chrono::NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

#[component]
pub fn StatementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| list_statements());
    view! {
        <section class="page">
            <SignedIn let:user>
                <h1>{t!(i18n, statements.title)}</h1>
                <p class="help">{t!(i18n, statements.help)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(rows) => view! { <StatementTable rows zone /> }.into_any(),
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
fn StatementTable(rows: Vec<StatementEntry>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p>{t!(i18n, statements.none)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="statements">
                <thead><tr>
                    <th scope="col">{t!(i18n, statements.month)}</th>
                    <th scope="col">{t!(i18n, fields.organisation)}</th>
                    <th scope="col">{t!(i18n, statements.requests)}</th>
                    <th scope="col">{t!(i18n, statements.total_credit)}</th>
                    <th scope="col">{t!(i18n, statements.total_due)}</th>
                    <th scope="col">{t!(i18n, statements.issued)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let zone = zone.clone();
                        view! {
                            <tr>
                                <th scope="row"><A href=format!("/statements/{}", r.id)>{month_label(r.month)} {(r.revision > 1).then(|| format!(" r{}", r.revision))}</A></th>
                                <td>{r.org_name}</td>
                                <td>{r.lines}</td>
                                <td>{format_minor(r.credit_minor)}</td>
                                <td>{format!("{} {}", r.currency.as_str(), format_minor(r.total_minor))}</td>
                                <td><Timestamp at=r.issued_at zone /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)));
    let data = Resource::new(move || id.get(), get_statement);
    view! {
        <section class="page statement">
            <SignedIn let:user>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(statement) => view! { <StatementView statement zone /> }.into_any(),
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
fn StatementView(statement: Statement, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let s = statement;
    let money = move |minor: i64| format!("{} {}", s.currency.as_str(), format_minor(minor));
    let t = s.totals.clone();
    let summary = s.summary.clone();
    let share = |a: crate::operations::Attainment| a.share().map(|v| format!("{} %", percent(v))).unwrap_or_else(|| "—".into());
    let zone_lines = zone.clone();
    let lines = s.lines.clone();
    let per_type = t.per_type.clone();
    let rejections = summary.rejections.clone();
    view! {
        <header class="statement__header">
            <h1>{move || td_string!(i18n.get_locale(), statements.heading, org = s.org_name.clone(), month = month_label(s.month)).to_string()}</h1>
            <p class="muted">
                {move || td_string!(i18n.get_locale(), statements.meta, revision = s.revision, prices = s.price_list_from.to_string()).to_string()}
                " " <Timestamp at=s.issued_at zone=zone.clone() />
            </p>
            <p class="no-print">
                <a class="button" href=format!("/statements/{}/statement.csv", s.id) download="" rel="external">{t!(i18n, statements.download_csv)}</a>
                " " <A href="/statements">{t!(i18n, statements.all)}</A>
            </p>
        </header>
        <section class="card" aria-labelledby="totals-heading">
            <h2 id="totals-heading">{t!(i18n, statements.totals)}</h2>
            <dl class="figures" data-testid="statement-totals">
                <dt>{t!(i18n, statements.total_price)}</dt><dd>{money(t.price_minor)}</dd>
                <dt>{t!(i18n, statements.total_surcharge)}</dt><dd>{money(t.surcharge_minor)}</dd>
                <dt>{t!(i18n, statements.total_credit)}</dt>
                <dd data-testid="statement-credit">
                    {format!("−{}", money(t.credit_minor))}
                    {t.capped.then(|| view! { " " <span class="badge">{t!(i18n, statements.capped)}</span> })}
                </dd>
                <dt>{t!(i18n, statements.total_due)}</dt><dd data-testid="statement-total"><strong>{money(t.total_minor)}</strong></dd>
            </dl>
            <div class="table-wrap">
                <table class="table">
                    <caption>{t!(i18n, statements.per_type)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, statements.request_type)}</th>
                        <th scope="col">{t!(i18n, statements.requests)}</th>
                        <th scope="col">{t!(i18n, statements.amount)}</th>
                        <th scope="col">{t!(i18n, statements.credit)}</th>
                    </tr></thead>
                    <tbody>
                        {per_type.into_iter().map(|p| view! {
                            <tr><th scope="row">{p.type_name.clone()}</th><td>{p.requests}</td><td>{money(p.amount_minor)}</td><td>{money(p.credit_minor)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="service-heading">
            <h2 id="service-heading">{t!(i18n, statements.service)}</h2>
            <dl class="figures">
                <dt>{t!(i18n, dashboard.first_response_percent)}</dt><dd>{share(summary.first_response)}</dd>
                <dt>{t!(i18n, dashboard.resolution_percent)}</dt><dd>{share(summary.resolution)}</dd>
                <dt>{t!(i18n, dashboard.csat_average)}</dt><dd>{summary.csat.average.map(one_decimal).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.response_percent)}</dt><dd>{summary.csat.response_rate.map(|r| format!("{} %", percent(r))).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.follow_ups_open)}</dt><dd>{summary.open_follow_ups}</dd>
            </dl>
            {(!rejections.is_empty()).then(|| view! {
                <h3>{t!(i18n, statements.rejections)}</h3>
                <ul>
                    {rejections.iter().map(|(reason, n)| {
                        let (reason, n) = (*reason, *n);
                        view! { <li>{move || reject_reason_label(i18n.get_locale(), reason)} ": " {n}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
        <section class="card" aria-labelledby="lines-heading">
            <h2 id="lines-heading">{t!(i18n, statements.lines)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="statement-lines">
                    <thead><tr>
                        <th scope="col">{t!(i18n, statements.reference)}</th>
                        <th scope="col">{t!(i18n, statements.request_type)}</th>
                        <th scope="col">{t!(i18n, statements.submitted)}</th>
                        <th scope="col">{t!(i18n, statements.resolved)}</th>
                        <th scope="col">{t!(i18n, statements.price)}</th>
                        <th scope="col">{t!(i18n, statements.surcharge)}</th>
                        <th scope="col">{t!(i18n, statements.credit)}</th>
                    </tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| {
                            let reason = l.credit_reason;
                            let zone = zone_lines.clone();
                            let reference = l.reference_no.clone();
                            view! {
                                <tr data-reference=reference>
                                    <th scope="row"><A href=format!("/requests/{}", l.request_id)>{l.reference_no}</A></th>
                                    <td>{l.type_name}</td>
                                    <td><Timestamp at=l.submitted_at zone=zone.clone() /></td>
                                    <td><Timestamp at=l.resolved_at zone /></td>
                                    <td>{if l.free { view! { <span class="badge">{t!(i18n, statements.free)}</span> }.into_any() } else { format_minor(l.price_minor).into_any() }}</td>
                                    <td>{format_minor(l.surcharge_minor)}</td>
                                    <td>{format_minor(l.credit_minor)} {(l.credit_minor > 0).then(|| view! { <br /><span class="muted">{move || credit_reason_label(i18n.get_locale(), reason)}</span> })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
