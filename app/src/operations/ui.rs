//! `/dashboard`: the operations analysis. Filters live in the address, so a view can be
//! bookmarked and shared; the form works without JavaScript. Charts are SVG drawn on the
//! server, each with a sentence that says what it shows and a table with the same numbers.

use super::{
    api::load_dashboard, AgentFigures, Attainment, Choice, Dashboard, DashboardAddress, DashboardFilter, FollowUpFigures,
    Preset, Table, VolumeRow,
};
use crate::{
    error::AppError,
    i18n::*,
    i18n_support::reject_reason_label,
    ratings::{metrics::{one_decimal, percent}, ui::{reason_label, root_cause_label}},
    widgets::{ErrorNotice, SignedIn},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

fn preset_label(locale: Locale, preset: Preset) -> &'static str {
    match preset {
        Preset::ThisMonth => td_string!(locale, dashboard.this_month),
        Preset::LastMonth => td_string!(locale, dashboard.last_month),
        Preset::ThisQuarter => td_string!(locale, dashboard.this_quarter),
        Preset::ThisYear => td_string!(locale, dashboard.this_year),
    }
}

fn choice_name(locale: Locale, choice: &Choice) -> String {
    match (locale, &choice.name_en) {
        (Locale::en, Some(en)) if !en.is_empty() => en.clone(),
        _ => choice.name_zh.clone(),
    }
}

fn share_text(share: Option<f64>) -> String {
    share.map(|s| format!("{} %", percent(s))).unwrap_or_else(|| "—".to_string())
}

fn hours_text(minutes: i64) -> String {
    one_decimal(minutes as f64 / 60.0)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let address = Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k);
            DashboardAddress {
                period: get("period"),
                from: get("from"),
                to: get("to"),
                org: get("org"),
                tier: get("tier"),
                request_type: get("type"),
                team: get("team"),
                agent: get("agent"),
            }
        })
    });
    let data = Resource::new(move || address.get(), load_dashboard);
    view! {
        <section class="page dashboard">
            <SignedIn let:_user>
                <h1>{t!(i18n, dashboard.title)}</h1>
                <p class="help">{t!(i18n, dashboard.help)}" "<A href="/measures#operations">{t!(i18n, dashboard.how_we_measure)}</A></p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(dashboard) => view! { <DashboardView dashboard /> }.into_any(),
                            Err(AppError::Invalid(problems)) => view! {
                                <div class="notice notice--error" role="alert">
                                    <p>{t!(i18n, dashboard.bad_filter)}</p>
                                    <ul>
                                        {problems.into_iter().map(|p| {
                                            view! { <li>{move || p.problem.message(i18n.get_locale(), p.field.label(i18n.get_locale()))}</li> }
                                        }).collect_view()}
                                    </ul>
                                    <p><a href="/dashboard">{t!(i18n, dashboard.reset)}</a></p>
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

#[component]
fn DashboardView(dashboard: Dashboard) -> impl IntoView {
    let i18n = use_i18n();
    let query = dashboard.filter.query();
    let csv = move |table: Table| format!("/dashboard/{}.csv?{}", table.as_str(), query);
    let d = dashboard.clone();
    let rejection_share = (d.rejections.finished > 0).then(|| d.rejections.rejected as f64 / d.rejections.finished as f64);
    view! {
        <FilterForm filter=dashboard.filter.clone() choices=dashboard.choices.clone() />
        <p class="dashboard__period" data-testid="period">
            {t!(i18n, dashboard.period_shown)} " " {dashboard.filter.first_day.to_string()} " – " {dashboard.filter.last_day.to_string()}
        </p>
        <ul class="kpis" aria-label=move || t_string!(i18n, dashboard.key_figures).to_string()>
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.backlog_now).to_string())
                value=(d.backlog.unclaimed + d.backlog.in_progress + d.backlog.awaiting_client).to_string() test="backlog" />
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.first_response_percent).to_string())
                value=share_text(d.first_response.share()) test="first-response" />
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.resolution_percent).to_string())
                value=share_text(d.resolution.share()) test="resolution" />
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.median_hours).to_string())
                value=d.resolution_times.map(|t| hours_text(t.median_minutes)).unwrap_or_else(|| "—".into()) test="median" />
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.csat_average).to_string())
                value=d.csat.average.map(one_decimal).unwrap_or_else(|| "—".into()) test="csat" />
            <Kpi label=Signal::derive(move || t_string!(i18n, dashboard.rejection_percent).to_string())
                value=share_text(rejection_share) test="rejection" />
        </ul>
        <VolumePanel rows=dashboard.volume.clone() weekly=dashboard.weekly csv=csv(Table::Volume) />
        <ServicePanel dashboard=dashboard.clone() csv=csv(Table::Service) />
        <SatisfactionPanel dashboard=dashboard.clone() csv=csv(Table::Satisfaction) />
        <RejectionPanel dashboard=dashboard.clone() csv=csv(Table::Rejections) />
        <FollowUpPanel figures=dashboard.follow_ups.clone() csv=csv(Table::FollowUps) />
        <AgentPanel agents=dashboard.agents.clone() flag=dashboard.paused_flag_percent csv=csv(Table::Agents) />
        <DisputePanel months=dashboard.disputes.clone() csv=csv(Table::Disputes) />
    }
}

/// Disputes of statement lines (对账) by the month billed.
#[component]
fn DisputePanel(months: Vec<super::DisputeMonth>, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let opened: i64 = months.iter().map(|m| m.opened).sum();
    let accepted: i64 = months.iter().map(|m| m.accepted).sum();
    let open: i64 = months.iter().map(|m| m.open).sum();
    let summary = move || td_string!(i18n.get_locale(), dashboard.disputes_summary, opened = opened, accepted = accepted, open = open).to_string();
    view! {
        <Panel id="disputes" title=Signal::derive(move || t_string!(i18n, dashboard.disputes_title).to_string()) csv>
            <p>{summary}</p>
            {(!months.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" data-testid="disputes-table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, dashboard.disputes_month)}</th>
                            <th scope="col">{t!(i18n, dashboard.disputes_opened)}</th>
                            <th scope="col">{t!(i18n, dashboard.disputes_accepted)}</th>
                            <th scope="col">{t!(i18n, dashboard.disputes_declined)}</th>
                            <th scope="col">{t!(i18n, dashboard.disputes_open)}</th>
                        </tr></thead>
                        <tbody>
                            {months.iter().map(|m| view! {
                                <tr>
                                    <th scope="row">{m.month.format("%Y-%m").to_string()}</th>
                                    <td>{m.opened}</td><td>{m.accepted}</td><td>{m.declined}</td><td>{m.open}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </Panel>
    }
}

#[component]
fn Kpi(label: Signal<String>, value: String, test: &'static str) -> impl IntoView {
    view! {
        <li class="kpi">
            <span class="kpi__label">{label}</span>
            <span class="kpi__value" data-testid=format!("kpi-{test}")>{value}</span>
        </li>
    }
}

/// The filters as a plain GET form: it works before the page's code has loaded.
#[component]
fn FilterForm(filter: DashboardFilter, choices: super::DashboardChoices) -> impl IntoView {
    let i18n = use_i18n();
    let select = move |id: &'static str, name: &'static str, label: Signal<String>, list: Vec<Choice>, chosen: Option<i64>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=name>
                    <option value="" selected=chosen.is_none()>{t!(i18n, dashboard.all)}</option>
                    {list.into_iter().map(|c| {
                        let selected = chosen == Some(c.id);
                        let value = c.id.to_string();
                        view! { <option value=value selected=selected>{move || choice_name(i18n.get_locale(), &c)}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let preset = filter.preset;
    view! {
        <form method="get" action="/dashboard" class="filters dashboard__filters" aria-label=move || t_string!(i18n, dashboard.filters).to_string()>
            <div class="field">
                <label for="dashboard-period">{t!(i18n, dashboard.period)}</label>
                <select id="dashboard-period" name="period">
                    <option value="" selected=preset.is_none()>{t!(i18n, dashboard.custom_dates)}</option>
                    {Preset::ALL.iter().map(|p| {
                        let p = *p;
                        view! { <option value=p.as_str() selected=preset == Some(p)>{move || preset_label(i18n.get_locale(), p)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="dashboard-from">{t!(i18n, fields.period_from)}</label>
                <input id="dashboard-from" name="from" type="date" value=filter.first_day.to_string() />
            </div>
            <div class="field">
                <label for="dashboard-to">{t!(i18n, fields.period_to)}</label>
                <input id="dashboard-to" name="to" type="date" value=filter.last_day.to_string() />
            </div>
            {select("dashboard-org", "org", Signal::derive(move || t_string!(i18n, fields.organisation).to_string()), choices.orgs, filter.org.map(|v| v.0))}
            {select("dashboard-tier", "tier", Signal::derive(move || t_string!(i18n, fields.tier).to_string()), choices.tiers, filter.tier.map(|v| v.0))}
            {select("dashboard-type", "type", Signal::derive(move || t_string!(i18n, fields.request_type).to_string()), choices.types, filter.request_type.map(|v| v.0))}
            {select("dashboard-team", "team", Signal::derive(move || t_string!(i18n, fields.team).to_string()), choices.teams, filter.team.map(|v| v.0))}
            {select("dashboard-agent", "agent", Signal::derive(move || t_string!(i18n, fields.agent).to_string()), choices.agents, filter.agent.map(|v| v.0))}
            <div class="form-actions">
                <button type="submit" class="button button--primary">{t!(i18n, dashboard.apply)}</button>
            </div>
        </form>
    }
}

/// A panel: heading, chart or figures, the sentence, the table and its download.
#[component]
fn Panel(id: &'static str, title: Signal<String>, csv: String, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card dashboard__panel" aria-labelledby=format!("{id}-heading") data-panel=id>
            <h2 id=format!("{id}-heading")>{title}</h2>
            {children()}
            <p><a class="button button--small" href=csv download="" rel="external">{t!(i18n, dashboard.download_csv)}</a></p>
        </section>
    }
}

const CHART_WIDTH: f64 = 720.0;
const CHART_HEIGHT: f64 = 200.0;
const AXIS: f64 = 24.0;

/// Submitted and resolved bars per day or week, the open count as a line, month-end days shaded.
#[component]
fn VolumePanel(rows: Vec<VolumeRow>, weekly: bool, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let submitted: i64 = rows.iter().map(|r| r.submitted).sum();
    let resolved: i64 = rows.iter().map(|r| r.resolved).sum();
    let peak = rows.iter().max_by_key(|r| r.submitted).filter(|r| r.submitted > 0).map(|r| (r.start, r.submitted));
    let month_end_submitted: i64 = rows.iter().filter(|r| r.month_end).map(|r| r.submitted).sum();
    let top = rows.iter().map(|r| r.submitted.max(r.resolved).max(r.open_at_end)).max().unwrap_or(0).max(1) as f64;
    let n = rows.len().max(1) as f64;
    let slot = CHART_WIDTH / n;
    let y = move |v: i64| CHART_HEIGHT - (v as f64 / top) * (CHART_HEIGHT - 8.0);
    let label_every = ((rows.len() as f64) / 12.0).ceil().max(1.0) as usize;
    let line: String = rows
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", slot * (i as f64 + 0.5), y(r.open_at_end)))
        .collect::<Vec<_>>()
        .join(" ");
    let summary = move || {
        let locale = i18n.get_locale();
        let base = td_string!(locale, dashboard.volume_summary, submitted = submitted, resolved = resolved, month_end = month_end_submitted);
        match peak {
            Some((day, count)) => format!("{base}{}", td_string!(locale, dashboard.volume_peak, day = day.to_string(), count = count)),
            None => base.to_string(),
        }
    };
    let table_rows = rows.clone();
    view! {
        <Panel id="volume" title=Signal::derive(move || if weekly { t_string!(i18n, dashboard.volume_weekly).to_string() } else { t_string!(i18n, dashboard.volume_daily).to_string() }) csv>
            <figure class="chart">
                <svg viewBox=format!("0 0 {CHART_WIDTH} {}", CHART_HEIGHT + AXIS) role="img" aria-labelledby="volume-summary" class="chart__svg">
                    {rows.iter().enumerate().map(|(i, r)| {
                        let x = slot * i as f64;
                        let bar = (slot * 0.4).max(1.0);
                        view! {
                            <g>
                                {r.month_end.then(|| view! { <rect class="chart__month-end" x=format!("{x:.1}") y="0" width=format!("{slot:.1}") height=CHART_HEIGHT.to_string() /> })}
                                <rect class="chart__bar chart__bar--submitted" x=format!("{:.1}", x + slot * 0.1) y=format!("{:.1}", y(r.submitted))
                                    width=format!("{bar:.1}") height=format!("{:.1}", CHART_HEIGHT - y(r.submitted)) />
                                <rect class="chart__bar chart__bar--resolved" x=format!("{:.1}", x + slot * 0.5) y=format!("{:.1}", y(r.resolved))
                                    width=format!("{bar:.1}") height=format!("{:.1}", CHART_HEIGHT - y(r.resolved)) />
                                {(i % label_every == 0).then(|| view! {
                                    <text class="chart__label" x=format!("{:.1}", x + slot / 2.0) y=format!("{}", CHART_HEIGHT + 16.0) text-anchor="middle">
                                        {r.start.format("%m-%d").to_string()}
                                    </text>
                                })}
                            </g>
                        }
                    }).collect_view()}
                    <polyline class="chart__line" points=line fill="none" />
                    <line class="chart__axis" x1="0" x2=CHART_WIDTH.to_string() y1=CHART_HEIGHT.to_string() y2=CHART_HEIGHT.to_string() />
                </svg>
                <figcaption id="volume-summary">{summary}</figcaption>
                <ul class="chart__legend">
                    <li><span class="swatch swatch--submitted" aria-hidden="true"></span>{t!(i18n, dashboard.submitted)}</li>
                    <li><span class="swatch swatch--resolved" aria-hidden="true"></span>{t!(i18n, dashboard.resolved)}</li>
                    <li><span class="swatch swatch--open" aria-hidden="true"></span>{t!(i18n, dashboard.open_at_end)}</li>
                    <li><span class="swatch swatch--month-end" aria-hidden="true"></span>{t!(i18n, dashboard.month_end)}</li>
                </ul>
            </figure>
            <details class="chart__table">
                <summary>{t!(i18n, dashboard.show_table)}</summary>
                <table class="table" data-testid="volume-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, dashboard.csv_start)}</th>
                        <th scope="col">{t!(i18n, dashboard.submitted)}</th>
                        <th scope="col">{t!(i18n, dashboard.resolved)}</th>
                        <th scope="col">{t!(i18n, dashboard.open_at_end)}</th>
                        <th scope="col">{t!(i18n, dashboard.month_end)}</th>
                    </tr></thead>
                    <tbody>
                        {table_rows.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.start.to_string()}</th>
                                <td>{r.submitted}</td>
                                <td>{r.resolved}</td>
                                <td>{r.open_at_end}</td>
                                <td>{move || if r.month_end { t_string!(i18n, common.yes) } else { "" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </Panel>
    }
}

/// Horizontal bars of shares, 0–100 %.
#[component]
fn ShareBars(id: &'static str, items: Vec<(String, Option<f64>)>, summary: Signal<String>) -> impl IntoView {
    let row_height = 28.0;
    let height = row_height * items.len().max(1) as f64;
    let label_width = 220.0;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {CHART_WIDTH} {height}") role="img" aria-labelledby=format!("{id}-summary") class="chart__svg">
                {items.iter().enumerate().map(|(i, (label, share))| {
                    let top = row_height * i as f64;
                    let width = share.unwrap_or(0.0) * (CHART_WIDTH - label_width - 60.0);
                    view! {
                        <g>
                            <text class="chart__label" x="0" y=format!("{:.1}", top + 18.0)>{label.clone()}</text>
                            <rect class="chart__bar chart__bar--share" x=label_width.to_string() y=format!("{:.1}", top + 6.0)
                                width=format!("{width:.1}") height="16" />
                            <text class="chart__value" x=format!("{:.1}", label_width + width + 6.0) y=format!("{:.1}", top + 18.0)>{share_text(*share)}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption id=format!("{id}-summary")>{summary}</figcaption>
        </figure>
    }
}

fn attainment_row(label: String, a: Attainment) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td>{a.met}</td>
            <td>{a.missed}</td>
            <td>{share_text(a.share())}</td>
        </tr>
    }
}

#[component]
fn ServicePanel(dashboard: Dashboard, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let (fr, res, times, backlog) = (dashboard.first_response, dashboard.resolution, dashboard.resolution_times, dashboard.backlog);
    let items = Signal::derive(move || {
        let locale = i18n.get_locale();
        vec![
            (td_string!(locale, dashboard.first_response).to_string(), fr.share()),
            (td_string!(locale, dashboard.resolution).to_string(), res.share()),
        ]
    });
    let summary = Signal::derive(move || {
        td_string!(i18n.get_locale(), dashboard.service_summary, first = share_text(fr.share()), resolution = share_text(res.share()), missed = fr.missed + res.missed).to_string()
    });
    view! {
        <Panel id="service" title=Signal::derive(move || t_string!(i18n, dashboard.service_title).to_string()) csv>
            {move || view! { <ShareBars id="service" items=items.get() summary /> }}
            <table class="table" data-testid="service-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, dashboard.target)}</th>
                    <th scope="col">{t!(i18n, dashboard.met)}</th>
                    <th scope="col">{t!(i18n, dashboard.missed)}</th>
                    <th scope="col">{t!(i18n, dashboard.attainment)}</th>
                </tr></thead>
                <tbody>
                    {move || attainment_row(t_string!(i18n, dashboard.first_response).to_string(), fr)}
                    {move || attainment_row(t_string!(i18n, dashboard.resolution).to_string(), res)}
                </tbody>
            </table>
            <dl class="figures">
                <dt>{t!(i18n, dashboard.median_hours)}</dt>
                <dd data-testid="median-hours">{times.map(|t| hours_text(t.median_minutes)).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.p90_hours)}</dt>
                <dd data-testid="p90-hours">{times.map(|t| hours_text(t.p90_minutes)).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.backlog_unclaimed)}</dt>
                <dd>{backlog.unclaimed}</dd>
                <dt>{t!(i18n, dashboard.backlog_in_progress)}</dt>
                <dd>{backlog.in_progress}</dd>
                <dt>{t!(i18n, dashboard.backlog_awaiting)}</dt>
                <dd>{backlog.awaiting_client}</dd>
            </dl>
        </Panel>
    }
}

#[component]
fn SatisfactionPanel(dashboard: Dashboard, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let c = dashboard.csat.clone();
    let reasons = dashboard.low_reasons.clone();
    let low = c.low_scores.max(1) as f64;
    let items = Signal::derive({
        let reasons = reasons.clone();
        move || {
            let locale = i18n.get_locale();
            reasons.iter().map(|(r, n)| (reason_label(locale, *r).to_string(), Some(*n as f64 / low))).collect::<Vec<_>>()
        }
    });
    let c2 = c.clone();
    let summary = Signal::derive(move || {
        let locale = i18n.get_locale();
        match c2.average {
            Some(avg) => td_string!(locale, dashboard.csat_summary, average = one_decimal(avg), ratings = c2.ratings,
                satisfied = share_text(c2.satisfied_share), low = c2.low_scores).to_string(),
            None => td_string!(locale, dashboard.csat_none).to_string(),
        }
    });
    view! {
        <Panel id="satisfaction" title=Signal::derive(move || t_string!(i18n, dashboard.satisfaction_title).to_string()) csv>
            <dl class="figures" data-testid="csat-figures">
                <dt>{t!(i18n, dashboard.csat_average)}</dt>
                <dd data-testid="csat-average">{c.average.map(one_decimal).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.satisfied_percent)}</dt>
                <dd>{share_text(c.satisfied_share)}</dd>
                <dt>{t!(i18n, dashboard.response_percent)}</dt>
                <dd>{share_text(c.response_rate)}</dd>
                <dt>{t!(i18n, dashboard.ratings)}</dt>
                <dd data-testid="ratings-count">{c.ratings}</dd>
                <dt>{t!(i18n, dashboard.low_scores)}</dt>
                <dd>{c.low_scores}</dd>
            </dl>
            {(!reasons.is_empty()).then(|| view! {
                <h3>{t!(i18n, dashboard.low_reasons)}</h3>
                {move || view! { <ShareBars id="low-reasons" items=items.get() summary /> }}
            })}
            {reasons.is_empty().then(|| view! { <p>{summary}</p> })}
        </Panel>
    }
}

#[component]
fn RejectionPanel(dashboard: Dashboard, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let r = dashboard.rejections.clone();
    let finished = r.finished;
    let by_reason = r.by_reason.clone();
    let items = Signal::derive({
        let by_reason = by_reason.clone();
        move || {
            let locale = i18n.get_locale();
            by_reason.iter().map(|(reason, n)| (reject_reason_label(locale, *reason).to_string(), (finished > 0).then(|| *n as f64 / finished as f64))).collect::<Vec<_>>()
        }
    });
    let rejected = r.rejected;
    let summary = Signal::derive(move || {
        let share = (finished > 0).then(|| rejected as f64 / finished as f64);
        td_string!(i18n.get_locale(), dashboard.rejection_summary, rejected = rejected, finished = finished, share = share_text(share)).to_string()
    });
    view! {
        <Panel id="rejections" title=Signal::derive(move || t_string!(i18n, dashboard.rejections_title).to_string()) csv>
            {move || view! { <ShareBars id="rejections" items=items.get() summary /> }}
            <table class="table" data-testid="rejections-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, fields.request_type)}</th>
                    <th scope="col">{t!(i18n, dashboard.finished)}</th>
                    <th scope="col">{t!(i18n, dashboard.rejected)}</th>
                    <th scope="col">{t!(i18n, dashboard.rejection_percent)}</th>
                </tr></thead>
                <tbody>
                    {r.by_type.into_iter().map(|t| {
                        let share = (t.finished > 0).then(|| t.rejected as f64 / t.finished as f64);
                        let choice = Choice { id: t.type_id.0, name_zh: t.name_zh.clone(), name_en: t.name_en.clone() };
                        view! {
                            <tr>
                                <th scope="row">{move || choice_name(i18n.get_locale(), &choice)}</th>
                                <td>{t.finished}</td>
                                <td>{t.rejected}</td>
                                <td>{share_text(share)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Panel>
    }
}

#[component]
fn FollowUpPanel(figures: FollowUpFigures, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let FollowUpFigures { opened, open, overdue, by_root_cause } = figures;
    let closed = (opened - open).max(1) as f64;
    let causes = by_root_cause.clone();
    let items = Signal::derive(move || {
        let locale = i18n.get_locale();
        causes.iter().map(|(c, n)| (root_cause_label(locale, *c).to_string(), Some(*n as f64 / closed))).collect::<Vec<_>>()
    });
    let summary = Signal::derive(move || {
        td_string!(i18n.get_locale(), dashboard.follow_ups_summary, opened = opened, open = open, overdue = overdue).to_string()
    });
    view! {
        <Panel id="follow-ups" title=Signal::derive(move || t_string!(i18n, dashboard.follow_ups_title).to_string()) csv>
            <dl class="figures">
                <dt>{t!(i18n, dashboard.follow_ups_opened)}</dt>
                <dd data-testid="follow-ups-opened">{opened}</dd>
                <dt>{t!(i18n, dashboard.follow_ups_open)}</dt>
                <dd>{open}</dd>
                <dt>{t!(i18n, dashboard.follow_ups_overdue)}</dt>
                <dd>{overdue}</dd>
            </dl>
            {(!by_root_cause.is_empty()).then(|| view! {
                <h3>{t!(i18n, dashboard.root_cause)}</h3>
                {move || view! { <ShareBars id="root-causes" items=items.get() summary /> }}
            })}
            {by_root_cause.is_empty().then(|| view! { <p>{summary}</p> })}
        </Panel>
    }
}

#[component]
fn AgentPanel(agents: Vec<AgentFigures>, flag: i64, csv: String) -> impl IntoView {
    let i18n = use_i18n();
    let flagged = agents.iter().filter(|a| a.flagged).count();
    let optional = |v: Option<f64>| v.map(one_decimal).unwrap_or_else(|| "—".into());
    view! {
        <Panel id="agents" title=Signal::derive(move || t_string!(i18n, dashboard.agents_title).to_string()) csv>
            <p>{move || td_string!(i18n.get_locale(), dashboard.agents_summary, flag = flag, flagged = flagged).to_string()}</p>
            <div class="table-wrap">
                <table class="table" data-testid="agents-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, dashboard.agent)}</th>
                        <th scope="col">{t!(i18n, dashboard.first_owned)}</th>
                        <th scope="col">{t!(i18n, dashboard.kept)}</th>
                        <th scope="col">{t!(i18n, dashboard.passed_on)}</th>
                        <th scope="col">{t!(i18n, dashboard.finished_by_agent)}</th>
                        <th scope="col">{t!(i18n, dashboard.csat_first_owner)}</th>
                        <th scope="col">{t!(i18n, dashboard.csat_resolver)}</th>
                        <th scope="col">{t!(i18n, dashboard.paused_percent)}</th>
                    </tr></thead>
                    <tbody>
                        {agents.into_iter().map(|a| view! {
                            <tr class:flagged=a.flagged>
                                <th scope="row">{a.name.clone()}</th>
                                <td>{a.first_owned}</td>
                                <td>{a.kept}</td>
                                <td>{a.passed_on}</td>
                                <td>{a.finished}</td>
                                <td>{optional(a.csat_as_first_owner)}</td>
                                <td>{optional(a.csat_as_resolver)}</td>
                                <td>
                                    {share_text(a.paused_share)}
                                    {a.flagged.then(|| view! { " " <span class="badge badge--urgent">{t!(i18n, dashboard.flagged)}</span> })}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Panel>
    }
}
