//! `/follow-ups`: the customer manager's low scores to follow up, by state, and the
//! satisfaction of their subsidiaries.

use super::{
    api::{follow_ups, satisfaction},
    metrics::{one_decimal, percent, Csat},
    ui::Stars,
    FollowUpFilter, FollowUpList, FollowUpState, OrgSatisfaction,
};
use crate::{i18n::*, kernel::{OrgId, UserId}, widgets::{ErrorNotice, SignedIn, Timestamp}};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

fn state_label(locale: Locale, state: FollowUpState) -> &'static str {
    match state {
        FollowUpState::Open => td_string!(locale, ratings.tab_open),
        FollowUpState::DueSoon => td_string!(locale, ratings.tab_due_soon),
        FollowUpState::Overdue => td_string!(locale, ratings.tab_overdue),
        FollowUpState::Closed => td_string!(locale, ratings.tab_closed),
    }
}

fn href(state: FollowUpState, org: Option<OrgId>, agent: Option<UserId>) -> String {
    let mut url = format!("/follow-ups?tab={}", state.as_str());
    if let Some(org) = org {
        url.push_str(&format!("&org={org}"));
    }
    if let Some(agent) = agent {
        url.push_str(&format!("&agent={agent}"));
    }
    url
}

#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| FollowUpFilter {
            state: q.get("tab").and_then(|t| t.parse().ok()).unwrap_or(FollowUpState::Open),
            org: q.get("org").and_then(|o| o.parse().ok()),
            agent: q.get("agent").and_then(|a| a.parse().ok()),
        })
    });
    let data = Resource::new(move || filter.get(), follow_ups);
    let figures = Resource::new(|| (), |_| satisfaction());
    crate::notifications::live_ui::use_live().on_request_change(move |_| data.refetch());
    view! {
        <section class="page">
            <SignedIn let:user>
                <h1>{t!(i18n, ratings.follow_ups_title)}</h1>
                <p class="help">{t!(i18n, ratings.follow_ups_help)}" "<A href="/measures">{t!(i18n, ratings.how_we_measure)}</A></p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(list) => view! { <FollowUpTabs list filter=filter.get_untracked() zone /> }.into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })
                        }
                    }
                </Transition>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match figures.await {
                            Ok(rows) => view! { <SatisfactionTable rows /> }.into_any(),
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </SignedIn>
        </section>
    }
}

#[component]
fn FollowUpTabs(list: FollowUpList, filter: FollowUpFilter, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let FollowUpList { rows, counts, orgs, agents } = list;
    let current = filter.state;
    let (org, agent) = (filter.org, filter.agent);
    let go_org = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::Event| navigate(&href(current, event_target_value(&ev).parse().ok(), agent), Default::default())
    };
    let go_agent = move |ev: leptos::ev::Event| navigate(&href(current, org, event_target_value(&ev).parse().ok()), Default::default());
    view! {
        <div class="filters" role="group" aria-label=move || t_string!(i18n, ratings.filters).to_string()>
            <div class="field">
                <label for="follow-up-org">{t!(i18n, fields.organisation)}</label>
                <select id="follow-up-org" on:change=go_org>
                    <option value="" selected=org.is_none()>{t!(i18n, ratings.all)}</option>
                    {orgs.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=org == Some(id)>{name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="follow-up-agent">{t!(i18n, ratings.agent)}</label>
                <select id="follow-up-agent" on:change=go_agent>
                    <option value="" selected=agent.is_none()>{t!(i18n, ratings.all)}</option>
                    {agents.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=agent == Some(id)>{name}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <nav class="tabs" aria-label=move || t_string!(i18n, ratings.follow_ups_title).to_string()>
            <ul>
                {FollowUpState::ALL.iter().enumerate().map(|(i, s)| {
                    let s = *s;
                    let count = counts.get(i).copied().unwrap_or(0);
                    view! {
                        <li>
                            <A href=href(s, org, agent)
                                attr:class=if s == current { "tab tab--current" } else { "tab" }
                                attr:aria-current=(s == current).then_some("page")
                                attr:data-tab=s.as_str()>
                                {move || state_label(i18n.get_locale(), s)}" "
                                <span class="count" data-testid=format!("count-{}", s.as_str())>{count}</span>
                            </A>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </nav>
        {if rows.is_empty() {
            view! { <p class="empty">{t!(i18n, ratings.no_follow_ups)}</p> }.into_any()
        } else {
            let now = chrono::Utc::now();
            view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, requests.reference)}</th>
                            <th scope="col">{t!(i18n, fields.title)}</th>
                            <th scope="col">{t!(i18n, fields.organisation)}</th>
                            <th scope="col">{t!(i18n, fields.score)}</th>
                            <th scope="col">{t!(i18n, ratings.resolved_by)}</th>
                            <th scope="col">{t!(i18n, ratings.held_by)}</th>
                            <th scope="col">{t!(i18n, ratings.due)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| {
                            let overdue = row.closed_at.is_none() && row.due_at < now;
                            view! {
                                <tr data-testid="follow-up-row" class:row--overdue=overdue>
                                    <td><A href=format!("/requests/{}", row.request_id)>{row.reference_no.to_string()}</A></td>
                                    <td>{row.title}</td>
                                    <td>{row.org_name}</td>
                                    <td><Stars score=row.score /></td>
                                    <td>{row.resolver_name.unwrap_or_default()}</td>
                                    <td>{move || row.manager_name.clone().unwrap_or_else(|| t_string!(i18n, ratings.admins).to_string())}</td>
                                    <td>
                                        <Timestamp at=row.due_at zone=zone.clone() />
                                        {overdue.then(|| view! { " " <span class="badge badge--urgent">{t!(i18n, ratings.overdue)}</span> })}
                                        {row.escalated_at.map(|_| view! { " " <span class="badge">{t!(i18n, ratings.escalated)}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

fn share(value: Option<f64>) -> String {
    value.map(|v| format!("{} %", percent(v))).unwrap_or_else(|| "—".into())
}

fn average(c: &Csat) -> String {
    c.average.map(one_decimal).unwrap_or_else(|| "—".into())
}

/// Each subsidiary's satisfaction: the "my subsidiaries" figures.
#[component]
fn SatisfactionTable(rows: Vec<OrgSatisfaction>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="satisfaction-heading">
            <h2 id="satisfaction-heading">{t!(i18n, ratings.satisfaction_title)}</h2>
            {if rows.is_empty() {
                view! { <p class="empty">{t!(i18n, ratings.no_subsidiaries)}</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="satisfaction">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, fields.organisation)}</th>
                                <th scope="col">{t!(i18n, ratings.average_30)}</th>
                                <th scope="col">{t!(i18n, ratings.satisfied_30)}</th>
                                <th scope="col">{t!(i18n, ratings.response_30)}</th>
                                <th scope="col">{t!(i18n, ratings.average_90)}</th>
                                <th scope="col">{t!(i18n, ratings.satisfied_90)}</th>
                                <th scope="col">{t!(i18n, ratings.response_90)}</th>
                                <th scope="col">{t!(i18n, ratings.open_follow_ups)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row">{r.org_name.clone()}</th>
                                    <td>{average(&r.last_30)}" ("{r.last_30.ratings}")"</td>
                                    <td>{share(r.last_30.satisfied_share)}</td>
                                    <td>{share(r.last_30.response_rate)}</td>
                                    <td>{average(&r.last_90)}" ("{r.last_90.ratings}")"</td>
                                    <td>{share(r.last_90.satisfied_share)}</td>
                                    <td>{share(r.last_90.response_rate)}</td>
                                    <td>{r.open_follow_ups}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
